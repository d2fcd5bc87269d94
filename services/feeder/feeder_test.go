package feeder

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/safehttp"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// feedServer serves an RSS document that tests change as they go.
type feedServer struct {
	mu          sync.Mutex
	body        string
	etag        string
	lastMod     string
	staleETag   bool // answer 304 to any If-None-Match, whatever the content
	status      int
	headers     map[string]string
	requests    []http.Header
	conditional atomic.Int32
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Header.Clone())
	for k, v := range s.headers {
		w.Header().Set(k, v)
	}
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	inm := r.Header.Get("If-None-Match")
	if inm != "" {
		s.conditional.Add(1)
	}
	if inm != "" && (s.staleETag || inm == s.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
	}
	if s.lastMod != "" {
		w.Header().Set("Last-Modified", s.lastMod)
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write([]byte(s.body))
}

func (s *feedServer) set(body, etag string) {
	s.mu.Lock()
	s.body, s.etag = body, etag
	s.mu.Unlock()
}

type item struct{ guid, link, title, date string }

func rss(items ...item) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Synthetic breach news</title><link>https://news.example.test/</link>`)
	for _, it := range items {
		b.WriteString("<item>")
		if it.guid != "" {
			fmt.Fprintf(&b, "<guid isPermaLink=\"false\">%s</guid>", it.guid)
		}
		if it.link != "" {
			fmt.Fprintf(&b, "<link>%s</link>", it.link)
		}
		fmt.Fprintf(&b, "<title>%s</title><description>Summary of %s.</description>", it.title, it.title)
		if it.date != "" {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.date)
		}
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

type harness struct {
	t   *testing.T
	n   *testenv.NATS
	f   *Feeder
	now time.Time
}

func newHarness(t *testing.T, feeds ...config.Feed) *harness {
	t.Helper()
	n := testenv.StartNATS(t)
	cfg := config.Default()
	cfg.Feeds = feeds
	cfg.FeedMinInterval, cfg.FeedMaxInterval = time.Minute, time.Hour
	f, err := newFeeder(t.Context(), n, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, n: n, f: f, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.now = func() time.Time { return h.now }
	return h
}

func newFeeder(ctx context.Context, n *testenv.NATS, cfg *config.Config) (*Feeder, error) {
	reg, err := OpenRegistry(ctx, n.JS, cfg.Feeds)
	if err != nil {
		return nil, err
	}
	kv, err := n.JS.KeyValue(ctx, bus.BucketSeen)
	if err != nil {
		return nil, err
	}
	return &Feeder{
		reg: reg, seen: seenSet{kv: kv}, pub: n.Pub,
		client: safehttp.New(safehttp.Options{AllowPrivateNetworks: true, HeaderTimeout: 5 * time.Second}),
		obs:    nopObserver{}, log: slog.New(slog.DiscardHandler),
		defMin: cfg.FeedMinInterval, defMax: cfg.FeedMaxInterval, now: time.Now,
	}, nil
}

func (h *harness) discovered() []*bwv1.DiscoveredItem {
	h.t.Helper()
	var out []*bwv1.DiscoveredItem
	for _, m := range h.n.Messages(h.t, bus.StreamDiscovered) {
		var it bwv1.DiscoveredItem
		if err := proto.Unmarshal(m.Data, &it); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, &it)
	}
	return out
}

func TestConditionalGetAnd304(t *testing.T) {
	srv := &feedServer{etag: `"v1"`, lastMod: "Sat, 28 Feb 2026 10:00:00 GMT"}
	srv.set(rss(item{guid: "a", link: "https://news.example.test/a", title: "Clinic reports data breach"}), `"v1"`)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{Name: "t", URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}

	res := h.f.poll(t.Context(), feed, st, 0)
	if res.err != nil || res.newItems != 1 || res.result != resultChanged {
		t.Fatalf("first poll: %+v", res)
	}
	if st.ETag != `"v1"` || st.LastModified == "" {
		t.Fatalf("validators not kept: %+v", st)
	}
	h.now = h.now.Add(time.Hour)
	res = h.f.poll(t.Context(), feed, st, 0)
	if res.err != nil || res.result != resultNotModified || res.newItems != 0 {
		t.Fatalf("second poll: %+v", res)
	}
	last := srv.requests[len(srv.requests)-1]
	if last.Get("If-None-Match") != `"v1"` || last.Get("If-Modified-Since") != "Sat, 28 Feb 2026 10:00:00 GMT" {
		t.Fatalf("conditional headers not sent: %v", last)
	}
	if got := len(h.discovered()); got != 1 {
		t.Fatalf("%d items published, want 1", got)
	}
	if ua := last.Get("User-Agent"); !strings.HasPrefix(ua, "breachwire/") || !strings.Contains(ua, "+https://") {
		t.Fatalf("User-Agent %q", ua)
	}
}

