package safehttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// robotsServer serves robots.txt with the status and body the test sets,
// counting fetches.
type robotsServer struct {
	mu     sync.Mutex
	status int
	body   string
	hits   atomic.Int32
	ua     atomic.Value
	url    string
}

func newRobotsServer(t *testing.T, status int, body string) *robotsServer {
	rs := &robotsServer{status: status, body: body}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		rs.hits.Add(1)
		rs.ua.Store(r.Header.Get("User-Agent"))
		rs.mu.Lock()
		status, body := rs.status, rs.body
		rs.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
	rs.url = srv.URL
	return rs
}

func (rs *robotsServer) set(status int, body string) {
	rs.mu.Lock()
	rs.status, rs.body = status, body
	rs.mu.Unlock()
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fakeClock is the robots cache's clock in tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func TestRobotsRules(t *testing.T) {
	const robots = `# comments are fine
Disallow: /before-any-agent
User-agent: *
Disallow: /private
Crawl-delay: soon

User-agent: BreachWire
Disallow: /no-bw
Disallow: /*.pdf$
Allow: /no-bw/public
`
	tests := []struct {
		path string
		want bool
	}{
		{path: "/", want: true},
		{path: "/article/1", want: true},
		{path: "/private/x", want: true}, // our own group replaces "*"
		{path: "/before-any-agent", want: true},
		{path: "/no-bw", want: false},
		{path: "/no-bw/secret", want: false},
		{path: "/no-bw/public/ok", want: true},
		{path: "/report.pdf", want: false},
		{path: "/report.pdf?download=1", want: true},
		{path: "/report.pdfx", want: true},
	}
	rs := newRobotsServer(t, http.StatusOK, robots)
	c := newTestClient(t, Options{})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := c.RobotsAllowed(t.Context(), mustParse(t, rs.url+tt.path))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
	if n := rs.hits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once", n)
	}
	if ua, _ := rs.ua.Load().(string); !strings.HasPrefix(ua, "breachwire/") {
		t.Errorf("robots.txt fetched as %q", ua)
	}
}

func TestRobotsStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    bool
		wantErr error
	}{
		{name: "disallow all", status: 200, body: "User-agent: *\nDisallow: /\n", want: false},
		{name: "empty file", status: 200, want: true},
		{name: "not found", status: 404, body: "User-agent: *\nDisallow: /\n", want: true},
		{name: "forbidden", status: 403, want: true},
		{name: "gone", status: 410, want: true},
		{name: "server error", status: 500, wantErr: ErrRobotsUnavailable},
		{name: "unavailable", status: 503, wantErr: ErrRobotsUnavailable},
		{name: "too many requests", status: 429, wantErr: ErrRobotsUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := newRobotsServer(t, tt.status, tt.body)
			c := newTestClient(t, Options{})
			got, err := c.RobotsAllowed(t.Context(), mustParse(t, rs.url+"/page"))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got {
					t.Fatalf("got %v, %v; want false, %v", got, err, tt.wantErr)
				}
				if !Retryable(err) {
					t.Errorf("%v should be retryable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRobotsCache(t *testing.T) {
	rs := newRobotsServer(t, http.StatusOK, "User-agent: *\nDisallow: /old\n")
	c := newTestClient(t, Options{})
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.now = clock.Now
	page := mustParse(t, rs.url+"/old/page")

	check := func(want bool, wantHits int32) {
		t.Helper()
		got, err := c.RobotsAllowed(t.Context(), page)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("allowed = %v, want %v", got, want)
		}
		if n := rs.hits.Load(); n != wantHits {
			t.Errorf("%d fetches, want %d", n, wantHits)
		}
	}
	check(false, 1)
	rs.set(http.StatusOK, "User-agent: *\nDisallow: /new\n")
	clock.Advance(23 * time.Hour)
	check(false, 1) // still cached
	clock.Advance(2 * time.Hour)
	check(true, 2) // expired, fetched again
}

func TestRobotsFailureIsRetriedSoon(t *testing.T) {
	rs := newRobotsServer(t, http.StatusServiceUnavailable, "")
	c := newTestClient(t, Options{})
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.now = clock.Now
	page := mustParse(t, rs.url+"/page")

	for range 3 {
		if ok, err := c.RobotsAllowed(t.Context(), page); ok || !errors.Is(err, ErrRobotsUnavailable) {
			t.Fatalf("got %v, %v; want false, ErrRobotsUnavailable", ok, err)
		}
	}
	if n := rs.hits.Load(); n != 1 {
		t.Errorf("a failing robots.txt was fetched %d times within a minute", n)
	}
	rs.set(http.StatusOK, "User-agent: *\nAllow: /\n")
	clock.Advance(2 * time.Minute)
	if ok, err := c.RobotsAllowed(t.Context(), page); !ok || err != nil {
		t.Errorf("after recovery: %v, %v", ok, err)
	}
}

func TestRobotsNetworkFailure(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := newTestClient(t, Options{})
	ok, err := c.RobotsAllowed(t.Context(), mustParse(t, srv.URL+"/page"))
	if ok || !errors.Is(err, ErrRobotsUnavailable) || !Retryable(err) {
		t.Errorf("got %v, %v; want false and a retryable ErrRobotsUnavailable", ok, err)
	}
}

func TestRobotsBlockedAddress(t *testing.T) {
	rs := newRobotsServer(t, http.StatusOK, "")
	c := newClient(t, Options{})
	ok, err := c.RobotsAllowed(t.Context(), mustParse(t, rs.url+"/page"))
	if ok || !errors.Is(err, ErrBlockedAddress) || Retryable(err) {
		t.Errorf("got %v, %v; want false and a permanent ErrBlockedAddress", ok, err)
	}
}

func TestRobotsRedirectLoopAllows(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/robots.txt", http.StatusFound)
	})
	c := newTestClient(t, Options{})
	if ok, err := c.RobotsAllowed(t.Context(), mustParse(t, srv.URL+"/page")); !ok || err != nil {
		t.Errorf("got %v, %v; want allowed (RFC 9309: unavailable)", ok, err)
	}
}

