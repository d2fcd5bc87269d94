// Package query is the one search syntax of breachwire, parsed once into a
// tree that every store backend translates: full text plus fields, e.g.
//
//	plusnet
//	organisation:plusnet AND cause:software_bug_upgrade AND records:>1000
//	regulator:ICO AND (action:monetary_penalty OR action:undertaking) NOT year:2014
//	"life planning" first_reported:>=2011-01-01
//	source:official jurisdiction:US
//
// Terms next to each other are joined by AND. Field names and the
// operators AND, OR, NOT are case-sensitive; values are not.
package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Field is a searchable field of an incident.
type Field string

// The fields of the syntax.
const (
	FieldText          Field = ""               // full text: organisation, aliases, sources' titles, quotes
	FieldOrganisation  Field = "organisation"   // name or alias (normalised, whole-name or word match)
	FieldCause         Field = "cause"          // primary or contributing
	FieldRegulator     Field = "regulator"      // e.g. ICO, "HHS OCR"
	FieldAction        Field = "action"         // regulator action
	FieldRecords       Field = "records"        // headline count (numeric)
	FieldYear          Field = "year"           // incident year (numeric)
	FieldFirstReported Field = "first_reported" // date
	FieldLastUpdated   Field = "last_updated"   // date
	FieldJurisdiction  Field = "jurisdiction"   // ISO country code
	FieldDataType      Field = "data_type"
	FieldOutlet        Field = "outlet"
	FieldID            Field = "id"
	FieldSource        Field = "source" // kind of source: news or official
)

var fieldAliases = map[string]Field{
	"organisation": FieldOrganisation, "organization": FieldOrganisation, "org": FieldOrganisation,
	"cause": FieldCause, "regulator": FieldRegulator, "action": FieldAction, "regulator_action": FieldAction,
	"records": FieldRecords, "year": FieldYear, "first_reported": FieldFirstReported, "date": FieldFirstReported,
	"last_updated": FieldLastUpdated, "jurisdiction": FieldJurisdiction, "country": FieldJurisdiction,
	"data_type": FieldDataType, "outlet": FieldOutlet, "id": FieldID, "source": FieldSource, "source_kind": FieldSource,
}

// Numeric and date fields take comparisons.
func (f Field) numeric() bool { return f == FieldRecords || f == FieldYear }
func (f Field) date() bool    { return f == FieldFirstReported || f == FieldLastUpdated }

// Op is a comparison.
type Op string

// Comparisons; OpEq is the default.
const (
	OpEq Op = "="
	OpGt Op = ">"
	OpGe Op = ">="
	OpLt Op = "<"
	OpLe Op = "<="
)

// Node is a parsed query.
type Node interface{ node() }

// And, Or and Not combine nodes.
type (
	And struct{ Nodes []Node }
	Or  struct{ Nodes []Node }
	Not struct{ Node Node }
	// Term matches one field. Value is lower-cased for text fields; Number
	// and Time are set for numeric and date fields.
	Term struct {
		Field  Field
		Op     Op
		Value  string
		Phrase bool // quoted
		Number int64
		Time   time.Time
	}
	// All matches every incident (the empty query).
	All struct{}
)

func (And) node()  {}
func (Or) node()   {}
func (Not) node()  {}
func (Term) node() {}
func (All) node()  {}

// Sort orders results.
type Sort struct {
	Field Field // FieldFirstReported (default), FieldLastUpdated, FieldRecords, FieldYear
	Desc  bool
}

// Request is a search: the query, a date range on first_reported, the
// order, the page size and the cursor of the previous page.
type Request struct {
	Query  Node
	From   time.Time // first_reported >= From (zero: open)
	To     time.Time // first_reported <  To (zero: open)
	Sort   Sort
	Size   int
	Cursor string // opaque, from the previous Result
}

// MaxSize bounds one page.
const MaxSize = 500

// ParseError says where a query went wrong.
type ParseError struct {
	Pos int
	Msg string
}

func (e *ParseError) Error() string { return fmt.Sprintf("query: %s at position %d", e.Msg, e.Pos) }

// ParseSort reads "first_reported", "-records", "records:desc", "last_updated:asc".
func ParseSort(s string) (Sort, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Sort{Field: FieldFirstReported, Desc: true}, nil
	}
	desc := false
	if strings.HasPrefix(s, "-") {
		desc, s = true, s[1:]
	}
	name, dir, _ := strings.Cut(s, ":")
	switch dir {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return Sort{}, fmt.Errorf("sort direction %q: want asc or desc", dir)
	}
	f, ok := fieldAliases[name]
	if !ok || !(f == FieldFirstReported || f == FieldLastUpdated || f == FieldRecords || f == FieldYear) {
		return Sort{}, fmt.Errorf("cannot sort by %q (first_reported, last_updated, records, year)", name)
	}
	return Sort{Field: f, Desc: desc}, nil
}

// Parse reads the query syntax; the empty string is All.
func Parse(s string) (Node, error) {
	p := &parser{toks: nil}
	if err := p.lex(s); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return All{}, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unexpected %q", t.text)}
	}
	return n, nil
}

