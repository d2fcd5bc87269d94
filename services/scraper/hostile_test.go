package scraper

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/text/encoding/charmap"
	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/metrics"
	"github.com/breachwire/breachwire/services/internal/safehttp"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// hostileSite serves our own generated hostile pages, one per path.
func hostileSite(t *testing.T) *httptest.Server {
	t.Helper()
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros in about 64 KB
		zw.Write(zero)
	}
	zw.Close()
	var many strings.Builder
	many.WriteString("<!DOCTYPE html><html><head><title>Notice</title></head><body><article>")
	for i := range 48_500 {
		fmt.Fprintf(&many, "<p>Line %d of a notice about the breach of records.</p>", i)
	}
	many.WriteString("</article></body></html>")
	manyBody := []byte(many.String())
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 4096)...)

	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(64<<20))
		w.Write([]byte("<html>")) // the Content-Length alone refuses it
	})
	mux.HandleFunc("/many-elements", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(manyBody)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // mislabelled
		w.Write(png)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n") })
	mux.HandleFunc("/private/page", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<p>secret</p>") })
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// logLines is a JSON slog handler's output, one decoded object per line.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) find(level, url string) map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["level"] == level && m["url"] == url {
			return m
		}
	}
	return nil
}

func TestHostilePagesFallBackVisibly(t *testing.T) {
	n := testenv.StartNATS(t)
	ts := hostileSite(t)
	logs := &logLines{}
	client := safehttp.New(safehttp.Options{AllowPrivateNetworks: true, HeaderTimeout: 2 * time.Second, BodyIdleTimeout: time.Second})
	pages := client.Lane(safehttp.LaneOptions{MaxBodyBytes: 8 << 20, BodyTimeout: 500 * time.Millisecond})
	s := New(pages, n.Pub, slog.New(slog.NewJSONHandler(logs, nil)))
	m := metrics.New()
	s.obs = m
	kv, err := n.JS.KeyValue(t.Context(), bus.BucketFeeds)
	if err != nil {
		t.Fatal(err)
	}
	s.feeds = kv

	cases := []struct {
		path string
		want bwv1.FetchStatus
		note string
	}{
		{"/bomb", bwv1.FetchStatus_FETCH_STATUS_TOO_LARGE, "after decompression"},
		{"/huge", bwv1.FetchStatus_FETCH_STATUS_TOO_LARGE, "Content-Length"},
		{"/many-elements", bwv1.FetchStatus_FETCH_STATUS_EXTRACTION_BUDGET_EXCEEDED, "elements"},
		{"/loop", bwv1.FetchStatus_FETCH_STATUS_REDIRECT_LOOP, "redirects"},
		{"/to-metadata", bwv1.FetchStatus_FETCH_STATUS_BLOCKED_ADDRESS, "--allow-metadata-address"},
		{"/slow", bwv1.FetchStatus_FETCH_STATUS_TIMEOUT, "not read within"},
		{"/image", bwv1.FetchStatus_FETCH_STATUS_NOT_HTML, "image/png"},
		{"/gone", bwv1.FetchStatus_FETCH_STATUS_HTTP_ERROR, "HTTP 410"},
		{"/private/page", bwv1.FetchStatus_FETCH_STATUS_ROBOTS_DISALLOWED, "robots.txt"},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			item := itemFor(ts.URL + tc.path)
			data, _ := proto.Marshal(item)
			var handleErr error
			grew := testenv.HeapGrowthMB(func() {
				// The last delivery: what is retried earlier falls back now.
				handleErr = s.Handle(t.Context(), &bus.Message{Data: data, Deliveries: fetchAttempts})
			})
			if handleErr != nil {
				t.Fatalf("Handle: %v", handleErr)
			}
			art := lastArticle(t, n, item.GetUrl())
			if art.GetFetchStatus() != tc.want || art.GetExtractionMethod() != bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT {
				t.Fatalf("status %v, method %v; want %v from the feed's text", art.GetFetchStatus(), art.GetExtractionMethod(), tc.want)
			}
			if !strings.Contains(art.GetFetchNote(), tc.note) {
				t.Errorf("note %q does not say %q", art.GetFetchNote(), tc.note)
			}
			if !strings.Contains(art.GetText(), "Harbourside Water Company") {
				t.Errorf("the feed's text was lost: %q", art.GetText())
			}
			status := strings.ToLower(strings.TrimPrefix(tc.want.String(), "FETCH_STATUS_"))
			if got := testutil.ToFloat64(m.PageFetchesCounter(feeder.FeedID(item.GetFeedUrl()), status)); got < 1 {
				t.Errorf("breachwire_page_fetches_total{status=%q} = %v", status, got)
			}
			line := logs.find("WARN", item.GetUrl())
			if line == nil || line["fetch_status"] != status {
				t.Errorf("no warning naming the URL and status %s: %v", status, line)
			}
			// Memory: a small multiple of what the page sends, never the
			// 64 MiB the bomb inflates to or the extractor's 900 MB.
			if grew > 64 {
				t.Errorf("heap grew %.0f MB", grew)
			}
			t.Logf("%s: %s (heap +%.0f MB)", status, art.GetFetchNote(), grew)
		})
	}
	// feeds status shows the last of them.
	pf, err := kv.Get(t.Context(), "pagefail."+feeder.FeedID(itemFor("").GetFeedUrl()))
	if err != nil {
		t.Fatal(err)
	}
	var rec feeder.PageFailure
	if err := json.Unmarshal(pf.Value(), &rec); err != nil || rec.Status != "robots_disallowed" || !strings.HasSuffix(rec.URL, "/private/page") {
		t.Fatalf("last page failure %s (%v)", pf.Value(), err)
	}
}

