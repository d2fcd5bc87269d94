package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// unknownCountIncidents are the records an incident can hold: a number, an
// unknown count ("a number of passengers") the way the indexer writes it,
// the same with a stray 0 beside the qualifier (as a careless writer might
// leave it), and none at all.
func unknownCountIncidents() []*store.Incident {
	at := time.Date(2021, 4, 6, 9, 0, 0, 0, time.UTC)
	inc := func(id string, r *store.Records) *store.Incident {
		return &store.Incident{ID: id, Organisation: org("Saltmarsh Ferries "+id, nil, "saltmarsh ferries "+id), Records: r,
			Cause: store.Cause{Primary: "hacking"}, Year: 2021, FirstReported: at, LastUpdated: at}
	}
	return []*store.Incident{
		inc("cnt-known", &store.Records{Value: new(int64(2500)), Qualifier: "exact", Unit: "people", Basis: "single",
			Reported: []store.ReportedValue{{Value: 2500, Qualifier: "exact", ArticleID: "art-k", Quote: "2,500 passengers"}}}),
		inc("cnt-unknown", &store.Records{Qualifier: "unknown", Unit: "people", Basis: "single"}),
		inc("cnt-stray", &store.Records{Value: new(int64(0)), ValueMax: 10, Qualifier: "unknown", Unit: "people", Basis: "single"}),
		inc("cnt-none", nil),
	}
}

// testUnknownCount: an unknown count is not a number. It matches no
// records comparison (not even records:0), sorts with the incidents that
// have no count, falls in no records bucket, and reads back without one.
func testUnknownCount(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, inc := range unknownCountIncidents() {
		if _, err := s.PutIncident(ctx, inc, store.Version{}); err != nil {
			t.Fatalf("put %s: %v", inc.ID, err)
		}
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"records:>=0", []string{"cnt-known"}},
		{"records:0", nil},
		{"records:<=10", nil},
		{"NOT records:>=0", []string{"cnt-none", "cnt-stray", "cnt-unknown"}},
	} {
		t.Run(tc.q, func(t *testing.T) { expectIDs(t, s, tc.q, tc.want...) })
	}
	for _, desc := range []bool{false, true} {
		sort := query.Sort{Field: query.FieldRecords, Desc: desc}
		res, err := s.Search(ctx, query.Request{Query: query.All{}, Sort: sort})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := idsOf(res.Incidents), []string{"cnt-known", "cnt-none", "cnt-stray", "cnt-unknown"}; !slices.Equal(got, want) {
			t.Errorf("%s: order %v, want %v (no count: last, by id)", sortName(sort), got, want)
		}
	}
	f, err := s.Facets(ctx, query.Request{Query: query.All{}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Bucket{{Key: "1k-10k", Count: 1}}; !slices.Equal(f.RecordsRange, want) {
		t.Errorf("records buckets %v, want %v", f.RecordsRange, want)
	}
	for _, id := range []string{"cnt-unknown", "cnt-stray"} {
		got, _, err := s.GetIncident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if n, ok := got.Records.Count(); ok || got.Records.Qualifier != "unknown" || got.Records.Unit != "people" {
			t.Errorf("%s reads back as %+v (count %d, %v), want qualifier unknown and no count", id, got.Records, n, ok)
		}
	}
}