func TestStaleValidatorsAreOvercomeByPeriodicFullFetch(t *testing.T) {
	srv := &feedServer{staleETag: true}
	srv.set(rss(item{guid: "a", link: "https://news.example.test/a", title: "First"}), `"same"`)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}
	if res := h.f.poll(t.Context(), feed, st, 0); res.newItems != 1 {
		t.Fatalf("first poll: %+v", res)
	}
	// The content changes but the server keeps its validator and answers 304.
	srv.set(rss(item{guid: "b", link: "https://news.example.test/b", title: "Second"}, item{guid: "a", link: "https://news.example.test/a", title: "First"}), `"same"`)
	var polls, found int
	for polls = 1; polls <= fullFetchPolls+1 && found == 0; polls++ {
		h.now = h.now.Add(time.Minute)
		res := h.f.poll(t.Context(), feed, st, 0)
		if res.err != nil {
			t.Fatal(res.err)
		}
		found = res.newItems
	}
	if found != 1 {
		t.Fatalf("the new item was never found through stale validators")
	}
	if got := len(h.discovered()); got != 2 {
		t.Fatalf("%d items published, want 2", got)
	}
	// An unconditional fetch returning the same bytes is not parsed again.
	st.LastFull = time.Time{}
	if res := h.f.poll(t.Context(), feed, st, 0); res.result != resultUnchanged {
		t.Fatalf("same body: %+v", res)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	srv := &feedServer{status: http.StatusTooManyRequests, headers: map[string]string{"Retry-After": "7200"}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{LastSuccess: h.now.Add(-time.Hour)}
	res := h.f.poll(t.Context(), feed, st, 0)
	// Rate limited is healthy: the server is up and asks us to slow down.
	if res.result != resultRateLimited || res.err != nil || st.ConsecutiveFailures != 0 {
		t.Fatalf("poll: %+v state %+v", res, st)
	}
	if got := st.health(feed, h.now); got != "rate_limited" {
		t.Errorf("health %q, want rate_limited", got)
	}
	if !strings.Contains(st.LastError, "HTTP 429") {
		t.Errorf("last error %q does not say what the server answered", st.LastError)
	}
	if wait := st.NextPoll.Sub(h.now); wait < 7200*time.Second {
		t.Fatalf("next poll in %s, want no sooner than 2h (Retry-After)", wait)
	}
	// 503 with an HTTP date is the same.
	srv.status = http.StatusServiceUnavailable
	srv.headers["Retry-After"] = h.now.Add(3 * time.Hour).UTC().Format(http.TimeFormat)
	res = h.f.poll(t.Context(), feed, st, 0)
	if res.result != resultRateLimited || st.ConsecutiveFailures != 0 || st.NextPoll.Sub(h.now) < 3*time.Hour-time.Second {
		t.Fatalf("503: %+v, next poll in %s", res, st.NextPoll.Sub(h.now))
	}
	// A 429 without Retry-After backs off by doubling the interval.
	delete(srv.headers, "Retry-After")
	srv.status = http.StatusTooManyRequests
	before := st.Interval
	h.f.poll(t.Context(), feed, st, 0)
	if st.Interval <= before {
		t.Errorf("interval %s after %s: no back-off", st.Interval, before)
	}
	// A 503 without Retry-After is a failure of the server.
	srv.status = http.StatusServiceUnavailable
	if res := h.f.poll(t.Context(), feed, st, 0); res.err == nil || st.ConsecutiveFailures != 1 || st.health(feed, h.now) != "failing" {
		t.Fatalf("503 without Retry-After: %+v, health %s", res, st.health(feed, h.now))
	}
	// A success clears it all.
	srv.status, srv.body = 0, rss()
	if res := h.f.poll(t.Context(), feed, st, 0); res.err != nil {
		t.Fatal(res.err)
	}
	if st.health(feed, h.now) == "rate_limited" || !st.RateLimitedUntil.IsZero() {
		t.Errorf("after a success: health %s, rate limited until %s", st.health(feed, h.now), st.RateLimitedUntil)
	}
}

func TestFailuresBackOffExponentially(t *testing.T) {
	srv := &feedServer{status: http.StatusInternalServerError}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}
	var waits []time.Duration
	for range 4 {
		h.f.poll(t.Context(), feed, st, 0)
		waits = append(waits, st.NextPoll.Sub(h.now))
	}
	for i := 1; i < len(waits); i++ {
		// Doubling with ±10% jitter: each wait is at least 1.6x the previous.
		if waits[i] < waits[i-1]*16/10 {
			t.Fatalf("backoff does not grow: %v", waits)
		}
	}
	if st.ConsecutiveFailures != 4 || st.LastError != "HTTP 500" {
		t.Fatalf("state %+v", st)
	}
}

