package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileSite serves, on one host, a feed of normal stories, pages of
// 48,500 short paragraphs (the shape that once took `run` from 217 MB to
// 936 MB) and a page that trickles one byte every 5 s. It records when the
// feed was polled and when the slow page was first asked for.
type hostileSite struct {
	srv   *httptest.Server
	mu    sync.Mutex
	polls []time.Time
	slow  time.Time
}

func newHostileSite(normal []benchPage, huge int) *hostileSite {
	h := &hostileSite{}
	mux := http.NewServeMux()
	h.srv = httptest.NewServer(mux)
	for _, p := range normal {
		mux.HandleFunc(p.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(p.body)
		})
	}
	var many strings.Builder
	many.WriteString("<!DOCTYPE html><html><head><title>Many</title></head><body><article>")
	for i := range 48_500 {
		fmt.Fprintf(&many, "<p>Line %d.</p>", i)
	}
	many.WriteString("</article></body></html>")
	manyBody := []byte(many.String())
	mux.HandleFunc("/many/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(manyBody)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if h.slow.IsZero() {
			h.slow = time.Now()
		}
		h.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		for range 12 {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(5 * time.Second):
			}
		}
	})

	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>`)
	item := func(guid, link, title, desc string) {
		fmt.Fprintf(&feed, "<item><guid>%s</guid><link>%s%s</link><title>%s</title><description>%s</description></item>",
			guid, h.srv.URL, link, title, desc)
	}
	for i, p := range normal {
		item(fmt.Sprintf("normal-%d", i), p.path, p.title, "A short summary.")
	}
	for i := range huge {
		org := benchName(5000+i) + " Logistics"
		item(fmt.Sprintf("many-%d", i), fmt.Sprintf("/many/%d", i), org+" discloses data breach",
			fmt.Sprintf("%s said hackers copied the records of %d customers.", org, 12_000+i))
	}
	item("slow", "/slow", benchName(6000)+" Dental discloses data breach", "A clinic said a stolen laptop held patient records.")
	feed.WriteString("</channel></rss>")
	feedXML := []byte(feed.String())
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.polls = append(h.polls, time.Now())
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(feedXML)
	})
	return h
}

// pollsAfterSlow are the feed polls from the moment the slow page was first
// asked for (nil until it was).
func (h *hostileSite) pollsAfterSlow() (time.Time, []time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.slow.IsZero() {
		return time.Time{}, nil
	}
	var out []time.Time
	for _, p := range h.polls {
		if !p.Before(h.slow) {
			out = append(out, p)
		}
	}
	return h.slow, out
}

// The binary, fed 150 normal stories, four pages of 48,500 paragraphs and
// a page trickling one byte every 5 s from one host, indexes every article
// (the hostile ones on their feed summaries, marked as such), counts the
// four budget overruns, keeps polling the feed at its interval while the
// slow page holds the host's page slot, and peaks below 400 MB.
func TestRunUnderHostilePagesStaysBoundedAndPollsOnTime(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary for a minute")
	}
	const huge = 4
	normal := benchPages(150, 3)
	site := newHostileSite(normal, huge)
	bin := buildBinary(t)

	addr := freeAddr(t)
	cmd := exec.Command(bin, "run", "--data", t.TempDir(), "--http", addr, "--allow-private-networks",
		"--feed", site.srv.URL+"/feed.xml", "--feed-min-interval", "1s", "--feed-max-interval", "2s", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "BREACHWIRE_CONFIG=")
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		site.srv.CloseClientConnections()
		site.srv.Close()
	}()
	base := "http://" + addr
	waitReady(t, base, exited)

	want := len(normal) + huge + 1
	deadline := time.Now().Add(3 * time.Minute)
	for {
		n, err := indexed(base)
		slowAt, polls := site.pollsAfterSlow()
		if err == nil && n >= want && !slowAt.IsZero() && time.Since(slowAt) > 10*time.Second {
			checkPollGaps(t, slowAt, polls)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d indexed in 3 min (%v); logs:\n%s", n, want, err, tail(logs.String(), 40))
		}
		time.Sleep(250 * time.Millisecond)
	}
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("peak RSS %.0f MB", peak)
	if peak == 0 || peak >= 400 {
		t.Errorf("peak RSS %.0f MB, want (0, 400)", peak)
	}

	_, metrics := get(t, base+"/metrics")
	for status, n := range map[string]int{"extraction_budget_exceeded": huge, "ok": len(normal), "timeout": 1} {
		if got := pageFetches(metrics, status); got != float64(n) {
			t.Errorf("breachwire_page_fetches_total{status=%q} = %v, want %d", status, got, n)
		}
	}
	if n := strings.Count(logs.String(), "extraction budget exceeded"); n < huge {
		t.Errorf("%d warn lines for budget overruns, want %d:\n%s", n, huge, tail(logs.String(), 20))
	}
	org := benchName(5000) + " Logistics"
	code, body := get(t, base+"/api/v1/incidents?q="+url.QueryEscape(`"`+org+`"`))
	if code != 200 || !strings.Contains(body, `"fetch_status":"extraction_budget_exceeded"`) ||
		!strings.Contains(body, `"extraction_method":"feed_summary"`) {
		t.Errorf("incident of a budget-exceeding page: %d %s", code, body)
	}
	if code, body := get(t, base+"/api/v1/feeds"); code != 200 || !strings.Contains(body, `"last_page_failure"`) {
		t.Errorf("feeds status shows no page failure: %d %s", code, body)
	}
}

// checkPollGaps wants at least three polls in the 10 s after the slow page
// was first asked for, none more than 6 s apart (the interval is 1–2 s).
func checkPollGaps(t *testing.T, slowAt time.Time, polls []time.Time) {
	t.Helper()
	var in []time.Time
	for _, p := range polls {
		if p.Sub(slowAt) <= 10*time.Second {
			in = append(in, p)
		}
	}
	if len(in) < 3 {
		t.Errorf("%d feed polls in the 10 s after the slow page began, want at least 3 (%v)", len(in), polls)
		return
	}
	prev := slowAt
	for _, p := range in {
		if gap := p.Sub(prev); gap > 6*time.Second {
			t.Errorf("feed poll gap %s after the slow page began", gap.Round(time.Millisecond))
		}
		prev = p
	}
}

// pageFetches sums breachwire_page_fetches_total over feeds for one status.
func pageFetches(metrics, status string) float64 {
	sum := 0.0
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "breachwire_page_fetches_total{") && strings.Contains(line, `status="`+status+`"}`) {
			f, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			sum += f
		}
	}
	return sum
}

// syncBuffer is a bytes.Buffer a child process's output and the test can
// share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
