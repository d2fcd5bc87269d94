package elastic

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// Field paths of the incidents mapping.
const (
	fieldTimestamp   = "@timestamp"
	fieldID          = "breachwire.incident.id"
	fieldLastUpdated = "breachwire.incident.last_updated"
	fieldRecords     = "breachwire.incident.records"
	fieldYear        = "breachwire.incident.year"
	fieldMonth       = "breachwire.incident.month"
	fieldCause       = "breachwire.incident.cause.primary"
	fieldRegulator   = "breachwire.incident.regulator"
	fieldAction      = "breachwire.incident.action"
	fieldKeys        = "breachwire.incident.organisation.keys"
	fieldJuris       = "breachwire.incident.jurisdiction"
	fieldSourceKind  = "breachwire.incident.source_kind"
)

// keywordFields are the query fields matched exactly against lower-cased copies.
var keywordFields = map[query.Field]string{
	query.FieldCause:        "breachwire.search.cause",
	query.FieldRegulator:    "breachwire.search.regulator",
	query.FieldAction:       "breachwire.search.action",
	query.FieldJurisdiction: "breachwire.search.jurisdiction",
	query.FieldDataType:     "breachwire.search.data_type",
	query.FieldOutlet:       "breachwire.search.outlet",
	query.FieldID:           "breachwire.search.id",
	query.FieldSource:       fieldSourceKind, // its values are lower case
}

var sortFields = map[query.Field]string{
	query.FieldFirstReported: fieldTimestamp,
	query.FieldLastUpdated:   fieldLastUpdated,
	query.FieldRecords:       fieldRecords,
	query.FieldYear:          fieldYear,
}

type obj = map[string]any

var matchAll = obj{"match_all": obj{}}

// translate turns a parsed query into the query DSL.
func translate(n query.Node) (obj, error) {
	switch n := n.(type) {
	case nil, query.All:
		return matchAll, nil
	case query.And:
		must, err := translateAll(n.Nodes)
		return obj{"bool": obj{"must": must}}, err
	case query.Or:
		should, err := translateAll(n.Nodes)
		return obj{"bool": obj{"should": should, "minimum_should_match": 1}}, err
	case query.Not:
		inner, err := translate(n.Node)
		return obj{"bool": obj{"must": []any{matchAll}, "must_not": []any{inner}}}, err
	case query.Term:
		return translateTerm(n)
	}
	return nil, fmt.Errorf("elastic: unknown query node %T", n)
}

