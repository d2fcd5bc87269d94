// Package storetest is the conformance suite every store.Store backend must
// pass: the same incidents, queries, orders, pages and facets on each.
//
// Semantics it fixes where the query syntax leaves room (backends must agree):
//   - date comparisons work on periods: first_reported:2019-02 is that month
//     (UTC); >= P and < P compare with the start of P; > P and <= P with the
//     end of P (so > 2017 means from 2018-01-01 and <= 2015-03 includes all of
//     March 2015);
//   - an incident without records (nil Records) or without a year (0) never
//     matches a comparison on that field, but does match its negation (NOT);
//   - regulator and action are matched independently over an incident's
//     actions (no nested matching): regulator:ico AND action:settlement
//     matches an incident with an ICO fine and an FTC settlement;
//   - facet keys are the stored values as written (e.g. "HHS OCR"), while
//     keyword queries on them are case-insensitive;
//   - a nil Request.Query is All; a Size above query.MaxSize is clamped, not
//     refused; a malformed cursor is an error;
//   - concurrent creates of one id: exactly one succeeds, the rest get
//     ErrConflict;
//   - the in-memory matcher (store/match) accepts exactly the incidents
//     Search returns, for every query case and for random queries.
package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// Run runs the conformance suite. open must return a fresh, empty store for
// each call (it is called once per subtest); Run closes it when the subtest
// ends, after which open's own t.Cleanup functions run.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	fresh := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	loaded := func(t *testing.T) store.Store {
		t.Helper()
		s := fresh(t)
		for _, inc := range Incidents() {
			if _, err := s.PutIncident(t.Context(), inc, store.Version{}); err != nil {
				t.Fatalf("put %s: %v", inc.ID, err)
			}
		}
		return s
	}

	t.Run("Ping", func(t *testing.T) {
		if err := fresh(t).Ping(t.Context()); err != nil {
			t.Fatalf("ping: %v", err)
		}
	})
	t.Run("GetIncident", func(t *testing.T) { testGet(t, fresh(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, fresh(t)) })
	t.Run("CreateOnly", func(t *testing.T) { testCreateOnly(t, fresh(t)) })
	t.Run("StaleVersion", func(t *testing.T) { testStaleVersion(t, fresh(t)) })
	t.Run("ConcurrentCreate", func(t *testing.T) { testConcurrentCreate(t, fresh(t)) })
	t.Run("ConcurrentUpdates", func(t *testing.T) { testConcurrentUpdates(t, fresh(t)) })
	t.Run("UpdateReindexes", func(t *testing.T) { testUpdateReindexes(t, loaded(t)) })
	t.Run("IncidentsByOrganisation", func(t *testing.T) { testByOrganisation(t, loaded(t)) })
	t.Run("Articles", func(t *testing.T) { testArticles(t, fresh(t)) })
	t.Run("Query", func(t *testing.T) { testQueries(t, loaded(t)) })
	t.Run("Sort", func(t *testing.T) { testSort(t, loaded(t)) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, loaded(t)) })
	t.Run("FromTo", func(t *testing.T) { testFromTo(t, loaded(t)) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, loaded(t)) })
	t.Run("Match", func(t *testing.T) { testMatchCases(t, loaded(t)) })
	t.Run("MatchRandom", func(t *testing.T) { testMatchRandom(t, loaded(t)) })
	t.Run("UnknownCount", func(t *testing.T) { testUnknownCount(t, fresh(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, fresh(t)) })
	t.Run("BatchWrites", func(t *testing.T) { testBatchWrites(t, fresh(t)) })
}

func testGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, inc := range Incidents() {
		v, err := s.PutIncident(ctx, inc, store.Version{})
		if err != nil {
			t.Fatalf("put %s: %v", inc.ID, err)
		}
		if v.IsZero() {
			t.Fatalf("put %s returned the zero version", inc.ID)
		}
		got, gv, err := s.GetIncident(ctx, inc.ID)
		if err != nil {
			t.Fatalf("get %s: %v", inc.ID, err)
		}
		if gv != v {
			t.Errorf("get %s: version %+v, put returned %+v", inc.ID, gv, v)
		}
		sameJSON(t, inc.ID, got, inc)
	}
	// Search returns the whole incident too.
	res, err := s.Search(ctx, query.Request{Query: mustParse(t, "id:inc-04")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Incidents) != 1 {
		t.Fatalf("id:inc-04: %d incidents", len(res.Incidents))
	}
	sameJSON(t, "search inc-04", res.Incidents[0], Incidents()[3])
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, _, err := s.GetIncident(ctx, "inc-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetIncident(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetArticle(ctx, "art-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetArticle(missing) = %v, want ErrNotFound", err)
	}
	res, err := s.Search(ctx, query.Request{Query: query.All{}})
	if err != nil {
		t.Fatalf("search an empty store: %v", err)
	}
	if res.Total != 0 || len(res.Incidents) != 0 || res.NextCursor != "" {
		t.Errorf("empty store: %+v", res)
	}
	f, err := s.Facets(ctx, query.Request{Query: query.All{}})
	if err != nil {
		t.Fatalf("facets of an empty store: %v", err)
	}
	if n := len(f.Cause) + len(f.Regulator) + len(f.Action) + len(f.Month) + len(f.RecordsRange); n != 0 {
		t.Errorf("empty store facets: %+v", f)
	}
}

func testCreateOnly(t *testing.T, s store.Store) {
	ctx := t.Context()
	inc := Incidents()[0]
	if _, err := s.PutIncident(ctx, inc, store.Version{}); err != nil {
		t.Fatal(err)
	}
	inc.Revision = 99
	if _, err := s.PutIncident(ctx, inc, store.Version{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second create = %v, want ErrConflict", err)
	}
	got, _, err := s.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision == 99 {
		t.Errorf("a refused create overwrote the incident")
	}
	// An update of an incident that does not exist is a conflict too.
	other := Incidents()[1]
	if _, err := s.PutIncident(ctx, other, store.Version{SeqNo: 7, PrimaryTerm: 1}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("update of a missing incident = %v, want ErrConflict", err)
	}
	if _, _, err := s.GetIncident(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused update created the incident: %v", err)
	}
}

func testStaleVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	inc := Incidents()[4]
	v1, err := s.PutIncident(ctx, inc, store.Version{})
	if err != nil {
		t.Fatal(err)
	}
	inc.Revision = 10
	v2, err := s.PutIncident(ctx, inc, v1)
	if err != nil {
		t.Fatalf("update with the current version: %v", err)
	}
	if v2 == v1 || v2.IsZero() {
		t.Fatalf("update returned version %+v after %+v", v2, v1)
	}
	inc.Revision = 11
	if _, err := s.PutIncident(ctx, inc, v1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update with a stale version = %v, want ErrConflict", err)
	}
	got, gv, err := s.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 10 || gv != v2 {
		t.Errorf("after the refused update: revision %d version %+v, want 10 and %+v", got.Revision, gv, v2)
	}
}

