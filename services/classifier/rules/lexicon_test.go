package rules

import "testing"

// Two categories may register the same keyword; both must get the hit.
func TestLexiconSharedKeyword(t *testing.T) {
	l := buildLexicon([][]string{
		catBreach:    {"data breach", "breach"},
		catRegulator: {"breach", "ico"},
	})
	hits := l.find(asciiLower("The ICO said the breach, a data breach, was reported. Breaches aside."))
	count := map[category]int{}
	for _, h := range hits {
		count[h.cat]++
	}
	// catBreach: "breach" twice (alone and inside "data breach") + "data breach" once.
	if count[catBreach] != 3 || count[catRegulator] != 3 {
		t.Fatalf("hits per category %v: %+v", count, hits)
	}
	for _, h := range hits {
		if h.key == "breach" && h.start > 0 && h.end > len("The ICO said the breach, a data breach, was reported.") {
			t.Fatalf("matched inside a longer word: %+v", h)
		}
	}
}
