package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/analyser"
	"github.com/breachwire/breachwire/services/store/match"
	"github.com/breachwire/breachwire/services/store/query"
)

// testMatchCases checks that the in-memory matcher accepts, for every query
// case, exactly the incidents the store's Search returns and the case expects.
func testMatchCases(t *testing.T, s store.Store) {
	docs := fixtureDocs()
	for _, tc := range queryCases {
		t.Run(tc.q, func(t *testing.T) {
			got := matched(t, docs, tc.q)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q: match accepted %v, want %v", tc.q, got, tc.want)
			}
			if searched := searchIDs(t, s, tc.q); !slices.Equal(got, searched) {
				t.Errorf("%q: match accepted %v, Search returned %v", tc.q, got, searched)
			}
		})
	}
}

// randomQueries is how many random queries testMatchRandom compares.
const randomQueries = 400

// testMatchRandom compares the matcher with Search on random query trees
// over the fixtures' fields and words (a fixed seed, so a failure repeats).
func testMatchRandom(t *testing.T, s store.Store) {
	docs := fixtureDocs()
	var none, every int
	for _, q := range RandomQueries(1, randomQueries) {
		got, want := matched(t, docs, q), searchIDs(t, s, q)
		if !slices.Equal(got, want) {
			t.Errorf("%q: match accepted %v, Search returned %v", q, got, want)
		}
		switch len(want) {
		case 0:
			none++
		case len(docs):
			every++
		}
	}
	// A generator whose queries all match nothing (or everything) would
	// compare nothing.
	if none > randomQueries*2/3 || every > randomQueries/3 {
		t.Errorf("random queries too one-sided: %d match nothing, %d everything", none, every)
	}
}

type fixtureDoc struct {
	id  string
	doc *match.Doc
}

func fixtureDocs() []fixtureDoc {
	var out []fixtureDoc
	for _, inc := range Incidents() {
		out = append(out, fixtureDoc{inc.ID, match.NewDoc(inc)})
	}
	return out
}

// matched is the sorted ids of the fixtures the compiled query accepts.
func matched(t *testing.T, docs []fixtureDoc, q string) []string {
	t.Helper()
	c, err := match.Compile(mustParse(t, q))
	if err != nil {
		t.Fatalf("compile %q: %v", q, err)
	}
	var out []string
	for _, d := range docs {
		if c.Match(d.doc) {
			out = append(out, d.id)
		}
	}
	slices.Sort(out)
	return out
}

// searchIDs is the sorted ids Search returns (nil for none).
func searchIDs(t *testing.T, s store.Store, q string) []string {
	t.Helper()
	res, err := s.Search(t.Context(), query.Request{Query: mustParse(t, q), Size: query.MaxSize})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	got := idsOf(res.Incidents)
	slices.Sort(got)
	return got
}

// RandomQueries returns n queries in the search syntax, the same for the
// same seed: AND, OR, NOT and parentheses nested up to three deep over every
// field, with words, phrases and values taken from the fixtures (and some
// that match nothing). The alerter's benchmark uses them too.
func RandomQueries(seed uint64, n int) []string {
	g := newGenerator(seed)
	out := make([]string, n)
	for i := range out {
		out[i], _ = g.tree(0)
	}
	return out
}

type generator struct {
	r *rand.Rand
	// words of the text field, and of organisation names; phrases are runs
	// of two or three consecutive words from one value, some reversed and
	// some spanning two values (which must not match).
	words, orgWords, phrases, orgPhrases []string
	keywords                             map[string][]string
	records                              []int64
	dates                                []time.Time
}

