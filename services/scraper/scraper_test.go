package scraper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/safehttp"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// A synthetic article: written for these tests, not taken from any outlet.
const articleBody = `<p>Harbourside Water Company said on Tuesday that an unauthorised party copied
the names and account numbers of about 41,000 customers from a billing database.</p>
<p>The company said it discovered the intrusion during a routine audit and reported it to the
regulator within 72 hours. Customers are being contacted by letter this week.</p>
<p>A spokesperson said there was no evidence that payment card details had been taken, and
that the affected database had since been moved behind additional controls.</p>`

func page(title, canonical, body string) string {
	return `<!DOCTYPE html><html lang="en"><head><title>` + title + ` | Example Ledger</title>
<meta property="og:site_name" content="Example Ledger">
<meta name="author" content="Sam Reporter">
<meta property="article:published_time" content="2026-02-10T08:30:00Z">
<link rel="canonical" href="` + canonical + `"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About</a></nav>
<article><h1>` + title + `</h1>` + body + `</article>
<footer>Copyright Example Ledger. All rights reserved.</footer></body></html>`
}

type site struct {
	robots string
	pages  map[string]func(w http.ResponseWriter, r *http.Request)
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		if s.robots == "" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(s.robots))
		return
	}
	if h, ok := s.pages[r.URL.Path]; ok {
		h(w, r)
		return
	}
	http.NotFound(w, r)
}

// newSite serves an empty site (add to its pages) until the test ends.
func newSite(t *testing.T) (*site, *httptest.Server) {
	st := &site{pages: map[string]func(http.ResponseWriter, *http.Request){}}
	ts := httptest.NewServer(st)
	t.Cleanup(ts.Close)
	return st, ts
}

func newScraper(t *testing.T, n *testenv.NATS) *Scraper {
	return New(safehttp.New(safehttp.Options{AllowPrivateNetworks: true, HeaderTimeout: 2 * time.Second, BodyIdleTimeout: time.Second}),
		n.Pub, slog.New(slog.DiscardHandler))
}

func itemFor(u string) *bwv1.DiscoveredItem {
	return &bwv1.DiscoveredItem{
		Identity: "guid:" + u, FeedUrl: "https://feeds.example.test/rss", FeedName: "test", FeedTags: []string{"news"},
		Url: u, CanonicalUrl: u, Title: "Water company data breach",
		Summary:     "<p>Harbourside Water Company says customer <b>names</b> were copied.</p><script>track()</script>",
		PublishedAt: timestamppb.New(time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)),
	}
}

func TestPageBecomesArticle(t *testing.T) {
	n := testenv.StartNATS(t)
	st, ts := newSite(t)
	st.pages["/2026/water-breach"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page("Water company data breach", ts.URL+"/2026/water-breach", articleBody))
	}
	s := newScraper(t, n)
	art, err := s.Article(t.Context(), itemFor(ts.URL+"/2026/water-breach?utm_source=rss"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(art.Text, "about 41,000 customers") || !strings.Contains(art.Text, "within 72 hours") {
		t.Fatalf("main text missing: %q", art.Text)
	}
	for _, junk := range []string{"Home", "All rights reserved"} {
		if strings.Contains(art.Text, junk) {
			t.Errorf("boilerplate %q in text", junk)
		}
	}
	if art.CanonicalUrl != ts.URL+"/2026/water-breach" || art.Id != articleID(art.CanonicalUrl) {
		t.Errorf("canonical %q id %q", art.CanonicalUrl, art.Id)
	}
	if art.ExtractionMethod == bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT || art.FetchNote != "" {
		t.Errorf("method %s note %q", art.ExtractionMethod, art.FetchNote)
	}
	if art.Title != "Water company data breach" || art.Outlet != "Example Ledger" || art.Language != "en" {
		t.Errorf("metadata title=%q outlet=%q lang=%q", art.Title, art.Outlet, art.Language)
	}
	if art.PublishedAt.AsTime().Format(time.DateOnly) != "2026-02-10" || art.ContentHash == "" || art.Feed == "" {
		t.Errorf("published %v hash %q feed %q", art.PublishedAt, art.ContentHash, art.Feed)
	}
}

func TestUnfetchablePagesFallBackToFeedContent(t *testing.T) {
	n := testenv.StartNATS(t)
	st := &site{robots: "User-agent: breachwire\nDisallow: /private/\n", pages: map[string]func(http.ResponseWriter, *http.Request){
		"/forbidden": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
		"/flaky":     func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) },
		"/empty": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html><body><nav>menu</nav></body></html>")
		},
		"/private/x": func(w http.ResponseWriter, r *http.Request) { t.Error("fetched a page robots.txt disallows") },
	}}
	ts := httptest.NewServer(st)
	defer ts.Close()
	s := newScraper(t, n)
	cases := []struct {
		path, note string
		lastTry    bool
	}{
		{"/private/x", "robots.txt disallows", false},
		{"/forbidden", "HTTP 403", false},
		{"/missing", "HTTP 404", false},
		{"/flaky", "HTTP 503", true},
		{"/empty", "page text shorter than the feed's own", false},
	}
	for _, tc := range cases {
		art, err := s.Article(t.Context(), itemFor(ts.URL+tc.path), tc.lastTry)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if art.ExtractionMethod != bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT || art.FetchNote != tc.note {
			t.Errorf("%s: method %s note %q, want feed content with %q", tc.path, art.ExtractionMethod, art.FetchNote, tc.note)
		}
		if art.Text != "Harbourside Water Company says customer names were copied." {
			t.Errorf("%s: feed text %q", tc.path, art.Text)
		}
	}
	// Before the last try, a retryable status is an error, so the message is retried.
	if _, err := s.Article(t.Context(), itemFor(ts.URL+"/flaky"), false); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("flaky page before last try: %v", err)
	}
}

