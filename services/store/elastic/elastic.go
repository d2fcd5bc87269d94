// Package elastic is the Elasticsearch 8 (or OpenSearch 2) store: incidents
// and articles in ECS-aligned versioned indices behind aliases.
//
// Layout: the index templates in templates/ (copied to deploy/elasticsearch/,
// checked by a test) are put at Open; each kind of document lives in
// <prefix>-<kind>-v<N> behind the alias <prefix>-<kind>. Writes go through
// the alias, except incident updates: those go to the concrete index the
// incident was read from, because a sequence number is only meaningful in
// the index that issued it (see Version and Migrate).
package elastic

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"

	"github.com/breachwire/breachwire/services/store"
)

// Config says how to reach the search engine.
type Config struct {
	URL      string
	Username string
	Password string
	APIKey   string
	Flavor   Flavor
	// IndexPrefix names the templates, aliases and indices (default
	// DefaultIndexPrefix).
	IndexPrefix string
	// Replicas is index.number_of_replicas of the indices the store creates:
	// 0 (the default) suits a single node; set 1 or more on a cluster.
	Replicas int
	// RefreshInterval is index.refresh_interval of the indices the store
	// creates ("" keeps the template's 1s). Single writes wait for a
	// refresh, so tests set it low; batch writes (the indexer's) do not, and
	// searches see them within this interval.
	RefreshInterval string
	// Transport is the base HTTP transport (nil: http.DefaultTransport); the
	// flavor wraps it.
	Transport http.RoundTripper
	Logger    *slog.Logger
}

// Store is the Elasticsearch store. It is safe for concurrent use.
type Store struct {
	es     *elasticsearch.Client
	prefix string
	cfg    Config
	log    *slog.Logger
	// now is the clock of event.ingested (Migrate's catch-up reads it).
	now func() time.Time
}

var _ store.Store = (*Store)(nil)

//go:embed templates/*.json
var templateFS embed.FS

// DefaultIndexPrefix is the IndexPrefix of a Config that sets none: the
// incidents alias is then breachwire-incidents, which the Kibana data view in
// deploy/kibana/ reads.
const DefaultIndexPrefix = "breachwire"

// The kinds of documents, each with its alias and versioned indices.
const (
	kindIncidents = "incidents"
	kindArticles  = "articles"
)

// Open connects, puts the index templates and creates the first versioned
// index and its alias for each kind if absent. It is idempotent: any number
// of processes may open the same prefix at once.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("elastic: no URL")
	}
	if cfg.IndexPrefix == "" {
		cfg.IndexPrefix = DefaultIndexPrefix
	}
	if cfg.Flavor == "" {
		cfg.Flavor = FlavorElasticsearch
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: []string{cfg.URL},
		Username:  cfg.Username,
		Password:  cfg.Password,
		APIKey:    cfg.APIKey,
		Transport: cfg.Flavor.Transport(cfg.Transport),
		// Retries are the store's business (429 and write blocks, with backoff).
		DisableRetry: true,
	})
	if err != nil {
		return nil, fmt.Errorf("elastic: client: %w", err)
	}
	s := &Store{es: es, prefix: cfg.IndexPrefix, cfg: cfg, log: cfg.Logger, now: time.Now}
	if err := s.putTemplates(ctx); err != nil {
		return nil, err
	}
	for _, kind := range []string{kindIncidents, kindArticles} {
		if err := s.ensureAlias(ctx, kind); err != nil {
			return nil, err
		}
		s.addFields(ctx, kind)
	}
	return s, nil
}