func TestRobotsLargeFileIsTruncated(t *testing.T) {
	body := "User-agent: *\nDisallow: /secret\n" + strings.Repeat("# padding padding padding\n", 40_000) +
		"Disallow: /beyond-the-cap\n"
	rs := newRobotsServer(t, http.StatusOK, body)
	c := newTestClient(t, Options{})
	for path, want := range map[string]bool{"/secret": false, "/beyond-the-cap": true, "/ok": true} {
		got, err := c.RobotsAllowed(t.Context(), mustParse(t, rs.url+path))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: allowed = %v, want %v", path, got, want)
		}
	}
}

func TestRobotsConcurrentCallersShareAFetch(t *testing.T) {
	rs := newRobotsServer(t, http.StatusOK, "User-agent: *\nDisallow: /x\n")
	c := newTestClient(t, Options{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if ok, err := c.RobotsAllowed(t.Context(), mustParse(t, rs.url+"/x")); ok || err != nil {
				t.Errorf("got %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	if n := rs.hits.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestRobotsCacheIsBounded(t *testing.T) {
	c := newTestClient(t, Options{})
	c.robots.max = 3
	var origins []string
	for range 6 {
		origins = append(origins, newRobotsServer(t, http.StatusNotFound, "").url)
	}
	for _, o := range origins {
		if _, err := c.RobotsAllowed(t.Context(), mustParse(t, o+"/")); err != nil {
			t.Fatal(err)
		}
	}
	c.robots.mu.Lock()
	defer c.robots.mu.Unlock()
	if n := len(c.robots.entries); n > 3 {
		t.Errorf("%d cached origins, bound is 3", n)
	}
}

func TestParseRobotsLenient(t *testing.T) {
	tests := []struct {
		name, body, path string
		want             bool
	}{
		{name: "bad crawl-delay ignored", body: "User-agent: *\nCrawl-delay: fast\nDisallow: /a\n", path: "/a", want: false},
		{name: "rule before agent ignored", body: "Disallow: /\nUser-agent: *\nDisallow: /a\n", path: "/b", want: true},
		{name: "CRLF", body: "User-agent: *\r\nDisallow: /a\r\n", path: "/a/b", want: false},
		{name: "no final newline", body: "User-agent: *\nDisallow: /a", path: "/a", want: false},
		{name: "binary junk", body: "\x00\xff\xfe:::\n\n:", path: "/", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRobots([]byte(tt.body)).TestAgent(tt.path, ProductToken); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
