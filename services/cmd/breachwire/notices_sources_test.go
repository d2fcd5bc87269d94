package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/feeder/notices"
	"github.com/breachwire/breachwire/services/store"
)

const fixtures = "../../feeder/notices/testdata"

// noticeSite serves the notices parsers' fixture pages at the paths the
// real sites use (path, or path?page=N → fixture).
func noticeSite(t *testing.T, pages map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if p := r.URL.Query().Get("page"); p != "" {
			key += "?page=" + p
		}
		name, ok := pages[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeFile(w, r, filepath.Join(fixtures, name))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// expectRows is what parser reads from a fixture served at pageURL (and,
// for Maine, from its notice pages): the test's expectation of the rows
// the running pipeline must have stored.
func expectRows(t *testing.T, parser, fixture, pageURL string, details map[string]string) []notices.Row {
	t.Helper()
	p, _ := notices.Lookup(parser)
	b, err := os.ReadFile(filepath.Join(fixtures, fixture))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pageURL)
	pg, err := p.Parse(b, u)
	if err != nil {
		t.Fatalf("%s %s: %v", parser, fixture, err)
	}
	for i := range pg.Rows {
		ru, _ := url.Parse(pg.Rows[i].URL)
		if name, ok := details[ru.Path]; ok && p.Detail != nil {
			d, _ := os.ReadFile(filepath.Join(fixtures, name))
			if err := p.Detail(d, &pg.Rows[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	return pg.Rows
}

// Every parser's fixture list through `breachwire run`: each row is stored
// as a notice article; each breach row is an incident with an official
// source and the row's count among its reported values; the enforcement
// list's nuisance-call fine is not a breach, its ransomware fine is; `feeds backfill` walks the
// California pager and adds only its unseen row; a re-poll adds nothing.
func TestRunEveryNoticesSource(t *testing.T) {
	const meDir = "/agviewer/content/ag/985235c7-cb95-4be2-8792-a1252b4f8318/"
	details := map[string]string{
		meDir + "3f1c2a9e-7b41-4c1e-9d2a-000000000001.html": "me-ag-notice.html",
		meDir + "3f1c2a9e-7b41-4c1e-9d2a-000000000002.html": "me-ag-notice-unknown.html",
	}
	pages := map[string]string{
		"/privacy/databreach/list":        "ca-ag-page1.html",
		"/privacy/databreach/list?page=1": "ca-ag-page2.html",
		"/data-breach-notifications":      "wa-ag-page1.html",
		meDir + "list.html":               "me-ag-list.html",
		"/action-weve-taken/enforcement/": "ico-page1.html",
	}
	for path, name := range details {
		pages[path] = name
	}
	srv := noticeSite(t, pages)
	hhs, err := filepath.Abs(filepath.Join(fixtures, "hhs-ocr.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sources := []struct{ name, parser, url, fixture string }{
		{"CA", "ca-ag", srv.URL + "/privacy/databreach/list", "ca-ag-page1.html"},
		{"WA", "wa-ag", srv.URL + "/data-breach-notifications", "wa-ag-page1.html"},
		{"ME", "me-ag", srv.URL + meDir + "list.html", "me-ag-list.html"},
		{"HHS", "hhs-ocr", "file://" + hhs, "hhs-ocr.csv"},
		{"ICO", "ico", srv.URL + "/action-weve-taken/enforcement/", "ico-page1.html"},
	}
	var yaml strings.Builder
	yaml.WriteString("feeds:\n")
	want := map[string][]notices.Row{}
	total := 0
	for _, s := range sources {
		yaml.WriteString("  - {name: " + s.name + ", url: '" + s.url + "', kind: notices, parser: " + s.parser + ", about: test}\n")
		want[s.parser] = expectRows(t, s.parser, s.fixture, s.url, details)
		total += len(want[s.parser])
	}
	feedsFile := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(feedsFile, []byte(yaml.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	in := startRun(t, "--data", data, "--allow-private-networks", "--feeds-file", feedsFile,
		"--feed-min-interval", "1s", "--feed-max-interval", "2s")
	waitIndexed(t, in, total)

	// The California pager, once: page 2 repeats one row of page 1 and has
	// one of its own.
	out, stderr, code := runCLI(t, map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": in.base},
		"feeds", "backfill", sources[0].url, "--pages", "3")
	if code != 0 || !strings.Contains(out, "backfill of up to 3 pages") {
		t.Fatalf("feeds backfill: %d %s %s", code, out, stderr)
	}
	page2 := expectRows(t, "ca-ag", "ca-ag-page2.html", sources[0].url+"?page=1", nil)
	want["ca-ag"] = append(want["ca-ag"], page2[len(page2)-1])
	waitIndexed(t, in, total+1)
	time.Sleep(3 * time.Second) // a few more polls of every list
	for _, s := range sources {
		if got := in.metric(`breachwire_feed_items_total{feed="` + s.name + `",kind="new"} `); got != float64(len(want[s.parser])) {
			t.Errorf("%s published %v new rows, want %d", s.name, got, len(want[s.parser]))
		}
	}

	checked := map[string]int{}
	for parser, rows := range want {
		for _, r := range rows {
			art := storedArticle(t, in.base, parser, r.ID)
			if art == nil {
				continue
			}
			if art.ExtractionMethod != "notice" || art.Text == "" || !strings.Contains(art.Text, r.Organisation) {
				t.Errorf("%s %s: article %s %q", parser, r.ID, art.ExtractionMethod, art.Text)
			}
			if parser == "ico" && strings.Contains(r.Text, "nuisance calls") {
				if art.IsBreach || art.IncidentID != "" {
					t.Errorf("ico %s: a fine for nuisance calls became a breach (relevance %.2f)", r.Organisation, art.Relevance)
				}
				continue
			}
			if parser == "ico" && strings.Contains(r.Text, "ransomware") && !art.IsBreach {
				t.Errorf("ico %s: a fine for a ransomware breach is not a breach (relevance %.2f)", r.Organisation, art.Relevance)
			}
			if parser != "ico" && (!art.IsBreach || art.IncidentID == "") {
				t.Errorf("%s %s: notification not a breach incident (is_breach %v, incident %q)", parser, r.Organisation, art.IsBreach, art.IncidentID)
				continue
			}
			if art.IncidentID == "" {
				continue
			}
			checkOfficialIncident(t, in.base, art, r)
			checked[parser]++
		}
	}
	t.Logf("rows per list %v; incidents checked per list %v", func() map[string]int {
		m := map[string]int{}
		for p, rows := range want {
			m[p] = len(rows)
		}
		return m
	}(), checked)
}

func waitIndexed(t *testing.T, in *instance, n int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, err := indexed(in.base)
		if err == nil && got >= n {
			return
		}
		if time.Now().After(deadline) {
			_, status := get(t, in.base+"/api/v1/feeds")
			t.Fatalf("%d of %d indexed in 90 s (%v); feeds %s\nlogs:\n%s", got, n, err, status, tail(in.stderr.String(), 30))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func storedArticle(t *testing.T, base, parser, rowID string) *store.Article {
	t.Helper()
	sum := sha256.Sum256([]byte("notice:" + parser + "\x00" + rowID))
	code, body := get(t, base+"/api/v1/articles/"+hex.EncodeToString(sum[:]))
	if code != 200 {
		t.Errorf("%s row %s: article %d %s", parser, rowID, code, body)
		return nil
	}
	var art store.Article
	if err := json.Unmarshal([]byte(body), &art); err != nil {
		t.Fatal(err)
	}
	return &art
}

// checkOfficialIncident: the row's incident lists it as an official source
// and, when the row gives a count, has that count among its values.
func checkOfficialIncident(t *testing.T, base string, art *store.Article, r notices.Row) {
	t.Helper()
	code, body := get(t, base+"/api/v1/incidents/"+art.IncidentID)
	if code != 200 {
		t.Errorf("incident %s: %d %s", art.IncidentID, code, body)
		return
	}
	var inc store.Incident
	if err := json.Unmarshal([]byte(body), &inc); err != nil {
		t.Fatal(err)
	}
	official := false
	for _, s := range inc.Sources {
		official = official || (s.ArticleID == art.ID && s.Official)
	}
	if !official {
		t.Errorf("%s: incident %s does not list the notice as an official source", r.Organisation, inc.ID)
	}
	if !r.AffectedKnown {
		return
	}
	found := false
	if inc.Records != nil {
		for _, v := range inc.Records.Reported {
			found = found || (v.ArticleID == art.ID && v.Value == r.Affected)
		}
		if inc.Records.Basis != "official" {
			t.Errorf("%s: headline basis %q", r.Organisation, inc.Records.Basis)
		}
	}
	if !found {
		t.Errorf("%s: incident %s lacks the notice's count %d: %s", r.Organisation, inc.ID, r.Affected, dump(inc.Records))
	}
}

// Layout changes through `breachwire run`: a list whose columns come in
// another order is read by their headers, every row stored; a list that
// lost a column publishes nothing, and its feed is failing with the
// missing column named, counted by the layout metric.
func TestRunNoticesLayoutChanges(t *testing.T) {
	srv := noticeSite(t, map[string]string{
		"/privacy/databreach/list":   "ca-ag-reordered.html",
		"/data-breach-notifications": "wa-ag-missing-column.html",
	})
	ca := srv.URL + "/privacy/databreach/list"
	feedsFile := filepath.Join(t.TempDir(), "feeds.yaml")
	yaml := "feeds:\n  - {name: CA, url: '" + ca + "', kind: notices, parser: ca-ag, about: test}\n" +
		"  - {name: WA, url: '" + srv.URL + "/data-breach-notifications', kind: notices, parser: wa-ag, about: test}\n"
	if err := os.WriteFile(feedsFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	in := startRun(t, "--data", t.TempDir(), "--allow-private-networks", "--feeds-file", feedsFile,
		"--feed-min-interval", "1s", "--feed-max-interval", "2s")
	rows := expectRows(t, "ca-ag", "ca-ag-reordered.html", ca, nil)
	waitIndexed(t, in, len(rows))
	for _, r := range rows {
		if art := storedArticle(t, in.base, "ca-ag", r.ID); art != nil && (!art.IsBreach || !strings.Contains(art.Text, r.Organisation)) {
			t.Errorf("reordered row %s: breach %v, text %q", r.Organisation, art.IsBreach, art.Text)
		}
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := get(t, in.base+"/api/v1/feeds")
		var res struct {
			Feeds []struct {
				Feed struct {
					Name string `json:"name"`
				} `json:"feed"`
				Health    string `json:"health"`
				LastError string `json:"last_error"`
			} `json:"feeds"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatalf("feeds: %v %s", err, body)
		}
		var wa string
		for _, f := range res.Feeds {
			if f.Feed.Name == "WA" && f.Health == "failing" && strings.Contains(f.LastError, "Number of Washingtonians Affected") {
				wa = f.LastError
			}
		}
		if wa != "" && in.metric(`breachwire_notice_layout_errors_total{feed="WA"} `) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WA list without its count column is not failing with the column named: %s", body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got := in.metric(`breachwire_feed_items_total{feed="WA",kind="new"} `); got != 0 {
		t.Errorf("the broken WA list published %v rows", got)
	}
}