type token struct {
	kind   string // word, phrase, lparen, rparen
	text   string
	pos    int
	quoted bool
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) lex(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			p.toks = append(p.toks, token{kind: "lparen", text: "(", pos: i})
			i++
		case c == ')':
			p.toks = append(p.toks, token{kind: "rparen", text: ")", pos: i})
			i++
		default:
			start := i
			var b strings.Builder
			quoted := false
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '(' && s[i] != ')' {
				if s[i] == '"' {
					end := strings.IndexByte(s[i+1:], '"')
					if end < 0 {
						return &ParseError{Pos: i, Msg: "unclosed quote"}
					}
					b.WriteString(s[i+1 : i+1+end])
					i += end + 2
					quoted = true
					continue
				}
				b.WriteByte(s[i])
				i++
			}
			p.toks = append(p.toks, token{kind: "word", text: b.String(), pos: start, quoted: quoted})
		}
	}
	return nil
}

func (p *parser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) isOp(word string) bool {
	t := p.peek()
	return t != nil && t.kind == "word" && !t.quoted && t.text == word
}

func (p *parser) or() (Node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	nodes := []Node{left}
	for p.isOp("OR") {
		p.i++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, right)
	}
	if len(nodes) == 1 {
		return left, nil
	}
	return Or{Nodes: nodes}, nil
}

func (p *parser) and() (Node, error) {
	var nodes []Node
	for {
		t := p.peek()
		if t == nil || t.kind == "rparen" || p.isOp("OR") {
			break
		}
		if p.isOp("AND") {
			p.i++
			if len(nodes) == 0 {
				return nil, &ParseError{Pos: t.pos, Msg: "AND without a left side"}
			}
			continue
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	switch len(nodes) {
	case 0:
		pos := len(p.toks)
		if t := p.peek(); t != nil {
			pos = t.pos
		}
		return nil, &ParseError{Pos: pos, Msg: "expected a term"}
	case 1:
		return nodes[0], nil
	}
	return And{Nodes: nodes}, nil
}

func (p *parser) unary() (Node, error) {
	t := p.peek()
	if p.isOp("NOT") {
		p.i++
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{Node: n}, nil
	}
	if t.kind == "lparen" {
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c == nil || c.kind != "rparen" {
			return nil, &ParseError{Pos: t.pos, Msg: "unclosed parenthesis"}
		}
		p.i++
		return n, nil
	}
	if t.kind == "rparen" {
		return nil, &ParseError{Pos: t.pos, Msg: "unexpected )"}
	}
	p.i++
	return term(*t)
}

// term reads "field:value", "field:>N" or a bare word or phrase.
func term(t token) (Node, error) {
	name, value, ok := strings.Cut(t.text, ":")
	if !ok || t.quoted && strings.HasPrefix(t.text, name+":") == false {
		return Term{Field: FieldText, Op: OpEq, Value: strings.ToLower(t.text), Phrase: t.quoted}, nil
	}
	f, known := fieldAliases[strings.ToLower(name)]
	if !known {
		if name == "" || strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' }) {
			// "10:30" or "://" in free text: not a field.
			return Term{Field: FieldText, Op: OpEq, Value: strings.ToLower(t.text), Phrase: t.quoted}, nil
		}
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("unknown field %q", name)}
	}
	op := OpEq
	for _, o := range []Op{OpGe, OpLe, OpGt, OpLt, OpEq} {
		if strings.HasPrefix(value, string(o)) {
			op, value = o, value[len(o):]
			break
		}
	}
	if value == "" {
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("%s: empty value", name)}
	}
	out := Term{Field: f, Op: op, Value: strings.ToLower(value), Phrase: t.quoted}
	switch {
	case f.numeric():
		n, err := parseNumber(value)
		if err != nil {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("%s: %v", name, err)}
		}
		out.Number = n
	case f.date():
		tm, err := ParseDate(value)
		if err != nil {
			return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("%s: %v", name, err)}
		}
		out.Time = tm
	case op != OpEq:
		return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("%s takes no comparison", name)}
	}
	return out, nil
}

// Period is the span [start, end) a date term names: the year, month or
// day it was written as, in UTC. An RFC 3339 instant is exact: its span is
// one nanosecond, and backends that keep coarser times compare with it
// inclusively (see Exact).
func (t Term) Period() (start, end time.Time) {
	start = t.Time.UTC()
	switch len(t.Value) {
	case len("2006"):
		return start, start.AddDate(1, 0, 0)
	case len("2006-01"):
		return start, start.AddDate(0, 1, 0)
	case len("2006-01-02"):
		return start, start.AddDate(0, 0, 1)
	}
	return start, start.Add(time.Nanosecond)
}

// Exact reports whether a date term names an instant, not a period.
func (t Term) Exact() bool {
	switch len(t.Value) {
	case len("2006"), len("2006-01"), len("2006-01-02"):
		return false
	}
	return true
}

// parseNumber reads 1000, 1,000, 1.5m, 10k.
func parseNumber(s string) (int64, error) {
	s = strings.ReplaceAll(strings.ToLower(s), ",", "")
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "b"):
		mult, s = 1e9, strings.TrimSuffix(s, "b")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, errors.New("want a number such as 1000 or 1.5m")
	}
	return int64(v * mult), nil
}

// ParseDate reads YYYY, YYYY-MM or YYYY-MM-DD (UTC; the start of the period).
func ParseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
}
