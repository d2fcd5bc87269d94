package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// seedsDir holds the seed articles outside the repository (../shared); the
// end-to-end seed test skips when it is absent.
var seedsDir = filepath.Join("..", "..", "..", "..", "shared", "seeds")

type seedLabel struct {
	File      string `json:"file"`
	Incident  string `json:"incident"`
	Published string `json:"published_or_event"`
}

// TestSeedsEndToEnd runs the whole pipeline (feeder, scraper, classifier,
// indexer, embedded NATS and Bleve) against a local feed whose items are
// the five seed pages, and expects exactly three incidents.
func TestSeedsEndToEnd(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(seedsDir, "labels.jsonl"))
	if err != nil {
		t.Skipf("seed articles not found (%v); they live in ../shared outside the repository", err)
	}
	var labels []seedLabel
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var l seedLabel
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		labels = append(labels, l)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// The later Co-operative Life Planning article is held back until the
	// rest is indexed, so that it revises an existing incident (an update
	// alert) whatever order the stages would have taken them in.
	held := -1
	for i := 1; i < len(labels); i++ {
		if labels[i].Incident == labels[i-1].Incident && strings.HasPrefix(labels[i].Incident, "co-operative") {
			held = i
		}
	}
	if held < 0 {
		t.Fatal("no second Co-operative Life Planning article in the seed labels")
	}
	var release atomic.Bool
	items := make([]string, len(labels))
	for i, l := range labels {
		text, err := os.ReadFile(filepath.Join(seedsDir, l.File))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(text)), "\n")
		var page bytes.Buffer
		fmt.Fprintf(&page, "<!DOCTYPE html><html lang=\"en\"><head><title>%s</title></head><body><article>", html.EscapeString(lines[0]))
		for _, ln := range lines {
			fmt.Fprintf(&page, "<p>%s</p>\n", html.EscapeString(ln))
		}
		page.WriteString("</article></body></html>")
		body := page.Bytes()
		path := fmt.Sprintf("/seed/%d", i)
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(body)
		})
		pub, _ := time.Parse("2006-01", l.Published)
		if pub.IsZero() {
			pub, _ = time.Parse("2006", l.Published)
		}
		items[i] = fmt.Sprintf("<item><guid>seed-%d</guid><link>%s%s</link><title>%s</title><pubDate>%s</pubDate></item>",
			i, srv.URL, path, html.EscapeString(lines[0]), pub.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z))
	}
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for i, it := range items {
			if i != held || release.Load() {
				b.WriteString(it)
			}
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Seeds</title>%s</channel></rss>`, b.String())
	})

	addr := freeAddr(t)
	data := t.TempDir()
	subs := seedSubscriptions(t, data, addr)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		var out bytes.Buffer
		err := run(ctx, []string{"run", "--data", data, "--http", addr, "--allow-private-networks", "--feed", srv.URL + "/feed.xml",
			"--feed-min-interval", "500ms", "--feed-max-interval", "1s", "--log-level", "warn"},
			strings.NewReader(""), &out, &stderr, func(string) string { return "" })
		done <- exitCode(err, &stderr)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("run exited %d: %s", code, stderr.String())
			}
		}
	}
	defer stop()
	base := "http://" + addr
	waitReady(t, base, nil)
	indexed := func(n int) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			_, m := get(t, base+"/metrics")
			if strings.Contains(m, fmt.Sprintf(`breachwire_stage_processed_total{stage="indexer"} %d`, n)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("pipeline did not index %d articles; metrics:\n%s", n, grepLines(m, "stage_"))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	indexed(len(labels) - 1)
	release.Store(true)
	indexed(len(labels))
	code, body := get(t, base+"/api/v1/incidents?size=50")
	if code != 200 {
		t.Fatalf("incidents: %d %s", code, body)
	}
	var res struct {
		Total     int `json:"total"`
		Incidents []struct {
			ID           string `json:"id"`
			Organisation struct {
				Name    string   `json:"name"`
				Aliases []string `json:"aliases"`
			} `json:"organisation"`
			Year    int `json:"year"`
			Records *struct {
				Value    int64 `json:"value"`
				Reported []struct {
					Value int64  `json:"value"`
					Quote string `json:"quote"`
				} `json:"reported"`
			} `json:"records"`
			Cause struct {
				Primary string `json:"primary"`
			} `json:"cause"`
			Sources []struct {
				URL string `json:"url"`
			} `json:"sources"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, inc := range res.Incidents {
		names = append(names, fmt.Sprintf("%s %d (%s, %d sources)", inc.Organisation.Name, inc.Year, inc.Cause.Primary, len(inc.Sources)))
	}
	slices.Sort(names)
	if res.Total != 3 || len(res.Incidents) != 3 {
		t.Fatalf("%d incidents, want 3: %v", res.Total, names)
	}
	want := map[string]int{"Co-operative Life Planning": 2, "Mumsnet": 1, "Plusnet": 2}
	for _, inc := range res.Incidents {
		if n, ok := want[inc.Organisation.Name]; !ok || n != len(inc.Sources) {
			t.Errorf("unexpected incident %s with %d sources (all: %v)", inc.Organisation.Name, len(inc.Sources), names)
		}
		if inc.Organisation.Name == "Co-operative Life Planning" {
			var values []int64
			if inc.Records != nil {
				for _, r := range inc.Records.Reported {
					values = append(values, r.Value)
				}
			}
			slices.Sort(values)
			if !slices.Equal(values, []int64{82000, 83000}) {
				t.Errorf("Co-operative Life Planning reported counts %v, want both 82000 and 83000", values)
			}
		}
	}
	t.Logf("incidents: %v", names)
	subs.check(t, base, data)

	// The same store through the command line and the other endpoints.
	api := map[string]string{"BREACHWIRE_SERVER": base, "BREACHWIRE_DATA": data}
	out, errOut, code := runCLI(t, api, "search", "--format", "json", "organisation:plusnet", "AND", "cause:software_bug_upgrade")
	if code != 0 || !strings.Contains(out, `"total": 1`) || !strings.Contains(out, "Plusnet") {
		t.Errorf("search: %d %s %s", code, out, errOut)
	}
	out, _, code = runCLI(t, api, "search", "records:>=82000")
	if code != 0 || !strings.Contains(out, "Co-operative Life Planning") || strings.Contains(out, "Plusnet") {
		t.Errorf("search records: %d %s", code, out)
	}
	out, _, code = runCLI(t, api, "export", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "id,revision,organisation") {
		t.Errorf("export csv: %d %q", code, out)
	}
	out, _, code = runCLI(t, api, "incidents", "show", res.Incidents[0].ID)
	if code != 0 || !strings.Contains(out, res.Incidents[0].ID) {
		t.Errorf("incidents show: %d %s", code, out)
	}
	if code, body := get(t, base+"/api/v1/facets"); code != 200 || !strings.Contains(body, `"software_bug_upgrade"`) {
		t.Errorf("facets: %d %s", code, body)
	}
	if code, body := get(t, base+"/api/v1/incidents?q=cause:"); code != 400 {
		t.Errorf("bad query: %d %s", code, body)
	}
	// With the instance stopped, the commands read the data directory.
	stop()
	out, errOut, code = runCLI(t, map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_HTTP": addr}, "search", "--format", "json", "mumsnet")
	if code != 0 || !strings.Contains(out, `"total": 1`) {
		t.Errorf("direct search: %d %s %s", code, out, errOut)
	}
}
