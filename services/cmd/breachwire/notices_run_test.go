package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// Synthetic lists shaped as the Washington and California AGs' (see the
// parsers' fixtures); the organisations are made up.
const waRow = `<tr><td><time datetime="%[1]sT12:00:00Z">%[2]s</time></td><td><a href="/letters/%[3]s.pdf">%[4]s</a></td><td>%[5]s</td><td>%[6]s</td><td>Name; Date of Birth; Health Insurance Information</td></tr>`

func waList(rows ...string) string {
	return `<!DOCTYPE html><html><head><title>Data Breach Notifications</title></head><body><main><h1>Data Breach Notifications</h1>
<table><thead><tr><th>Date Reported</th><th>Organization Name</th><th>Date of Breach</th><th>Number of Washingtonians Affected</th><th>Information Compromised</th></tr></thead>
<tbody>` + strings.Join(rows, "\n") + `</tbody></table></main></body></html>`
}

const caList = `<!DOCTYPE html><html><head><title>Search Data Security Breaches</title></head><body><div class="view-content">
<table class="views-table cols-3"><thead><tr><th>Organization Name</th><th>Date(s) of Breach (if known)</th><th>Reported Date</th></tr></thead>
<tbody><tr><td><a href="/ecrime/databreach/reports/sb24-700001">Copperline Outfitters</a></td><td>01/02/2025, 01/06/2025</td><td>02/01/2025</td></tr></tbody>
</table></div></body></html>`

// The news story reports the Tidewater breach with its own, national
// count; the Washington notice counts Washingtonians only.
const tidewaterStory = `<!DOCTYPE html><html lang="en"><head><title>Tidewater Orthodontics discloses data breach</title></head><body>
<article><h1>Tidewater Orthodontics discloses data breach</h1>
<p>Tidewater Orthodontics said on March 20, 2025 that hackers broke into its patient systems in February and copied the records of 41,000 patients.</p>
<p>The practice said it found the intrusion during a review of its network and has reported it to regulators in several states.</p>
<p>Patients are being contacted by letter and offered a year of credit monitoring, the company added.</p>
</article></body></html>`

// serveNoticesAndNews adds to mux the California list, a news feed and
// its Tidewater story (the caller serves /wa) and writes a feeds file for
// the three sources.
func serveNoticesAndNews(t *testing.T, base string, mux *http.ServeMux) string {
	t.Helper()
	mux.HandleFunc("/ca", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, caList)
	})
	mux.HandleFunc("/news.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title><item><guid>tidewater</guid><link>%s/story/tidewater</link><title>Tidewater Orthodontics discloses data breach</title><pubDate>Thu, 20 Mar 2025 10:00:00 +0000</pubDate></item></channel></rss>`, base)
	})
	mux.HandleFunc("/story/tidewater", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, tidewaterStory)
	})
	feeds := filepath.Join(t.TempDir(), "feeds.yaml")
	yaml := fmt.Sprintf(`feeds:
  - {name: WA, url: %[1]s/wa, kind: notices, parser: wa-ag, about: test}
  - {name: CA, url: %[1]s/ca, kind: notices, parser: ca-ag, about: test}
  - {name: News, url: %[1]s/news.xml, kind: news, about: test}
`, base)
	if err := os.WriteFile(feeds, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return feeds
}

