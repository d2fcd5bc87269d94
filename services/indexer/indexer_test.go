package indexer

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/elastic"
	"github.com/breachwire/breachwire/services/store/query"
)

func openBleve(t *testing.T) store.Store {
	t.Helper()
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func msg(t *testing.T, x *bwv1.Extraction) *bus.Message {
	t.Helper()
	b, err := proto.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	return &bus.Message{Data: b, Deliveries: 1}
}

// backends are the stores the indexer is tested on: Bleve always, the
// Elasticsearch store when BREACHWIRE_TEST_ES_URL names a search node.
func backends(t *testing.T) map[string]func(t *testing.T) store.Store {
	out := map[string]func(t *testing.T) store.Store{"bleve": openBleve}
	if url := os.Getenv("BREACHWIRE_TEST_ES_URL"); url != "" {
		out["elastic"] = func(t *testing.T) store.Store {
			flavor := elastic.FlavorOpenSearch
			if os.Getenv("BREACHWIRE_TEST_ES_FLAVOR") == "elasticsearch" {
				flavor = elastic.FlavorElasticsearch
			}
			st, err := elastic.Open(t.Context(), elastic.Config{URL: url, Flavor: flavor, RefreshInterval: "50ms",
				IndexPrefix: fmt.Sprintf("bw-indexer-test-%d", time.Now().UnixNano())})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		}
	}
	return out
}

// race starts four indexers (in wg) that take a and b, two each, at the
// same moment.
func race(t *testing.T, wg *sync.WaitGroup, st store.Store, n *testenv.NATS, a, b *bwv1.Extraction) {
	t.Helper()
	start := make(chan struct{})
	for i := range 4 {
		h := &Handler{Store: st, Pub: n.Pub}
		x := a
		if i%2 == 1 {
			x = b
		}
		m := msg(t, x)
		wg.Go(func() {
			<-start
			if err := h.Handle(t.Context(), m); err != nil {
				t.Errorf("handle: %v", err)
			}
		})
	}
	close(start)
}

// Four indexers take two articles about the same new incident at the same
// moment; there must be one incident with both sources, every time.
func TestConcurrentIndexersMakeOneIncident(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testConcurrentIndexers(t, open(t)) })
	}
}

func testConcurrentIndexers(t *testing.T, st store.Store) {
	n := testenv.StartNATS(t)
	const rounds = 15
	var wg sync.WaitGroup
	for r := range rounds {
		org := fmt.Sprintf("Concurrent Holdings %d", r)
		a := ext(fmt.Sprintf("r%d-a", r), org, nil, 2020, bwv1.Cause_CAUSE_HACKING, 1000, d1)
		b := ext(fmt.Sprintf("r%d-b", r), org, nil, 2020, bwv1.Cause_CAUSE_HACKING, 1200, d2)
		race(t, &wg, st, n, a, b)
	}
	wg.Wait()
	for r := range rounds {
		keys := []string{OrgKey(fmt.Sprintf("Concurrent Holdings %d", r))}
		incs, err := st.IncidentsByOrganisation(t.Context(), keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(incs) != 1 || len(incs[0].Sources) != 2 || incs[0].Records == nil || len(incs[0].Records.Reported) != 2 {
			t.Fatalf("round %d: %d incidents %+v", r, len(incs), incs)
		}
	}
	// Each incident was announced new exactly once (ids are per revision).
	news := 0
	for _, m := range n.Messages(t, bus.StreamIncidents) {
		if m.Subject == bus.SubjectIncidentsNew {
			news++
		}
		// Readable with nats sub and jq: JSON with the proto field names.
		var ev bwv1.IncidentEvent
		if err := protojson.Unmarshal(m.Data, &ev); err != nil || !strings.Contains(string(m.Data), `"event_id"`) || m.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("incident event is not protojson (%v): %s", err, m.Data)
		}
	}
	if news != rounds {
		t.Fatalf("%d new-incident events, want %d", news, rounds)
	}
}

