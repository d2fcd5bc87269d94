package rules

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The labelled training pool (../shared/eval/extraction/train.jsonl, never
// in the repository) as the fitters of the cause, organisation and records
// models read it, and the pieces of the evaluation's scorer they need to
// label candidates and to report scores the way score.py counts them.

// poolItem is one labelled item of the pool.
type poolItem struct {
	ID, Source      string
	Text, Title     string // Text is what `breachwire classify` is given: headline, blank line, body
	Organisations   []string
	Records         []int64
	RecordsStated   bool
	Cause           string
	CauseSecondary  []string
	Regulator       string
	FineEUR         float64
	Gold            map[string]bool // the fields labelled on this item
	Group           string          // normalised organisation: folds keep a group together
	doc             *doc
	orgNamedInText  bool
	recordsInFields bool
}

// labelledItems loads the pool and makes a fit item of each item labelled
// with field: the items, their indices (every one, for the folds) and their
// pool items.
func labelledItems[T any](t *testing.T, field string, of func(*poolItem) T) (items []T, all []int, pools []*poolItem) {
	t.Helper()
	pool, err := loadPool(poolPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pool {
		if p.Gold[field] {
			all = append(all, len(items))
			items = append(items, of(p))
			pools = append(pools, p)
		}
	}
	return items, all, pools
}

// poolPath is where scripts/fit-* point the fitters (or the default beside
// the repository).
func poolPath() string {
	if p := os.Getenv("POOL_INPUT"); p != "" {
		return p
	}
	return filepath.Join(devTexts, "train.jsonl")
}

func loadPool(path string) ([]*poolItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*poolItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var raw struct {
			ID              string   `json:"id"`
			Source          string   `json:"source"`
			Title           string   `json:"title"`
			Text            string   `json:"text"`
			Organisation    string   `json:"organisation"`
			OrganisationAll []string `json:"organisation_all"`
			Records         *int64   `json:"records"`
			RecordsAll      []int64  `json:"records_all"`
			Stated          bool     `json:"records_stated_in_text"`
			Cause           string   `json:"cause_category"`
			CauseSecondary  []string `json:"cause_secondary"`
			Regulator       string   `json:"regulator"`
			Fine            *struct {
				Amount float64 `json:"amount"`
			} `json:"fine"`
			GoldFields []string `json:"gold_fields"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, err
		}
		it := &poolItem{ID: raw.ID, Source: raw.Source, Title: raw.Title, Text: raw.Text,
			Organisations: raw.OrganisationAll, Records: raw.RecordsAll, RecordsStated: raw.Stated,
			Cause: raw.Cause, CauseSecondary: raw.CauseSecondary, Regulator: raw.Regulator, Gold: map[string]bool{}}
		if len(it.Organisations) == 0 && raw.Organisation != "" {
			it.Organisations = []string{raw.Organisation}
		}
		if len(it.Records) == 0 && raw.Records != nil {
			it.Records = []int64{*raw.Records}
		}
		if raw.Fine != nil {
			it.FineEUR = raw.Fine.Amount
		}
		for _, g := range raw.GoldFields {
			it.Gold[g] = true
		}
		// The same text the evaluation gives `breachwire classify`.
		title := ""
		if raw.Title != "" {
			it.Text, title = strings.TrimSpace(raw.Title)+"\n\n"+raw.Text, raw.Title
		}
		it.doc = newDoc(it.Text, title)
		it.Group = scorerNormOrg(raw.Organisation)
		if it.Group == "" {
			it.Group = "item:" + it.ID
		}
		norm := " " + scorerNormOrg(it.Text) + " "
		for _, o := range it.Organisations {
			if n := scorerNormOrg(o); n != "" && strings.Contains(norm, " "+n+" ") {
				it.orgNamedInText = true
			}
		}
		out = append(out, it)
	}
	return out, sc.Err()
}

// The scorer's organisation normalisation and lenient match (score.py).
var (
	scorerParen  = regexp.MustCompile(`\(.*?\)`)
	scorerSuffix = regexp.MustCompile(`\b(inc|llc|ltd|limited|plc|corp|corporation|co|company|sa|s\.a|srl|s\.r\.l|gmbh|ag|ab|as|nv|n\.v|bv|dac|sau|slu|eood|the|of|d/b/a|dba)\b`)
	scorerOther  = regexp.MustCompile(`[^a-z0-9à-ÿ ]+`)
)

func scorerNormOrg(s string) string {
	s = strings.ToLower(s)
	s = scorerParen.ReplaceAllString(s, " ")
	s = scorerSuffix.ReplaceAllString(s, " ")
	s = scorerOther.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// scorerOrgLenient: score.py's lenient organisation match.
func scorerOrgLenient(pred string, golds []string) bool {
	p := scorerNormOrg(pred)
	if p == "" {
		return false
	}
	pt := strings.Fields(p)
	for _, g := range golds {
		g = scorerNormOrg(g)
		if g == "" {
			continue
		}
		if p == g || strings.Contains(g, p) || strings.Contains(p, g) {
			return true
		}
		gt := strings.Fields(g)
		inter, union := 0, map[string]bool{}
		for _, w := range pt {
			union[w] = true
		}
		seen := map[string]bool{}
		for _, w := range gt {
			if union[w] && !seen[w] {
				inter++
			}
			seen[w] = true
			union[w] = true
		}
		if float64(inter)/float64(max(1, len(union))) >= 0.5 {
			return true
		}
	}
	return false
}

// groupedFolds deals whole groups to folds: groups shuffled, the largest
// first, each to the fold with the fewest items so far.
func groupedFolds(items []*poolItem, idx []int, folds int, seed uint64) []int {
	byGroup := map[string][]int{}
	var keys []string
	for k, i := range idx {
		g := items[i].Group
		if _, ok := byGroup[g]; !ok {
			keys = append(keys, g)
		}
		byGroup[g] = append(byGroup[g], k)
	}
	sort.Strings(keys)
	rng := rand.New(rand.NewPCG(seed, 0x9f01d))
	rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
	sort.SliceStable(keys, func(a, b int) bool { return len(byGroup[keys[a]]) > len(byGroup[keys[b]]) })
	size := make([]int, folds)
	out := make([]int, len(idx))
	for _, g := range keys {
		f := 0
		for j := range size {
			if size[j] < size[f] {
				f = j
			}
		}
		for _, k := range byGroup[g] {
			out[k] = f
		}
		size[f] += len(byGroup[g])
	}
	return out
}

// sourceFolds: one fold per source, for leave-one-source-out.
func sourceFolds(items []*poolItem, idx []int) ([]int, []string) {
	var names []string
	for _, i := range idx {
		if !slices.Contains(names, items[i].Source) {
			names = append(names, items[i].Source)
		}
	}
	sort.Strings(names)
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = slices.Index(names, items[i].Source)
	}
	return out, names
}

// perSource lists "<source> <figure>" for the sources of keys ("all" left
// out), as the weights' provenance states them.
func perSource(keys []string, figure map[string]float64) []string {
	var parts []string
	for _, s := range keys {
		if s != "all" {
			parts = append(parts, fmt.Sprintf("%s %.3f", shortSource(s), figure[s]))
		}
	}
	return parts
}

// shortSource names a source in printed tables.
func shortSource(s string) string {
	switch {
	case strings.HasPrefix(s, "ca_ag"):
		return "ca_ag"
	case strings.HasPrefix(s, "hhs"):
		return "hhs"
	case strings.HasPrefix(s, "prc"):
		return "prc"
	case strings.HasPrefix(s, "gdpr"):
		return "gdpr"
	}
	return s
}

// Grouped folds keep a group's items in one fold and balance the folds.
func TestGroupedFolds(t *testing.T) {
	var items []*poolItem
	idx := []int{}
	for i := range 100 {
		items = append(items, &poolItem{Group: string(rune('a' + i%23))})
		idx = append(idx, i)
	}
	folds := groupedFolds(items, idx, 5, 1)
	foldOf := map[string]int{}
	size := make([]int, 5)
	for k, i := range idx {
		if f, ok := foldOf[items[i].Group]; ok && f != folds[k] {
			t.Fatalf("group %q in folds %d and %d", items[i].Group, f, folds[k])
		}
		foldOf[items[i].Group] = folds[k]
		size[folds[k]]++
	}
	if slices.Min(size) < 15 || slices.Max(size) > 25 {
		t.Errorf("fold sizes %v, want about 20 each", size)
	}
}

// The scorer's lenient organisation match, as score.py has it.
func TestScorerOrgLenient(t *testing.T) {
	tests := []struct {
		pred string
		gold []string
		want bool
	}{
		{"Harbourside Water", []string{"Harbourside Water Company Ltd"}, true},
		{"Harbourside", []string{"Harbourside Water Company"}, true},
		{"Cedar Logistics Holdings", []string{"Yarrow Logistics Holdings"}, true}, // half the words: lenient indeed
		{"Cedar Bank", []string{"Yarrow Logistics Holdings"}, false},
		{"", []string{"Anything"}, false},
	}
	for _, tt := range tests {
		if got := scorerOrgLenient(tt.pred, tt.gold); got != tt.want {
			t.Errorf("lenient(%q, %q) = %v, want %v", tt.pred, tt.gold, got, tt.want)
		}
	}
}