func translateAll(nodes []query.Node) ([]any, error) {
	out := make([]any, 0, len(nodes))
	for _, n := range nodes {
		q, err := translate(n)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// textQuery: every analysed word (operator and), or the phrase.
func textQuery(field, value string, phrase bool) obj {
	if phrase {
		return obj{"match_phrase": obj{field: obj{"query": value}}}
	}
	return obj{"match": obj{field: obj{"query": value, "operator": "and"}}}
}

func translateTerm(t query.Term) (obj, error) {
	switch t.Field {
	case query.FieldText:
		return textQuery("breachwire.search.text", t.Value, t.Phrase), nil
	case query.FieldOrganisation:
		return textQuery("breachwire.search.organisation", t.Value, t.Phrase), nil
	case query.FieldRecords:
		return numberRange(fieldRecords, t.Op, t.Number), nil
	case query.FieldYear:
		return numberRange(fieldYear, t.Op, t.Number), nil
	case query.FieldFirstReported:
		return dateRange(fieldTimestamp, t), nil
	case query.FieldLastUpdated:
		return dateRange(fieldLastUpdated, t), nil
	}
	if f, ok := keywordFields[t.Field]; ok {
		return obj{"term": obj{f: strings.ToLower(t.Value)}}, nil
	}
	return nil, fmt.Errorf("elastic: unknown query field %q", t.Field)
}

func numberRange(field string, op query.Op, n int64) obj {
	if op == query.OpEq {
		return obj{"term": obj{field: n}}
	}
	return obj{"range": obj{field: obj{rangeOps[op]: n}}}
}

var rangeOps = map[query.Op]string{query.OpGt: "gt", query.OpGe: "gte", query.OpLt: "lt", query.OpLe: "lte"}

// dateRange: "=" is the period written (year, month or day); ">=" and "<"
// compare with the period's start, ">" and "<=" with its end (so > 2017 is
// from 2018 on and <= 2015-03 includes all of March), as storetest fixes.
func dateRange(field string, t query.Term) obj {
	start, end := t.Period()
	if t.Exact() {
		end = start // kept to the millisecond: compare with the instant itself
	}
	r := obj{"format": "strict_date_optional_time"}
	switch t.Op {
	case query.OpEq:
		r["gte"] = ms(start)
		if end.Equal(start) {
			r["lte"] = ms(start)
		} else {
			r["lt"] = ms(end)
		}
	case query.OpGt:
		if end.Equal(start) {
			r["gt"] = ms(start)
		} else {
			r["gte"] = ms(end)
		}
	case query.OpGe:
		r["gte"] = ms(start)
	case query.OpLt:
		r["lt"] = ms(start)
	case query.OpLe:
		if end.Equal(start) {
			r["lte"] = ms(start)
		} else {
			r["lt"] = ms(end)
		}
	}
	return obj{"range": obj{field: r}}
}

func ms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// filtered adds the request's From/To range on first_reported.
func filtered(req query.Request) (obj, error) {
	q, err := translate(req.Query)
	if err != nil {
		return nil, err
	}
	if req.From.IsZero() && req.To.IsZero() {
		return q, nil
	}
	r := obj{"format": "strict_date_optional_time"}
	if !req.From.IsZero() {
		r["gte"] = ms(req.From)
	}
	if !req.To.IsZero() {
		r["lt"] = ms(req.To)
	}
	return obj{"bool": obj{"must": []any{q}, "filter": []any{obj{"range": obj{fieldTimestamp: r}}}}}, nil
}

type searchHit struct {
	Source json.RawMessage `json:"_source"`
	Sort   json.RawMessage `json:"sort"`
}

type searchAnswer struct {
	Hits struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []searchHit `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]struct {
		Buckets json.RawMessage `json:"buckets"`
	} `json:"aggregations"`
}

func (h searchHit) incident() (*store.Incident, error) {
	var src struct {
		Breachwire struct {
			Document *store.Incident `json:"document"`
		} `json:"breachwire"`
	}
	if err := json.Unmarshal(h.Source, &src); err != nil || src.Breachwire.Document == nil {
		return nil, fmt.Errorf("elastic: bad incident document: %v", err)
	}
	return src.Breachwire.Document, nil
}

// errBadCursor says a cursor was not made by this store.
var errBadCursor = errors.New("elastic: bad cursor")

// Search runs a query, sorted with the incident id as tiebreaker; the cursor
// is the last hit's sort values (search_after), base64url-encoded JSON.
func (s *Store) Search(ctx context.Context, req query.Request) (*store.Result, error) {
	q, err := filtered(req)
	if err != nil {
		return nil, err
	}
	size := req.Size
	if size <= 0 {
		size = 20
	}
	size = min(size, query.MaxSize)
	sf := req.Sort.Field
	desc := req.Sort.Desc
	if sf == "" {
		sf, desc = query.FieldFirstReported, true
	}
	field, ok := sortFields[sf]
	if !ok {
		return nil, fmt.Errorf("elastic: cannot sort by %q", sf)
	}
	order := "asc"
	if desc {
		order = "desc"
	}
	body := obj{
		"query":            q,
		"size":             size + 1, // one more says whether there is a next page
		"track_total_hits": true,
		"_source":          []string{"breachwire.document"},
		"sort": []any{
			obj{field: obj{"order": order, "missing": "_last"}},
			obj{fieldID: obj{"order": "asc"}},
		},
	}
	if req.Cursor != "" {
		after, err := base64.RawURLEncoding.DecodeString(req.Cursor)
		if err != nil || !json.Valid(after) || !bytes.HasPrefix(after, []byte("[")) {
			return nil, errBadCursor
		}
		body["search_after"] = json.RawMessage(after)
	}
	var ans searchAnswer
	if err := s.call(ctx, http.MethodPost, "/"+s.alias(kindIncidents)+"/_search", nil, body, &ans); err != nil {
		return nil, fmt.Errorf("elastic: search: %w", err)
	}
	res := &store.Result{Total: ans.Hits.Total.Value, Incidents: []*store.Incident{}}
	hits := ans.Hits.Hits
	if len(hits) > size {
		hits = hits[:size]
		res.NextCursor = base64.RawURLEncoding.EncodeToString(hits[size-1].Sort)
	}
	for _, h := range hits {
		inc, err := h.incident()
		if err != nil {
			return nil, err
		}
		res.Incidents = append(res.Incidents, inc)
	}
	return res, nil
}

// IncidentsByOrganisation returns every incident with one of the keys.
func (s *Store) IncidentsByOrganisation(ctx context.Context, keys []string) ([]*store.Incident, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var out []*store.Incident
	var after json.RawMessage
	for {
		body := obj{
			"query":   obj{"terms": obj{fieldKeys: keys}},
			"size":    query.MaxSize,
			"_source": []string{"breachwire.document"},
			"sort":    []any{obj{fieldID: obj{"order": "asc"}}},
		}
		if after != nil {
			body["search_after"] = after
		}
		var ans searchAnswer
		if err := s.call(ctx, http.MethodPost, "/"+s.alias(kindIncidents)+"/_search", nil, body, &ans); err != nil {
			return nil, fmt.Errorf("elastic: incidents by organisation: %w", err)
		}
		for _, h := range ans.Hits.Hits {
			inc, err := h.incident()
			if err != nil {
				return nil, err
			}
			out = append(out, inc)
		}
		if len(ans.Hits.Hits) < query.MaxSize {
			return out, nil
		}
		after = ans.Hits.Hits[len(ans.Hits.Hits)-1].Sort
	}
}

// Facets counts the matching incidents by cause, regulator, action, month
// and record-count bucket.
func (s *Store) Facets(ctx context.Context, req query.Request) (*store.FacetCounts, error) {
	q, err := filtered(req)
	if err != nil {
		return nil, err
	}
	terms := func(field string) obj {
		return obj{"terms": obj{"field": field, "size": 10000, "min_doc_count": 1}}
	}
	ranges := make([]any, 0, len(store.RecordBuckets))
	for _, b := range store.RecordBuckets {
		r := obj{"key": b.Key, "from": b.From}
		if b.To != 0 {
			r["to"] = b.To
		}
		ranges = append(ranges, r)
	}
	body := obj{
		"query": q,
		"size":  0,
		"aggs": obj{
			"cause":     terms(fieldCause),
			"regulator": terms(fieldRegulator),
			"action":    terms(fieldAction),
			"month":     terms(fieldMonth),
			"juris":     terms(fieldJuris),
			"source":    terms(fieldSourceKind),
			"records":   obj{"range": obj{"field": fieldRecords, "ranges": ranges, "keyed": false}},
		},
	}
	var ans searchAnswer
	if err := s.call(ctx, http.MethodPost, "/"+s.alias(kindIncidents)+"/_search", nil, body, &ans); err != nil {
		return nil, fmt.Errorf("elastic: facets: %w", err)
	}
	out := &store.FacetCounts{}
	for name, dst := range map[string]*[]store.Bucket{
		"cause": &out.Cause, "regulator": &out.Regulator, "action": &out.Action, "month": &out.Month, "records": &out.RecordsRange,
		"juris": &out.Jurisdiction, "source": &out.SourceKind,
	} {
		var buckets []struct {
			Key      any   `json:"key"`
			DocCount int64 `json:"doc_count"`
		}
		if err := json.Unmarshal(ans.Aggregations[name].Buckets, &buckets); err != nil {
			return nil, fmt.Errorf("elastic: facet %s: %w", name, err)
		}
		list := []store.Bucket{}
		for _, b := range buckets {
			if b.DocCount > 0 {
				list = append(list, store.Bucket{Key: fmt.Sprint(b.Key), Count: b.DocCount})
			}
		}
		slices.SortFunc(list, func(a, b store.Bucket) int {
			if a.Count != b.Count {
				if a.Count > b.Count {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Key, b.Key)
		})
		*dst = list
	}
	return out, nil
}
