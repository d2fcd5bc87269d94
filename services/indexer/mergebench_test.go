package indexer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/internal/orgname"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
)

// The merge benchmark: a generator of synthetic article sets with the hard
// cases of incident identity, each article labelled with the event it
// reports, and pairwise precision and recall of the incidents the shipped
// extractor and the indexer's merge make of them.
//
// Hard cases: organisations sharing generic words ("… Logistics Group");
// name variants of one organisation ("X Ltd", "X Inc.", "X"; "Cedar
// Freight" for "Cedar Freight Services"); the same
// organisation breached twice (years apart, or months apart with another
// cause and count); a subsidiary named after its parent ("X Europe");
// re-reports with a rounded count ("about 1.2 million" for "1,214,000");
// syndicated copies of one wire story.

type labelledArticle struct {
	in    classifier.Input
	event int
}

type mergeEvent struct {
	org   string
	date  time.Time
	count int
	cause int
}

var (
	benchHeads = []string{"Keystone", "Cedar", "Yarrow", "Birchwood", "Harrowgate", "Millbrook", "Ashcombe", "Fernhill",
		"Oakridge", "Thistle", "Larkspur", "Wexford", "Brambling", "Copperfield", "Dunmore", "Elmstead", "Grayling",
		"Hollins", "Kestrel", "Lindqvist"}
	benchTails  = []string{"Logistics Group", "Credit Union", "Health System", "Freight Services", "Insurance"}
	benchCauses = []string{"hackers broke into its servers and copied", "a misconfigured storage bucket exposed",
		"ransomware encrypted systems holding", "a laptop that was stolen from an employee's car held",
		"a phishing email let an attacker read"}
	benchSuffixes = []string{"", " Ltd", " Inc."}
)

func rounded(v int) string {
	switch {
	case v >= 1_000_000:
		return fmt.Sprintf("about %.1f million", float64(v)/1e6)
	case v >= 10_000:
		return fmt.Sprintf("about %s", commas(v/1000*1000))
	}
	return fmt.Sprintf("about %s", commas(v/100*100))
}