func TestMalformedFeedIsAClearErrorAndPublishesNothing(t *testing.T) {
	for name, body := range map[string]string{
		"truncated xml": `<?xml version="1.0"?><rss version="2.0"><channel><item><title>Half`,
		"html page":     `<html><body>Not a feed</body></html>`,
		"binary":        "\x00\x01\x02\xff\xfe",
		"empty":         "",
	} {
		t.Run(name, func(t *testing.T) {
			srv := &feedServer{}
			srv.set(body, "")
			ts := httptest.NewServer(srv)
			defer ts.Close()
			feed := config.Feed{URL: ts.URL}
			h := newHarness(t, feed)
			st := &State{}
			res := h.f.poll(t.Context(), feed, st, 0)
			if res.err == nil || !strings.Contains(st.LastError, "parse feed") {
				t.Fatalf("want a parse error, got %+v (%q)", res, st.LastError)
			}
			if len(h.discovered()) != 0 {
				t.Fatal("items published from a malformed feed")
			}
		})
	}
}

func TestTenThousandItemsArePublishedOnce(t *testing.T) {
	items := make([]item, 10_000)
	for i := range items {
		items[i] = item{guid: fmt.Sprintf("g-%d", i), link: fmt.Sprintf("https://news.example.test/story/%d", i), title: fmt.Sprintf("Story %d", i)}
	}
	srv := &feedServer{}
	srv.set(rss(items...), "")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}
	if res := h.f.poll(t.Context(), feed, st, 0); res.err != nil || res.newItems != 10_000 {
		t.Fatalf("first poll: %+v", res)
	}
	st.BodyHash = "" // make the next poll parse again
	if res := h.f.poll(t.Context(), feed, st, 0); res.err != nil || res.newItems != 0 || res.updates != 0 {
		t.Fatalf("second poll: %+v", res)
	}
	if got := len(h.discovered()); got != 10_000 {
		t.Fatalf("%d items in bw.discovered", got)
	}
	if st.itemsSince(h.now.Add(-time.Hour)) != 10_000 || st.TotalItems != 10_000 {
		t.Fatalf("health counts: %d %d", st.itemsSince(h.now.Add(-time.Hour)), st.TotalItems)
	}
}

func TestItemIdentity(t *testing.T) {
	sameDate := "Mon, 02 Mar 2026 09:00:00 GMT"
	srv := &feedServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}
	poll := func(items ...item) pollResult {
		t.Helper()
		srv.set(rss(items...), "")
		st.BodyHash = ""
		res := h.f.poll(t.Context(), feed, st, 0)
		if res.err != nil {
			t.Fatal(res.err)
		}
		return res
	}

	// Items sharing a date are all kept: there is no date cursor.
	res := poll(
		item{guid: "1", link: "https://news.example.test/one?utm_source=rss", title: "One", date: sameDate},
		item{guid: "2", link: "https://news.example.test/two", title: "Two", date: sameDate},
		item{guid: "3", link: "https://news.example.test/three", title: "Three", date: sameDate},
	)
	if res.newItems != 3 {
		t.Fatalf("same-date items: %+v", res)
	}
	// Changing GUIDs for the same links: nothing new.
	res = poll(
		item{guid: "x1", link: "https://news.example.test/one?utm_medium=feed", title: "One", date: sameDate},
		item{guid: "x2", link: "https://news.example.test/two", title: "Two", date: sameDate},
		item{guid: "x3", link: "https://news.example.test/three", title: "Three", date: sameDate},
	)
	if res.newItems != 0 || res.updates != 0 {
		t.Fatalf("changing GUIDs republished: %+v", res)
	}
	// One GUID reused for two different links: both are kept, by URL.
	res = poll(
		item{guid: "dup", link: "https://news.example.test/four", title: "Four"},
		item{guid: "dup", link: "https://news.example.test/five", title: "Five"},
	)
	if res.newItems != 2 {
		t.Fatalf("duplicate GUIDs: %+v", res)
	}
	// Same URL with a changed title is an update, not a new article.
	res = poll(item{guid: "2", link: "https://news.example.test/two", title: "Two (updated: 83,000 customers)"})
	if res.newItems != 0 || res.updates != 1 {
		t.Fatalf("changed title: %+v", res)
	}
	// Items without GUID or link are identified by content.
	res = poll(item{title: "No link at all"}, item{title: "No link at all"})
	if res.newItems != 1 {
		t.Fatalf("content-hash identity: %+v", res)
	}

	got := h.discovered()
	if len(got) != 7 {
		t.Fatalf("%d messages, want 7", len(got))
	}
	var update *bwv1.DiscoveredItem
	for _, it := range got {
		if it.GetUpdate() {
			update = it
		}
	}
	if update == nil || update.GetTitle() != "Two (updated: 83,000 customers)" || update.GetCanonicalUrl() != "https://news.example.test/two" {
		t.Fatalf("update message %+v", update)
	}
	if got[0].GetCanonicalUrl() != "https://news.example.test/one" || got[0].GetIdentity() != "guid:1" || got[0].GetFeedUrl() != ts.URL {
		t.Fatalf("first message %+v", got[0])
	}
}

