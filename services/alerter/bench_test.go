package alerter

import (
	"fmt"
	"testing"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// BenchmarkMatchEvent: incident events matched against 10,000 saved
// searches (the conformance suite's random query trees, 4 to 5 terms each),
// against the same-run baseline of percolating through the store: running
// every saved search, restricted to the event's incident, as a Bleve search.
func BenchmarkMatchEvent(b *testing.B) {
	const n = 10_000
	queries := storetest.RandomQueries(7, n)
	ix := &Index{byID: map[string]*compiled{}}
	for i, q := range queries {
		c, err := compile(&Subscription{ID: fmt.Sprintf("sub_%05d", i), Spec: Spec{Query: q, Updates: i%2 == 0}})
		if err != nil {
			b.Fatal(err)
		}
		ix.byID[c.sub.ID] = c
	}
	ix.list = rebuild(ix.byID)
	incs := storetest.Incidents()
	for i := range 88 {
		incs = append(incs, syntheticIncident(i))
	}

	matched := 0
	b.Run("subscriptions=10000", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			matched += len(ix.Matching(incs[i%len(incs)], i%2 == 1))
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	if matched == 0 {
		b.Fatal("no subscription matched any event: the benchmark measures nothing useful")
	}

	b.Run("baseline=percolate-through-bleve", func(b *testing.B) {
		st, err := bleve.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		for _, inc := range incs {
			if _, err := st.PutIncident(b.Context(), inc, store.Version{}); err != nil {
				b.Fatal(err)
			}
		}
		parsed := make([]query.Node, n)
		for i, q := range queries {
			if parsed[i], err = query.Parse(q); err != nil {
				b.Fatal(err)
			}
		}
		i := 0
		for b.Loop() {
			id := query.Term{Field: query.FieldID, Op: query.OpEq, Value: incs[i%len(incs)].ID}
			for _, q := range parsed {
				if _, err := st.Search(b.Context(), query.Request{Query: query.And{Nodes: []query.Node{q, id}}, Size: 1}); err != nil {
					b.Fatal(err)
				}
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