// mergeBenchSet builds n events and their articles.
func mergeBenchSet(n int, seed uint64) ([]labelledArticle, []mergeEvent) {
	rng := rand.New(rand.NewPCG(seed, 11))
	var events []mergeEvent
	var arts []labelledArticle
	org := func(i int) string {
		return benchHeads[i%len(benchHeads)] + " " + benchTails[(i/len(benchHeads))%len(benchTails)]
	}
	used := map[string]bool{}
	for i := 0; len(events) < n; i++ {
		name := org(i)
		for k := 0; used[name]; k++ { // "Cedar Keystone Credit Union": each organisation once, unless breached again below
			name = fmt.Sprintf("%s %s", benchHeads[(i+k)%len(benchHeads)], org(i+k/len(benchHeads)))
		}
		used[name] = true
		e := mergeEvent{org: name, date: time.Date(2019+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(27), 0, 0, 0, 0, time.UTC),
			count: 1000 + rng.IntN(3_000_000), cause: rng.IntN(len(benchCauses))}
		events = append(events, e)
		switch rng.IntN(8) {
		case 0: // the same organisation breached again, years later
			again := e
			again.date = e.date.AddDate(2+rng.IntN(2), rng.IntN(6), 0)
			again.count = 500 + rng.IntN(50_000)
			again.cause = (e.cause + 1 + rng.IntN(len(benchCauses)-1)) % len(benchCauses)
			events = append(events, again)
		case 1: // a subsidiary named after the parent, its own breach
			sub := e
			sub.org = e.org + " Europe"
			sub.count = 200 + rng.IntN(20_000)
			events = append(events, sub)
		case 2: // breached again within the year: another cause, another count
			again := e
			again.date = time.Date(e.date.Year(), time.Month(1+(int(e.date.Month())+4)%12), 1+rng.IntN(27), 0, 0, 0, 0, time.UTC)
			again.count = 300 + rng.IntN(9_000)
			again.cause = (e.cause + 1 + rng.IntN(len(benchCauses)-1)) % len(benchCauses)
			events = append(events, again)
		}
	}
	events = events[:n]
	for ei, e := range events {
		reports := 1 + rng.IntN(3)
		for r := range reports {
			name := e.org + benchSuffixes[rng.IntN(len(benchSuffixes))]
			if short, ok := dropGenericTail(e.org); ok && r > 0 && rng.IntN(4) == 0 {
				name = short // "Cedar Freight" for "Cedar Freight Services"
			}
			published := e.date.AddDate(0, 0, 2+r*9+rng.IntN(5))
			count := commas(e.count)
			if r > 0 && rng.IntN(2) == 0 {
				count = rounded(e.count)
			}
			text := fmt.Sprintf("%s discloses data breach\n\n%s said that on %s %s the records of %s customers. "+
				"The company said it had written to everyone affected and informed the regulator.",
				name, name, e.date.Format("January 2, 2006"), benchCauses[e.cause], count)
			if r > 0 && rng.IntN(3) == 0 { // a follow-up that gives neither the date nor the cause
				text = fmt.Sprintf("%s breach: letters go out\n\n%s has begun writing to the %s customers whose records were exposed in the data breach it disclosed recently, the company said.",
					name, name, count)
			}
			in := classifier.Input{Text: text, Title: name + " discloses data breach",
				URL: fmt.Sprintf("https://news%d.example.test/%d-%d", r, ei, r), Published: published}
			arts = append(arts, labelledArticle{in, ei})
			if rng.IntN(5) == 0 { // a syndicated copy of the same wire story
				cp := in
				cp.URL = fmt.Sprintf("https://wire.example.test/%d-%d", ei, r)
				arts = append(arts, labelledArticle{cp, ei})
			}
		}
	}
	return arts, events
}

// dropGenericTail is the name without its last word when that word is
// generic and the name keeps a generic word before it ("Cedar Freight
// Services" → "Cedar Freight"); an outlet's shorter form of the name.
func dropGenericTail(name string) (string, bool) {
	words := strings.Fields(name)
	n := len(words)
	if n < 3 || !orgname.IsGenericWord(strings.ToLower(words[n-1])) || !orgname.IsGenericWord(strings.ToLower(words[n-2])) {
		return "", false
	}
	return strings.Join(words[:n-1], " "), true
}

// pairwise scores a partition of the articles against their events.
func pairwise(arts []labelledArticle, incidentOf []string) (precision, recall float64) {
	var tp, fp, fn int
	for i := range arts {
		for j := i + 1; j < len(arts); j++ {
			same, merged := arts[i].event == arts[j].event, incidentOf[i] == incidentOf[j]
			switch {
			case same && merged:
				tp++
			case merged:
				fp++
			case same:
				fn++
			}
		}
	}
	return float64(tp) / float64(max(tp+fp, 1)), float64(tp) / float64(max(tp+fn, 1))
}

// runMergeBench classifies and merges the articles in the given order and
// returns each article's incident.
func runMergeBench(t testing.TB, arts []labelledArticle, order []int) ([]string, int) {
	ins := make([]classifier.Input, len(arts))
	for i, a := range arts {
		ins[i] = a.in
	}
	xs := extractAll(t, ins)
	db := map[string]*store.Incident{}
	tt, _ := t.(*testing.T)
	for _, k := range order {
		applyTB(t, tt, db, xs[k])
	}
	incidentOf := make([]string, len(arts))
	for id, inc := range db {
		for _, s := range inc.Sources {
			var k int
			fmt.Sscanf(s.ArticleID, "art-%d", &k)
			incidentOf[k] = id
		}
	}
	return incidentOf, len(db)
}

