package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/store"
)

// ErrNotReady: what the endpoint needs is not open yet (503).
var ErrNotReady = errors.New("not ready")

// Curation is what the curation endpoints need (indexer.Curator).
type Curation interface {
	Merge(ctx context.Context, ids []string, r indexer.Request) (*store.Incident, error)
	Split(ctx context.Context, id string, articles []string, r indexer.Request) (rest, split *store.Incident, err error)
}

// MergeRequest is the body of POST /api/v1/incidents/merge: the first id
// keeps its id and takes the others' articles.
type MergeRequest struct {
	IDs []string `json:"ids"`
	indexer.Request
}

// SplitRequest is the body of POST /api/v1/incidents/{id}/split.
type SplitRequest struct {
	Articles []string `json:"articles"`
	indexer.Request
}

// CurationResult is what both answer: the incident (merged, or split from)
// and, for a split, the incident the articles went to.
type CurationResult struct {
	Incident *store.Incident `json:"incident"`
	Split    *store.Incident `json:"split,omitempty"`
}

func (s *server) routeCuration(mux *http.ServeMux) {
	if s.o.Curation == nil {
		return
	}
	mux.Handle("POST /api/v1/incidents/merge", s.admin(s.incidentsMerge))
	mux.Handle("POST /api/v1/incidents/{id}/split", s.admin(s.incidentSplit))
}

func (s *server) incidentsMerge(w http.ResponseWriter, r *http.Request) {
	var req MergeRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	inc, err := s.o.Curation.Merge(r.Context(), req.IDs, req.Request)
	if err != nil {
		s.curationFail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, CurationResult{Incident: inc})
}

func (s *server) incidentSplit(w http.ResponseWriter, r *http.Request) {
	var req SplitRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	rest, split, err := s.o.Curation.Split(r.Context(), r.PathValue("id"), req.Articles, req.Request)
	if err != nil {
		s.curationFail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, CurationResult{Incident: rest, Split: split})
}

func (s *server) curationFail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, indexer.ErrCuration):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, err.Error()+" (the incidents kept changing; try again)")
	case errors.Is(err, ErrNotReady):
		writeError(w, http.StatusServiceUnavailable, "not ready")
	default:
		s.fail(w, err)
	}
}
