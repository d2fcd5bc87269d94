// Package match decides in memory whether an incident matches a query of
// the search syntax, with the semantics of the stores' Search (for alerts).
package match

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/breachwire/breachwire/services/store/query"
)

// Query is a compiled query: words analysed, dates turned into ranges, so
// that Match is a walk of the tree that does not allocate. It is read-only
// after Compile. The semantics are the Bleve store's (bleve/search.go
// translate); store/storetest checks them against every backend's Search.
// The zero Query matches nothing.
type Query struct {
	root node
}

// Match reports whether the analysed incident matches the query.
func (c *Query) Match(d *Doc) bool {
	return c.root != nil && c.root.match(d)
}

// Parse reads the query syntax and compiles it.
func Parse(s string) (*Query, error) {
	n, err := query.Parse(s)
	if err != nil {
		return nil, err
	}
	return Compile(n)
}

// Compile turns a parsed query into a matcher. A nil node is All, like a
// nil Request.Query. It fails where the Bleve store's Search would: an
// unknown field or node, or a date Bleve cannot represent (before
// 1677-12-01 or after 2262-04-11).
func Compile(n query.Node) (*Query, error) {
	root, err := compile(n)
	if err != nil {
		return nil, err
	}
	return &Query{root: root}, nil
}

type node interface {
	match(d *Doc) bool
}

func compile(n query.Node) (node, error) {
	switch n := n.(type) {
	case nil, query.All:
		return all{}, nil
	case query.And:
		nodes, err := compileAll(n.Nodes)
		return and(nodes), err
	case query.Or:
		nodes, err := compileAll(n.Nodes)
		return or(nodes), err
	case query.Not:
		inner, err := compile(n.Node)
		return not{inner}, err
	case query.Term:
		return compileTerm(n)
	}
	return nil, fmt.Errorf("match: unknown query node %T", n)
}