// A Washington AG list and a news story about the same breach become one
// incident whose headline count is the notice's (basis official) with the
// news count listed beside it; a California AG row becomes an incident
// with the Attorney General's notified action, dated. A re-poll that finds
// one more row publishes that row only.
func TestRunNoticesBesideNews(t *testing.T) {
	var waPolls atomic.Int32
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tidewater := fmt.Sprintf(waRow, "2025-03-18", "03/18/2025", "A1", "Tidewater Orthodontics", "02/10/2025", "3,120")
	other := fmt.Sprintf(waRow, "2025-03-11", "03/11/2025", "A2", "Pinecrest Roofing Supply", "", "Unknown")
	later := fmt.Sprintf(waRow, "2025-04-02", "04/02/2025", "A3", "Saltmarsh Veterinary Clinic", "03/01/2025", "740")
	mux.HandleFunc("/wa", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if waPolls.Add(1) == 1 {
			fmt.Fprint(w, waList(tidewater, other))
			return
		}
		fmt.Fprint(w, waList(later, tidewater, other)) // a new row on top
	})
	feeds := serveNoticesAndNews(t, srv.URL, mux)
	in := startRun(t, "--data", t.TempDir(), "--allow-private-networks", "--feeds-file", feeds,
		"--feed-min-interval", "1s", "--feed-max-interval", "2s")

	// 2 rows, then 1 more, from WA; 1 from CA; 1 story.
	deadline := time.Now().Add(90 * time.Second)
	for {
		n, err := indexed(in.base)
		if err == nil && n >= 5 && waPolls.Load() >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d indexed, %d WA polls in 90 s (%v); logs:\n%s", n, waPolls.Load(), err, tail(in.stderr.String(), 30))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got := in.metric(`breachwire_feed_items_total{feed="WA",kind="new"} `); got != 3 {
		t.Errorf("WA published %v new rows over %d polls, want 3", got, waPolls.Load())
	}

	tw := searchIncidents(t, in.base, `"Tidewater Orthodontics"`)
	if len(tw) != 1 {
		t.Fatalf("%d Tidewater incidents, want 1: %s", len(tw), dump(tw))
	}
	inc := tw[0]
	if inc.Records == nil || inc.Records.Value == nil || *inc.Records.Value != 3120 || inc.Records.Basis != "official" {
		t.Errorf("headline %s, want 3120 basis official", dump(inc.Records))
	}
	if values := reportedValues(inc); !slices.Equal(values, []int64{3120, 41000}) {
		t.Errorf("reported values %v, want the notice's 3120 and the news' 41000", values)
	}
	official := 0
	for _, s := range inc.Sources {
		if s.Official {
			official++
			if s.ExtractionMethod != "notice" || !strings.HasSuffix(s.URL, "/letters/A1.pdf") {
				t.Errorf("official source %s", dump(s))
			}
		}
	}
	if len(inc.Sources) != 2 || official != 1 {
		t.Errorf("sources %s, want the notice (official) and the story", dump(inc.Sources))
	}
	if inc.Cause.Primary != "hacking" {
		t.Errorf("cause %q: the notice gives none, the story hacking", inc.Cause.Primary)
	}

	ca := searchIncidents(t, in.base, `"Copperline Outfitters"`)
	if len(ca) != 1 {
		t.Fatalf("%d Copperline incidents, want 1: %s", len(ca), dump(ca))
	}
	acts := ca[0].RegulatorActions
	if len(acts) != 1 || acts[0].Regulator != "California AG" || acts[0].Action != "informed" || acts[0].Date != "2025-02-01" ||
		!strings.Contains(acts[0].Quote, "Copperline Outfitters") {
		t.Errorf("California incident's actions %s, want one informed by California AG on 2025-02-01", dump(acts))
	}
	if ca[0].Records != nil {
		t.Errorf("the California list gives no count, yet the incident has %s", dump(ca[0].Records))
	}
	if ca[0].Year != 2025 {
		t.Errorf("California incident year %d", ca[0].Year)
	}
}

func searchIncidents(t *testing.T, base, q string) []*store.Incident {
	t.Helper()
	code, body := get(t, base+"/api/v1/incidents?q="+url.QueryEscape(q))
	if code != 200 {
		t.Fatalf("search %s: %d %s", q, code, body)
	}
	var res store.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	return res.Incidents
}

// reportedValues is every count an incident lists, in order.
func reportedValues(inc *store.Incident) []int64 {
	var values []int64
	if inc.Records != nil {
		for _, r := range inc.Records.Reported {
			values = append(values, r.Value)
		}
	}
	slices.Sort(values)
	return values
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
