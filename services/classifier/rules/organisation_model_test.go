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

// Aliases are names the text gives the organisation, never a shorter form
// that any organisation of its kind could share.
func TestOrgAliasesNeedEvidence(t *testing.T) {
	tests := []struct {
		text, name string
		want, not  []string
	}{
		{"Keystone Logistics Group said hackers stole the records of 12,000 customers. The Logistics Group said it had informed regulators.",
			"Keystone Logistics Group", nil, []string{"Logistics Group"}},
		{"Harbour Foods Ltd, trading as Harbour Fresh, said an attacker copied the card details of 900 shoppers.",
			"Harbour Foods Ltd", []string{"Harbour Fresh"}, nil},
		{"Quillon Media (formerly Northgate Press) said its subscriber database was exposed online.",
			"Quillon Media", []string{"Northgate Press"}, nil},
		{"Brackenridge Savings Bank (BSB) said hackers accessed 4,000 accounts. BSB has written to customers.",
			"Brackenridge Savings Bank", []string{"BSB"}, nil},
	}
	for _, tt := range tests {
		f := organisation(newDoc(tt.text, ""))
		if f.GetName() != tt.name {
			t.Errorf("organisation %q, want %q", f.GetName(), tt.name)
			continue
		}
		for _, a := range tt.want {
			if !slices.Contains(f.GetAliases(), a) {
				t.Errorf("%s: aliases %q, want %q among them", tt.name, f.GetAliases(), a)
			}
		}
		for _, a := range tt.not {
			if slices.Contains(f.GetAliases(), a) {
				t.Errorf("%s: aliases %q hold %q", tt.name, f.GetAliases(), a)
			}
		}
	}
}