func TestBlockedAddressFallsBackWithoutRetry(t *testing.T) {
	n := testenv.StartNATS(t)
	ts := httptest.NewServer(&site{})
	defer ts.Close()
	s := newScraper(t, n)
	s.client = safehttp.New(safehttp.Options{}) // private networks refused
	art, err := s.Article(t.Context(), itemFor(ts.URL+"/x"), false)
	if err != nil {
		t.Fatal(err)
	}
	if art.ExtractionMethod != bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT || !strings.Contains(art.FetchNote, "robots") && !strings.Contains(art.FetchNote, "blocked") {
		t.Fatalf("method %s note %q", art.ExtractionMethod, art.FetchNote)
	}
}

func TestWindows1252PageWithoutCharsetHeader(t *testing.T) {
	n := testenv.StartNATS(t)
	body := "<p>The caf\u00e9 chain \u201cBean There\u201d said 12,500 loyalty-card members\u2019 e-mail addresses were exposed when a marketing list was sent to the wrong recipients.</p>" +
		"<p>It said the error was spotted within hours and that the recipients had been asked to delete the file.</p>" +
		"<p>The regulator was informed the same day, according to a statement on the company\u2019s website.</p>"
	enc, err := charmap.Windows1252.NewEncoder().String(page("Caf\u00e9 chain exposes e-mail list", "", body))
	if err != nil {
		t.Fatal(err)
	}
	st := &site{pages: map[string]func(http.ResponseWriter, *http.Request){
		"/cafe": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html") // no charset
			_, _ = w.Write([]byte(enc))
		},
	}}
	ts := httptest.NewServer(st)
	defer ts.Close()
	art, err := newScraper(t, n).Article(t.Context(), itemFor(ts.URL+"/cafe"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(art.Text, "caf\u00e9 chain \u201cBean There\u201d") || !strings.Contains(art.Text, "members\u2019") {
		t.Fatalf("mis-decoded text: %q", art.Text)
	}
	if strings.ContainsRune(art.Text, '\uFFFD') {
		t.Fatal("replacement characters in text")
	}
}

func TestStageEndToEndAndMalformedMessages(t *testing.T) {
	n := testenv.StartNATS(t)
	st, ts := newSite(t)
	st.pages["/a"] = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page("Water company data breach", ts.URL+"/a", articleBody))
	}
	s := newScraper(t, n)
	good, _ := proto.Marshal(itemFor(ts.URL + "/a"))
	if _, err := n.Pub.Publish(t.Context(), bus.SubjectDiscovered, "good", good, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Pub.Publish(t.Context(), bus.SubjectDiscovered, "garbage", []byte("\xff\x00not protobuf"), nil); err != nil {
		t.Fatal(err)
	}
	empty, _ := proto.Marshal(&bwv1.DiscoveredItem{})
	if _, err := n.Pub.Publish(t.Context(), bus.SubjectDiscovered, "empty", empty, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, n.JS, bus.ConsumerOptions{Stage: bus.StageScraper, FetchWait: 200 * time.Millisecond}, s.Handle)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(n.Messages(t, bus.StreamArticles)) < 1 || len(n.Messages(t, bus.StreamDLQ)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("articles %d, dlq %d", len(n.Messages(t, bus.StreamArticles)), len(n.Messages(t, bus.StreamDLQ)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var art bwv1.Article
	if err := proto.Unmarshal(n.Messages(t, bus.StreamArticles)[0].Data, &art); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(art.Text, "41,000") {
		t.Fatalf("article text %q", art.Text)
	}
	// Handling the same item again publishes nothing new (same message id).
	if err := s.Handle(t.Context(), &bus.Message{Data: good, Deliveries: 1}); err != nil {
		t.Fatal(err)
	}
	if got := len(n.Messages(t, bus.StreamArticles)); got != 1 {
		t.Fatalf("replay stored %d articles", got)
	}
	err := s.Handle(t.Context(), &bus.Message{Data: []byte("\xff\x00"), Deliveries: 1})
	if !bus.IsPermanent(err) {
		t.Fatalf("garbage: %v", err)
	}
	var pe *bus.PermanentError
	if !errors.As(err, &pe) {
		t.Fatal("not a PermanentError")
	}
}

func TestHTMLToText(t *testing.T) {
	cases := map[string]string{
		"":                                 "",
		"plain   text\n here":              "plain text here",
		"<p>One</p><p>Two <b>bold</b></p>": "One\n\nTwo bold",
		"a<br>b<script>x()</script><style>p{}</style>c": "a\n\nb c",
		"<div><ul><li>x</li><li>y</li></ul></div>":      "x\n\ny",
		"&lt;escaped&gt; &amp; entities":                "<escaped> & entities",
	}
	for in, want := range cases {
		if got := HTMLToText(in); got != want {
			t.Errorf("HTMLToText(%q) = %q, want %q", in, got, want)
		}
	}
}
