package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/web"
)

// BenchmarkUIIncidentsPage draws the incidents page (a search, its facets,
// the charts and the template) over 2,000 incidents, against the baseline
// of the API answering the same search and facets as JSON: what the page
// adds to the store's own work.
func BenchmarkUIIncidentsPage(b *testing.B) {
	st, err := bleve.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	causes := []string{"hacking", "phishing", "misdelivery", "insider", "lost_device", "misconfiguration"}
	regs := []string{"ICO", "HHS OCR", "California AG", "FTC"}
	var incs []*store.Incident
	var versions []store.Version
	for i := range 2000 {
		n := int64(10 + i*37%1_000_000)
		incs = append(incs, &store.Incident{ID: fmt.Sprintf("bench-%04d", i),
			Organisation: store.Organisation{Name: fmt.Sprintf("Synthetic Firm %04d", i)}, Cause: store.Cause{Primary: causes[i%len(causes)]},
			Records:          &store.Records{Value: &n, Qualifier: "exact", Basis: "single"},
			RegulatorActions: []store.RegulatorAction{{Regulator: regs[i%len(regs)], Action: "investigation"}},
			Jurisdiction:     []string{"GB", "US", "IE"}[i%3], Year: 2015 + i%10,
			FirstReported: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*2),
			Sources:       []store.Source{{ArticleID: fmt.Sprintf("a%d", i), URL: fmt.Sprintf("https://news.example/%d", i), Official: i%5 == 0}}})
		versions = append(versions, store.Version{})
	}
	if _, _, err := st.PutIncidents(b.Context(), incs, versions); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(web.NewHandler(web.Options{Incidents: st}))
	defer srv.Close()
	get := func(b *testing.B, path string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %v %v", path, err, resp)
		}
		_, _ = resp.Body.Read(make([]byte, 1))
		resp.Body.Close()
	}
	const q = "q=records%3A%3E1000"
	// A batch write is searchable after the index's refresh.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := st.Search(b.Context(), query.Request{Query: query.All{}, Size: 1})
		if err == nil && res.Total == int64(len(incs)) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("incidents not searchable: %v", err)
		}
	}
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			get(b, "/?"+q)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("baseline-api", func(b *testing.B) {
		for b.Loop() {
			get(b, "/api/v1/incidents?"+q)
			get(b, "/api/v1/facets?"+q)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}