func compileAll(ns []query.Node) ([]node, error) {
	out := make([]node, 0, len(ns))
	for _, n := range ns {
		c, err := compile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

var keywordFields = map[query.Field]keywordField{
	query.FieldID:           fieldID,
	query.FieldCause:        fieldCause,
	query.FieldRegulator:    fieldRegulator,
	query.FieldAction:       fieldAction,
	query.FieldJurisdiction: fieldJurisdiction,
	query.FieldDataType:     fieldDataType,
	query.FieldOutlet:       fieldOutlet,
	query.FieldSource:       fieldSource,
}

func compileTerm(t query.Term) (node, error) {
	switch t.Field {
	case query.FieldText:
		return text(fieldText, t), nil
	case query.FieldOrganisation:
		return text(fieldOrganisation, t), nil
	case query.FieldRecords:
		return numeric(func(d *Doc) optional[float64] { return d.records }, t), nil
	case query.FieldYear:
		return numeric(func(d *Doc) optional[float64] { return d.year }, t), nil
	case query.FieldFirstReported:
		return date(func(d *Doc) optional[int64] { return d.first }, t)
	case query.FieldLastUpdated:
		return date(func(d *Doc) optional[int64] { return d.updated }, t)
	}
	if f, ok := keywordFields[t.Field]; ok {
		return keyword{field: f, value: strings.ToLower(t.Value)}, nil
	}
	return nil, fmt.Errorf("match: unknown query field %q", t.Field)
}

// text is Bleve's match query with the AND operator (every analysed word)
// or its match_phrase query; a value without words matches nothing.
func text(f textField, t query.Term) node {
	tokens := analyzer.Analyze([]byte(t.Value))
	if len(tokens) == 0 {
		return none{}
	}
	if t.Phrase {
		p := phrase{field: f}
		first := tokens[0].Position
		for _, tok := range tokens {
			p.terms = append(p.terms, string(tok.Term))
			p.offsets = append(p.offsets, int32(tok.Position-first))
		}
		return p
	}
	w := words{field: f}
	for _, tok := range tokens {
		if s := string(tok.Term); !contains(w.terms, s) {
			w.terms = append(w.terms, s)
		}
	}
	return w
}

// numeric is Bleve's numeric range over float64 values; a missing value
// matches no comparison.
func numeric(get func(*Doc) optional[float64], t query.Term) node {
	v := float64(t.Number)
	r := numberRange{get: get, lo: math.Inf(-1), hi: infinity, loIncl: true, hiIncl: true}
	switch t.Op {
	case query.OpGt:
		r.lo, r.loIncl = v, false
	case query.OpGe:
		r.lo = v
	case query.OpLt:
		r.hi, r.hiIncl = v, false
	case query.OpLe:
		r.hi = v
	default:
		r.lo, r.hi = v, v
	}
	return r
}

var errDateRange = errors.New("date outside the range the store can search (1677-12-01 to 2262-04-11)")

// date matches a period, as bleve/search.go date() does: the year, month or
// day the value was written as (an RFC 3339 instant is one nanosecond); =
// is within it, >= and < compare with its start, > and <= with its end.
func date(get func(*Doc) optional[int64], t query.Term) (node, error) {
	start, end := t.Period()
	var from, to time.Time
	switch t.Op {
	case query.OpGt:
		from = end
	case query.OpGe:
		from = start
	case query.OpLt:
		to = start
	case query.OpLe:
		to = end
	default:
		from, to = start, end
	}
	// Bleve's date range: a zero bound is open (so <0001 and >=0001, whose
	// bound is the zero time, match every incident with the date), and a
	// bound it cannot turn into Unix nanoseconds is refused.
	r := dateRange{get: get, from: math.MinInt64, to: math.MaxInt64}
	for _, b := range []struct {
		t time.Time
		v *int64
	}{{from, &r.from}, {to, &r.to}} {
		if b.t.IsZero() {
			continue
		}
		if b.t.Before(bq.MinRFC3339CompatibleTime) || b.t.After(bq.MaxRFC3339CompatibleTime) {
			return nil, fmt.Errorf("match: %s:%s%s: %w", t.Field, opText(t.Op), t.Value, errDateRange)
		}
		*b.v = b.t.UnixNano()
	}
	r.openTo = to.IsZero()
	return r, nil
}

func opText(op query.Op) string {
	if op == query.OpEq {
		return ""
	}
	return string(op)
}

// The compiled nodes.
type (
	all  struct{}
	none struct{}
	and  []node
	or   []node
	not  struct{ node node }
	// words: every term somewhere in the field.
	words struct {
		field textField
		terms []string
	}
	// phrase: the terms at these offsets from the first, within one value.
	phrase struct {
		field   textField
		terms   []string
		offsets []int32
	}
	keyword struct {
		field keywordField
		value string
	}
	numberRange struct {
		get            func(*Doc) optional[float64]
		lo, hi         float64
		loIncl, hiIncl bool
	}
	// dateRange is [from, to) in Unix nanoseconds; openTo: no upper bound.
	dateRange struct {
		get      func(*Doc) optional[int64]
		from, to int64
		openTo   bool
	}
)

func (all) match(*Doc) bool  { return true }
func (none) match(*Doc) bool { return false }

// and and or of no nodes match nothing, as Bleve's conjunction and
// disjunction of no queries do (the parser never makes them).
func (a and) match(d *Doc) bool {
	for _, n := range a {
		if !n.match(d) {
			return false
		}
	}
	return len(a) > 0
}

func (o or) match(d *Doc) bool {
	for _, n := range o {
		if n.match(d) {
			return true
		}
	}
	return false
}

func (n not) match(d *Doc) bool { return !n.node.match(d) }

func (w words) match(d *Doc) bool {
	ts := d.text[w.field]
	for _, t := range w.terms {
		if _, ok := ts[t]; !ok {
			return false
		}
	}
	return true
}

func (p phrase) match(d *Doc) bool {
	ts := d.text[p.field]
	first, ok := ts[p.terms[0]]
	if !ok {
		return false
	}
	for _, at := range first {
		if p.continues(ts, at) {
			return true
		}
	}
	return false
}

// continues reports whether the phrase's other terms follow at.
func (p phrase) continues(ts terms, at position) bool {
	for i := 1; i < len(p.terms); i++ {
		want := position{value: at.value, pos: at.pos + p.offsets[i]}
		if !hasPosition(ts[p.terms[i]], want) {
			return false
		}
	}
	return true
}

// hasPosition searches positions, which are in (value, pos) order.
func hasPosition(ps []position, want position) bool {
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p := ps[m]; p.value < want.value || p.value == want.value && p.pos < want.pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(ps) && ps[lo] == want
}

func (k keyword) match(d *Doc) bool { return contains(d.keywords[k.field], k.value) }

func (r numberRange) match(d *Doc) bool {
	v := r.get(d)
	return v.ok && within(v.v, r.lo, r.hi, r.loIncl, r.hiIncl)
}

func (r dateRange) match(d *Doc) bool {
	v := r.get(d)
	return v.ok && v.v >= r.from && (r.openTo || v.v < r.to)
}
