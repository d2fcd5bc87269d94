package indexer

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
)

// curationFixture indexes three articles about one dental practice's
// breach, one of which dates it a year earlier, so the indexer makes two
// incidents of what a curator knows is one.
type curationFixture struct {
	st      store.Store
	n       *testenv.NATS
	h       *Handler
	c       *Curator
	a1, a2  *bwv1.Extraction // 2021, 5,000 patients
	b1      *bwv1.Extraction // says 2020
	incA    string           // a1 and a2
	incB    string           // b1
	orgKeys []string
}

func newCurationFixture(t *testing.T, st store.Store) *curationFixture {
	t.Helper()
	n := testenv.StartNATS(t)
	f := &curationFixture{st: st, n: n, h: &Handler{Store: st, Pub: n.Pub},
		c: &Curator{Store: st, Pub: n.Pub, Now: func() time.Time { return time.Date(2022, 3, 1, 9, 0, 0, 0, time.UTC) }}}
	org := "Northgate Dental Practice"
	f.a1 = ext("cur-a1", org, nil, 2021, bwv1.Cause_CAUSE_HACKING, 5000, d1)
	f.a2 = ext("cur-a2", org, nil, 2021, bwv1.Cause_CAUSE_HACKING, 5000, d2)
	f.b1 = ext("cur-b1", org, nil, 2020, bwv1.Cause_CAUSE_HACKING, 5000, d3)
	for _, x := range []*bwv1.Extraction{f.a1, f.a2, f.b1} {
		if err := f.h.Handle(t.Context(), msg(t, x)); err != nil {
			t.Fatal(err)
		}
	}
	f.orgKeys = []string{OrgKey(org)}
	f.incA, f.incB = f.incidentOf(t, "cur-a1"), f.incidentOf(t, "cur-b1")
	if f.incA == f.incB || f.incidentOf(t, "cur-a2") != f.incA {
		t.Fatalf("fixture: want a1+a2 and b1 apart, got %s %s %s", f.incA, f.incidentOf(t, "cur-a2"), f.incB)
	}
	return f
}

func (f *curationFixture) incidentOf(t *testing.T, articleID string) string {
	t.Helper()
	a, err := f.st.GetArticle(t.Context(), articleID)
	if err != nil {
		t.Fatal(err)
	}
	return a.IncidentID
}

func (f *curationFixture) incidents(t *testing.T) []*store.Incident {
	t.Helper()
	incs, err := f.st.IncidentsByOrganisation(t.Context(), f.orgKeys)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(incs, func(a, b *store.Incident) int { return len(b.Sources) - len(a.Sources) })
	return incs
}

// event is the announced event of an incident's revision, or nil.
func (f *curationFixture) event(t *testing.T, id string, rev int64) *bwv1.IncidentEvent {
	t.Helper()
	for _, m := range f.n.Messages(t, bus.StreamIncidents) {
		var ev bwv1.IncidentEvent
		if err := protojson.Unmarshal(m.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.GetEventId() == id+"@"+strconv.FormatInt(rev, 10) {
			return &ev
		}
	}
	return nil
}

func sourceIDs(inc *store.Incident) []string {
	ids := articleIDs(inc)
	slices.Sort(ids)
	return ids
}

func TestCurationMergeAndSplit(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) { testCuration(t, newCurationFixture(t, open(t))) })
	}
}

