package rules

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The fitted cause model on our own synthetic sentences, one short report
// per category, written the way the regulators' summaries and the news are.
func TestCauseModel(t *testing.T) {
	tests := []struct {
		name, text string
		primary    bwv1.Cause
		evidence   string // substring of the evidence sentence
	}{
		{"hacking", "Hackers gained unauthorized access to the retailer's web server and copied customer names and card numbers.", cHacking, "Hackers"},
		{"ransomware", "Ransomware encrypted the clinic's servers after the attackers copied patient data.", cMalware, "Ransomware"},
		{"phishing", "An employee replied to a phishing email and the attacker then read the mailbox, which held client records.", cPhishing, "phishing"},
		{"device", "An unencrypted laptop holding patient files was stolen from a nurse's car.", cDevice, "laptop"},
		{"paper", "Boxes of paper records were thrown away in a dumpster during an office move.", cPaper, "dumpster"},
		{"insider", "A former employee accessed customer accounts without a business need and sold the details.", cInsider, "employee"},
		{"exposure", "A misconfigured storage bucket left 20,000 invoices publicly accessible on the internet.", cExposure, "misconfigured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, "")
			got := causeModel(d, causeCueScores(d), false)
			if got == nil {
				t.Fatalf("no cause, want %v", tt.primary)
			}
			if got.GetPrimary() != tt.primary {
				t.Errorf("primary %v, want %v", got.GetPrimary(), tt.primary)
			}
			if slices.Contains(got.GetContributing(), got.GetPrimary()) {
				t.Errorf("primary %v repeated among contributing %v", got.GetPrimary(), got.GetContributing())
			}
			ev := got.GetEvidence()
			if ev == nil || tt.text[ev.GetStart():ev.GetEnd()] != ev.GetText() || !containsFold(ev.GetText(), tt.evidence) {
				t.Errorf("evidence %+v, want the sentence with %q", ev, tt.evidence)
			}
			if c := got.GetConfidence(); c <= 0 || c > 1 {
				t.Errorf("confidence %v outside (0, 1]", c)
			}
		})
	}
}

// The evidence of a long text is the sentence that names the cause, not a
// sentence of ordinary words around it.
func TestCauseModelEvidenceInLongText(t *testing.T) {
	text := "The housing association wrote to its tenants on Monday. It said it was sorry for any worry caused. " +
		"A laptop containing tenants' names and bank details was stolen from a staff member's car last month. " +
		"The association said it would contact everyone affected and had reviewed its procedures. " +
		"Tenants can call a helpline for advice."
	d := newDoc(text, "")
	got := causeModel(d, causeCueScores(d), false)
	if got.GetPrimary() != cDevice {
		t.Fatalf("primary %v, want %v", got.GetPrimary(), cDevice)
	}
	if !containsFold(got.GetEvidence().GetText(), "laptop") {
		t.Errorf("evidence %q, want the sentence about the laptop", got.GetEvidence().GetText())
	}
}

// The runtime hashes the same terms the fitter counts as strings.
func TestCauseTermHashes(t *testing.T) {
	d := newDoc("Hackers broke in. The vendor's server was left unsecured; don't worry, the zero-day is patched.", "")
	var want, got []uint64
	forEachSentenceTermString(d, func(sent int, term string) { want = append(want, uint64(sent)<<56^termHash(termHashSeed, term)) })
	forEachSentenceTerm(d, func(sent int, h uint64) { got = append(got, uint64(sent)<<56^h) })
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("runtime terms %v differ from the fitter's %v", got, want)
	}
}

// The multinomial fitter on synthetic data: each class has its own
// indicator; a dense feature adds to class 2; the fit recovers both.
func TestSoftmaxFitterOnSyntheticData(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := &softmaxProblem{classes: 3, params: 1 + 1 + 3}
	for range 600 {
		y := rng.IntN(3)
		x := rng.NormFloat64()
		if y == 2 {
			x += 2
		}
		var sp []int32
		if rng.Float64() < 0.8 {
			sp = append(sp, int32(2+y))
		}
		if rng.Float64() < 0.2 {
			sp = append(sp, int32(2+rng.IntN(3)))
		}
		p.dense = append(p.dense, []float64{x})
		p.sparse = append(p.sparse, sp)
		p.y = append(p.y, y)
		p.weight = append(p.weight, 1)
	}
	p.lambda = []float64{0, 0.1, 0.1, 0.1, 0.1}
	theta := p.solve()
	w := func(c, j int) float64 { return theta[c*p.params+j] }
	for c := range 3 {
		for o := range 3 {
			if o != c && w(c, 2+c) <= w(o, 2+c) {
				t.Errorf("indicator of class %d weighs %.2f for it, %.2f for class %d", c, w(c, 2+c), w(o, 2+c), o)
			}
		}
	}
	if w(2, 1) <= w(0, 1) || w(2, 1) <= w(1, 1) {
		t.Errorf("dense feature weights %.2f %.2f %.2f, want the largest for class 2", w(0, 1), w(1, 1), w(2, 1))
	}
	g := make([]float64, len(theta))
	p.lossGrad(theta, g)
	if n := norm(g); n > 1e-3 || math.IsNaN(n) {
		t.Errorf("gradient norm %g at the solution", n)
	}
}

// The term table finds every term by its hash and nothing else.
func TestTermTable(t *testing.T) {
	terms := []causeTerm{{term: "laptop"}, {term: "laptop stolen"}, {term: "ransomware"}, {term: "phishing email"}}
	tab := newTermTable(terms)
	for i, term := range terms {
		if got, ok := tab.lookup(termHash(termHashSeed, term.term)); !ok || got != int32(i) {
			t.Errorf("%q: %d %v, want %d", term.term, got, ok, i)
		}
	}
	for _, w := range []string{"laptops", "stolen", "", "email"} {
		if got, ok := tab.lookup(termHash(termHashSeed, w)); ok {
			t.Errorf("%q found as term %d", w, got)
		}
	}
	if got, ok := causeTermIndex.lookup(termHash(termHashSeed, causeTerms[len(causeTerms)-1].term)); !ok || got != int32(len(causeTerms)-1) {
		t.Errorf("the shipped table misses its last term: %d %v", got, ok)
	}
}
