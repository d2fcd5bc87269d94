package bleve

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// BenchmarkPutIncident measures incidents/s created through the store, by
// one writer and by many (whose writes share batches), against the baseline
// of plain Bleve batches of 64 of the same documents in the same run.
func BenchmarkPutIncident(b *testing.B) {
	fixtures := storetest.Incidents()
	incident := func(n int64) *store.Incident {
		inc := *fixtures[n%int64(len(fixtures))]
		inc.ID = fmt.Sprintf("bench-%d", n)
		return &inc
	}
	b.Run("serial", func(b *testing.B) {
		s := openBench(b)
		var n int64
		for b.Loop() {
			if _, err := s.PutIncident(b.Context(), incident(n), store.Version{}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "incidents/s")
	})
	for _, writers := range []int{8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openBench(b)
			var n atomic.Int64
			b.SetParallelism(writers) // × GOMAXPROCS goroutines
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.PutIncident(b.Context(), incident(n.Add(1)), store.Version{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "incidents/s")
		})
	}
	b.Run("baseline-bleve-batch-64", func(b *testing.B) {
		im, err := incidentMapping()
		if err != nil {
			b.Fatal(err)
		}
		idx, err := blevesearch.New(filepath.Join(b.TempDir(), "baseline.bleve"), im)
		if err != nil {
			b.Fatal(err)
		}
		defer idx.Close()
		var n int64
		batch := idx.NewBatch()
		for b.Loop() {
			inc := incident(n)
			doc, err := incidentDoc(inc, 1)
			if err != nil {
				b.Fatal(err)
			}
			if err := batch.Index(inc.ID, doc); err != nil {
				b.Fatal(err)
			}
			n++
			if batch.Size() == 64 {
				if err := idx.Batch(batch); err != nil {
					b.Fatal(err)
				}
				batch.Reset()
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "incidents/s")
	})
}

func openBench(b *testing.B) *Store {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
