package bleve

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// defaultSize is the page size when a request names none.
const defaultSize = 20

// Search runs a query over incidents, one page at a time.
func (s *Store) Search(ctx context.Context, r query.Request) (*store.Result, error) {
	q, err := translateRequest(r)
	if err != nil {
		return nil, err
	}
	size := r.Size
	switch {
	case size <= 0:
		size = defaultSize
	case size > query.MaxSize:
		size = query.MaxSize
	}
	// One more than the page tells whether there is a next page.
	req := blevesearch.NewSearchRequestOptions(q, size+1, 0, false)
	req.Fields = []string{fJSON}
	req.SortByCustom(sortOrder(r.Sort))
	if r.Cursor != "" {
		after, err := decodeCursor(r.Cursor, len(req.Sort))
		if err != nil {
			return nil, err
		}
		req.SearchAfter = after
	}
	res, err := s.incidents.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve store: search: %w", err)
	}
	out := &store.Result{Total: int64(res.Total), Incidents: []*store.Incident{}}
	hits := res.Hits
	if len(hits) > size {
		hits = hits[:size]
		out.NextCursor = encodeCursor(hits[len(hits)-1].Sort)
	}
	for _, h := range hits {
		raw, _, err := storedFields(h.Fields)
		if err != nil {
			return nil, fmt.Errorf("incident %s: %w", h.ID, err)
		}
		var inc store.Incident
		if err := json.Unmarshal([]byte(raw), &inc); err != nil {
			return nil, fmt.Errorf("incident %s: %w", h.ID, err)
		}
		out.Incidents = append(out.Incidents, &inc)
	}
	return out, nil
}

// IncidentsByOrganisation returns the incidents with any of the keys.
func (s *Store) IncidentsByOrganisation(ctx context.Context, keys []string) ([]*store.Incident, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var qs []bq.Query
	for _, k := range keys {
		tq := bq.NewTermQuery(k)
		tq.SetField(fOrgKeys)
		qs = append(qs, tq)
	}
	var out []*store.Incident
	r := query.Request{Sort: query.Sort{Field: query.FieldFirstReported, Desc: true}, Size: query.MaxSize}
	for {
		q := bq.NewDisjunctionQuery(qs)
		req := blevesearch.NewSearchRequestOptions(q, r.Size+1, 0, false)
		req.Fields = []string{fJSON}
		req.SortByCustom(sortOrder(r.Sort))
		if r.Cursor != "" {
			req.SearchAfter, _ = decodeCursor(r.Cursor, len(req.Sort))
		}
		res, err := s.incidents.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("bleve store: incidents by organisation: %w", err)
		}
		hits := res.Hits
		more := len(hits) > r.Size
		if more {
			hits = hits[:r.Size]
		}
		for _, h := range hits {
			raw, _, err := storedFields(h.Fields)
			if err != nil {
				return nil, fmt.Errorf("incident %s: %w", h.ID, err)
			}
			var inc store.Incident
			if err := json.Unmarshal([]byte(raw), &inc); err != nil {
				return nil, fmt.Errorf("incident %s: %w", h.ID, err)
			}
			out = append(out, &inc)
		}
		if !more {
			return out, nil
		}
		r.Cursor = encodeCursor(hits[len(hits)-1].Sort)
	}
}

