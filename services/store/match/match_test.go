package match_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/match"
	"github.com/breachwire/breachwire/services/store/query"
)

// incidents are the traps: a phrase across two aliases, hyphens, Unicode
// case, no records or year or dates, period edges, multi-word keywords and
// words the Unicode segmentation keeps whole.
//
//	id    organisation (aliases)               records  year  first_reported (UTC)   last_updated
//	s-01  Alpha Beta (Gamma Delta, Co-op Bank) -        -     2020-01-01 00:00       -
//	s-02  ZÜRICH Versicherung                  0        2019  2019-03-01 04:30       2019-03-01
//	s-03  東京銀行                              5000     1970  1970-01-01 00:00       1970-01-02
//	s-04  (no name, nothing else)              -        -     -                      -
func incidents() []*store.Incident {
	utc := func(y, m, d, h, min int) time.Time { return time.Date(y, time.Month(m), d, h, min, 0, 0, time.UTC) }
	return []*store.Incident{
		{ID: "S-01", Organisation: store.Organisation{Name: "Alpha Beta", Aliases: []string{"Gamma Delta", "Co-op Bank"}},
			Cause: store.Cause{Primary: "hacking"}, DataTypes: []string{"SSN"}, Jurisdiction: "US", FirstReported: utc(2020, 1, 1, 0, 0),
			RegulatorActions: []store.RegulatorAction{{Regulator: "HHS OCR", Action: "settlement", Quote: "agreed to pay"}},
			Sources:          []store.Source{{Title: "Alpha Beta loses data", Outlet: "The Daily"}}},
		{ID: "s-02", Organisation: store.Organisation{Name: "ZÜRICH Versicherung"},
			Records: &store.Records{Value: new(int64(0)), Reported: []store.ReportedValue{{Quote: "1,200 files and 78.8 GB"}}},
			Cause:   store.Cause{Primary: "insider", Contributing: []string{"Human_Error"}}, Year: 2019,
			FirstReported: time.Date(2019, 2, 28, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)), LastUpdated: utc(2019, 3, 1, 0, 0),
			RegulatorActions: []store.RegulatorAction{{Regulator: "ICO", Action: "monetary_penalty", Quote: "fined"}},
			Sources:          []store.Source{{Title: "ΟΔΟΣ report on O'Brien", Outlet: "example.com"}}},
		{ID: "s-03", Organisation: store.Organisation{Name: "東京銀行"}, Records: &store.Records{Value: new(int64(5000))}, Year: 1970,
			FirstReported: utc(1970, 1, 1, 0, 0), LastUpdated: utc(1970, 1, 2, 0, 0)},
		{ID: "s-04"},
	}
}