// TestMergeBenchmark prints pairwise precision and recall and the incident
// count against the truth for two generated sets of 300 events, each over
// five orders of arrival, and holds the targets: precision >= 0.99,
// recall >= 0.95, incident count within 2 %, and one partition whatever the
// order. (A set the generator cannot make is still order-dependent: two
// breaches of one organisation weeks apart with close counts and the same
// cause, where an undated follow-up fits either; see the README.)
func TestMergeBenchmark(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		arts, events := mergeBenchSet(300, seed)
		var first []string
		for shuffle := range 5 {
			order := make([]int, len(arts))
			for i := range order {
				order[i] = i
			}
			rand.New(rand.NewPCG(uint64(shuffle), 5)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			incidentOf, n := runMergeBench(t, arts, order)
			p, r := pairwise(arts, incidentOf)
			t.Logf("set %d, order %d: %d articles, %d events, %d incidents; pairwise precision %.4f recall %.4f", seed, shuffle, len(arts), len(events), n, p, r)
			if p < 0.99 || r < 0.95 {
				t.Errorf("set %d, order %d: pairwise precision %.4f recall %.4f, want >= 0.99 and >= 0.95", seed, shuffle, p, r)
			}
			if d := float64(n-len(events)) / float64(len(events)); d > 0.02 || d < -0.02 {
				t.Errorf("set %d, order %d: %d incidents for %d events (%+.1f %%)", seed, shuffle, n, len(events), 100*d)
			}
			if shuffle == 0 {
				first = incidentOf
			} else if !samePartition(first, incidentOf) {
				t.Errorf("set %d: order %d gives another partition", seed, shuffle)
			}
		}
	}
}

// samePartition: the two labellings group the articles alike.
func samePartition(a, b []string) bool {
	m := map[string]string{}
	back := map[string]string{}
	for i := range a {
		if x, ok := m[a[i]]; ok && x != b[i] {
			return false
		}
		if y, ok := back[b[i]]; ok && y != a[i] {
			return false
		}
		m[a[i]], back[b[i]] = b[i], a[i]
	}
	return true
}

// Two indexers sharing one store take the benchmark's articles at the same
// time, half each, and hold the benchmark's targets.
func TestConcurrentIndexersOnTheMergeBenchmark(t *testing.T) {
	arts, _ := mergeBenchSet(60, 3)
	order := make([]int, len(arts))
	for i := range order {
		order[i] = i
	}
	alone, _ := runMergeBench(t, arts, order)

	ins := make([]classifier.Input, len(arts))
	for i, a := range arts {
		ins[i] = a.in
	}
	xs := extractAll(t, ins)
	st := openBleve(t)
	n := testenv.StartNATS(t)
	var wg sync.WaitGroup
	for w := range 2 {
		h := &Handler{Store: st, Pub: n.Pub}
		wg.Go(func() {
			for k := w; k < len(xs); k += 2 {
				if err := h.Handle(t.Context(), msg(t, xs[k])); err != nil {
					t.Errorf("indexer %d, article %d: %v", w, k, err)
				}
			}
		})
	}
	wg.Wait()
	together := make([]string, len(arts))
	for k, x := range xs {
		a, err := st.GetArticle(t.Context(), x.GetArticleId())
		if err != nil {
			t.Fatal(err)
		}
		together[k] = a.IncidentID
	}
	// Not always one indexer's partition: two indexers creating an
	// organisation's incident under two variants of its name at the same
	// moment ("Lindqvist Credit", "Lindqvist Credit Union") do not see each
	// other's, and no id collides; under the race detector that happened
	// in 4 of 6 runs before batching too. Curation merges them (README).
	p, r := pairwise(arts, together)
	t.Logf("two indexers: same partition as one: %v; pairwise precision %.4f recall %.4f", samePartition(alone, together), p, r)
	if p < 0.99 || r < 0.95 {
		t.Errorf("two indexers: pairwise precision %.4f recall %.4f, want >= 0.99 and >= 0.95", p, r)
	}
}