// words is a value as both stores analyse it (package analyser).
func words(s string) []string {
	var out []string
	for _, tok := range analyser.Analyzer.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x6272656163687769)), keywords: map[string][]string{}}
	add := func(list *[]string, v string) {
		if !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	// values of one analysed field, whose words and phrases are collected.
	collect := func(values []string, wordList, phrases *[]string) {
		var prevLast string
		for _, v := range values {
			ws := words(v)
			for i, w := range ws {
				add(wordList, w)
				if i+1 < len(ws) {
					add(phrases, w+" "+ws[i+1])
					add(phrases, ws[i+1]+" "+w)
				}
				if i+2 < len(ws) {
					add(phrases, w+" "+ws[i+1]+" "+ws[i+2])
				}
			}
			if prevLast != "" && len(ws) > 0 {
				add(phrases, prevLast+" "+ws[0])
			}
			prevLast = ""
			if len(ws) > 0 {
				prevLast = ws[len(ws)-1]
			}
		}
	}
	kw := func(field string, vs ...string) {
		for _, v := range vs {
			if v != "" && !slices.Contains(g.keywords[field], v) {
				g.keywords[field] = append(g.keywords[field], v)
			}
		}
	}
	for _, inc := range Incidents() {
		names := append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...)
		collect(names, &g.orgWords, &g.orgPhrases)
		text := slices.Clone(names)
		for _, s := range inc.Sources {
			text = append(text, s.Title, s.Outlet)
			kw("outlet", s.Outlet)
		}
		if inc.Records != nil {
			if n, ok := inc.Records.Count(); ok {
				g.records = append(g.records, n)
			}
			for _, r := range inc.Records.Reported {
				text = append(text, r.Quote)
			}
		}
		for _, a := range inc.RegulatorActions {
			text = append(text, a.Quote)
			kw("regulator", a.Regulator)
			kw("action", a.Action)
		}
		collect(text, &g.words, &g.phrases)
		kw("cause", inc.Cause.Primary)
		kw("cause", inc.Cause.Contributing...)
		kw("data_type", inc.DataTypes...)
		kw("jurisdiction", inc.Jurisdiction)
		kw("id", inc.ID)
		g.dates = append(g.dates, inc.FirstReported.UTC(), inc.LastUpdated.UTC())
	}
	// Near misses: parts of values, other words, a cause as text.
	g.words = append(g.words, "nobody", "hack", "hacking", "co-op", "ZÜRICH",
		"250", "78", "brien", "backups", "example", "英国", "ασφαλιστικης", "İstanbul")
	g.orgWords = append(g.orgWords, "reuters", "nobody", "co-op", "Zürich")
	g.phrases = append(g.phrases, "planning life", "life planning", "bbc news plusnet")
	kw("regulator", "hhs", "ocr")
	kw("outlet", "guardian", "news")
	kw("cause", "hack", "human")
	kw("id", "inc", "inc-13")
	kw("jurisdiction", "uk", "de")
	return g
}

func (g *generator) pick(vs []string) string { return vs[g.r.IntN(len(vs))] }

// recase upper-cases a value now and then: every match is case-insensitive.
func (g *generator) recase(v string) string {
	switch g.r.IntN(6) {
	case 0:
		return strings.ToUpper(v)
	case 1:
		r, n := utf8.DecodeRuneInString(v)
		return string(unicode.ToUpper(r)) + v[n:]
	}
	return v
}

// quote quotes a value that has a space (a keyword such as "HHS OCR").
func quote(v string) string {
	if strings.ContainsAny(v, " ") {
		return `"` + v + `"`
	}
	return v
}

// tree is a random query; compound says whether it needs parentheses to be
// one operand.
func (g *generator) tree(depth int) (q string, compound bool) {
	if depth >= 3 || g.r.IntN(3) == 0 {
		return g.atom(), false
	}
	if g.r.IntN(5) == 0 {
		return "NOT " + g.operand(depth+1), true
	}
	parts := make([]string, 2+g.r.IntN(2))
	for i := range parts {
		parts[i] = g.operand(depth + 1)
	}
	sep := []string{" ", " AND ", " OR "}[g.r.IntN(3)] // juxtaposition is AND
	return strings.Join(parts, sep), true
}

// operand is a subtree, in parentheses unless it is one term.
func (g *generator) operand(depth int) string {
	q, compound := g.tree(depth)
	if compound {
		return "(" + q + ")"
	}
	return q
}

var ops = []string{"", ">", ">=", "<", "<="}

func (g *generator) atom() string {
	switch g.r.IntN(11) {
	case 0, 1:
		return g.recase(g.pick(g.words))
	case 2:
		return `"` + g.recase(g.pick(g.phrases)) + `"`
	case 3:
		if g.r.IntN(2) == 0 {
			return "organisation:" + g.recase(g.pick(g.orgWords))
		}
		return `organisation:"` + g.recase(g.pick(g.orgPhrases)) + `"`
	case 4, 5:
		fields := []string{"cause", "regulator", "action", "jurisdiction", "data_type", "outlet", "id"}
		f := fields[g.r.IntN(len(fields))]
		return f + ":" + quote(g.recase(g.pick(g.keywords[f])))
	case 6:
		var n int64
		switch g.r.IntN(4) {
		case 0:
			n = []int64{0, 1000, 1_000_000, 10_000_000}[g.r.IntN(4)]
		default:
			n = g.records[g.r.IntN(len(g.records))] + int64(g.r.IntN(3)-1)
		}
		return fmt.Sprintf("records:%s%d", g.pick(ops), n)
	case 7:
		return fmt.Sprintf("year:%s%d", g.pick(ops), []int{0, 2010, 2011, 2014, 2015, 2017, 2018, 2019, 2020, 2021}[g.r.IntN(10)])
	default:
		field := []string{"first_reported", "last_updated", "date"}[g.r.IntN(3)]
		d := g.dates[g.r.IntN(len(g.dates))]
		if g.r.IntN(3) == 0 {
			d = d.AddDate(0, g.r.IntN(3)-1, g.r.IntN(3)-1)
		}
		layout := []string{"2006", "2006-01", "2006-01-02", time.RFC3339}[g.r.IntN(4)]
		return field + ":" + g.pick(ops) + d.Format(layout)
	}
}