// addFields puts the template's mappings on the live index of kind, so that
// fields a newer breachwire added are there before it writes them (the
// mapping is strict: a document with an unknown field is refused).
// Adding a field is always allowed; the incidents written before have no
// value in it until `breachwire index migrate` copies them onto a new
// index. A refusal (a field whose type changed) is logged: migrate then.
func (s *Store) addFields(ctx context.Context, kind string) {
	files, err := Templates()
	if err != nil {
		s.log.Warn("elastic: templates not read", "err", err)
		return
	}
	var body struct {
		Template struct {
			Mappings json.RawMessage `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(files[kind+"-mappings.component.json"], &body); err != nil || len(body.Template.Mappings) == 0 {
		s.log.Warn("elastic: template mappings not read", "kind", kind, "err", err)
		return
	}
	if err := s.call(ctx, http.MethodPut, "/"+s.alias(kind)+"/_mapping", nil, body.Template.Mappings, nil); err != nil {
		s.log.Warn("elastic: the live index does not take the current mappings; run `breachwire index migrate`",
			"index", s.alias(kind), "err", err)
	}
}

// alias is the name documents of kind are read and written through.
func (s *Store) alias(kind string) string { return s.prefix + "-" + kind }

// index is the name of version gen of kind's index.
func (s *Store) index(kind string, gen int) string {
	return s.alias(kind) + "-v" + strconv.Itoa(gen)
}

// generation reads N from <prefix>-<kind>-vN (0 if name is not such an index).
func (s *Store) generation(kind, name string) int {
	rest, ok := strings.CutPrefix(name, s.alias(kind)+"-v")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// Templates returns the canonical index templates by file name
// (settings.component.json, incidents.index-template.json, ...): what
// deploy/elasticsearch/ holds.
func Templates() (map[string][]byte, error) {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		b, err := templateFS.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// putTemplates puts the component templates, then the composable index
// templates, renamed for the prefix.
func (s *Store) putTemplates(ctx context.Context) error {
	files, err := Templates()
	if err != nil {
		return err
	}
	for _, name := range []string{"settings", "incidents-mappings", "articles-mappings"} {
		var body map[string]any
		if err := json.Unmarshal(files[name+".component.json"], &body); err != nil {
			return fmt.Errorf("elastic: template %s: %w", name, err)
		}
		if err := s.call(ctx, http.MethodPut, "/_component_template/"+s.prefix+"-"+name, nil, body, nil); err != nil {
			return fmt.Errorf("elastic: put component template %s: %w", name, err)
		}
	}
	for _, kind := range []string{kindIncidents, kindArticles} {
		var body map[string]any
		if err := json.Unmarshal(files[kind+".index-template.json"], &body); err != nil {
			return fmt.Errorf("elastic: template %s: %w", kind, err)
		}
		// The files name the default prefix; a store with another prefix
		// (tests, several deployments on one cluster) gets its own names.
		body["index_patterns"] = []string{s.alias(kind) + "-v*"}
		body["composed_of"] = []string{s.prefix + "-settings", s.prefix + "-" + kind + "-mappings"}
		if err := s.call(ctx, http.MethodPut, "/_index_template/"+s.alias(kind), nil, body, nil); err != nil {
			return fmt.Errorf("elastic: put index template %s: %w", kind, err)
		}
	}
	return nil
}

// ensureAlias creates <alias>-v1 with the alias if the alias does not exist.
func (s *Store) ensureAlias(ctx context.Context, kind string) error {
	if _, err := s.aliasTarget(ctx, kind); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	err := s.createIndex(ctx, kind, 1, true)
	var ae *apiError
	if errors.As(err, &ae) && ae.Type == "resource_already_exists_exception" {
		return nil // another process won the race
	}
	return err
}

// createIndex creates version gen of kind (mappings and settings from the
// template), optionally as the alias's write index.
func (s *Store) createIndex(ctx context.Context, kind string, gen int, withAlias bool) error {
	settings := map[string]any{"number_of_replicas": s.cfg.Replicas}
	if s.cfg.RefreshInterval != "" {
		settings["refresh_interval"] = s.cfg.RefreshInterval
	}
	body := map[string]any{"settings": map[string]any{"index": settings}}
	if withAlias {
		body["aliases"] = map[string]any{s.alias(kind): map[string]any{"is_write_index": true}}
	}
	if err := s.call(ctx, http.MethodPut, "/"+s.index(kind, gen), nil, body, nil); err != nil {
		return fmt.Errorf("elastic: create index %s: %w", s.index(kind, gen), err)
	}
	return nil
}

// aliasTarget returns the index the alias of kind points at, or ErrNotFound.
func (s *Store) aliasTarget(ctx context.Context, kind string) (string, error) {
	var out map[string]json.RawMessage
	err := s.call(ctx, http.MethodGet, "/_alias/"+s.alias(kind), nil, nil, &out)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return "", fmt.Errorf("elastic: alias %s: %w", s.alias(kind), store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("elastic: alias %s: %w", s.alias(kind), err)
	}
	best := ""
	for name := range out {
		if s.generation(kind, name) > s.generation(kind, best) {
			best = name
		}
	}
	if best == "" {
		return "", fmt.Errorf("elastic: alias %s: %w", s.alias(kind), store.ErrNotFound)
	}
	return best, nil
}

// Ping reports whether the cluster answers and the incidents alias exists.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.call(ctx, http.MethodGet, "/_alias/"+s.alias(kindIncidents), nil, nil, nil); err != nil {
		return fmt.Errorf("elastic: ping: %w", err)
	}
	return nil
}

// Close releases idle connections.
func (s *Store) Close() error {
	if t, ok := s.cfg.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return nil
}

// apiError is an error answer of the engine.
type apiError struct {
	Status int
	Type   string
	Reason string
}

func (e *apiError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s: %s", e.Status, e.Type, e.Reason)
}

// Is maps engine errors onto the store's.
func (e *apiError) Is(target error) bool {
	switch target {
	case store.ErrConflict:
		return e.Status == http.StatusConflict
	case store.ErrRejected:
		return e.Status == http.StatusBadRequest && rejectedTypes[e.Type]
	}
	return false
}

// rejectedTypes are 400 errors about the document itself, not the request.
var rejectedTypes = map[string]bool{
	"mapper_parsing_exception":         true,
	"document_parsing_exception":       true,
	"strict_dynamic_mapping_exception": true,
	"illegal_argument_exception":       true,
}

// writeBlocked reports whether err is a write block (a migration in progress
// or finished on that index): the write may succeed later or elsewhere.
func writeBlocked(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusForbidden && ae.Type == "cluster_block_exception"
}

func errorFromBody(status int, body []byte) *apiError {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	ae := &apiError{Status: status}
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var detail struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(e.Error, &detail) == nil {
			ae.Type, ae.Reason = detail.Type, detail.Reason
		} else {
			ae.Reason = string(e.Error)
		}
	} else {
		ae.Reason = strings.TrimSpace(string(body))
		if len(ae.Reason) > 300 {
			ae.Reason = ae.Reason[:300]
		}
	}
	return ae
}

// call sends one request; body is JSON-encoded unless it is []byte, out (if
// not nil) receives the JSON answer; a status >= 300 is an *apiError.
func (s *Store) call(ctx context.Context, method, path string, params url.Values, body, out any) error {
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case ndjson:
		r, contentType = bytes.NewReader(b), "application/x-ndjson"
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return err
		}
		r = bytes.NewReader(buf)
	}
	u := path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if r != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.es.Perform(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return errorFromBody(res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// ndjson is a _bulk body.
type ndjson []byte
