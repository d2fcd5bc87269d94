package safehttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	robotsTTL        = 24 * time.Hour
	robotsFailureTTL = time.Minute // a failing host is asked again soon, not per page
	robotsCacheSize  = 10_000
	robotsMaxBytes   = 512 << 10 // RFC 9309 asks parsers to read at least 500 KiB
)

// RobotsAllowed reports whether robots.txt on u's origin lets ProductToken
// fetch u. Answers are cached per origin for a day (a minute for failures);
// concurrent callers for one origin share one fetch. Following RFC 9309, a
// missing robots.txt (4xx) or one behind too many redirects allows all; a
// 5xx, 429 or network failure disallows, with an error wrapping
// ErrRobotsUnavailable, which Retryable reports as retryable.
func (c *Client) RobotsAllowed(ctx context.Context, u *url.URL) (bool, error) {
	if err := checkURL(u); err != nil {
		return false, err
	}
	origin := strings.ToLower(u.Scheme) + "://" + hostKey(u)
	robotsURL := (&url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host, Path: "/robots.txt"}).String()
	data, err := c.robotsFor(ctx, origin, robotsURL)
	if err != nil {
		return false, err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return data.TestAgent(path, ProductToken), nil
}

// robotsCache holds parsed robots.txt per origin.
type robotsCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*robotsEntry
}

type robotsEntry struct {
	ready   chan struct{} // closed once data, err and expires are set
	data    *robotstxt.RobotsData
	err     error
	expires time.Time
}

func (c *Client) robotsFor(ctx context.Context, origin, robotsURL string) (*robotstxt.RobotsData, error) {
	rc := c.robots
	for {
		rc.mu.Lock()
		if rc.entries == nil {
			rc.entries = make(map[string]*robotsEntry)
		}
		e, ok := rc.entries[origin]
		if ok {
			select {
			case <-e.ready:
				if c.now().Before(e.expires) {
					rc.mu.Unlock()
					return e.data, e.err
				}
				delete(rc.entries, origin)
				ok = false
			default:
			}
		}
		if ok { // another caller is fetching it
			rc.mu.Unlock()
			select {
			case <-e.ready:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		rc.evictLocked(c.now())
		e = &robotsEntry{ready: make(chan struct{})}
		rc.entries[origin] = e
		rc.mu.Unlock()

		data, ttl, err := c.fetchRobots(ctx, robotsURL)

		rc.mu.Lock()
		e.data, e.err, e.expires = data, err, c.now().Add(ttl)
		if ttl <= 0 {
			delete(rc.entries, origin) // waiters fetch again with their own context
		}
		close(e.ready)
		rc.mu.Unlock()
		return data, err
	}
}

// evictLocked makes room for one entry: expired entries go first, else an
// arbitrary finished one (map order), which is good enough for a cache whose
// misses cost one small request.
func (rc *robotsCache) evictLocked(now time.Time) {
	if len(rc.entries) < rc.max {
		return
	}
	var victim string
	for k, e := range rc.entries {
		select {
		case <-e.ready:
		default:
			continue // in flight: others wait on it
		}
		if !now.Before(e.expires) {
			delete(rc.entries, k)
			continue
		}
		if victim == "" {
			victim = k
		}
	}
	if len(rc.entries) >= rc.max && victim != "" {
		delete(rc.entries, victim)
	}
}

// fetchRobots returns the rules at robotsURL and how long to keep them;
// a zero TTL means "do not cache" (the caller gave up).
func (c *Client) fetchRobots(ctx context.Context, robotsURL string) (*robotstxt.RobotsData, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, robotsURL, nil)
	if err != nil {
		return nil, robotsTTL, fmt.Errorf("robots.txt: %w: %w", ErrInvalidURL, err)
	}
	resp, err := c.do(req, robotsMaxBytes, true)
	switch {
	case ctx.Err() != nil:
		return nil, 0, fmt.Errorf("GET %s: %w", robotsURL, ctx.Err())
	case errors.Is(err, ErrTooManyRedirects):
		return allowAll, robotsTTL, nil
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrInvalidURL):
		return nil, robotsFailureTTL, err
	case err != nil:
		return nil, robotsFailureTTL, fmt.Errorf("%w: %w", ErrRobotsUnavailable, err)
	}
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return parseRobots(resp.Body), robotsTTL, nil
	case code == http.StatusTooManyRequests || code >= 500:
		return nil, robotsFailureTTL, fmt.Errorf("%w: GET %s: status %d", ErrRobotsUnavailable, robotsURL, code)
	default: // 4xx, or a 3xx that was not followed: no robots.txt
		return allowAll, robotsTTL, nil
	}
}

var allowAll, _ = robotstxt.FromBytes(nil)

// parseRobots parses leniently. The library rejects a whole file for one
// bad line (a rule before any User-agent, a non-numeric Crawl-delay); RFC
// 9309 wants such lines skipped, so they are dropped before parsing. A cut
// at the size cap may split a line, so the partial last line goes too.
func parseRobots(body []byte) *robotstxt.RobotsData {
	if len(body) == robotsMaxBytes {
		if i := bytes.LastIndexAny(body, "\r\n"); i >= 0 {
			body = body[:i+1]
		}
	}
	var clean bytes.Buffer
	seenAgent := false
	for line := range bytes.Lines(body) {
		content, _, _ := bytes.Cut(line, []byte("#"))
		key, value, found := bytes.Cut(content, []byte(":"))
		if found {
			k := strings.ToLower(strings.TrimSpace(string(key)))
			switch k {
			case "user-agent", "useragent":
				seenAgent = true
			case "allow", "disallow":
				if !seenAgent {
					continue
				}
			case "crawl-delay", "crawldelay":
				d, err := strconv.ParseFloat(strings.TrimSpace(string(value)), 64)
				if !seenAgent || err != nil || d < 0 || math.IsInf(d, 0) || math.IsNaN(d) {
					continue
				}
			}
		}
		clean.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			clean.WriteByte('\n')
		}
	}
	data, err := robotstxt.FromBytes(clean.Bytes())
	if err != nil {
		// Whatever still fails to parse carries no rule we can read.
		return allowAll
	}
	return data
}
