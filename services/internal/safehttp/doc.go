// Package safehttp is breachwire's one outbound HTTP client: it refuses
// non-public addresses after DNS resolution, bounds time and size, and
// decodes what it fetches to UTF-8.
package safehttp
