package elastic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// incidentDoc is an incident as indexed: ECS fields, project fields, lower-
// cased keyword copies and analysed text for the query syntax, and the
// incident itself exactly as written (breachwire.document, not indexed).
type incidentDoc struct {
	Timestamp    *time.Time   `json:"@timestamp,omitempty"`
	Event        event        `json:"event"`
	Organization organization `json:"organization"`
	Breachwire   struct {
		Incident incidentFields  `json:"incident"`
		Search   searchFields    `json:"search"`
		Document *store.Incident `json:"document"`
	} `json:"breachwire"`
}

type event struct {
	Kind     string     `json:"kind"`
	Category []string   `json:"category"`
	Type     []string   `json:"type"`
	Dataset  string     `json:"dataset"`
	Created  *time.Time `json:"created,omitempty"`
	// Ingested is when the store wrote the document; Migrate's catch-up
	// copies what was ingested after the reindex began.
	Ingested time.Time `json:"ingested"`
}

type organization struct {
	Name string `json:"name"`
}

type incidentFields struct {
	ID           string     `json:"id"`
	Revision     int64      `json:"revision"`
	LastUpdated  *time.Time `json:"last_updated,omitempty"`
	Month        string     `json:"month,omitempty"`
	Year         *int       `json:"year,omitempty"`
	Records      *int64     `json:"records,omitempty"`
	RecordsMax   *int64     `json:"records_max,omitempty"`
	RecordsBasis string     `json:"records_basis,omitempty"`
	Jurisdiction string     `json:"jurisdiction,omitempty"`
	Cause        struct {
		Primary      string   `json:"primary,omitempty"`
		Contributing []string `json:"contributing,omitempty"`
	} `json:"cause"`
	Organisation struct {
		Aliases []string `json:"aliases,omitempty"`
		Keys    []string `json:"keys,omitempty"`
	} `json:"organisation"`
	Regulator  []string  `json:"regulator,omitempty"`
	Action     []string  `json:"action,omitempty"`
	FineAmount []float64 `json:"fine_amount,omitempty"`
	DataType   []string  `json:"data_type,omitempty"`
	Outlet     []string  `json:"outlet,omitempty"`
	SourceURL  []string  `json:"source_url,omitempty"`
	SourceKind []string  `json:"source_kind,omitempty"` // news, official
}

