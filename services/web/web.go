// Package web serves breachwire's HTTP face: health, readiness, metrics, the web UI and
// the JSON API that client subcommands and operators use.
package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
)

// DeadLetters is what the DLQ endpoints need.
type DeadLetters interface {
	List(ctx context.Context, stage string, limit int) ([]bus.DeadLetter, error)
	Replay(ctx context.Context, stage string, seqs []uint64) (int, error)
	Purge(ctx context.Context, stage string) (uint64, error)
}

// Feeds is what the feed endpoints need.
type Feeds interface {
	Statuses(ctx context.Context, now time.Time) ([]feeder.Status, error)
	Add(ctx context.Context, f config.Feed) (feeder.Entry, error)
	Remove(ctx context.Context, urlOrID string) (feeder.Entry, error)
	RequestBackfill(ctx context.Context, urlOrID string, pages int) (feeder.Entry, error)
}

// BackfillRequest is the body of POST /api/v1/feeds/{id}/backfill.
type BackfillRequest struct {
	Pages int `json:"pages"`
}

// Options wire the handler to the rest of the process.
type Options struct {
	// Ready reports nil when NATS is connected, streams are declared and the
	// store is open.
	Ready     func(ctx context.Context) error
	Metrics   http.Handler
	DLQ       DeadLetters
	Feeds     Feeds
	Incidents Incidents
	// Curation serves the merge and split endpoints (admin).
	Curation Curation
	// Subscriptions serves the subscription API and the Atom feeds.
	Subscriptions Subscriptions
	AdminToken    string
	Logger        *slog.Logger
	// Gatherer gives the operations page the pipeline's counters.
	Gatherer prometheus.Gatherer
	// UIReadRequiresLogin makes the UI's incident pages ask for the admin
	// login too (they are open by default, as the API's are).
	UIReadRequiresLogin bool
}

// NewHandler returns the process's HTTP handler.
func NewHandler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{o: o}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	mux.Handle("GET /api/v1/dlq", s.admin(s.dlqList))
	mux.Handle("POST /api/v1/dlq/replay", s.admin(s.dlqReplay))
	mux.Handle("POST /api/v1/dlq/purge", s.admin(s.dlqPurge))
	mux.HandleFunc("GET /api/v1/feeds", s.feedsList)
	mux.Handle("POST /api/v1/feeds", s.admin(s.feedsAdd))
	mux.Handle("DELETE /api/v1/feeds/{id}", s.admin(s.feedsRemove))
	mux.Handle("POST /api/v1/feeds/{id}/backfill", s.admin(s.feedsBackfill))
	if o.Incidents != nil {
		mux.HandleFunc("GET /api/v1/incidents", s.incidentsSearch)
		mux.HandleFunc("GET /api/v1/incidents/{id}", s.incidentGet)
		mux.HandleFunc("GET /api/v1/facets", s.facets)
		mux.HandleFunc("GET /api/v1/articles/{id}", s.articleGet)
	}
	s.routeCuration(mux)
	s.routeSubscriptions(mux)
	newUI(s).route(mux)
	mux.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	return securityHeaders(mux)
}

type server struct{ o Options }

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.o.Ready == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready: starting\n")
		return
	}
	if err := s.o.Ready(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready: "+err.Error()+"\n")
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// admin requires the admin bearer token.
func (s *server) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if s.o.AdminToken == "" || !ok ||
			subtle.ConstantTimeCompare([]byte(token), []byte(s.o.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="breachwire admin"`)
			writeError(w, http.StatusUnauthorized, "admin token required")
			return
		}
		h(w, r)
	})
}

func (s *server) dlqList(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 10000 {
			writeError(w, http.StatusBadRequest, "limit: want a number from 1 to 10000")
			return
		}
		limit = n
	}
	if s.o.DLQ == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	dls, err := s.o.DLQ.List(r.Context(), r.URL.Query().Get("stage"), limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	if dls == nil {
		dls = []bus.DeadLetter{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dead_letters": dls})
}

// DLQRequest is the body of the replay and purge endpoints.
type DLQRequest struct {
	Stage string   `json:"stage"`
	Seqs  []uint64 `json:"seqs,omitempty"`
}

// decodeBody reads a JSON request body of at most 1 MiB into v.
func (s *server) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "request body: "+err.Error())
		return false
	}
	return true
}

func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if !s.decodeBody(w, r, v) {
		return false
	}
	if s.o.DLQ == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return false
	}
	return true
}

func (s *server) dlqReplay(w http.ResponseWriter, r *http.Request) {
	var req DLQRequest
	if !s.decode(w, r, &req) {
		return
	}
	n, err := s.o.DLQ.Replay(r.Context(), req.Stage, req.Seqs)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"replayed": n, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"replayed": n})
}

func (s *server) dlqPurge(w http.ResponseWriter, r *http.Request) {
	var req DLQRequest
	if !s.decode(w, r, &req) {
		return
	}
	n, err := s.o.DLQ.Purge(r.Context(), req.Stage)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"purged": n})
}

func (s *server) feedsList(w http.ResponseWriter, r *http.Request) {
	if s.o.Feeds == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	st, err := s.o.Feeds.Statuses(r.Context(), time.Now())
	if err != nil {
		s.fail(w, err)
		return
	}
	if st == nil {
		st = []feeder.Status{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"feeds": st})
}

func (s *server) feedsAdd(w http.ResponseWriter, r *http.Request) {
	var f config.Feed
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, "request body: "+err.Error())
		return
	}
	if s.o.Feeds == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(f.URL)), "file:") {
		// A file on the server's disk is the operator's to configure, not
		// an API client's to have read.
		writeError(w, http.StatusBadRequest, "file: URLs can be configured (feeds.yaml, --feed) but not added through the API")
		return
	}
	e, err := s.o.Feeds.Add(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// feedKey names the feed a request is about: its ID in the path, or its
// URL in ?url= (feed URLs do not fit in a path segment).
func feedKey(r *http.Request) string {
	if u := r.URL.Query().Get("url"); u != "" {
		return u
	}
	return r.PathValue("id")
}

func (s *server) feedsRemove(w http.ResponseWriter, r *http.Request) {
	if s.o.Feeds == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	key := feedKey(r)
	e, err := s.o.Feeds.Remove(r.Context(), key)
	switch {
	case errors.Is(err, feeder.ErrUnknownFeed):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, feeder.ErrConfigured):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		s.fail(w, err)
	default:
		writeJSON(w, http.StatusOK, e)
	}
}

func (s *server) feedsBackfill(w http.ResponseWriter, r *http.Request) {
	req := BackfillRequest{Pages: 10}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "request body: "+err.Error())
			return
		}
	}
	if s.o.Feeds == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	key := feedKey(r)
	e, err := s.o.Feeds.RequestBackfill(r.Context(), key, req.Pages)
	switch {
	case errors.Is(err, feeder.ErrUnknownFeed):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, feeder.ErrNotNotices):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusAccepted, e)
	}
}

func (s *server) fail(w http.ResponseWriter, err error) {
	s.o.Logger.Error("api request failed", "err", err)
	writeError(w, http.StatusInternalServerError, err.Error())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// baseURL is the scheme and host this request reached, for absolute links
// (Atom feeds, the link shown when an alert is created).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