func TestMatchFilterKeepsOnlyMatchingItems(t *testing.T) {
	srv := &feedServer{}
	srv.set(rss(
		item{guid: "1", link: "https://filings.example.test/1", title: "8-K - Example Corp: Item 1.05 Material Cybersecurity Incidents"},
		item{guid: "2", link: "https://filings.example.test/2", title: "8-K - Other Corp: Item 5.02 Departure of Directors"},
		item{guid: "3", link: "https://filings.example.test/3", title: "8-K - Third Corp: Item 8.01 Other Events"},
	), "")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL, Match: []string{"Item 1.05", "item 8.01"}}
	h := newHarness(t, feed)
	if res := h.f.poll(t.Context(), feed, &State{}, 0); res.newItems != 2 {
		t.Fatalf("filtered poll: %+v", res)
	}
}

func TestServerFloorAndAdaptiveInterval(t *testing.T) {
	if got := serverFloor(http.Header{"Cache-Control": {"public, max-age=1800"}}, nil); got != 30*time.Minute {
		t.Fatalf("max-age: %s", got)
	}
	if got := serverFloor(http.Header{}, []byte("<rss><channel><ttl>90</ttl>")); got != 90*time.Minute {
		t.Fatalf("ttl: %s", got)
	}
	if got := serverFloor(http.Header{"Cache-Control": {"no-cache"}}, nil); got != 0 {
		t.Fatalf("no-cache: %s", got)
	}

	srv := &feedServer{headers: map[string]string{"Cache-Control": "max-age=5400"}}
	srv.set(rss(item{guid: "1", link: "https://news.example.test/1", title: "One"}), `"e"`)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL, MinInterval: config.Duration(time.Minute), MaxInterval: config.Duration(4 * time.Hour)}
	h := newHarness(t, feed)
	st := &State{}
	h.f.poll(t.Context(), feed, st, 0)
	if wait := st.NextPoll.Sub(h.now); wait < 5400*time.Second*9/10 {
		t.Fatalf("next poll in %s despite max-age=5400", wait)
	}
	// Without a floor, quiet polls grow the interval up to the maximum.
	srv.headers = nil
	for range 30 {
		h.now = h.now.Add(time.Minute)
		h.f.poll(t.Context(), feed, st, 0)
	}
	if st.Interval != 4*time.Hour {
		t.Fatalf("interval after quiet polls %s, want the 4h maximum", st.Interval)
	}
}

func TestSilentFeedIsFlagged(t *testing.T) {
	srv := &feedServer{}
	srv.set(rss(item{guid: "1", link: "https://news.example.test/1", title: "One"}), `"e"`)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL}
	h := newHarness(t, feed)
	st := &State{}
	h.f.poll(t.Context(), feed, st, 0)
	if st.Silent || st.health(feed, h.now) != "ok" {
		t.Fatalf("fresh feed: %+v", st)
	}
	h.now = h.now.Add(8 * 24 * time.Hour)
	h.f.poll(t.Context(), feed, st, 0)
	if !st.Silent || st.health(feed, h.now) != "silent" {
		t.Fatalf("quiet for 8 days: silent=%v health=%s", st.Silent, st.health(feed, h.now))
	}
	if st.itemsSince(h.now.Add(-7*24*time.Hour)) != 0 {
		t.Fatal("items of last week not pruned")
	}
}