// Two indexers that see the same new incident at once must make one: every
// create but one is refused.
func testConcurrentCreate(t *testing.T, s store.Store) {
	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range writers {
		wg.Go(func() {
			inc := Incidents()[2]
			inc.Revision = int64(100 + i)
			_, err := s.PutIncident(t.Context(), inc, store.Version{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				lost++
			default:
				t.Errorf("create: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != writers-1 {
		t.Errorf("%d creates of one id succeeded and %d were refused, want 1 and %d", won, lost, writers-1)
	}
	res, err := s.Search(t.Context(), query.Request{Query: query.All{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 {
		t.Errorf("%d incidents after concurrent creates of one, want 1", res.Total)
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	inc := Incidents()[5]
	inc.Revision = 0
	if _, err := s.PutIncident(ctx, inc, store.Version{}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 2, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for done := 0; done < each; {
				cur, v, err := s.GetIncident(ctx, inc.ID)
				if err != nil {
					errs <- err
					return
				}
				cur.Revision++
				cur.ExtractorVersions = append(cur.ExtractorVersions, fmt.Sprintf("r%d", cur.Revision))
				_, err = s.PutIncident(ctx, cur, v)
				switch {
				case errors.Is(err, store.ErrConflict):
					continue // somebody else won: read again
				case err != nil:
					errs <- err
					return
				}
				done++
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, _, err := s.GetIncident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != workers*each || len(got.ExtractorVersions) != workers*each {
		t.Errorf("lost updates: revision %d, %d appended versions, want %d", got.Revision, len(got.ExtractorVersions), workers*each)
	}
}

func testUpdateReindexes(t *testing.T, s store.Store) {
	ctx := t.Context()
	inc, v, err := s.GetIncident(ctx, "inc-05")
	if err != nil {
		t.Fatal(err)
	}
	inc.Organisation = org("Gransnet", []string{"Mumsnet Group"}, "gransnet", "mumsnet group")
	inc.Cause.Primary = "hacking"
	inc.Records.Value = new(int64(5_000_000))
	if _, err := s.PutIncident(ctx, inc, v); err != nil {
		t.Fatal(err)
	}
	expectIDs(t, s, "organisation:gransnet", "inc-05")
	expectIDs(t, s, "organisation:mumsnet", "inc-05")
	expectIDs(t, s, "cause:software_bug_upgrade", "inc-01", "inc-03")
	expectIDs(t, s, "records:>=1m AND records:<10m", "inc-05")
	expectIDs(t, s, "cause:hacking AND jurisdiction:gb", "inc-05", "inc-09")
	got, err := s.IncidentsByOrganisation(ctx, []string{"mumsnet"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("old organisation key still finds %d incidents", len(got))
	}
	total, err := s.Search(ctx, query.Request{Query: query.All{}})
	if err != nil {
		t.Fatal(err)
	}
	if total.Total != 12 {
		t.Errorf("after an update: %d incidents, want 12", total.Total)
	}
}

func testByOrganisation(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		keys []string
		want []string
	}{
		{[]string{"plusnet"}, []string{"inc-01", "inc-02", "inc-03"}},
		{[]string{"co-op life planning", "ba"}, []string{"inc-04", "inc-09"}},
		{[]string{"anthem", "anthem inc"}, []string{"inc-06"}},
		{[]string{"plus"}, nil},
		{[]string{"nobody"}, nil},
		{nil, nil},
	} {
		got, err := s.IncidentsByOrganisation(t.Context(), tc.keys)
		if err != nil {
			t.Fatalf("%q: %v", tc.keys, err)
		}
		var ids []string
		for _, inc := range got {
			ids = append(ids, inc.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tc.want) {
			t.Errorf("IncidentsByOrganisation(%q) = %v, want %v", tc.keys, ids, tc.want)
		}
	}
}

func testArticles(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, a := range Articles() {
		if err := s.PutArticle(ctx, a); err != nil {
			t.Fatalf("put %s: %v", a.ID, err)
		}
		if err := s.PutArticle(ctx, a); err != nil {
			t.Fatalf("put %s again: %v", a.ID, err)
		}
		got, err := s.GetArticle(ctx, a.ID)
		if err != nil {
			t.Fatalf("get %s: %v", a.ID, err)
		}
		sameJSON(t, a.ID, got, a)
	}
	// A later write of the same id replaces it (the indexer links the incident).
	a := Articles()[0]
	a.IncidentID = "inc-01"
	if err := s.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "relinked", got, a)
	// Articles are not incidents.
	res, err := s.Search(ctx, query.Request{Query: query.All{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf("articles showed up in an incident search: %d", res.Total)
	}
}

// Queries and the incidents they match; see Incidents for the table.
var queryCases = []struct {
	q    string
	want []string
}{
	{"", ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)},
	// Full text: organisation, aliases, source titles and outlets, quotes.
	{"plusnet", ids(1, 2, 3)},
	{"PLUSNET", ids(1, 2, 3)},
	{"mumsnet", ids(5)},
	{"broadband", ids(3)},
	{`"life planning"`, ids(4)},
	{`"planning life"`, nil},
	{"planning life", ids(4)},
	{"co-op", ids(4)},
	{"policyholders", ids(4)},
	{"misdirected", ids(4)},
	{"reuters", ids(6, 7)},
	{`"bbc news"`, ids(1, 3, 9)},
	{"zürich", ids(11)},
	{"ZÜRICH", ids(11)},
	{"hacking", nil}, // the cause is not text
	// Words are Unicode word segments (UAX #29), lower-cased rune by rune.
	{"250,000", ids(2)},
	{"250", nil},
	{"78.8", ids(6)},
	{`"78.8 million"`, ids(6)},
	{"78", nil},
	{"1,200", ids(1, 12)},
	{"200", nil},
	{"o'brien", ids(10)},
	{"O'BRIEN", ids(10)},
	{"brien", nil},
	{"acme_backups", ids(12)},
	{"backups", nil},
	{"files.acme.example", ids(12)},
	{"example", nil},
	{"英国航空", ids(9)}, // each ideograph is a word: all four, anywhere
	{"航空", ids(9)},
	{`"英国航空"`, ids(9)},
	{`"航空英国"`, nil},
	{"データ", ids(9)}, // a katakana run is one word
	{"ΑΣΦΑΛΙΣΤΙΚΗΣ", ids(11)},
	{"ασφαλιστικησ", ids(11)}, // Σ lower-cases to σ, wherever it is
	{"ασφαλιστικης", nil},     // no final-sigma folding
	{"İSTANBUL", ids(11)},
	{"istanbul", ids(11)},
	{"plusnet OR mumsnet", ids(1, 2, 3, 5)},
	{"NOT plusnet", ids(4, 5, 6, 7, 8, 9, 10, 11, 12)},
	// Organisation: words or phrases of the name and aliases only.
	{"organisation:plusnet", ids(1, 2, 3)},
	{`organisation:"life planning"`, ids(4)},
	{`organisation:"planning life"`, nil},
	{"organisation:co-operative", ids(4)},
	{"organization:ba", ids(9)},
	{"org:anthem", ids(6)},
	{"organisation:zürich", ids(11)},
	{"organisation:broadband", nil},
	{"organisation:reuters", nil},
	// Keywords: exact, case-insensitive.
	{"cause:hacking", ids(6, 7, 8, 9)},
	{"cause:HACKING", ids(6, 7, 8, 9)},
	{"cause:phishing", ids(2, 7)},
	{"cause:human_error", ids(2, 4)},
	{"cause:misconfiguration", ids(5, 12)},
	{"cause:hack", nil},
	{"regulator:ico", ids(1, 3, 4, 5, 8, 9)},
	{"regulator:ICO", ids(1, 3, 4, 5, 8, 9)},
	{`regulator:"hhs ocr"`, ids(6, 7)},
	{`regulator:"HHS OCR"`, ids(6, 7)},
	{"regulator:hhs", nil},
	{"regulator:ftc", ids(8)},
	{"action:monetary_penalty", ids(1, 4, 8, 9)},
	{"regulator_action:settlement", ids(6, 7, 8)},
	{"regulator:ico AND action:settlement", ids(8)},
	{"regulator:ICO AND (action:monetary_penalty OR action:undertaking) NOT year:2014", ids(3, 4, 8, 9)},
	{"jurisdiction:gb", ids(1, 2, 3, 4, 5, 9)},
	{"source:official", ids(6)},
	{"source:news", ids(1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12)},
	{"source:official AND jurisdiction:us", ids(6)},
	{"country:US", ids(6, 7, 8, 12)},
	{"data_type:health", ids(6, 7, 10)},
	{"data_type:email_address", ids(1, 5)},
	{"outlet:reuters", ids(6, 7)},
	{`outlet:"the guardian"`, ids(5, 8)},
	{`outlet:"BBC NEWS"`, ids(1, 3, 9)},
	{"outlet:guardian", nil},
	{"id:inc-05", ids(5)},
	{"id:INC-07", ids(7)},
	{"id:inc", nil},
	// Records: the headline value; none never matches a comparison.
	{"records:1200", ids(1, 12)},
	{"records:1,200", ids(1, 12)},
	{"records:>1000", ids(1, 2, 4, 5, 6, 7, 8, 9, 12)},
	{"records:>1200", ids(2, 4, 5, 6, 7, 8, 9)},
	{"records:>=1200", ids(1, 2, 4, 5, 6, 7, 8, 9, 12)},
	{"records:<1000", ids(10)},
	{"records:<=1200", ids(1, 10, 12)},
	{"records:>10m", ids(6, 7, 8)},
	{"records:0", nil},
	{"NOT records:>1000", ids(3, 10, 11)},
	{"organisation:plusnet AND cause:software_bug_upgrade AND records:>1000", ids(1)},
	// Year.
	{"year:2018", ids(3, 9, 12)},
	{"year:>2018", ids(5, 10)},
	{"year:>=2019", ids(5, 10)},
	{"year:<=2014", ids(1, 4)},
	{"year:<2014", ids(4)},
	{"NOT year:>0", ids(11)},
	// Dates are periods (UTC).
	{"first_reported:2015", ids(6, 7)},
	{"date:2015", ids(6, 7)},
	{"first_reported:2019-02", ids(5)},
	{"first_reported:2019-03", ids(10)},
	{"first_reported:2018-11-02", ids(3, 12)},
	{"first_reported:>2017", ids(3, 5, 9, 10, 11, 12)},
	{"first_reported:>2017-08", ids(3, 5, 8, 9, 10, 11, 12)},
	{"first_reported:>2018-11-02", ids(5, 10, 11)},
	{"first_reported:>=2018-11-02", ids(3, 5, 10, 11, 12)},
	{"first_reported:<2015-03", ids(1, 4, 6)},
	{"first_reported:<=2015-03", ids(1, 4, 6, 7)},
	{"first_reported:<=2011", ids(4)},
	{"first_reported:>=2011-01-01 first_reported:<2012", ids(4)},
	{"last_updated:2019", ids(5, 8, 10)},
	{"last_updated:>=2020", ids(9, 11)},
	{"last_updated:<2012", ids(4)},
	// Combinations.
	{"(cause:hacking OR cause:phishing) AND jurisdiction:gb", ids(2, 9)},
	{"NOT cause:hacking", ids(1, 2, 3, 4, 5, 10, 11, 12)},
	{"NOT (jurisdiction:gb OR jurisdiction:us)", ids(10, 11)},
	{"plusnet NOT cause:phishing", ids(1, 3)},
	{"NOT NOT plusnet", ids(1, 2, 3)},
	{"regulator:ico OR data_type:health", ids(1, 3, 4, 5, 6, 7, 8, 9, 10)},
}

func testQueries(t *testing.T, s store.Store) {
	for _, tc := range queryCases {
		t.Run(tc.q, func(t *testing.T) { expectIDs(t, s, tc.q, tc.want...) })
	}
}

// expectIDs checks the set of incidents a query matches, and Total.
func expectIDs(t *testing.T, s store.Store, q string, want ...string) {
	t.Helper()
	res, err := s.Search(t.Context(), query.Request{Query: mustParse(t, q), Size: query.MaxSize})
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	got := idsOf(res.Incidents)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%q matched %v, want %v", q, got, want)
	}
	if res.Total != int64(len(want)) {
		t.Errorf("%q: total %d, want %d", q, res.Total, len(want))
	}
	if res.NextCursor != "" {
		t.Errorf("%q: a cursor %q on the only page", q, res.NextCursor)
	}
}

// Orders of all twelve incidents; ties by id ascending, missing values last.
var sortCases = []struct {
	sort query.Sort
	want []string
}{
	{query.Sort{}, ids(11, 10, 5, 3, 12, 9, 8, 2, 7, 6, 1, 4)}, // default: first_reported desc
	{query.Sort{Field: query.FieldFirstReported, Desc: true}, ids(11, 10, 5, 3, 12, 9, 8, 2, 7, 6, 1, 4)},
	{query.Sort{Field: query.FieldFirstReported}, ids(4, 1, 6, 7, 2, 8, 9, 3, 12, 5, 10, 11)},
	{query.Sort{Field: query.FieldLastUpdated, Desc: true}, ids(9, 11, 8, 10, 5, 3, 12, 6, 2, 7, 1, 4)},
	{query.Sort{Field: query.FieldLastUpdated}, ids(4, 1, 7, 2, 6, 12, 3, 5, 10, 8, 11, 9)},
	{query.Sort{Field: query.FieldRecords, Desc: true}, ids(8, 6, 7, 9, 2, 4, 5, 1, 12, 10, 3, 11)},
	{query.Sort{Field: query.FieldRecords}, ids(10, 1, 12, 5, 4, 2, 9, 7, 6, 8, 3, 11)},
	{query.Sort{Field: query.FieldYear, Desc: true}, ids(5, 10, 3, 9, 12, 2, 8, 6, 7, 1, 4, 11)},
	{query.Sort{Field: query.FieldYear}, ids(4, 1, 6, 7, 2, 8, 3, 9, 12, 5, 10, 11)},
}

func testSort(t *testing.T, s store.Store) {
	for _, tc := range sortCases {
		t.Run(sortName(tc.sort), func(t *testing.T) {
			res, err := s.Search(t.Context(), query.Request{Query: query.All{}, Sort: tc.sort})
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(res.Incidents); !slices.Equal(got, tc.want) {
				t.Errorf("order %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("filtered", func(t *testing.T) {
		res, err := s.Search(t.Context(), query.Request{Query: mustParse(t, "regulator:ico"), Sort: query.Sort{Field: query.FieldRecords, Desc: true}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := idsOf(res.Incidents), ids(8, 9, 4, 5, 1, 3); !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
	})
	t.Run("size", func(t *testing.T) {
		ctx := t.Context()
		res, err := s.Search(ctx, query.Request{Query: query.All{}, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(res.Incidents); !slices.Equal(got, ids(11, 10)) || res.Total != 12 || res.NextCursor == "" {
			t.Errorf("size 2: %v total %d cursor %q", got, res.Total, res.NextCursor)
		}
		res, err = s.Search(ctx, query.Request{}) // no query: all, newest first
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(res.Incidents); !slices.Equal(got, sortCases[0].want) {
			t.Errorf("empty request: %v", got)
		}
		res, err = s.Search(ctx, query.Request{Query: query.All{}, Size: query.MaxSize + 1000})
		if err != nil {
			t.Fatalf("a size above the maximum is clamped: %v", err)
		}
		if len(res.Incidents) != 12 {
			t.Errorf("size above max: %d incidents", len(res.Incidents))
		}
	})
}

func testPaging(t *testing.T, s store.Store) {
	for _, tc := range sortCases {
		for _, size := range []int{3, 5} {
			t.Run(fmt.Sprintf("%s/%d", sortName(tc.sort), size), func(t *testing.T) {
				got := walk(t, s, query.Request{Query: query.All{}, Sort: tc.sort, Size: size}, 12)
				if !slices.Equal(got, tc.want) {
					t.Errorf("pages gave %v, want %v", got, tc.want)
				}
			})
		}
	}
	t.Run("filtered", func(t *testing.T) {
		got := walk(t, s, query.Request{Query: mustParse(t, "NOT cause:hacking"), Sort: query.Sort{Field: query.FieldRecords}, Size: 3}, 8)
		if want := ids(10, 1, 12, 5, 4, 2, 3, 11); !slices.Equal(got, want) {
			t.Errorf("pages gave %v, want %v", got, want)
		}
	})
	t.Run("bad cursor", func(t *testing.T) {
		if _, err := s.Search(t.Context(), query.Request{Query: query.All{}, Size: 3, Cursor: "not a cursor!"}); err == nil {
			t.Errorf("a malformed cursor was accepted")
		}
	})
}

// walk pages through a search and returns every id in order, checking Total
// on each page and that only the last page has no cursor.
func walk(t *testing.T, s store.Store, req query.Request, total int64) []string {
	t.Helper()
	var all []string
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatalf("more than 20 pages: %v", all)
		}
		res, err := s.Search(t.Context(), req)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if res.Total != total {
			t.Errorf("page %d: total %d, want %d", page, res.Total, total)
		}
		all = append(all, idsOf(res.Incidents)...)
		if res.NextCursor == "" {
			if int64(len(all)) == total && len(res.Incidents) == 0 {
				t.Errorf("page %d is empty: the previous page should have had no cursor", page)
			}
			return all
		}
		if len(res.Incidents) != req.Size {
			t.Errorf("page %d: %d incidents and a cursor, want a full page of %d", page, len(res.Incidents), req.Size)
		}
		req.Cursor = res.NextCursor
	}
}

func testFromTo(t *testing.T, s store.Store) {
	at := func(y, m, d, h int) time.Time { return time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		q        string
		from, to time.Time
		want     []string
	}{
		{"both", "", at(2017, 1, 1, 0), at(2018, 12, 1, 0), ids(2, 3, 8, 9, 12)},
		{"to is exclusive", "", at(2017, 1, 1, 0), at(2018, 11, 2, 9), ids(2, 8, 9)},
		{"from is inclusive", "", at(2018, 11, 2, 9), time.Time{}, ids(3, 5, 10, 11, 12)},
		{"to only", "", time.Time{}, at(2015, 1, 1, 0), ids(1, 4)},
		{"with a query", "cause:hacking", at(2015, 3, 1, 0), at(2018, 1, 1, 0), ids(7, 8)},
		{"time zone", "", at(2019, 3, 1, 0), at(2019, 3, 2, 0), ids(10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), query.Request{Query: mustParse(t, tc.q), From: tc.from, To: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			got := idsOf(res.Incidents)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || res.Total != int64(len(tc.want)) {
				t.Errorf("got %v (total %d), want %v", got, res.Total, tc.want)
			}
		})
	}
}

func testFacets(t *testing.T, s store.Store) {
	b := func(kv ...any) []store.Bucket {
		var out []store.Bucket
		for i := 0; i < len(kv); i += 2 {
			out = append(out, store.Bucket{Key: kv[i].(string), Count: int64(kv[i+1].(int))})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		req  query.Request
		want store.FacetCounts
	}{
		{"all", query.Request{Query: query.All{}}, store.FacetCounts{
			Cause:        b("hacking", 4, "software_bug_upgrade", 3, "insider", 1, "lost_device", 1, "misconfiguration", 1, "misdelivery", 1, "phishing", 1),
			Regulator:    b("ICO", 6, "HHS OCR", 2, "FTC", 1),
			Action:       b("monetary_penalty", 4, "settlement", 3, "corrective_action_plan", 1, "investigation", 1, "undertaking", 1),
			Month:        b("2018-11", 2, "2011-06", 1, "2014-03", 1, "2015-02", 1, "2015-03", 1, "2017-08", 1, "2017-09", 1, "2018-09", 1, "2019-02", 1, "2019-03", 1, "2020-01", 1),
			RecordsRange: b("10m+", 3, "1k-10k", 3, "100k-1m", 2, "1-999", 1, "10k-100k", 1),
			Jurisdiction: b("GB", 6, "US", 4, "CH", 1, "IE", 1),
			SourceKind:   b("news", 11, "official", 1),
		}},
		{"query", query.Request{Query: mustParse(t, "regulator:ico")}, store.FacetCounts{
			Cause:     b("software_bug_upgrade", 3, "hacking", 2, "misdelivery", 1),
			Regulator: b("ICO", 6, "FTC", 1),
			Action:    b("monetary_penalty", 4, "investigation", 1, "settlement", 1, "undertaking", 1),
			Month:     b("2011-06", 1, "2014-03", 1, "2017-09", 1, "2018-09", 1, "2018-11", 1, "2019-02", 1),
			// inc-01 1200, inc-04 83000, inc-05 4000, inc-08 147m, inc-09 429612; inc-03 has none.
			RecordsRange: b("1k-10k", 2, "100k-1m", 1, "10k-100k", 1, "10m+", 1),
			Jurisdiction: b("GB", 5, "US", 1),
			SourceKind:   b("news", 6),
		}},
		{"from to", query.Request{Query: query.All{}, From: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}, store.FacetCounts{
			Cause:        b("software_bug_upgrade", 2, "hacking", 1, "misconfiguration", 1),
			Regulator:    b("ICO", 3),
			Action:       b("investigation", 1, "monetary_penalty", 1, "undertaking", 1),
			Month:        b("2018-11", 2, "2018-09", 1, "2019-02", 1),
			RecordsRange: b("1k-10k", 2, "100k-1m", 1),
			Jurisdiction: b("GB", 3, "US", 1),
			SourceKind:   b("news", 4),
		}},
		{"none", query.Request{Query: mustParse(t, "organisation:nobody")}, store.FacetCounts{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Facets(t.Context(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name      string
				got, want []store.Bucket
			}{
				{"cause", got.Cause, tc.want.Cause},
				{"regulator", got.Regulator, tc.want.Regulator},
				{"regulator_action", got.Action, tc.want.Action},
				{"month", got.Month, tc.want.Month},
				{"records_range", got.RecordsRange, tc.want.RecordsRange},
				{"jurisdiction", got.Jurisdiction, tc.want.Jurisdiction},
				{"source_kind", got.SourceKind, tc.want.SourceKind},
			} {
				if len(f.got) != 0 || len(f.want) != 0 {
					if !slices.Equal(f.got, f.want) {
						t.Errorf("%s: got %v, want %v", f.name, f.got, f.want)
					}
				}
			}
		})
	}
}

func ids(n ...int) []string {
	out := make([]string, len(n))
	for i, v := range n {
		out[i] = fmt.Sprintf("inc-%02d", v)
	}
	return out
}

func idsOf(incs []*store.Incident) []string {
	out := []string{}
	for _, inc := range incs {
		out = append(out, inc.ID)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sortName(s query.Sort) string {
	name := string(s.Field)
	if name == "" {
		name = "default"
	}
	if s.Desc {
		name = "-" + name
	}
	return name
}

func mustParse(t *testing.T, q string) query.Node {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return n
}

// sameJSON compares two values by their JSON, which is what the API serves.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s: stored and read back differ:\n got %s\nwant %s", what, g, w)
	}
}