func TestHandlerStoresArticlesAndSkipsNonBreaches(t *testing.T) {
	n := testenv.StartNATS(t)
	st := openBleve(t)
	h := &Handler{Store: st, Pub: n.Pub}
	notBreach := ext("nb", "Patchworks", nil, 2020, bwv1.Cause_CAUSE_UNSPECIFIED, 0, d1)
	notBreach.IsBreach = false
	if err := h.Handle(t.Context(), msg(t, notBreach)); err != nil {
		t.Fatal(err)
	}
	a, err := st.GetArticle(t.Context(), "nb")
	if err != nil || a.IsBreach || a.IncidentID != "" {
		t.Fatalf("article %+v %v", a, err)
	}
	res, err := st.Search(t.Context(), query.Request{Query: query.All{}, Size: 10})
	if err != nil || res.Total != 0 {
		t.Fatalf("incidents from a non-breach: %+v %v", res, err)
	}
	// A breach: article linked to its incident; replay changes nothing.
	x := ext("b1", "Harbour Life Planning", []string{"HLP"}, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 82000, d1)
	for range 3 {
		if err := h.Handle(t.Context(), msg(t, x)); err != nil {
			t.Fatal(err)
		}
	}
	a, _ = st.GetArticle(t.Context(), "b1")
	inc, _, err := st.GetIncident(t.Context(), a.IncidentID)
	if err != nil || inc.Revision != 1 || len(inc.Sources) != 1 {
		t.Fatalf("incident %+v %v", inc, err)
	}
	if got := len(n.Messages(t, bus.StreamIncidents)); got != 1 {
		t.Fatalf("%d events after replays, want 1", got)
	}
	// Malformed input is permanent.
	if err := h.Handle(t.Context(), &bus.Message{Data: []byte{0xff, 0x00}}); !bus.IsPermanent(err) {
		t.Fatalf("garbage: %v", err)
	}
	if err := h.Handle(t.Context(), msg(t, &bwv1.Extraction{ArticleId: "x"})); !bus.IsPermanent(err) {
		t.Fatalf("no article: %v", err)
	}
	_ = time.Second
}

// A document the store rejects (mapping) is permanent: the runtime sends
// the message to the DLQ; anything else is retried.
func TestStoreRejectionIsPermanent(t *testing.T) {
	if err := storeErr("write incident", fmt.Errorf("elastic: %w", store.ErrRejected)); !bus.IsPermanent(err) {
		t.Fatalf("rejected: %v", err)
	}
	if err := storeErr("write incident", fmt.Errorf("elastic: 429: %w", errTooMany)); bus.IsPermanent(err) {
		t.Fatalf("overload is not permanent: %v", err)
	}
}

var errTooMany = fmt.Errorf("es_rejected_execution_exception")

// An article whose only count is unknown makes an incident with no
// records: not in the stored incident, the stored extraction, the
// incident event, nor a records:>=0 search.
func TestUnknownCountIsStoredWithoutANumber(t *testing.T) {
	n := testenv.StartNATS(t)
	st := openBleve(t)
	h := &Handler{Store: st, Pub: n.Pub}
	x := unknownCount(ext("u1", "Saltmarsh Ferries", nil, 2021, bwv1.Cause_CAUSE_HACKING, 0, d1))
	if err := h.Handle(t.Context(), msg(t, x)); err != nil {
		t.Fatal(err)
	}
	a, err := st.GetArticle(t.Context(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Extraction, `"value":null,"qualifier":"unknown"`) {
		t.Errorf("stored extraction: %s", a.Extraction)
	}
	inc, _, err := st.GetIncident(t.Context(), a.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Records != nil {
		t.Errorf("incident records %+v, want none", inc.Records)
	}
	counted, err := query.Parse("records:>=0")
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(t.Context(), query.Request{Query: counted, Size: 10})
	if err != nil || res.Total != 0 {
		t.Errorf("records:>=0 found %+v (%v)", res, err)
	}
	for _, m := range n.Messages(t, bus.StreamIncidents) {
		var ev bwv1.IncidentEvent
		if err := protojson.Unmarshal(m.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.GetIncident().GetRecords() != nil {
			t.Errorf("event carries records %v", ev.GetIncident().GetRecords())
		}
	}
}

// Two breaches of one organisation in one year, taken by several indexers
// at the same moment: the first one's id is also the other's first choice,
// and the one that finds it taken must score it, not merge into it.
func TestConcurrentIndexersKeepTwoEventsApart(t *testing.T) {
	st := openBleve(t)
	n := testenv.StartNATS(t)
	const rounds = 10
	var wg sync.WaitGroup
	for r := range rounds {
		org := fmt.Sprintf("Twice Holdings %d", r)
		a := ext(fmt.Sprintf("t%d-a", r), org, nil, 2023, bwv1.Cause_CAUSE_HACKING, 1_214_000, time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC))
		a.IncidentDate = &bwv1.DateFact{Date: "2023-01-04"}
		b := ext(fmt.Sprintf("t%d-b", r), org, nil, 2023, bwv1.Cause_CAUSE_PHISHING_SOCIAL, 3_100, time.Date(2023, 8, 20, 0, 0, 0, 0, time.UTC))
		b.IncidentDate = &bwv1.DateFact{Date: "2023-08-15"}
		race(t, &wg, st, n, a, b)
	}
	wg.Wait()
	for r := range rounds {
		incs, err := st.IncidentsByOrganisation(t.Context(), []string{OrgKey(fmt.Sprintf("Twice Holdings %d", r))})
		if err != nil {
			t.Fatal(err)
		}
		if len(incs) != 2 || len(incs[0].Sources) != 1 || len(incs[1].Sources) != 1 {
			t.Fatalf("round %d: %d incidents, want 2 of one source each", r, len(incs))
		}
	}
}