// A page that fails in a way that may heal is retried before the feed's
// text is used, and says so in an info line.
func TestSlowPageIsRetriedFirst(t *testing.T) {
	n := testenv.StartNATS(t)
	ts := hostileSite(t)
	logs := &logLines{}
	client := safehttp.New(safehttp.Options{AllowPrivateNetworks: true}).Lane(safehttp.LaneOptions{BodyTimeout: 300 * time.Millisecond})
	s := New(client, n.Pub, slog.New(slog.NewJSONHandler(logs, nil)))
	item := itemFor(ts.URL + "/slow")
	data, _ := proto.Marshal(item)
	err := s.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1})
	if err == nil || !safehttp.Retryable(err) {
		t.Fatalf("first attempt: %v, want a retryable error", err)
	}
	if logs.find("INFO", item.GetUrl()) == nil {
		t.Error("no line saying the page will be retried")
	}
	if got := len(n.Messages(t, bus.StreamArticles)); got != 0 {
		t.Errorf("%d articles published after a retryable failure", got)
	}
}

func TestFullTextIsMarkedOK(t *testing.T) {
	n := testenv.StartNATS(t)
	st, ts := newSite(t)
	st.pages["/a"] = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page("Water company data breach", ts.URL+"/a", articleBody))
	}
	s := newScraper(t, n)
	m := metrics.New()
	s.obs = m
	item := itemFor(ts.URL + "/a")
	data, _ := proto.Marshal(item)
	if err := s.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1}); err != nil {
		t.Fatal(err)
	}
	art := lastArticle(t, n, item.GetUrl())
	if art.GetFetchStatus() != bwv1.FetchStatus_FETCH_STATUS_OK || art.GetFetchNote() != "" {
		t.Fatalf("status %v note %q", art.GetFetchStatus(), art.GetFetchNote())
	}
	if got := testutil.ToFloat64(m.PageFetchesCounter(feeder.FeedID(item.GetFeedUrl()), "ok")); got != 1 {
		t.Errorf("ok count %v", got)
	}
}

func lastArticle(t *testing.T, n *testenv.NATS, url string) *bwv1.Article {
	t.Helper()
	msgs := n.Messages(t, bus.StreamArticles)
	for i := len(msgs) - 1; i >= 0; i-- {
		var a bwv1.Article
		if proto.Unmarshal(msgs[i].Data, &a) == nil && a.GetUrl() == url {
			return &a
		}
	}
	t.Fatalf("no article for %s among %d", url, len(msgs))
	return nil
}

// Pages whose bytes are not what their headers say are decoded by what
// they are (BOM, then sniffing), not stored as mojibake.
func TestHostileCharsetsAreDecoded(t *testing.T) {
	n := testenv.StartNATS(t)
	st, ts := newSite(t)
	body := strings.Replace(articleBody, "Harbourside Water Company", "Harbourside Water Société", 1)
	html := func(path string) string { return page("Water company data breach", ts.URL+path, body) }
	st.pages["/utf16"] = func(w http.ResponseWriter, r *http.Request) {
		// UTF-16LE with its BOM, labelled as if it were UTF-8.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		u := utf16.Encode([]rune(html("/utf16")))
		b := []byte{0xFF, 0xFE}
		for _, c := range u {
			b = append(b, byte(c), byte(c>>8))
		}
		w.Write(b)
	}
	st.pages["/bogus-label"] = func(w http.ResponseWriter, r *http.Request) {
		// Windows-1252 bytes under a charset no decoder knows.
		w.Header().Set("Content-Type", "text/html; charset=x-no-such-charset")
		b, _ := charmap.Windows1252.NewEncoder().String(html("/bogus-label"))
		w.Write([]byte(b))
	}
	s := newScraper(t, n)
	for _, path := range []string{"/utf16", "/bogus-label"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			item := itemFor(ts.URL + path)
			data, _ := proto.Marshal(item)
			if err := s.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1}); err != nil {
				t.Fatal(err)
			}
			art := lastArticle(t, n, item.GetUrl())
			if art.GetFetchStatus() != bwv1.FetchStatus_FETCH_STATUS_OK {
				t.Fatalf("status %v note %q", art.GetFetchStatus(), art.GetFetchNote())
			}
			if !strings.Contains(art.GetText(), "Harbourside Water Société") || strings.ContainsRune(art.GetText(), utf8.RuneError) {
				t.Errorf("text not decoded: %.200q", art.GetText())
			}
		})
	}
}
