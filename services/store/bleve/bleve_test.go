package bleve_test

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// Bleve starts its analysis workers once per process, in its own init.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// Versions and documents survive a restart: the counter lives in the
// stored document, not only in memory.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	inc := storetest.Incidents()[3]
	v1, err := s.PutIncident(ctx, inc, store.Version{})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.PutIncident(ctx, inc, v1)
	if err != nil {
		t.Fatal(err)
	}
	art := storetest.Articles()[0]
	if err := s.PutArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("ping after close succeeded")
	}
	if err := s.PutArticle(ctx, art); err == nil {
		t.Error("put after close succeeded")
	}

	s, err = bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, v, err := s.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v != v2 || got.Organisation.Name != inc.Organisation.Name {
		t.Errorf("after reopen: version %+v (want %+v), organisation %q", v, v2, got.Organisation.Name)
	}
	if _, err := s.PutIncident(ctx, inc, v1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale version after reopen: %v, want ErrConflict", err)
	}
	if _, err := s.PutIncident(ctx, inc, store.Version{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("create after reopen: %v, want ErrConflict", err)
	}
	if _, err := s.PutIncident(ctx, inc, v2); err != nil {
		t.Errorf("update after reopen: %v", err)
	}
	if _, err := s.GetArticle(ctx, art.ID); err != nil {
		t.Errorf("article after reopen: %v", err)
	}
	res, err := s.Search(ctx, query.Request{Query: query.Term{Field: query.FieldOrganisation, Value: "co-operative"}})
	if err != nil || res.Total != 1 {
		t.Errorf("search after reopen: %v, %+v", err, res)
	}
}

func TestRejectsEmptyID(t *testing.T) {
	s, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutIncident(t.Context(), &store.Incident{}, store.Version{}); !errors.Is(err, store.ErrRejected) {
		t.Errorf("incident without id: %v, want ErrRejected", err)
	}
	if err := s.PutArticle(t.Context(), &store.Article{}); !errors.Is(err, store.ErrRejected) {
		t.Errorf("article without id: %v, want ErrRejected", err)
	}
}

// A second Close returns the first one's result instead of panicking
// inside Bleve, and a closed store says so.
func TestCloseTwice(t *testing.T) {
	s, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("a closed store answers ping")
	}
}
