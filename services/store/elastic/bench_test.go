package elastic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// benchBatch is the number of incidents per _bulk request, both ways.
const benchBatch = 500

// benchIncidents makes n distinct incidents from the conformance fixtures.
func benchIncidents(round, n int) []*store.Incident {
	base := storetest.Incidents()
	out := make([]*store.Incident, n)
	for i := range out {
		inc := *base[i%len(base)]
		inc.ID = fmt.Sprintf("bench-%d-%06d", round, i)
		out[i] = &inc
	}
	return out
}

// BenchmarkPutIncidents writes the same incidents through the store
// (PutIncidents: one _bulk of creates per batch, items checked, no wait
// for a refresh) and as a plain _bulk POST of the same documents, also
// without, alternating, and reports both rates and their ratio.
func BenchmarkPutIncidents(b *testing.B) {
	s, raw := openTest(b), openTest(b)
	ctx := b.Context()
	const perRound = 2000
	var storeTime, rawTime time.Duration
	var written int
	round := 0
	for b.Loop() {
		round++
		incs := benchIncidents(round, perRound)
		storeFirst := round%2 == 1
		for pass := range 2 {
			if (pass == 0) == storeFirst {
				start := time.Now()
				for i := 0; i < len(incs); i += benchBatch {
					batch := incs[i:min(i+benchBatch, len(incs))]
					_, errs, err := s.PutIncidents(ctx, batch, make([]store.Version, len(batch)))
					if err != nil {
						b.Fatal(err)
					}
					for _, err := range errs {
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				storeTime += time.Since(start)
			} else {
				// The documents are built before the clock starts: this is the
				// engine's side alone.
				var bodies [][]byte
				now := time.Now()
				for i := 0; i < len(incs); i += benchBatch {
					var buf bytes.Buffer
					enc := json.NewEncoder(&buf)
					for _, inc := range incs[i:min(i+benchBatch, len(incs))] {
						enc.Encode(map[string]any{"create": map[string]any{"_index": raw.alias(kindIncidents), "_id": inc.ID}})
						enc.Encode(newIncidentDoc(inc, now))
					}
					bodies = append(bodies, buf.Bytes())
				}
				start := time.Now()
				for _, body := range bodies {
					res, err := http.Post(raw.cfg.URL+"/_bulk", "application/x-ndjson", bytes.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					var ans struct {
						Errors bool `json:"errors"`
					}
					err = json.NewDecoder(res.Body).Decode(&ans)
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err != nil || res.StatusCode != http.StatusOK || ans.Errors {
						b.Fatalf("raw bulk: status %d, errors %v, %v", res.StatusCode, ans.Errors, err)
					}
				}
				rawTime += time.Since(start)
			}
		}
		written += perRound
	}
	storeRate := float64(written) / storeTime.Seconds()
	rawRate := float64(written) / rawTime.Seconds()
	b.ReportMetric(storeRate, "store-incidents/s")
	b.ReportMetric(rawRate, "bulk-incidents/s")
	b.ReportMetric(storeRate/rawRate, "ratio")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPutIncident is the one-at-a-time path with 16 writers at once
// (each call waits for a refresh, so the rate is bounded by concurrency over
// the refresh interval, not by the engine).
func BenchmarkPutIncident(b *testing.B) {
	s := openTest(b)
	ctx := b.Context()
	incs := benchIncidents(0, 1)
	b.SetParallelism(16)
	var n atomic.Int64
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			inc := *incs[0]
			inc.ID = fmt.Sprintf("one-%06d", n.Add(1))
			if _, err := s.PutIncident(ctx, &inc, store.Version{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "incidents/s")
}
