// Package canonurl turns the many spellings of an article's URL into one, so
// that the same page found through two feeds or two campaigns is one article.
package canonurl

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"igshid": true, "mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "vero_conv": true, "rb_clickid": true, "s_cid": true, "cmpid": true,
	"ncid": true, "sr_share": true, "ref_src": true, "ref_url": true, "spm": true,
	"guccounter": true, "guce_referrer": true, "guce_referrer_sig": true, "at_medium": true,
	"at_campaign": true, "wt.mc_id": true, "cid": false, // cid is a page id on some sites
}

// trackingPrefixes cover families such as utm_source, utm_medium, utm_*.
var trackingPrefixes = []string{"utm_", "pk_", "mtm_", "hsa_", "at_"}

// ErrNotHTTP is returned for URLs that are not http or https.
var ErrNotHTTP = errors.New("not an http(s) URL")

// Canonical resolves raw against base (which may be nil) and returns its
// canonical form: lower-case scheme and host, no default port, no fragment,
// no userinfo, tracking parameters removed, the rest sorted, and an empty
// path written as "/". Applying it twice changes nothing.
func Canonical(raw string, base *url.URL) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("canonical url: empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("canonical url: %w", err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonical url %q: %w", raw, ErrNotHTTP)
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("canonical url %q: no host", raw)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.ContainsAny(host, "[]<>\"'`{}|\\^% /?#@") {
		return "", fmt.Errorf("canonical url %q: bad host %q", raw, host)
	}
	if strings.Contains(host, ":") { // must be an IPv6 literal
		if _, err := netip.ParseAddr(host); err != nil {
			return "", fmt.Errorf("canonical url %q: bad host: %w", raw, err)
		}
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	// Re-encode the path from its decoded form so %7E and ~ agree.
	u.RawPath = ""
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		// Escape stray characters and try again; a query that still cannot
		// be parsed is kept (it may be what identifies the page), escaped.
		raw = escapeRaw(raw)
		if q, err = url.ParseQuery(raw); err != nil {
			return raw
		}
	}
	for k := range q {
		lk := strings.ToLower(k)
		if trackingParams[lk] || slices.ContainsFunc(trackingPrefixes, func(p string) bool { return strings.HasPrefix(lk, p) }) {
			q.Del(k)
		}
	}
	return q.Encode() // sorted by key
}

// escapeRaw percent-encodes what may not stand in a query as it is,
// including a '%' that starts no escape.
func escapeRaw(s string) string {
	const hex = "0123456789ABCDEF"
	isHex := func(c byte) bool {
		return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		case c <= 0x20 || c >= 0x7f || c == '%' || strings.IndexByte("\"<>\\^`{|}#", c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