// Facets counts the incidents matching the request.
func (s *Store) Facets(ctx context.Context, r query.Request) (*store.FacetCounts, error) {
	q, err := translateRequest(r)
	if err != nil {
		return nil, err
	}
	req := blevesearch.NewSearchRequestOptions(q, 0, 0, false)
	const all = 10_000 // every value: the lists are closed or small (months)
	req.AddFacet("cause", blevesearch.NewFacetRequest(fCauseFacet, all))
	req.AddFacet("regulator", blevesearch.NewFacetRequest(fRegFacet, all))
	req.AddFacet("action", blevesearch.NewFacetRequest(fActionFacet, all))
	req.AddFacet("month", blevesearch.NewFacetRequest(fMonth, all))
	req.AddFacet("jurisdiction", blevesearch.NewFacetRequest(fJurisFacet, all))
	req.AddFacet("source_kind", blevesearch.NewFacetRequest(fSourceKind, all))
	rr := blevesearch.NewFacetRequest(fRecords, len(store.RecordBuckets))
	for _, b := range store.RecordBuckets {
		from := float64(b.From)
		var to *float64
		if b.To != 0 {
			t := float64(b.To)
			to = &t
		}
		rr.AddNumericRange(b.Key, &from, to)
	}
	req.AddFacet("records", rr)
	res, err := s.incidents.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve store: facets: %w", err)
	}
	return &store.FacetCounts{
		Cause:        buckets(res.Facets["cause"]),
		Regulator:    buckets(res.Facets["regulator"]),
		Action:       buckets(res.Facets["action"]),
		Month:        buckets(res.Facets["month"]),
		RecordsRange: buckets(res.Facets["records"]),
		Jurisdiction: buckets(res.Facets["jurisdiction"]),
		SourceKind:   buckets(res.Facets["source_kind"]),
	}, nil
}

func buckets(f *search.FacetResult) []store.Bucket {
	out := []store.Bucket{}
	if f == nil {
		return out
	}
	if f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			if t.Count > 0 {
				out = append(out, store.Bucket{Key: t.Term, Count: int64(t.Count)})
			}
		}
	}
	for _, n := range f.NumericRanges {
		if n.Count > 0 {
			out = append(out, store.Bucket{Key: n.Name, Count: int64(n.Count)})
		}
	}
	slices.SortFunc(out, func(a, b store.Bucket) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	return out
}

// sortOrder is the request's order with the id as the tie-breaker; missing
// values sort last in either direction.
func sortOrder(s query.Sort) search.SortOrder {
	field, desc := fFirstReported, true
	switch s.Field {
	case query.FieldText: // unset: the default
	case query.FieldFirstReported:
		desc = s.Desc
	case query.FieldLastUpdated:
		field, desc = fLastUpdated, s.Desc
	case query.FieldRecords:
		field, desc = fRecords, s.Desc
	case query.FieldYear:
		field, desc = fYear, s.Desc
	default:
		desc = s.Desc
	}
	return search.SortOrder{
		&search.SortField{Field: field, Desc: desc, Type: search.SortFieldAuto, Missing: search.SortFieldMissingLast},
		&search.SortDocID{},
	}
}

// A cursor is the sort values of the last hit, as Bleve's SearchAfter takes
// them (raw index terms, which need not be text: hence base64 per value).
func encodeCursor(sort []string) string {
	vals := make([][]byte, len(sort))
	for i, v := range sort {
		vals[i] = []byte(v)
	}
	raw, _ := json.Marshal(vals)
	return base64.RawURLEncoding.EncodeToString(raw)
}

var errCursor = errors.New("malformed cursor")

func decodeCursor(c string, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, errCursor
	}
	var vals [][]byte
	if err := json.Unmarshal(raw, &vals); err != nil || len(vals) != n {
		return nil, errCursor
	}
	out := make([]string, n)
	for i, v := range vals {
		out[i] = string(v)
	}
	return out, nil
}

// translateRequest turns the parsed query and the date range into Bleve's.
func translateRequest(r query.Request) (bq.Query, error) {
	var q bq.Query = bq.NewMatchAllQuery()
	if r.Query != nil {
		var err error
		if q, err = translate(r.Query); err != nil {
			return nil, err
		}
	}
	if r.From.IsZero() && r.To.IsZero() {
		return q, nil
	}
	return bq.NewConjunctionQuery([]bq.Query{q, dateRange(fFirstReported, r.From, r.To)}), nil
}

func translate(n query.Node) (bq.Query, error) {
	switch n := n.(type) {
	case query.All:
		return bq.NewMatchAllQuery(), nil
	case query.And:
		qs, err := translateAll(n.Nodes)
		if err != nil {
			return nil, err
		}
		return bq.NewConjunctionQuery(qs), nil
	case query.Or:
		qs, err := translateAll(n.Nodes)
		if err != nil {
			return nil, err
		}
		return bq.NewDisjunctionQuery(qs), nil
	case query.Not:
		inner, err := translate(n.Node)
		if err != nil {
			return nil, err
		}
		b := bq.NewBooleanQuery([]bq.Query{bq.NewMatchAllQuery()}, nil, []bq.Query{inner})
		return b, nil
	case query.Term:
		return translateTerm(n)
	case nil:
		return bq.NewMatchAllQuery(), nil
	}
	return nil, fmt.Errorf("query: unknown node %T", n)
}

