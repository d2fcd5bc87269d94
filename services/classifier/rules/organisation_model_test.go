package rules

import (
	"slices"
	"testing"
)

// The context words of a candidate are the words next to each of its
// mentions, inside the sentence, orgContextReach on each side.
func TestOrgContextWords(t *testing.T) {
	d := newDoc("On behalf of Harbourside Water Company, its vendor wrote to customers. Later, Harbourside Water Company said sorry.", "")
	cands, _ := orgCandidates(d)
	var c *orgCand
	for _, x := range cands {
		if x.into == nil && orgName(x) == "Harbourside Water Company" {
			c = x
		}
	}
	if c == nil {
		t.Fatal("no candidate for the company")
	}
	var left, right []string
	forEachOrgContext(d, c, func(l bool, w string) {
		if l {
			left = append(left, w)
		} else {
			right = append(right, w)
		}
	})
	if want := []string{"on", "behalf", "of", "later"}; !slices.Equal(left, want) {
		t.Errorf("left words %q, want %q", left, want)
	}
	if want := []string{"its", "vendor", "wrote", "said", "sorry"}; !slices.Equal(right, want) {
		t.Errorf("right words %q, want %q", right, want)
	}
	// The shipped chooser names the company, with a probability.
	f := organisation(d)
	if f.GetName() != "Harbourside Water Company" || f.GetConfidence() <= 0 || f.GetConfidence() > 1 {
		t.Errorf("organisation %q (confidence %v)", f.GetName(), f.GetConfidence())
	}
}
