package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/store"
)

// syntheticBreaches writes n short news stories, each about a different
// made-up organisation whose name ends in a tail many of them share
// ("Logistics Group", "Credit Union"), each with its own count, cause and
// date.
func syntheticBreaches(n int, seed uint64) []classifier.Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	heads := []string{"Keystone", "Cedar", "Yarrow", "Birchwood", "Harrowgate", "Millbrook", "Ashcombe", "Fernhill",
		"Oakridge", "Thistle", "Larkspur", "Wexford", "Brambling", "Copperfield", "Dunmore", "Elmstead"}
	mids := []string{"", "Valley ", "North ", "Coastal ", "Union ", "Summit ", "Pioneer ", "Meridian "}
	tails := []string{"Logistics Group", "Logistics Holdings", "Credit Union", "Health System", "Freight Services"}
	causes := []string{"hackers broke into its servers and copied", "a misconfigured storage bucket exposed",
		"ransomware encrypted systems holding", "a stolen laptop held", "a phishing email let an attacker read"}
	var out []classifier.Input
	for i := range n {
		name := heads[i%len(heads)] + " " + mids[(i/len(heads))%len(mids)] + tails[(i/(len(heads)*len(mids)))%len(tails)]
		if i >= len(heads)*len(mids)*len(tails) {
			name = fmt.Sprintf("%s %d", name, i) // more than the combinations: still distinct
		}
		count := 1000 + rng.IntN(900000)
		day := time.Date(2020+i%5, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC)
		text := fmt.Sprintf("%s discloses data breach\n\n%s said on %s that %s the records of %s customers. "+
			"The %s said it had written to everyone affected and informed the regulator.",
			name, name, day.Format("January 2, 2006"), causes[i%len(causes)], commas(count), tails[(i/(len(heads)*len(mids)))%len(tails)])
		out = append(out, classifier.Input{Text: text, Title: name + " discloses data breach", URL: fmt.Sprintf("https://news.example.test/%d", i), Published: day})
	}
	return out
}

func commas(v int) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// extractAll classifies the stories with the shipped extractor.
func extractAll(t testing.TB, in []classifier.Input) []*bwv1.Extraction {
	t.Helper()
	ex := rules.New()
	var out []*bwv1.Extraction
	for i, a := range in {
		x, err := ex.Extract(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("art-%04d", i)
		x.ArticleId, x.IsBreach = id, true
		x.Article = &bwv1.Article{Id: id, CanonicalUrl: a.URL, Title: a.Title, Text: a.Text, Outlet: "Example News",
			PublishedAt: timestamppb.New(a.Published)}
		out = append(out, x)
	}
	return out
}

// partition is the incidents as sorted sets of article ids.
func partition(db map[string]*store.Incident) []string {
	var out []string
	for _, inc := range db {
		var ids []string
		for _, s := range inc.Sources {
			ids = append(ids, s.ArticleID)
		}
		sort.Strings(ids)
		out = append(out, strings.Join(ids, ","))
	}
	sort.Strings(out)
	return out
}

// A thousand organisations sharing generic tails stay a thousand
// incidents, in whatever order their stories arrive (the bug: "Keystone
// Logistics Group" had the alias "Logistics Group", whose key every
// "… Logistics Group" shares, and which ones fused depended on the order).
func TestDistinctOrganisationsStayApart(t *testing.T) {
	xs := extractAll(t, syntheticBreaches(1000, 1))
	var first []string
	for shuffle := range 3 {
		order := slices.Clone(xs)
		rand.New(rand.NewPCG(uint64(shuffle), 9)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		db := map[string]*store.Incident{}
		apply(t, db, order...)
		if len(db) != len(xs) {
			t.Fatalf("shuffle %d: %d incidents from %d stories about different organisations", shuffle, len(db), len(xs))
		}
		p := partition(db)
		if shuffle == 0 {
			first = p
		} else if !slices.Equal(p, first) {
			t.Fatalf("shuffle %d gives another partition", shuffle)
		}
	}
}
