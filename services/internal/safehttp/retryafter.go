package safehttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds what RetryAfter returns: a server asking for a week's
// pause is more likely broken than serious, and a feed must not go silent.
const maxRetryAfter = 24 * time.Hour

// RetryAfter parses a Retry-After header, either delta-seconds or an
// HTTP-date relative to now. A date in the past gives 0; values are capped at
// maxRetryAfter. It reports false when the header is absent or invalid.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil || secs > uint64(maxRetryAfter/time.Second) {
			// Only a range error is possible here: too many digits.
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > maxRetryAfter:
		return maxRetryAfter, true
	}
	return d, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
