package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// testBatchWrites: PutIncidents and PutArticles write every item on its
// own terms (a conflict or a rejected item fails no other), a get reads
// the writes at once, and a search sees them within the refresh interval.
func testBatchWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	incs := Incidents()[:3]
	batch := append(slices.Clone(incs), &store.Incident{}) // the last has no id
	vs, errs, err := s.PutIncidents(ctx, batch, make([]store.Version, len(batch)))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(batch) || len(errs) != len(batch) {
		t.Fatalf("%d versions and %d errors for %d incidents", len(vs), len(errs), len(batch))
	}
	if !errors.Is(errs[3], store.ErrRejected) {
		t.Errorf("incident without id: %v, want ErrRejected", errs[3])
	}
	for i, inc := range incs {
		if errs[i] != nil || vs[i].IsZero() {
			t.Fatalf("create %s: version %+v, %v", inc.ID, vs[i], errs[i])
		}
		got, v, err := s.GetIncident(ctx, inc.ID)
		if err != nil {
			t.Fatalf("get %s right after the batch: %v", inc.ID, err)
		}
		if v != vs[i] {
			t.Errorf("get %s: version %+v, batch returned %+v", inc.ID, v, vs[i])
		}
		sameJSON(t, inc.ID, got, inc)
	}

	// An update with the right version and a create of an existing id: the
	// first is written, the second is a conflict and changes nothing.
	upd := fixture(t, incs[0].ID)
	upd.Revision++
	upd.Organisation.Name = "Renamed In Batch"
	again := fixture(t, incs[1].ID)
	again.Revision = 99
	vs2, errs2, err := s.PutIncidents(ctx, []*store.Incident{upd, again}, []store.Version{vs[0], {}})
	if err != nil {
		t.Fatal(err)
	}
	if errs2[0] != nil || vs2[0] == vs[0] || vs2[0].IsZero() {
		t.Errorf("update %s: version %+v (was %+v), %v", upd.ID, vs2[0], vs[0], errs2[0])
	}
	if !errors.Is(errs2[1], store.ErrConflict) {
		t.Errorf("create of an existing %s: %v, want ErrConflict", again.ID, errs2[1])
	}
	if got, _, err := s.GetIncident(ctx, again.ID); err != nil || got.Revision == 99 {
		t.Errorf("a conflicting batch item was written: %+v, %v", got, err)
	}
	// A stale version fails alone.
	_, errs3, err := s.PutIncidents(ctx, []*store.Incident{upd, incs[2]}, []store.Version{vs[0], vs[2]})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(errs3[0], store.ErrConflict) || errs3[1] != nil {
		t.Errorf("stale and current versions: %v, %v; want ErrConflict, nil", errs3[0], errs3[1])
	}

	eventually(t, "the batch's update in a search", func() bool {
		res, err := s.Search(ctx, query.Request{Query: mustParse(t, `organisation:"Renamed In Batch"`)})
		return err == nil && len(res.Incidents) == 1 && res.Incidents[0].ID == upd.ID
	})

	arts := append(Articles(), &store.Article{})
	aerrs, err := s.PutArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	if len(aerrs) != len(arts) || !errors.Is(aerrs[2], store.ErrRejected) {
		t.Fatalf("article errors %v, want nil, nil, ErrRejected", aerrs)
	}
	for i, a := range arts[:2] {
		if aerrs[i] != nil {
			t.Fatalf("article %s: %v", a.ID, aerrs[i])
		}
		got, err := s.GetArticle(ctx, a.ID)
		if err != nil {
			t.Fatalf("get %s right after the batch: %v", a.ID, err)
		}
		sameJSON(t, a.ID, got, a)
	}
	got, err := s.GetArticles(ctx, []string{arts[0].ID, "art-absent", arts[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["art-absent"] != nil {
		t.Fatalf("GetArticles: %d articles %v, want the two stored", len(got), got)
	}
	for _, a := range arts[:2] {
		sameJSON(t, "GetArticles "+a.ID, got[a.ID], a)
	}
	if none, err := s.GetArticles(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("GetArticles of no ids: %v, %v", none, err)
	}
	if _, errs, err := s.PutIncidents(ctx, nil, nil); err != nil || len(errs) != 0 {
		t.Errorf("empty batch: %v, %v", errs, err)
	}
	if _, _, err := s.PutIncidents(ctx, incs, nil); err == nil {
		t.Error("versions missing for the incidents: no error")
	}
}

// fixture is a fresh copy of the fixture incident id.
func fixture(t *testing.T, id string) *store.Incident {
	t.Helper()
	for _, c := range Incidents() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no fixture %s", id)
	return nil
}

// eventually polls ok for up to ten seconds (an index's refresh).
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within 10 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