var cases = []struct {
	q    string
	node query.Node // instead of q: a tree the parser does not make
	want []string
}{
	{q: "", want: []string{"S-01", "s-02", "s-03", "s-04"}},
	{node: query.And{}}, // as Bleve's empty conjunction
	{node: query.Or{}},
	{node: query.Not{}, want: nil}, // NOT of nil (All)
	// A phrase is within one value: not across two aliases or two sources.
	{q: `"alpha beta"`, want: []string{"S-01"}},
	{q: `"beta gamma"`},
	{q: `"alpha delta"`}, // positions 1 and 2, but of two values
	{q: `organisation:"alpha delta"`},
	{q: `organisation:"beta gamma"`},
	{q: `organisation:"gamma delta"`, want: []string{"S-01"}},
	{q: "beta gamma", want: []string{"S-01"}},
	{q: `"gamma alpha"`},
	{q: `"beta loses data"`, want: []string{"S-01"}},
	{q: `"data the daily"`},
	{q: `"alpha"`, want: []string{"S-01"}},
	{q: `"-"`},
	// Hyphens split words.
	{q: "co-op", want: []string{"S-01"}},
	{q: `"co op bank"`, want: []string{"S-01"}},
	{q: "organisation:co-op", want: []string{"S-01"}},
	{q: "coop"},
	{q: "-"}, // no words: matches nothing
	{q: "NOT -", want: []string{"S-01", "s-02", "s-03", "s-04"}},
	// Unicode case.
	{q: "zürich", want: []string{"s-02"}},
	{q: "ZÜRICH", want: []string{"s-02"}},
	{q: "organisation:Zürich", want: []string{"s-02"}},
	// Unicode word segmentation keeps "1,200", "78.8", "O'Brien" and
	// "example.com" whole, and splits ideographs (package analyser).
	{q: "1,200", want: []string{"s-02"}},
	{q: "200"},
	{q: "78.8", want: []string{"s-02"}},
	{q: "78"},
	{q: "o'brien", want: []string{"s-02"}},
	{q: "brien"},
	{q: "example.com", want: []string{"s-02"}},
	{q: "example"},
	{q: "東京", want: []string{"s-03"}},
	{q: "東", want: []string{"s-03"}},
	// Σ lower-cases to σ in the query (strings.ToLower) and the document
	// alike, as in Elasticsearch; a final ς is not folded.
	{q: "ΟΔΟΣ", want: []string{"s-02"}},
	{q: "οδοσ", want: []string{"s-02"}},
	{q: "οδος"},
	// Keywords are whole values, case-insensitive.
	{q: "regulator:hhs"},
	{q: "regulator:OCR"},
	{q: `regulator:"HHS OCR"`, want: []string{"S-01"}},
	{q: `regulator:"hhs ocr"`, want: []string{"S-01"}},
	{q: "regulator:hhs ocr"}, // regulator:hhs AND the word ocr
	{q: "action:settlement", want: []string{"S-01"}},
	{q: `outlet:"the daily"`, want: []string{"S-01"}},
	{q: "outlet:daily"},
	{q: "outlet:Example.com", want: []string{"s-02"}},
	{q: "cause:human_error", want: []string{"s-02"}},
	{q: "cause:hacking", want: []string{"S-01"}},
	{q: "hacking"}, // the cause is not text
	{q: "data_type:ssn", want: []string{"S-01"}},
	{q: "jurisdiction:us", want: []string{"S-01"}},
	{q: "id:s-01", want: []string{"S-01"}},
	{q: "id:S-02", want: []string{"s-02"}},
	// Records: none matches no comparison, and every negation.
	{q: "records:0", want: []string{"s-02"}},
	{q: "records:>0", want: []string{"s-03"}},
	{q: "records:>=0", want: []string{"s-02", "s-03"}},
	{q: "NOT records:>0", want: []string{"S-01", "s-02", "s-04"}},
	{q: "NOT records:>=0", want: []string{"S-01", "s-04"}},
	{q: "records:<5000", want: []string{"s-02"}},
	{q: "records:<=5k", want: []string{"s-02", "s-03"}},
	// Year 0 is missing.
	{q: "year:>0", want: []string{"s-02", "s-03"}},
	{q: "NOT year:>0", want: []string{"S-01", "s-04"}},
	{q: "year:1970", want: []string{"s-03"}},
	// Dates are periods in UTC; the edges.
	{q: "first_reported:2019", want: []string{"s-02"}},
	{q: "first_reported:2019-02"},
	{q: "first_reported:2019-03", want: []string{"s-02"}},
	{q: "first_reported:2019-03-01", want: []string{"s-02"}},
	{q: "first_reported:<=2019-02", want: []string{"s-03"}},
	{q: "first_reported:>2019-02", want: []string{"S-01", "s-02"}},
	{q: "first_reported:<2019-03-01", want: []string{"s-03"}},
	{q: "first_reported:>=2019-03-01", want: []string{"S-01", "s-02"}},
	{q: "first_reported:<=2019", want: []string{"s-02", "s-03"}},
	{q: "first_reported:>2019", want: []string{"S-01"}},
	{q: "first_reported:<2020", want: []string{"s-02", "s-03"}},
	{q: "first_reported:2020-01-01T00:00:00Z", want: []string{"S-01"}},
	{q: "first_reported:>2020-01-01T00:00:00Z"},
	{q: "first_reported:<=2020-01-01T00:00:00Z", want: []string{"S-01", "s-02", "s-03"}},
	{q: "first_reported:<2020-01-01T00:00:00Z", want: []string{"s-02", "s-03"}},
	{q: "first_reported:2019-02-28T23:30:00-05:00", want: []string{"s-02"}},
	{q: "first_reported:1970", want: []string{"s-03"}},
	{q: "NOT first_reported:>1900", want: []string{"s-04"}},
	// The zero time is an open bound to Bleve: every incident with a date.
	{q: "first_reported:<0001", want: []string{"S-01", "s-02", "s-03"}},
	{q: "first_reported:>=0001", want: []string{"S-01", "s-02", "s-03"}},
	{q: "last_updated:1970-01-02", want: []string{"s-03"}},
	{q: "NOT last_updated:>=1900", want: []string{"S-01", "s-04"}},
	// Combinations.
	{q: "hacking OR cause:hacking", want: []string{"S-01"}},
	{q: "(zürich OR 東京) NOT records:>1000", want: []string{"s-02"}},
	{q: "NOT (NOT alpha AND NOT year:1970)", want: []string{"S-01", "s-03"}},
}

