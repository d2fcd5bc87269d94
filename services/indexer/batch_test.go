package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/elastic"
)

// batchBackends are the stores batches are tested on. The search node
// keeps its default refresh interval (1 s), so that a batch's candidates
// are searched before the last batches' writes are searchable: what the
// indexer's recent writes are for.
func batchBackends(t *testing.T) map[string]func(t *testing.T) store.Store {
	out := map[string]func(t *testing.T) store.Store{"bleve": openBleve}
	if url := os.Getenv("BREACHWIRE_TEST_ES_URL"); url != "" {
		out["elastic"] = func(t *testing.T) store.Store {
			st, err := elastic.Open(t.Context(), elastic.Config{URL: url, Flavor: elastic.FlavorOpenSearch,
				IndexPrefix: fmt.Sprintf("bw-batch-test-%d", time.Now().UnixNano())})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		}
	}
	return out
}

func messages(t *testing.T, xs []*bwv1.Extraction) []*bus.Message {
	out := make([]*bus.Message, len(xs))
	for i, x := range xs {
		out[i] = msg(t, x)
	}
	return out
}

// handleInBatches gives h the messages n at a time and fails on any error.
func handleInBatches(t *testing.T, h *Handler, ms []*bus.Message, n int) {
	t.Helper()
	for lo := 0; lo < len(ms); lo += n {
		hi := min(lo+n, len(ms))
		for i, err := range h.HandleBatch(t.Context(), ms[lo:hi]) {
			if err != nil {
				t.Errorf("message %d: %v", lo+i, err)
			}
		}
	}
}

func incidentsOf(t *testing.T, st store.Store, xs []*bwv1.Extraction) []string {
	t.Helper()
	out := make([]string, len(xs))
	for k, x := range xs {
		a, err := st.GetArticle(t.Context(), x.GetArticleId())
		if err != nil {
			t.Fatal(err)
		}
		out[k] = a.IncidentID
	}
	return out
}

// The merge benchmark's first set, indexed in batches of 64, makes the
// partition it makes one article at a time, on each store; two batch
// indexers at once hold the benchmark's targets.
func TestBatchesMergeLikeOneAtATime(t *testing.T) {
	arts, events := mergeBenchSet(300, 1)
	order := make([]int, len(arts))
	for i := range order {
		order[i] = i
	}
	alone, nAlone := runMergeBench(t, arts, order)
	ins := make([]classifier.Input, len(arts))
	for i, a := range arts {
		ins[i] = a.in
	}
	xs := extractAll(t, ins)
	for name, open := range batchBackends(t) {
		t.Run(name, func(t *testing.T) {
			st, n := open(t), testenv.StartNATS(t)
			handleInBatches(t, &Handler{Store: st, Pub: n.Pub}, messages(t, xs), 64)
			batched := incidentsOf(t, st, xs)
			if !samePartition(alone, batched) {
				p, r := pairwise(arts, batched)
				t.Errorf("batches made another partition than one at a time: precision %.4f recall %.4f", p, r)
			}
			if got := distinctCount(batched); got != nAlone {
				t.Errorf("%d incidents in batches, %d one at a time (%d events)", got, nAlone, len(events))
			}
		})
		t.Run(name+"/two-indexers", func(t *testing.T) {
			st, n := open(t), testenv.StartNATS(t)
			ms := messages(t, xs)
			var wg sync.WaitGroup
			for w := range 2 {
				h := &Handler{Store: st, Pub: n.Pub}
				wg.Go(func() {
					for lo := w * 32; lo < len(ms); lo += 64 {
						for i, err := range h.HandleBatch(t.Context(), ms[lo:min(lo+32, len(ms))]) {
							if err != nil {
								t.Errorf("indexer %d, message %d: %v", w, lo+i, err)
							}
						}
					}
				})
			}
			wg.Wait()
			// Not always the same partition: two indexers creating an
			// organisation's incident under two variants of its name
			// ("Brambling Credit", "Brambling Credit Union Ltd") in batches
			// taken at the same moment do not see each other's, and no id
			// collides (exact names do collide, and are placed again).
			// Curation merges them; the README says so.
			together := incidentsOf(t, st, xs)
			p, r := pairwise(arts, together)
			t.Logf("two batch indexers: same partition as one at a time: %v; pairwise precision %.4f recall %.4f", samePartition(alone, together), p, r)
			if p < 0.99 || r < 0.95 {
				t.Errorf("two batch indexers: pairwise precision %.4f recall %.4f, want >= 0.99 and >= 0.95", p, r)
			}
		})
	}
}

func distinctCount(ids []string) int {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	return len(seen)
}