// searchFields serve the query syntax: Text and Organisation are analysed
// (breachwire_text), the rest are lower-cased keywords for exact,
// case-insensitive matches.
type searchFields struct {
	Text         []string `json:"text,omitempty"`
	Organisation []string `json:"organisation,omitempty"`
	ID           string   `json:"id"`
	Cause        []string `json:"cause,omitempty"`
	Regulator    []string `json:"regulator,omitempty"`
	Action       []string `json:"action,omitempty"`
	Jurisdiction string   `json:"jurisdiction,omitempty"`
	DataType     []string `json:"data_type,omitempty"`
	Outlet       []string `json:"outlet,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// distinct returns the distinct non-empty values in order of first appearance.
func distinct(values []string, lower bool) []string {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if lower {
			v = strings.ToLower(v)
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func newIncidentDoc(inc *store.Incident, ingested time.Time) *incidentDoc {
	d := &incidentDoc{
		Timestamp: timePtr(inc.FirstReported),
		Event: event{
			Kind: "event", Category: []string{"intrusion_detection"}, Type: []string{"info"},
			Dataset: "breachwire.incident", Ingested: ingested.UTC(),
		},
		Organization: organization{Name: inc.Organisation.Name},
	}
	f := &d.Breachwire.Incident
	f.ID, f.Revision = inc.ID, inc.Revision
	f.LastUpdated = timePtr(inc.LastUpdated)
	if !inc.FirstReported.IsZero() {
		f.Month = inc.FirstReported.UTC().Format("2006-01")
	}
	if inc.Year != 0 {
		y := inc.Year
		f.Year = &y
	}
	if r := inc.Records; r != nil {
		// An unknown count has no number: the field is missing, so that
		// Kibana's sums, averages and ranges leave the incident out.
		if n, ok := r.Count(); ok {
			f.Records = &n
			if r.ValueMax != 0 {
				m := r.ValueMax
				f.RecordsMax = &m
			}
		}
		f.RecordsBasis = r.Basis
	}
	f.Jurisdiction = inc.Jurisdiction
	f.Cause.Primary, f.Cause.Contributing = inc.Cause.Primary, distinct(inc.Cause.Contributing, false)
	f.Organisation.Aliases, f.Organisation.Keys = distinct(inc.Organisation.Aliases, false), distinct(inc.Organisation.Keys, false)
	sv := inc.SearchValues()
	var urls []string
	for _, a := range inc.RegulatorActions {
		if a.Amount != nil {
			f.FineAmount = append(f.FineAmount, *a.Amount)
		}
	}
	for _, src := range inc.Sources {
		urls = append(urls, src.URL)
	}
	f.Regulator, f.Action = distinct(sv.Regulator, false), distinct(sv.Action, false)
	f.DataType, f.Outlet, f.SourceURL = distinct(inc.DataTypes, false), distinct(sv.Outlet, false), distinct(urls, false)
	f.SourceKind = sv.SourceKind

	sf := &d.Breachwire.Search
	sf.Organisation = distinct(sv.Organisation, false)
	sf.Text = distinct(sv.Text, false)
	sf.ID = strings.ToLower(inc.ID)
	sf.Cause = distinct(sv.Cause, true)
	sf.Regulator, sf.Action = distinct(sv.Regulator, true), distinct(sv.Action, true)
	sf.Jurisdiction = strings.ToLower(inc.Jurisdiction)
	sf.DataType, sf.Outlet = distinct(inc.DataTypes, true), distinct(sv.Outlet, true)
	d.Breachwire.Document = inc
	return d
}

type articleDoc struct {
	Timestamp  *time.Time `json:"@timestamp,omitempty"`
	Event      event      `json:"event"`
	URL        articleURL `json:"url"`
	Breachwire struct {
		Article  articleFields  `json:"article"`
		Document *store.Article `json:"document"`
	} `json:"breachwire"`
}

type articleURL struct {
	Full     string `json:"full,omitempty"`
	Original string `json:"original,omitempty"`
	Domain   string `json:"domain,omitempty"`
}

type articleFields struct {
	ID               string  `json:"id"`
	Title            string  `json:"title,omitempty"`
	Outlet           string  `json:"outlet,omitempty"`
	Language         string  `json:"language,omitempty"`
	Feed             string  `json:"feed,omitempty"`
	IsBreach         bool    `json:"is_breach"`
	Relevance        float64 `json:"relevance"`
	ExtractorVersion string  `json:"extractor_version,omitempty"`
	IncidentID       string  `json:"incident_id,omitempty"`
}

func newArticleDoc(a *store.Article, ingested time.Time) *articleDoc {
	d := &articleDoc{
		Timestamp: timePtr(a.PublishedAt),
		Event: event{
			Kind: "event", Category: []string{"web"}, Type: []string{"info"},
			Dataset: "breachwire.article", Created: timePtr(a.FetchedAt), Ingested: ingested.UTC(),
		},
		URL: articleURL{Original: a.URL, Full: a.CanonicalURL},
	}
	if d.URL.Full == "" {
		d.URL.Full = a.URL
	}
	if u, err := url.Parse(d.URL.Full); err == nil {
		d.URL.Domain = u.Hostname()
	}
	d.Breachwire.Article = articleFields{
		ID: a.ID, Title: a.Title, Outlet: a.Outlet, Language: a.Language, Feed: a.Feed,
		IsBreach: a.IsBreach, Relevance: a.Relevance, ExtractorVersion: a.ExtractorVersion, IncidentID: a.IncidentID,
	}
	d.Breachwire.Document = a
	return d
}

// A Version's PrimaryTerm carries the generation of the index the document
// was read from in its upper 32 bits: sequence numbers are per index, so a
// version read before a Migrate swapped the alias must not be compared with
// the new index's (it could match by accident and lose an update). PutIncident
// sends the update to that generation's index, which Migrate has blocked, and
// answers ErrConflict: the caller re-reads through the alias.
func encodeVersion(gen int, seqNo, primaryTerm int64) store.Version {
	return store.Version{SeqNo: seqNo, PrimaryTerm: int64(gen)<<32 | primaryTerm}
}

func decodeVersion(v store.Version) (gen int, seqNo, primaryTerm int64) {
	return int(v.PrimaryTerm >> 32), v.SeqNo, v.PrimaryTerm & (1<<32 - 1)
}

type getAnswer struct {
	Index       string          `json:"_index"`
	Found       bool            `json:"found"`
	SeqNo       int64           `json:"_seq_no"`
	PrimaryTerm int64           `json:"_primary_term"`
	Source      json.RawMessage `json:"_source"`
}

// GetIncident reads an incident through the alias (a realtime get).
func (s *Store) GetIncident(ctx context.Context, id string) (*store.Incident, store.Version, error) {
	var ans getAnswer
	params := url.Values{"_source_includes": {"breachwire.document"}}
	err := s.call(ctx, http.MethodGet, "/"+s.alias(kindIncidents)+"/_doc/"+url.PathEscape(id), params, nil, &ans)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound || err == nil && !ans.Found {
		return nil, store.Version{}, fmt.Errorf("elastic: incident %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.Version{}, fmt.Errorf("elastic: get incident %s: %w", id, err)
	}
	var src struct {
		Breachwire struct {
			Document *store.Incident `json:"document"`
		} `json:"breachwire"`
	}
	if err := json.Unmarshal(ans.Source, &src); err != nil || src.Breachwire.Document == nil {
		return nil, store.Version{}, fmt.Errorf("elastic: incident %s: bad document: %v", id, err)
	}
	return src.Breachwire.Document, encodeVersion(s.generation(kindIncidents, ans.Index), ans.SeqNo, ans.PrimaryTerm), nil
}

type writeAnswer struct {
	Index       string `json:"_index"`
	SeqNo       int64  `json:"_seq_no"`
	PrimaryTerm int64  `json:"_primary_term"`
}

// PutIncident creates (zero expect: op_type=create through the alias) or
// updates (if_seq_no/if_primary_term on the index the version came from)
// an incident, and waits until it is visible to search.
func (s *Store) PutIncident(ctx context.Context, inc *store.Incident, expect store.Version) (store.Version, error) {
	if inc == nil || inc.ID == "" {
		return store.Version{}, fmt.Errorf("elastic: incident without id: %w", store.ErrRejected)
	}
	params := url.Values{"refresh": {"wait_for"}}
	target := s.alias(kindIncidents)
	if expect.IsZero() {
		params.Set("op_type", "create")
	} else {
		gen, seq, term := decodeVersion(expect)
		if gen == 0 {
			return store.Version{}, fmt.Errorf("elastic: incident %s: version %+v is not from this store: %w", inc.ID, expect, store.ErrConflict)
		}
		target = s.index(kindIncidents, gen)
		params.Set("if_seq_no", strconv.FormatInt(seq, 10))
		params.Set("if_primary_term", strconv.FormatInt(term, 10))
	}
	var ans writeAnswer
	err := s.retryBlocked(ctx, func() error {
		body := newIncidentDoc(inc, s.now())
		return s.call(ctx, http.MethodPut, "/"+target+"/_doc/"+url.PathEscape(inc.ID), params, body, &ans)
	}, func() bool {
		// An update to an index the alias has left can never succeed.
		return !expect.IsZero() && s.aliasLeft(ctx, kindIncidents, target)
	})
	var ae *apiError
	switch {
	case err == nil:
		return encodeVersion(s.generation(kindIncidents, ans.Index), ans.SeqNo, ans.PrimaryTerm), nil
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound && !expect.IsZero():
		return store.Version{}, fmt.Errorf("elastic: put incident %s: index %s is gone: %w", inc.ID, target, store.ErrConflict)
	case errors.Is(err, errAliasLeft):
		return store.Version{}, fmt.Errorf("elastic: put incident %s: migrated since read: %w", inc.ID, store.ErrConflict)
	}
	return store.Version{}, fmt.Errorf("elastic: put incident %s: %w", inc.ID, err)
}

var errAliasLeft = errors.New("index no longer behind the alias")

// aliasLeft reports whether index is no longer the alias's index.
func (s *Store) aliasLeft(ctx context.Context, kind, index string) bool {
	cur, err := s.aliasTarget(ctx, kind)
	return err == nil && cur != index
}

// retryBlocked runs write until it succeeds or fails with something other
// than a write block, backing off while a migration holds the block; gone
// says the blocked index will never take the write again (errAliasLeft).
func (s *Store) retryBlocked(ctx context.Context, write func() error, gone func() bool) error {
	delay := 50 * time.Millisecond
	for {
		err := write()
		if !writeBlocked(err) {
			return err
		}
		if gone() {
			return errAliasLeft
		}
		s.log.Debug("write blocked, retrying", "delay", delay, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (write blocked: %v)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// PutArticle writes an article (idempotent by id) through the alias.
func (s *Store) PutArticle(ctx context.Context, a *store.Article) error {
	if a == nil || a.ID == "" {
		return fmt.Errorf("elastic: article without id: %w", store.ErrRejected)
	}
	params := url.Values{"refresh": {"wait_for"}}
	err := s.retryBlocked(ctx, func() error {
		return s.call(ctx, http.MethodPut, "/"+s.alias(kindArticles)+"/_doc/"+url.PathEscape(a.ID), params, newArticleDoc(a, s.now()), nil)
	}, func() bool { return false })
	if err != nil {
		return fmt.Errorf("elastic: put article %s: %w", a.ID, err)
	}
	return nil
}

// GetArticle reads an article through the alias.
func (s *Store) GetArticle(ctx context.Context, id string) (*store.Article, error) {
	var ans getAnswer
	params := url.Values{"_source_includes": {"breachwire.document"}}
	err := s.call(ctx, http.MethodGet, "/"+s.alias(kindArticles)+"/_doc/"+url.PathEscape(id), params, nil, &ans)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound || err == nil && !ans.Found {
		return nil, fmt.Errorf("elastic: article %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("elastic: get article %s: %w", id, err)
	}
	var src struct {
		Breachwire struct {
			Document *store.Article `json:"document"`
		} `json:"breachwire"`
	}
	if err := json.Unmarshal(ans.Source, &src); err != nil || src.Breachwire.Document == nil {
		return nil, fmt.Errorf("elastic: article %s: bad document: %v", id, err)
	}
	return src.Breachwire.Document, nil
}

// GetArticles reads articles with one _mget through the alias (realtime,
// like a get).
func (s *Store) GetArticles(ctx context.Context, ids []string) (map[string]*store.Article, error) {
	out := make(map[string]*store.Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var ans struct {
		Docs []struct {
			ID     string          `json:"_id"`
			Found  bool            `json:"found"`
			Source json.RawMessage `json:"_source"`
			Error  json.RawMessage `json:"error"`
		} `json:"docs"`
	}
	params := url.Values{"_source_includes": {"breachwire.document"}}
	if err := s.call(ctx, http.MethodPost, "/"+s.alias(kindArticles)+"/_mget", params, map[string]any{"ids": ids}, &ans); err != nil {
		return nil, fmt.Errorf("elastic: get articles: %w", err)
	}
	for _, d := range ans.Docs {
		if len(d.Error) > 0 {
			return nil, fmt.Errorf("elastic: get article %s: %s", d.ID, d.Error)
		}
		if !d.Found {
			continue
		}
		var src struct {
			Breachwire struct {
				Document *store.Article `json:"document"`
			} `json:"breachwire"`
		}
		if err := json.Unmarshal(d.Source, &src); err != nil || src.Breachwire.Document == nil {
			return nil, fmt.Errorf("elastic: article %s: bad document: %v", d.ID, err)
		}
		out[d.ID] = src.Breachwire.Document
	}
	return out, nil
}

// DeleteIncident deletes an incident (if_seq_no/if_primary_term on the
// index the version came from) and waits until search no longer sees it.
func (s *Store) DeleteIncident(ctx context.Context, id string, expect store.Version) error {
	gen, seq, term := decodeVersion(expect)
	if gen == 0 {
		if _, _, err := s.GetIncident(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("elastic: incident %s: version %+v is not from this store: %w", id, expect, store.ErrConflict)
	}
	target := s.index(kindIncidents, gen)
	params := url.Values{"refresh": {"wait_for"}, "if_seq_no": {strconv.FormatInt(seq, 10)}, "if_primary_term": {strconv.FormatInt(term, 10)}}
	err := s.retryBlocked(ctx, func() error {
		return s.call(ctx, http.MethodDelete, "/"+target+"/_doc/"+url.PathEscape(id), params, nil, nil)
	}, func() bool { return s.aliasLeft(ctx, kindIncidents, target) })
	var ae *apiError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return fmt.Errorf("elastic: delete incident %s: %w", id, store.ErrNotFound)
	case errors.Is(err, errAliasLeft):
		return fmt.Errorf("elastic: delete incident %s: migrated since read: %w", id, store.ErrConflict)
	}
	return fmt.Errorf("elastic: delete incident %s: %w", id, err)
}