// TestMatch checks each case's expected incidents against the matcher and
// against the Bleve store's Search over the same incidents.
func TestMatch(t *testing.T) {
	s, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var docs []*match.Doc
	for _, inc := range incidents() {
		if _, err := s.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatalf("put %s: %v", inc.ID, err)
		}
		docs = append(docs, match.NewDoc(inc))
	}
	for _, tc := range cases {
		name, n := tc.q, tc.node
		if n == nil {
			var err error
			if n, err = query.Parse(tc.q); err != nil {
				t.Fatalf("parse %q: %v", tc.q, err)
			}
		} else {
			name = "node " + name
		}
		t.Run(name, func(t *testing.T) {
			c, err := match.Compile(n)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			var got []string
			for i, d := range docs {
				if c.Match(d) {
					got = append(got, incidents()[i].ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("match accepted %v, want %v", got, tc.want)
			}
			res, err := s.Search(t.Context(), query.Request{Query: n, Size: query.MaxSize})
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			var searched []string
			for _, inc := range res.Incidents {
				searched = append(searched, inc.ID)
			}
			slices.SortFunc(searched, func(a, b string) int { return slices.Index(ids, a) - slices.Index(ids, b) })
			if !slices.Equal(searched, tc.want) {
				t.Errorf("Search returned %v, want %v", searched, tc.want)
			}
		})
	}
}

var ids = []string{"S-01", "s-02", "s-03", "s-04"}

// TestCompileErrors: a query the Bleve store refuses is refused here too.
func TestCompileErrors(t *testing.T) {
	s, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, tc := range []struct {
		name string
		node query.Node
		fail bool
	}{
		{"before 1677-12", mustParse(t, "first_reported:1600"), true},
		{"year 1", mustParse(t, "first_reported:0001"), true},
		{"year 1 is open", mustParse(t, "first_reported:<0001"), false},
		{"after 2262-04", mustParse(t, "last_updated:>=2300"), true},
		{"1678 is fine", mustParse(t, "first_reported:>=1678"), false},
		{"nested", mustParse(t, "plusnet OR NOT date:1500"), true},
		{"unknown field", query.Term{Field: "bogus", Value: "x"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := match.Compile(tc.node)
			if (err != nil) != tc.fail {
				t.Errorf("compile: %v, want failure %v", err, tc.fail)
			}
			_, serr := s.Search(t.Context(), query.Request{Query: tc.node})
			if (serr != nil) != tc.fail {
				t.Errorf("Search: %v, want failure %v", serr, tc.fail)
			}
		})
	}
}

// TestConcurrent matches one Doc against shared queries from many
// goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	var qs []*match.Query
	for _, tc := range cases {
		if tc.node == nil {
			qs = append(qs, mustCompile(t, tc.q))
		}
	}
	docs := make([]*match.Doc, 0, len(incidents()))
	for _, inc := range incidents() {
		docs = append(docs, match.NewDoc(inc))
	}
	want := make([]bool, len(qs)*len(docs))
	for i, q := range qs {
		for j, d := range docs {
			want[i*len(docs)+j] = q.Match(d)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, q := range qs {
				for j, d := range docs {
					if q.Match(d) != want[i*len(docs)+j] {
						t.Errorf("query %d, doc %d: a different answer under concurrency", i, j)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestParse(t *testing.T) {
	if _, err := match.Parse("organisation:"); err == nil {
		t.Error("a malformed query compiled")
	}
	q, err := match.Parse("Organisation:alpha AND records:<1")
	if err != nil {
		t.Fatal(err)
	}
	if q.Match(match.NewDoc(incidents()[0])) {
		t.Error("an incident without records matched records:<1")
	}
	if (&match.Query{}).Match(match.NewDoc(incidents()[0])) {
		t.Error("the zero Query matched")
	}
}

func mustParse(t *testing.T, s string) query.Node {
	t.Helper()
	n, err := query.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return n
}

func mustCompile(t testing.TB, s string) *match.Query {
	t.Helper()
	q, err := match.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return q
}

// TestUnknownCountIsNoNumber: an unknown count matches what a missing
// count matches, in the matcher and in the Bleve store alike.
func TestUnknownCountIsNoNumber(t *testing.T) {
	s, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	incs := []*store.Incident{
		{ID: "u-1", Records: &store.Records{Value: new(int64(40)), Qualifier: "at_least"}},
		{ID: "u-2", Records: &store.Records{Qualifier: "unknown", Unit: "customers"}},
		{ID: "u-3", Records: &store.Records{Value: new(int64(0)), Qualifier: "unknown"}},
		{ID: "u-4"},
	}
	docs := map[string]*match.Doc{}
	for _, inc := range incs {
		if _, err := s.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
		docs[inc.ID] = match.NewDoc(inc)
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"records:0", nil},
		{"records:>=0", []string{"u-1"}},
		{"records:<100", []string{"u-1"}},
		{"NOT records:>=0", []string{"u-2", "u-3", "u-4"}},
		{"NOT records:0", []string{"u-1", "u-2", "u-3", "u-4"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			q := mustCompile(t, tc.q)
			var matched []string
			for _, inc := range incs {
				if q.Match(docs[inc.ID]) {
					matched = append(matched, inc.ID)
				}
			}
			if !slices.Equal(matched, tc.want) {
				t.Errorf("match accepted %v, want %v", matched, tc.want)
			}
			res, err := s.Search(t.Context(), query.Request{Query: mustParse(t, tc.q), Size: query.MaxSize})
			if err != nil {
				t.Fatal(err)
			}
			var searched []string
			for _, inc := range res.Incidents {
				searched = append(searched, inc.ID)
			}
			slices.Sort(searched)
			if !slices.Equal(searched, tc.want) {
				t.Errorf("Search returned %v, want %v", searched, tc.want)
			}
		})
	}
}
