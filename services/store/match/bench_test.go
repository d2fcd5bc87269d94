package match_test

import (
	"fmt"
	"testing"

	"github.com/breachwire/breachwire/services/store/match"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// BenchmarkMatch is the alerter's work for one incident event: one Doc
// matched against 10,000 compiled subscriptions of varied shapes (the
// conformance suite's random queries: single terms, phrases, comparisons,
// AND/OR/NOT nested up to three deep). In the same run, two baselines:
// 10,000 lookups in a map of the Doc's size (the least a matcher that
// touches every subscription can cost), and NewDoc (analysing the incident
// once). The match run reports its time as a multiple of the lookups
// (x-lookups).
func BenchmarkMatch(b *testing.B) {
	const n = 10_000
	incs := storetest.Incidents()
	queries := make([]*match.Query, n)
	for i, s := range storetest.RandomQueries(7, n) {
		queries[i] = mustCompile(b, s)
	}

	// The baseline map has as many keys as the Doc has words, and is
	// probed with 10,000 distinct strings, half of them present.
	words := map[string]struct{}{}
	for i := range 120 {
		words[fmt.Sprintf("word%d", i)] = struct{}{}
	}
	probes := make([]string, n)
	for i := range probes {
		probes[i] = fmt.Sprintf("word%d", i%240)
	}
	var lookupNs float64
	b.Run("baseline=map-lookups", func(b *testing.B) {
		hits := 0
		for b.Loop() {
			for _, p := range probes {
				if _, ok := words[p]; ok {
					hits++
				}
			}
		}
		lookupNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("baseline=NewDoc", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			match.NewDoc(incs[i%len(incs)])
			i++
		}
	})
	b.Run(fmt.Sprintf("queries=%d", n), func(b *testing.B) {
		docs := make([]*match.Doc, len(incs))
		for i, inc := range incs {
			docs[i] = match.NewDoc(inc)
		}
		b.ReportAllocs()
		i, matched := 0, 0
		for b.Loop() {
			d := docs[i%len(docs)]
			for _, q := range queries {
				if q.Match(d) {
					matched++
				}
			}
			i++
		}
		perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(perOp/n, "ns/query")
		b.ReportMetric(float64(matched)/float64(b.N), "matches/op")
		if lookupNs > 0 {
			b.ReportMetric(perOp/lookupNs, "x-lookups")
		}
	})
}
