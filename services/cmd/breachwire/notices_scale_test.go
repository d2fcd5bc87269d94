package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// scaleOrgs are 300 made-up organisation names: two words, no numbers.
func scaleOrgs() []string {
	first := []string{"Amberfield", "Brookvale", "Cinderhill", "Dovecote", "Elmstead", "Fernhollow", "Glenbrook", "Hartwell", "Ivybridge", "Juniper",
		"Kestrel", "Larchmont", "Meadowgate", "Northcliff", "Oakhaven", "Pinegrove", "Quarrystone", "Ravensworth", "Silverbirch", "Thornbury"}
	second := []string{"Dental Group", "Logistics", "Pharmacy", "Credit Union", "Veterinary Clinic", "Roofing Supply", "Family Practice", "Insurance Brokers",
		"Orthopaedics", "Title Company", "Eye Care", "Payroll Services", "Home Health", "Law Offices", "Auto Finance"}
	var out []string
	for _, a := range first {
		for _, b := range second {
			out = append(out, a+" "+b)
		}
	}
	return out
}

// Three hundred Washington AG notices, a news story for half of them and
// a second, later breach for twenty, through `breachwire run`: every row
// is indexed; a story joins its organisation's notice, whose count stays
// the headline (basis official) with the story's listed beside it; a
// notice of a breach three years later is an incident of its own; no two
// organisations share an incident.
func TestRunNoticesAtScale(t *testing.T) {
	orgs := scaleOrgs()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var rows, items []string
	for i, org := range orgs {
		reported := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		breach := reported.AddDate(0, 0, -20)
		rows = append(rows, fmt.Sprintf(waRow, reported.Format(time.DateOnly), reported.Format("01/02/2006"), fmt.Sprintf("S%d", i), org,
			breach.Format("01/02/2006"), fmt.Sprint(1000+i)))
		if i < 20 {
			later := reported.AddDate(3, 0, 0)
			rows = append(rows, fmt.Sprintf(waRow, later.Format(time.DateOnly), later.Format("01/02/2006"), fmt.Sprintf("T%d", i), org,
				later.AddDate(0, 0, -15).Format("01/02/2006"), fmt.Sprint(500+i)))
		}
		if i%2 == 0 {
			slug := strings.ToLower(strings.ReplaceAll(org, " ", "-"))
			published := reported.Add(36 * time.Hour)
			items = append(items, fmt.Sprintf(`<item><guid>%[1]s</guid><link>%[2]s/story/%[1]s</link><title>%[3]s discloses data breach</title><pubDate>%[4]s</pubDate></item>`,
				slug, srv.URL, org, published.Format(time.RFC1123Z)))
			story := fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><title>%[1]s discloses data breach</title></head><body><article><h1>%[1]s discloses data breach</h1>
<p>%[1]s said on %[2]s that hackers broke into its systems in %[3]s and copied the records of %[4]s customers.</p>
<p>The company said it found the intrusion during a review of its network and has reported it to regulators in several states.</p>
<p>Customers are being contacted by letter and offered a year of credit monitoring, the company added.</p></article></body></html>`,
				org, published.Format("January 2, 2006"), breach.Format("January"), groupThousands(40000+i*10))
			mux.HandleFunc("/story/"+slug, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, story)
			})
		}
	}
	mux.HandleFunc("/wa", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, waList(rows...))
	})
	mux.HandleFunc("/news.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title>`+strings.Join(items, "\n")+`</channel></rss>`)
	})
	feeds := filepath.Join(t.TempDir(), "feeds.yaml")
	yaml := fmt.Sprintf("feeds:\n  - {name: WA, url: %[1]s/wa, kind: notices, parser: wa-ag, about: test}\n  - {name: News, url: %[1]s/news.xml, kind: news, about: test}\n", srv.URL)
	if err := os.WriteFile(feeds, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	in := startRun(t, "--data", t.TempDir(), "--allow-private-networks", "--feeds-file", feeds,
		"--feed-min-interval", "1m", "--feed-max-interval", "1h")
	want := len(rows) + len(items)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		n, err := indexed(in.base)
		if err == nil && n >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d articles indexed in 3 min (%v); logs:\n%s", n, want, err, tail(in.stderr.String(), 30))
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Every incident, through the UI's export (the API's documents).
	var incs []*store.Incident
	deadline = time.Now().Add(30 * time.Second)
	for {
		incs = exportAll(t, in.base)
		if len(incs) >= len(orgs)+20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond) // searches see batch writes after a refresh
	}
	if len(incs) != len(orgs)+20 {
		t.Errorf("%d incidents, want %d (one per notice of a distinct breach)", len(incs), len(orgs)+20)
	}
	byOrg := map[string][]*store.Incident{}
	for _, inc := range incs {
		byOrg[inc.Organisation.Name] = append(byOrg[inc.Organisation.Name], inc)
	}
	bad := 0
	for i, org := range orgs {
		got := byOrg[org]
		wantIncs := 1
		if i < 20 {
			wantIncs = 2
		}
		if len(got) != wantIncs {
			t.Errorf("%s: %d incidents, want %d", org, len(got), wantIncs)
			bad++
			continue
		}
		first := got[0]
		for _, inc := range got {
			if inc.FirstReported.Before(first.FirstReported) {
				first = inc
			}
		}
		n, _ := first.Records.Count()
		if n != int64(1000+i) || first.Records.Basis != "official" {
			t.Errorf("%s: headline %d (%s), want the notice's %d, official", org, n, first.Records.Basis, 1000+i)
			bad++
		}
		wantSources := 1
		if i%2 == 0 {
			wantSources = 2
			if values := reportedValues(first); len(values) != 2 || values[1] != int64(40000+i*10) {
				t.Errorf("%s: reported counts %v, want the notice's and the story's %d", org, values, 40000+i*10)
				bad++
			}
		}
		if len(first.Sources) != wantSources {
			t.Errorf("%s: %d sources, want %d", org, len(first.Sources), wantSources)
			bad++
		}
		if bad > 10 {
			t.Fatal("too many wrong incidents; stopping")
		}
	}
}

// groupThousands writes 40,120.
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) <= 3 {
		return s
	}
	return groupThousands(n/1000) + "," + s[len(s)-3:]
}

// exportAll reads every incident through the UI's JSON-lines export.
func exportAll(t *testing.T, base string) []*store.Incident {
	t.Helper()
	resp, err := http.Get(base + "/export?format=jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	var out []*store.Incident
	dec := json.NewDecoder(resp.Body)
	for dec.More() {
		var inc store.Incident
		if err := dec.Decode(&inc); err != nil {
			t.Fatal(err)
		}
		out = append(out, &inc)
	}
	return out
}
