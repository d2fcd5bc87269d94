package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// testDelete: a delete honours the version, leaves nothing a read, the
// organisation lookup or a search would find, and a re-creation under the
// same id starts afresh without handing out a version twice.
func testDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	inc := Incidents()[0]
	v1, err := s.PutIncident(ctx, inc, store.Version{})
	if err != nil {
		t.Fatal(err)
	}
	inc.Revision++
	v2, err := s.PutIncident(ctx, inc, v1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteIncident(ctx, inc.ID, v1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("delete with a stale version = %v, want ErrConflict", err)
	}
	if _, _, err := s.GetIncident(ctx, inc.ID); err != nil {
		t.Fatalf("a refused delete removed the incident: %v", err)
	}
	if err := s.DeleteIncident(ctx, inc.ID, v2); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, _, err := s.GetIncident(ctx, inc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get after delete = %v, want ErrNotFound", err)
	}
	found, err := s.IncidentsByOrganisation(ctx, inc.Organisation.Keys)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(found, func(c *store.Incident) bool { return c.ID == inc.ID }) {
		t.Errorf("IncidentsByOrganisation still finds the deleted incident")
	}
	res, err := s.Search(ctx, query.Request{Query: mustParse(t, "id:"+inc.ID), Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || len(res.Incidents) != 0 {
		t.Errorf("search still finds the deleted incident: %d", res.Total)
	}
	if err := s.DeleteIncident(ctx, inc.ID, v2); !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
		t.Errorf("second delete = %v, want ErrNotFound or ErrConflict", err)
	}
	if err := s.DeleteIncident(ctx, "inc-never-stored", store.Version{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete of a missing incident = %v, want ErrNotFound", err)
	}

	v3, err := s.PutIncident(ctx, inc, store.Version{})
	if err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}
	if v3 == v1 || v3 == v2 {
		t.Errorf("re-creation handed out an earlier version again: %+v", v3)
	}
	if _, err := s.PutIncident(ctx, inc, v2); !errors.Is(err, store.ErrConflict) {
		t.Errorf("update with the deleted incident's version = %v, want ErrConflict", err)
	}
}