func testCuration(t *testing.T, f *curationFixture) {
	ctx := t.Context()
	before, _, err := f.st.GetIncident(ctx, f.incA)
	if err != nil {
		t.Fatal(err)
	}
	who := Request{By: "alice", Why: "the 2020 date is the practice's founding, not the breach"}
	merged, err := f.c.Merge(ctx, []string{f.incA, f.incB}, who)
	if err != nil {
		t.Fatal(err)
	}

	// One incident holds all three; the other is gone; the articles say so.
	stored, _, err := f.st.GetIncident(ctx, f.incA)
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceIDs(stored); !slices.Equal(got, []string{"cur-a1", "cur-a2", "cur-b1"}) {
		t.Fatalf("merged sources %v", got)
	}
	if _, _, err := f.st.GetIncident(ctx, f.incB); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("merged-away incident still readable: %v", err)
	}
	if got := f.incidentOf(t, "cur-b1"); got != f.incA {
		t.Errorf("article b1 points at %s, want %s", got, f.incA)
	}
	if len(f.incidents(t)) != 1 {
		t.Errorf("%d incidents of the organisation after the merge, want 1", len(f.incidents(t)))
	}
	// A revision with who and why, and the reason on the moved source.
	if stored.Revision != before.Revision+1 || merged.Revision != stored.Revision {
		t.Errorf("revision %d after %d", stored.Revision, before.Revision)
	}
	if len(stored.Curation) != 1 {
		t.Fatalf("curation %+v", stored.Curation)
	}
	cu := stored.Curation[0]
	if cu.Action != "merge" || cu.By != "alice" || cu.Why != who.Why || cu.Revision != stored.Revision ||
		!slices.Equal(cu.Incidents, []string{f.incB}) || !slices.Equal(cu.Articles, []string{"cur-b1"}) || cu.At.IsZero() {
		t.Errorf("curation entry %+v", cu)
	}
	for _, s := range stored.Sources {
		if s.ArticleID == "cur-b1" && (s.Match == nil || !s.Match.Joined || len(s.Match.Reasons) == 0) {
			t.Errorf("moved source's match %+v", s.Match)
		}
		if s.ArticleID == "cur-a1" && s.Match == nil {
			t.Errorf("the indexer's decision on a1 was lost")
		}
	}
	if h := stored.History; len(h) < 2 || h[len(h)-1].Revision != stored.Revision || h[len(h)-1].ArticleID != "" ||
		len(h[len(h)-1].Changes) != 1 || h[len(h)-1].Changes[0].Kind != "merged" || h[0].Revision != 1 {
		t.Errorf("history after the merge %+v", h)
	}
	if !slices.Equal(stored.Pinned, []string{"cur-a1", "cur-a2", "cur-b1"}) {
		t.Errorf("pinned %v", stored.Pinned)
	}
	// Announced as a change.
	ev := f.event(t, f.incA, stored.Revision)
	if ev == nil || ev.GetKind() != bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED || len(ev.GetChanges()) != 1 ||
		ev.GetChanges()[0].GetKind() != bwv1.ChangeKind_CHANGE_KIND_MERGED || ev.GetChanges()[0].GetOldValue() != f.incB {
		t.Errorf("merge announcement %v", ev)
	}

	// Reprocessing keeps the curation: b1 again, and b1 read by a newer
	// extractor, stay in the merged incident.
	again := ext("cur-b1", "Northgate Dental Practice", nil, 2020, bwv1.Cause_CAUSE_HACKING, 5000, d3)
	again.ExtractorVersion = "rules/test+1"
	for _, x := range []*bwv1.Extraction{f.b1, again} {
		if err := f.h.Handle(ctx, msg(t, x)); err != nil {
			t.Fatal(err)
		}
	}
	if incs := f.incidents(t); len(incs) != 1 || len(incs[0].Sources) != 3 || f.incidentOf(t, "cur-b1") != f.incA {
		t.Fatalf("reprocessing undid the merge: %d incidents", len(incs))
	}

	// Split a2 off: it would match a1's incident by every measure, so only
	// the curation keeps it apart.
	split := Request{By: "bob", Why: "a2 is the practice's 2021 phishing incident, a second event"}
	rest, apart, err := f.c.Split(ctx, f.incA, []string{"cur-a2"}, split)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sourceIDs(rest), []string{"cur-a1", "cur-b1"}) || !slices.Equal(sourceIDs(apart), []string{"cur-a2"}) {
		t.Fatalf("split: rest %v, apart %v", sourceIDs(rest), sourceIDs(apart))
	}
	if apart.ID == f.incA || apart.Revision != 1 || rest.Revision != stored.Revision+1 {
		t.Errorf("split ids/revisions: rest %s@%d apart %s@%d", rest.ID, rest.Revision, apart.ID, apart.Revision)
	}
	if len(rest.Curation) != 2 || rest.Curation[1].Action != "split" || rest.Curation[1].By != "bob" ||
		!slices.Equal(rest.Curation[1].Incidents, []string{f.incA, apart.ID}) {
		t.Errorf("rest curation %+v", rest.Curation)
	}
	if h := rest.History; len(h) == 0 || h[len(h)-1].Revision != rest.Revision || h[len(h)-1].Changes[0].Kind != "split" {
		t.Errorf("rest history %+v", h)
	}
	if h := apart.History; len(h) != 1 || h[0].Revision != 1 || h[0].Changes[0].Kind != "split" {
		t.Errorf("split-off history %+v", h)
	}
	if f.incidentOf(t, "cur-a2") != apart.ID {
		t.Errorf("a2 points at %s", f.incidentOf(t, "cur-a2"))
	}
	if ev := f.event(t, apart.ID, 1); ev == nil || ev.GetKind() != bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_NEW ||
		ev.GetChanges()[0].GetKind() != bwv1.ChangeKind_CHANGE_KIND_SPLIT {
		t.Errorf("split-off announcement %v", ev)
	}
	if ev := f.event(t, f.incA, rest.Revision); ev == nil || ev.GetChanges()[0].GetKind() != bwv1.ChangeKind_CHANGE_KIND_SPLIT {
		t.Errorf("split-from announcement %v", ev)
	}
	// Reprocessing a2 and a1 keeps them apart; the records follow the articles.
	for _, x := range []*bwv1.Extraction{f.a2, f.a1} {
		if err := f.h.Handle(ctx, msg(t, x)); err != nil {
			t.Fatal(err)
		}
	}
	if f.incidentOf(t, "cur-a2") != apart.ID || f.incidentOf(t, "cur-a1") != f.incA || len(f.incidents(t)) != 2 {
		t.Errorf("reprocessing undid the split")
	}
	got, _, err := f.st.GetIncident(ctx, apart.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Records == nil || len(got.Records.Reported) != 1 || got.Records.Reported[0].ArticleID != "cur-a2" {
		t.Errorf("split-off records %+v", got.Records)
	}
}

