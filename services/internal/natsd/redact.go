package natsd

import "net/url"

// redactURL hides a password embedded in a NATS URL so errors can be logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