func TestRunPollsConfiguredAndAddedFeeds(t *testing.T) {
	a := &feedServer{}
	a.set(rss(item{guid: "a1", link: "https://a.example.test/1", title: "A one"}), "")
	b := &feedServer{}
	b.set(rss(item{guid: "b1", link: "https://b.example.test/1", title: "B one"}, item{guid: "b2", link: "https://b.example.test/2", title: "B two"}), "")
	tsA, tsB := httptest.NewServer(a), httptest.NewServer(b)
	defer tsA.Close()
	defer tsB.Close()

	n := testenv.StartNATS(t)
	cfg := config.Default()
	cfg.Feeds = []config.Feed{{Name: "configured", URL: tsA.URL}}
	f, err := newFeeder(t.Context(), n, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.Add(t.Context(), config.Feed{Name: "added", URL: tsB.URL, Kind: "regulator"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.Add(t.Context(), config.Feed{URL: tsA.URL}); err == nil {
		t.Fatal("adding a configured feed succeeded")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(n.Messages(t, bus.StreamDiscovered)) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("items not published")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sts, err := f.reg.Statuses(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 || sts[0].Feed.Name != "configured" || sts[0].Source != "config" || sts[1].Feed.Kind != "regulator" {
		t.Fatalf("statuses %+v", sts)
	}
	for _, s := range sts {
		if s.Health != "ok" || s.LastSuccess.IsZero() || s.NextPoll.IsZero() {
			t.Errorf("feed %s: health %s state %+v", s.Feed.Name, s.Health, s.State)
		}
	}
	if sts[1].ItemsLast7Days != 2 {
		t.Errorf("added feed items last 7 days = %d", sts[1].ItemsLast7Days)
	}
	if _, err := f.reg.Remove(t.Context(), tsA.URL); err == nil {
		t.Error("removing a configured feed succeeded")
	}
	if _, err := f.reg.Remove(t.Context(), sts[1].ID); err != nil {
		t.Errorf("remove added feed: %v", err)
	}
}

// A feed added while the feeder runs is polled at once: the recheck is an
// hour here, so only the bucket watch can wake the loop.
func TestFeedAddedAtRunTimeIsPolledAtOnce(t *testing.T) {
	s := &feedServer{}
	s.set(rss(item{guid: "w1", link: "https://w.example.test/1", title: "W one"}), "")
	ts := httptest.NewServer(s)
	defer ts.Close()
	n := testenv.StartNATS(t)
	cfg := config.Default()
	f, err := newFeeder(t.Context(), n, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.recheck = time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(100 * time.Millisecond) // the loop has listed no feeds and sleeps for its hour
	// Added by another registry on the same bucket, as the API or a direct
	// command in another process would.
	other, err := OpenRegistry(t.Context(), n.JS, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Add(t.Context(), config.Feed{Name: "woken", URL: ts.URL}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second) // far below the hour: only a wake can poll it
	for len(n.Messages(t, bus.StreamDiscovered)) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the added feed was not polled before the recheck")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// billionLaughs is a feed whose DTD declares entities that would expand to
// 10^9 "lol"s, plus an external entity pointing at a local file.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><guid>a</guid><link>https://news.example/a</link><title>Breach at &lol9;Harbourside &amp; Co&xxe;</title>
<description>&lt;p&gt;Tom &amp;amp; Jerry &lol9;lost &amp;copy; records&lt;/p&gt;&xxe;</description></item>
</channel></rss>`)
	return b.String()
}

func TestBillionLaughsFeedIsNotExpandedAndLeavesNoEntityText(t *testing.T) {
	srv := &feedServer{}
	srv.set(billionLaughs(), "")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{URL: ts.URL, Name: "laughs"}
	h := newHarness(t, feed)
	var logs bytes.Buffer
	h.f.log = slog.New(slog.NewTextHandler(&logs, nil))
	st := &State{}
	var res pollResult
	grew := testenv.HeapGrowthMB(func() { res = h.f.poll(t.Context(), feed, st, 0) })
	if res.err != nil {
		t.Fatal(res.err)
	}
	items := h.discovered()
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	it := items[0]
	if it.GetTitle() != "Breach at Harbourside & Co" {
		t.Errorf("title %q", it.GetTitle())
	}
	// HTML's own entities stay for the HTML-to-text step; declared ones go.
	if want := "<p>Tom &amp; Jerry lost &copy; records</p>"; it.GetSummary() != want {
		t.Errorf("summary %q, want %q", it.GetSummary(), want)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "references=5") {
		t.Errorf("no warning counting the removed references:\n%s", logs.String())
	}
	if grew > 16 {
		t.Errorf("heap grew %.0f MB on a %d-byte feed", grew, len(billionLaughs()))
	}
}