func TestCurationRefusesWhatItCannotDo(t *testing.T) {
	f := newCurationFixture(t, openBleve(t))
	ctx := t.Context()
	ok := Request{By: "alice", Why: "one breach"}
	for _, tc := range []struct {
		name string
		err  error
		run  func() error
	}{
		{"merge of one", ErrCuration, func() error { _, err := f.c.Merge(ctx, []string{f.incA}, ok); return err }},
		{"merge of the same twice", ErrCuration, func() error { _, err := f.c.Merge(ctx, []string{f.incA, f.incA}, ok); return err }},
		{"merge without why", ErrCuration, func() error { _, err := f.c.Merge(ctx, []string{f.incA, f.incB}, Request{By: "alice"}); return err }},
		{"merge without who", ErrCuration, func() error { _, err := f.c.Merge(ctx, []string{f.incA, f.incB}, Request{Why: "x"}); return err }},
		{"merge of a missing incident", store.ErrNotFound, func() error { _, err := f.c.Merge(ctx, []string{f.incA, "inc-missing"}, ok); return err }},
		{"split of an article elsewhere", ErrCuration, func() error { _, _, err := f.c.Split(ctx, f.incA, []string{"cur-b1"}, ok); return err }},
		{"split of every article", ErrCuration, func() error { _, _, err := f.c.Split(ctx, f.incA, []string{"cur-a1", "cur-a2"}, ok); return err }},
		{"split of nothing", ErrCuration, func() error { _, _, err := f.c.Split(ctx, f.incA, nil, ok); return err }},
		{"split of a missing incident", store.ErrNotFound, func() error { _, _, err := f.c.Split(ctx, "inc-missing", []string{"cur-a1"}, ok); return err }},
	} {
		if err := tc.run(); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	// Nothing changed.
	if incs := f.incidents(t); len(incs) != 2 || len(incs[0].Sources) != 2 || len(incs[0].Curation) != 0 {
		t.Errorf("a refused curation changed the incidents")
	}

	// An article stored without its extraction (by an older indexer) cannot
	// be rebuilt: refused, and the incidents stay as they were.
	a, err := f.st.GetArticle(ctx, "cur-b1")
	if err != nil {
		t.Fatal(err)
	}
	a.ExtractionProto = nil
	if err := f.st.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Merge(ctx, []string{f.incA, f.incB}, ok); !errors.Is(err, ErrCuration) {
		t.Errorf("merge with an article lacking its extraction: %v", err)
	}
	if len(f.incidents(t)) != 2 {
		t.Errorf("a refused merge changed the incidents")
	}
}

func TestCurationWhenTheStoreIsDown(t *testing.T) {
	f := newCurationFixture(t, openBleve(t))
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Merge(t.Context(), []string{f.incA, f.incB}, Request{By: "a", Why: "b"}); err == nil || errors.Is(err, ErrCuration) {
		t.Errorf("merge on a closed store: %v, want a store error", err)
	}
}