func translateAll(ns []query.Node) ([]bq.Query, error) {
	out := make([]bq.Query, 0, len(ns))
	for _, n := range ns {
		q, err := translate(n)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func translateTerm(t query.Term) (bq.Query, error) {
	switch t.Field {
	case query.FieldText:
		return textQuery(fText, t), nil
	case query.FieldOrganisation:
		return textQuery(fOrganisation, t), nil
	case query.FieldCause:
		return keyword(fCause, t.Value), nil
	case query.FieldRegulator:
		return keyword(fRegulator, t.Value), nil
	case query.FieldAction:
		return keyword(fAction, t.Value), nil
	case query.FieldJurisdiction:
		return keyword(fJurisdiction, t.Value), nil
	case query.FieldDataType:
		return keyword(fDataType, t.Value), nil
	case query.FieldOutlet:
		return keyword(fOutlet, t.Value), nil
	case query.FieldSource:
		return keyword(fSourceKind, t.Value), nil
	case query.FieldID:
		return keyword(fID, t.Value), nil
	case query.FieldRecords:
		return numeric(fRecords, t.Op, float64(t.Number)), nil
	case query.FieldYear:
		return numeric(fYear, t.Op, float64(t.Number)), nil
	case query.FieldFirstReported:
		return date(fFirstReported, t)
	case query.FieldLastUpdated:
		return date(fLastUpdated, t)
	}
	return nil, fmt.Errorf("query: unknown field %q", t.Field)
}

// textQuery: every word of the value (or the phrase) in an analysed field.
func textQuery(field string, t query.Term) bq.Query {
	if t.Phrase {
		q := bq.NewMatchPhraseQuery(t.Value)
		q.SetField(field)
		q.Analyzer = textAnalyzer
		return q
	}
	q := bq.NewMatchQuery(t.Value)
	q.SetField(field)
	q.Analyzer = textAnalyzer
	q.SetOperator(bq.MatchQueryOperatorAnd)
	return q
}

func keyword(field, v string) bq.Query {
	q := bq.NewTermQuery(strings.ToLower(v))
	q.SetField(field)
	return q
}

func numeric(field string, op query.Op, v float64) bq.Query {
	yes, no := true, false
	var q *bq.NumericRangeQuery
	switch op {
	case query.OpGt:
		q = bq.NewNumericRangeInclusiveQuery(&v, nil, &no, nil)
	case query.OpGe:
		q = bq.NewNumericRangeInclusiveQuery(&v, nil, &yes, nil)
	case query.OpLt:
		q = bq.NewNumericRangeInclusiveQuery(nil, &v, nil, &no)
	case query.OpLe:
		q = bq.NewNumericRangeInclusiveQuery(nil, &v, nil, &yes)
	default:
		q = bq.NewNumericRangeInclusiveQuery(&v, &v, &yes, &yes)
	}
	q.SetField(field)
	return q
}

// date matches a period: the year, month or day the value was written as
// (an RFC 3339 instant is a period of one nanosecond). = is within it, >=
// and < compare with its start, > and <= with its end.
func date(field string, t query.Term) (bq.Query, error) {
	start, end := t.Period()
	switch t.Op {
	case query.OpGt:
		return dateRange(field, end, time.Time{}), nil
	case query.OpGe:
		return dateRange(field, start, time.Time{}), nil
	case query.OpLt:
		return dateRange(field, time.Time{}, start), nil
	case query.OpLe:
		return dateRange(field, time.Time{}, end), nil
	default:
		return dateRange(field, start, end), nil
	}
}

// dateRange is [from, to); a zero bound is open.
func dateRange(field string, from, to time.Time) bq.Query {
	yes, no := true, false
	q := bq.NewDateRangeInclusiveQuery(from, to, &yes, &no)
	q.SetField(field)
	return q
}
