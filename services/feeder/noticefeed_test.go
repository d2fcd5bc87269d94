package feeder

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/metrics"
)

// listServer serves the notices parsers' fixture pages: path → fixture,
// with "?page=N" choosing another fixture for the same path.
type listServer struct {
	mu    sync.Mutex
	pages map[string]string // path or path?page=N → fixture file name
	hits  map[string]int
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	key := r.URL.Path
	if p := r.URL.Query().Get("page"); p != "" {
		key += "?page=" + p
	}
	name, ok := s.pages[key]
	if s.hits == nil {
		s.hits = map[string]int{}
	}
	s.hits[key]++
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join("notices", "testdata", name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if strings.HasSuffix(name, ".csv") {
		w.Header().Set("Content-Type", "text/csv")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	_, _ = w.Write(b)
}

func (s *listServer) set(key, name string) {
	s.mu.Lock()
	s.pages[key] = name
	s.mu.Unlock()
}

func noticeItems(items []*bwv1.DiscoveredItem) []*bwv1.DiscoveredItem {
	var out []*bwv1.DiscoveredItem
	for _, it := range items {
		if it.GetNotice() != nil {
			out = append(out, it)
		}
	}
	return out
}

// A poll publishes the first page's rows once, each with its notice; a
// re-poll publishes nothing; a backfill walks the pager and publishes only
// the rows of later pages it has not seen.
func TestNoticesListIsIncrementalAndBackfillWalksPages(t *testing.T) {
	srv := &listServer{pages: map[string]string{
		"/privacy/databreach/list":        "ca-ag-page1.html",
		"/privacy/databreach/list?page=1": "ca-ag-page2.html",
	}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{Name: "ca", URL: ts.URL + "/privacy/databreach/list", Kind: config.KindNotices, Parser: "ca-ag"}
	h := newHarness(t, feed)
	st := &State{}

	res := h.f.poll(t.Context(), feed, st, 0)
	if res.err != nil || res.newItems != 5 {
		t.Fatalf("first poll: %+v", res)
	}
	first := noticeItems(h.discovered())
	if len(first) != 5 || srv.hits["/privacy/databreach/list?page=1"] != 0 {
		t.Fatalf("%d notices, page 2 fetched %d times", len(first), srv.hits["/privacy/databreach/list?page=1"])
	}
	for _, it := range first {
		n := it.GetNotice()
		if !strings.HasPrefix(it.GetIdentity(), "notice:ca-ag:") || n.GetParser() != "ca-ag" || n.GetRegulator() != "California AG" ||
			n.GetOrganisation() == "" || n.GetReported() == "" || it.GetSummary() == "" || !strings.Contains(it.GetTitle(), "California AG") {
			t.Errorf("item %s: %+v", it.GetIdentity(), n)
		}
		// Reported dates are California's calendar days.
		if at := it.GetPublishedAt().AsTime(); at.Hour() != 8 && at.Hour() != 7 || at.Minute() != 0 {
			t.Errorf("item %s published %v, want local midnight in Los Angeles", it.GetIdentity(), at)
		}
	}

	h.now = h.now.Add(time.Hour)
	st.NextPoll = time.Time{}
	if res := h.f.poll(t.Context(), feed, st, 0); res.err != nil || res.newItems+res.updates != 0 {
		t.Fatalf("re-poll: %+v", res)
	}
	// Page 2 repeats a row of page 1 (it moved there as rows were added)
	// and has one row of its own.
	if res := h.f.poll(t.Context(), feed, st, 5); res.err != nil || res.newItems != 1 || res.updates != 0 {
		t.Fatalf("backfill: %+v", res)
	}
	if srv.hits["/privacy/databreach/list?page=1"] != 1 {
		t.Errorf("page 2 fetched %d times by the backfill", srv.hits["/privacy/databreach/list?page=1"])
	}
	if res := h.f.poll(t.Context(), feed, st, 5); res.err != nil || res.newItems+res.updates != 0 {
		t.Fatalf("second backfill: %+v", res)
	}
	if got := len(noticeItems(h.discovered())); got != 6 {
		t.Errorf("%d notices published, want 6", got)
	}
}

// A list that lost a column, or shows no rows, fails the poll with an
// error naming what is missing, counts a layout error and publishes
// nothing.
func TestNoticesLayoutChangeFailsLoudly(t *testing.T) {
	srv := &listServer{pages: map[string]string{"/wa": "wa-ag-missing-column.html"}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := config.Feed{Name: "wa", URL: ts.URL + "/wa", Kind: config.KindNotices, Parser: "wa-ag"}
	h := newHarness(t, feed)
	m := metrics.New()
	h.f.obs = m
	st := &State{}

	res := h.f.poll(t.Context(), feed, st, 0)
	if res.err == nil || !strings.Contains(res.err.Error(), "layout changed") || !strings.Contains(res.err.Error(), "missing") {
		t.Fatalf("poll of a list without a column: %+v", res)
	}
	if st.health(feed, h.now) != "failing" || !strings.Contains(st.LastError, "missing") {
		t.Errorf("health %q, last error %q", st.health(feed, h.now), st.LastError)
	}
	srv.set("/wa", "wa-ag-empty.html")
	h.now = h.now.Add(time.Hour)
	if res := h.f.poll(t.Context(), feed, st, 0); res.err == nil || !strings.Contains(res.err.Error(), "no rows") {
		t.Fatalf("poll of an empty list: %+v", res)
	}
	if got := testutil.ToFloat64(m.NoticeLayoutErrors("wa")); got != 2 {
		t.Errorf("layout errors counted %v, want 2", got)
	}
	if got := len(h.discovered()); got != 0 {
		t.Errorf("%d items published from broken pages", got)
	}

	srv.set("/wa", "wa-ag-page1.html")
	h.now = h.now.Add(time.Hour)
	if res := h.f.poll(t.Context(), feed, st, 0); res.err != nil || res.newItems == 0 {
		t.Fatalf("poll of the mended list: %+v", res)
	}
	if st.health(feed, h.now) != "ok" {
		t.Errorf("health after the list is mended: %q", st.health(feed, h.now))
	}
}

// HHS OCR's CSV export is read from a file: URL.
func TestNoticesFromAFile(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("notices", "testdata", "hhs-ocr.csv"))
	if err != nil {
		t.Fatal(err)
	}
	feed := config.Feed{Name: "hhs", URL: "file://" + abs, Kind: config.KindNotices, Parser: "hhs-ocr"}
	if err := config.ValidateFeed(feed); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, feed)
	st := &State{}
	res := h.f.poll(t.Context(), feed, st, 0)
	if res.err != nil || res.newItems == 0 {
		t.Fatalf("poll: %+v", res)
	}
	for _, it := range noticeItems(h.discovered()) {
		if it.GetNotice().GetRegulator() != "HHS OCR" {
			t.Errorf("item %s: regulator %q", it.GetIdentity(), it.GetNotice().GetRegulator())
		}
	}
	missing := config.Feed{Name: "gone", URL: "file:///nonexistent/breach_report.csv", Kind: config.KindNotices, Parser: "hhs-ocr"}
	if res := h.f.poll(t.Context(), missing, &State{}, 0); res.err == nil || !strings.Contains(res.err.Error(), "no such file") {
		t.Errorf("missing file: %+v", res)
	}
	if err := config.ValidateFeed(config.Feed{URL: "file://" + abs, Kind: "news"}); err == nil {
		t.Error("a file: URL was accepted for a news feed")
	}
}

// A list is a web page: its site's robots.txt is read, and a list it
// disallows is not fetched; the feed fails saying why.
func TestNoticesListMindsRobots(t *testing.T) {
	srv := &listServer{pages: map[string]string{"/privacy/databreach/list": "ca-ag-page1.html"}}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("User-agent: *\nDisallow: /privacy/\n"))
	})
	mux.Handle("/", srv)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	feed := config.Feed{Name: "ca", URL: ts.URL + "/privacy/databreach/list", Kind: config.KindNotices, Parser: "ca-ag"}
	h := newHarness(t, feed)
	st := &State{}
	res := h.f.poll(t.Context(), feed, st, 0)
	if res.err == nil || !strings.Contains(res.err.Error(), "robots.txt disallows") {
		t.Fatalf("poll of a disallowed list: %+v", res)
	}
	srv.mu.Lock()
	hits := srv.hits["/privacy/databreach/list"]
	srv.mu.Unlock()
	if hits != 0 || len(h.discovered()) != 0 {
		t.Errorf("disallowed list fetched %d times, %d items published", hits, len(h.discovered()))
	}
	if !strings.Contains(st.LastError, "robots.txt") {
		t.Errorf("last error %q", st.LastError)
	}
}
