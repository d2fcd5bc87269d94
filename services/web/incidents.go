package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// Incidents is what the search endpoints need from the store.
type Incidents interface {
	GetIncident(ctx context.Context, id string) (*store.Incident, store.Version, error)
	GetArticle(ctx context.Context, id string) (*store.Article, error)
	Search(ctx context.Context, q query.Request) (*store.Result, error)
	Facets(ctx context.Context, q query.Request) (*store.FacetCounts, error)
}

// ParseRequest reads q, from, to, sort, size and cursor from URL values, the
// way the HTTP API and the command line share them.
func ParseRequest(get func(string) string) (query.Request, error) {
	var req query.Request
	var err error
	if req.Query, err = query.Parse(get("q")); err != nil {
		return req, err
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &req.From}, {"to", &req.To}} {
		if v := get(p.name); v != "" {
			if *p.dst, err = query.ParseDate(v); err != nil {
				return req, errors.New(p.name + ": " + err.Error())
			}
		}
	}
	if req.Sort, err = query.ParseSort(get("sort")); err != nil {
		return req, err
	}
	req.Size = 20
	if v := get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > query.MaxSize {
			return req, errors.New("size: want a number from 1 to " + strconv.Itoa(query.MaxSize))
		}
		req.Size = n
	}
	req.Cursor = get("cursor")
	return req, nil
}

func (s *server) incidentsSearch(w http.ResponseWriter, r *http.Request) {
	req, err := ParseRequest(r.URL.Query().Get)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	res, err := s.o.Incidents.Search(r.Context(), req)
	if err != nil {
		s.storeFail(w, err)
		return
	}
	if res.Incidents == nil {
		res.Incidents = []*store.Incident{}
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *server) incidentGet(w http.ResponseWriter, r *http.Request) {
	inc, _, err := s.o.Incidents.GetIncident(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeFail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

func (s *server) facets(w http.ResponseWriter, r *http.Request) {
	req, err := ParseRequest(r.URL.Query().Get)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f, err := s.o.Incidents.Facets(r.Context(), req)
	if err != nil {
		s.storeFail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *server) articleGet(w http.ResponseWriter, r *http.Request) {
	a, err := s.o.Incidents.GetArticle(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeFail(w, err)
		return
	}
	a.ExtractionProto = nil // the indexer's binary copy of Extraction
	writeJSON(w, http.StatusOK, a)
}

func (s *server) storeFail(w http.ResponseWriter, err error) {
	var pe *query.ParseError
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.fail(w, err)
	}
}