// A batch holding one malformed message, an extraction without its
// article and a replay settles each alone: the good ones are stored once,
// the bad ones are permanent failures, nothing else fails.
func TestBatchBadMessagesFailAlone(t *testing.T) {
	st, n := openBleve(t), testenv.StartNATS(t)
	xs := extractAll(t, []classifier.Input{
		{Title: "Harrow Valley Water breach", Text: "Harrow Valley Water said hackers copied the records of 41,000 customers in March 2025."},
		{Title: "Harrow Valley Water update", Text: "Harrow Valley Water confirmed that 41,000 customers' records were copied by hackers in March 2025."},
	})
	ms := []*bus.Message{msg(t, xs[0]), {Data: []byte("not a protobuf"), Deliveries: 1}, msg(t, &bwv1.Extraction{ArticleId: "art-x"}), msg(t, xs[1]), msg(t, xs[0])}
	h := &Handler{Store: st, Pub: n.Pub}
	errs := h.HandleBatch(t.Context(), ms)
	for i, err := range errs {
		bad := i == 1 || i == 2
		if bad != (err != nil) || (bad && !bus.IsPermanent(err)) {
			t.Errorf("message %d: %v", i, err)
		}
	}
	a, b := incidentsOf(t, st, xs)[0], incidentsOf(t, st, xs)[1]
	if a == "" || a != b {
		t.Fatalf("the two reports went to %q and %q", a, b)
	}
	inc, _, err := st.GetIncident(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Sources) != 2 {
		t.Errorf("%d sources, want 2 (the replay added none)", len(inc.Sources))
	}
}

// conflictOnce is a real store whose first batch write of incidents
// answers every item with a conflict, as another indexer that wrote first
// would make it.
type conflictOnce struct {
	store.Store
	mu   sync.Mutex
	done bool
}

func (c *conflictOnce) PutIncidents(ctx context.Context, incs []*store.Incident, expect []store.Version) ([]store.Version, []error, error) {
	c.mu.Lock()
	first := !c.done
	c.done = true
	c.mu.Unlock()
	if !first {
		return c.Store.PutIncidents(ctx, incs, expect)
	}
	errs := make([]error, len(incs))
	for i := range errs {
		errs[i] = fmt.Errorf("incident %s: %w", incs[i].ID, store.ErrConflict)
	}
	return make([]store.Version, len(incs)), errs, nil
}

// An item whose incident write conflicts is placed again alone and
// stored; a store that is down fails the batch's items retryably.
func TestBatchConflictAndStoreDown(t *testing.T) {
	n := testenv.StartNATS(t)
	xs := extractAll(t, []classifier.Input{
		{Title: "Orchard Lane Dental breach", Text: "Orchard Lane Dental said 2,300 patients' records were stolen in a ransomware attack in May 2025."},
		{Title: "Kestrel Print breach", Text: "Kestrel Print said an employee emailed 900 customers' details to the wrong recipient in June 2025."},
	})
	st := &conflictOnce{Store: openBleve(t)}
	fails := &countFailures{}
	h := &Handler{Store: st, Pub: n.Pub, Metrics: fails}
	for i, err := range h.HandleBatch(t.Context(), messages(t, xs)) {
		if err != nil {
			t.Errorf("message %d after a conflict: %v", i, err)
		}
	}
	for i, id := range incidentsOf(t, st, xs) {
		if _, _, err := st.GetIncident(t.Context(), id); id == "" || err != nil {
			t.Errorf("article %d: incident %q, %v", i, id, err)
		}
	}
	if got := fails.n["incident/conflict"]; got != 2 {
		t.Errorf("%d conflicting items counted, want 2 (%v)", got, fails.n)
	}

	down := openBleve(t)
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	h = &Handler{Store: down, Pub: n.Pub}
	for i, err := range h.HandleBatch(t.Context(), messages(t, xs)) {
		if err == nil || bus.IsPermanent(err) || errors.Is(err, context.Canceled) {
			t.Errorf("message %d on a closed store: %v, want a retryable error", i, err)
		}
	}
}

// countFailures counts the batch-write items the store refused.
type countFailures struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countFailures) BulkItemFailed(kind, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[kind+"/"+reason]++
}

// On a search node whose index refreshes only once a minute, a batch finds
// the incidents the previous batches wrote, under their exact names and
// name variants, without a conflict: the recent writes answer for the
// search. (Bleve is searchable at once; the test runs there too.)
func TestBatchReadsItsOwnWrites(t *testing.T) {
	opens := map[string]func(t *testing.T) store.Store{"bleve": openBleve}
	if url := os.Getenv("BREACHWIRE_TEST_ES_URL"); url != "" {
		opens["elastic"] = func(t *testing.T) store.Store {
			st, err := elastic.Open(t.Context(), elastic.Config{URL: url, Flavor: elastic.FlavorOpenSearch, RefreshInterval: "60s",
				IndexPrefix: fmt.Sprintf("bw-recent-test-%d", time.Now().UnixNano())})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		}
	}
	xs := extractAll(t, []classifier.Input{
		{Title: "Cedar Freight Services breach", Text: "Cedar Freight Services said hackers stole the records of 52,400 customers in a ransomware attack in April 2025."},
		{Title: "Cedar Freight breach", Text: "Cedar Freight said hackers stole the records of 52,400 customers in a ransomware attack in April 2025."},
		{Title: "Cedar Freight Services update", Text: "Cedar Freight Services confirmed the ransomware attack in April 2025 exposed 52,400 customers' records."},
	})
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			st, n := open(t), testenv.StartNATS(t)
			fails := &countFailures{}
			h := &Handler{Store: st, Pub: n.Pub, Metrics: fails}
			for i, x := range xs { // one batch each
				if err := h.HandleBatch(t.Context(), []*bus.Message{msg(t, x)})[0]; err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
			}
			ids := incidentsOf(t, st, xs)
			if ids[0] == "" || ids[1] != ids[0] || ids[2] != ids[0] {
				t.Errorf("incidents %v, want one", ids)
			}
			if len(fails.n) != 0 {
				t.Errorf("batch-write failures %v, want none", fails.n)
			}
		})
	}
}
