package rules

import (
	"math"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The cause model: a multinomial logistic regression over the keyword
// rules' per-category totals and the words and word pairs of the text (each
// present term counted once, the text's term vector scaled to unit length),
// fitted on the labelled pool by scripts/fit-cause (cause_weights.go). The
// rules find the phrases that name a cause; the fitted weights say how much
// each phrase, and each ordinary word around it, counts for every category
// in the kinds of text breach reports are written in.

// numCauseClasses: the categories the model chooses among, Cause 1 to 10
// (class k is Cause k+1).
const numCauseClasses = numCauses - 1

// causeTerm is a word or a pair of adjacent words of one sentence ("laptop",
// "laptop stolen") with its fitted weight for each class.
type causeTerm struct {
	term string
	w    [numCauseClasses]float32
}

// Dense features: log(1 + the rules' total) for each category but unknown,
// a vendor at fault in a sentence, and whether the rules found nothing.
const (
	numCauseCues = numCauseClasses - 1 + 2
	cueVendor    = numCauseClasses - 1
	cueNone      = numCauseClasses
)

var causeCueNames = [numCauseCues]string{"rule:hacking", "rule:malware", "rule:phishing", "rule:bug", "rule:exposure",
	"rule:third_party", "rule:insider", "rule:device", "rule:paper", "vendor_at_fault", "no_rule"}

func causeCueFeatures(scores *[numCauses]causeScore) [numCauseCues]float64 {
	var x [numCauseCues]float64
	any := false
	for c := 1; c < numCauses-1; c++ {
		x[c-1] = math.Log1p(scores[c].total)
		any = any || scores[c].total > 0
		if scores[c].withVendor {
			x[cueVendor] = 1
		}
	}
	if !any {
		x[cueNone] = 1
	}
	return x
}

// termHash is FNV-1a over the bytes of s, continuing from h; a pair hashes
// its first word, a space and its second word.
func termHash(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const termHashSeed uint64 = 14695981039346656037

func pairHash(first uint64, second string) uint64 {
	return termHash(termHash(first, " "), second)
}

// termTable finds a term's index by its hash: open addressing with linear
// probing in a power-of-two table at most a quarter full, so a lookup is
// about one probe. It sits on the classifier's hot path (two lookups a
// word), where a Go map costs several times as much.
type termTable struct {
	mask  uint64
	hash  []uint64 // 0: empty (a term's hash is never 0: see add)
	index []int32
}

func newTermTable(terms []causeTerm) *termTable {
	size := uint64(16)
	for size < uint64(4*len(terms)) {
		size *= 2
	}
	t := &termTable{mask: size - 1, hash: make([]uint64, size), index: make([]int32, size)}
	for i, term := range terms {
		h := termHash(termHashSeed, term.term) | 1
		j := h & t.mask
		for t.hash[j] != 0 {
			j = (j + 1) & t.mask
		}
		t.hash[j], t.index[j] = h, int32(i)
	}
	return t
}

func (t *termTable) lookup(h uint64) (int32, bool) {
	h |= 1
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		switch t.hash[j] {
		case h:
			return t.index[j], true
		case 0:
			return 0, false
		}
	}
}

var causeTermIndex = newTermTable(causeTerms)

// forEachSentenceTerm calls fn with each word and each pair of adjacent
// words of every sentence, as hashes, with the sentence's index. Words are
// forEachWord's (ASCII letters, apostrophes and hyphens).
func forEachSentenceTerm(d *doc, fn func(sent int, h uint64)) {
	for si, s := range d.sents {
		lower := d.lower[s.start:s.end]
		prev, have := uint64(0), false
		forEachWord(lower, func(start, end int) {
			w := lower[start:end]
			h := termHash(termHashSeed, w)
			fn(si, h)
			if have {
				fn(si, pairHash(prev, w))
			}
			prev, have = h, true
		})
	}
}

// causeModel scores every class and returns the cause: the most probable
// class, unknown when even that one is below causeUnknownBelow, other
// classes at or above causeContributingAt as contributing, and as evidence
// the sentence whose terms add most to the chosen class. An article that is
// not about a breach (isBreach, the relevance decision) and has no cause
// keyword and no word of a breach has a cause only when its words make one
// class at least causeUngatedAt probable ("A laptop holding payroll files
// went missing from a car"); otherwise none.
func causeModel(d *doc, scores *[numCauses]causeScore, isBreach bool) *bwv1.CauseFact {
	x := causeCueFeatures(scores)
	gated := noCause(d, x, isBreach)
	var z [numCauseClasses]float64
	for k := range z {
		z[k] = causeBias[k]
		for j, v := range x {
			z[k] += causeCueWeights[j][k] * v
		}
	}
	seen := make([]uint64, (len(causeTerms)+63)/64)
	type termAt struct{ sent, term int32 }
	var at []termAt
	var tz [numCauseClasses]float64
	n := 0
	forEachSentenceTerm(d, func(sent int, h uint64) {
		i, ok := causeTermIndex.lookup(h)
		if !ok {
			return
		}
		if seen[i/64]&(1<<(i%64)) == 0 {
			seen[i/64] |= 1 << (i % 64)
			n++
			for k, w := range causeTerms[i].w {
				tz[k] += float64(w)
			}
		}
		at = append(at, termAt{int32(sent), i})
	})
	for k := range z {
		z[k] += tz[k] * termScale(n)
	}
	p := softmax(z, causeTemperature)
	top := 0
	for k := range p {
		if p[k] > p[top] {
			top = k
		}
	}
	if gated && p[top] < causeUngatedAt {
		return nil
	}
	primary := bwv1.Cause(top + 1)
	if p[top] < causeUnknownBelow {
		primary = cUnknown
	}
	fact := &bwv1.CauseFact{Primary: primary, Confidence: math.Round(p[top]*100) / 100}
	for k := range p {
		if k != top && bwv1.Cause(k+1) != cUnknown && p[k] >= causeContributingAt {
			fact.Contributing = append(fact.Contributing, bwv1.Cause(k+1))
		}
	}
	// Evidence: the sentence that adds most to the chosen class over the
	// average class: its terms, and the rules' cue for the class in the
	// sentence where the rules found it best; else the first sentence that
	// tells of the breach.
	best, bestSent := 0.0, -1
	if primary != cUnknown {
		scale := termScale(n)
		sum := make([]float64, len(d.sents))
		for _, a := range at {
			w := &causeTerms[a.term].w
			mean := 0.0
			for _, v := range w {
				mean += float64(v)
			}
			sum[a.sent] += (float64(w[top]) - mean/float64(numCauseClasses)) * scale
		}
		if s := scores[primary].sent; s >= 0 && s < len(sum) && top < numCauseCues && top != cueVendor {
			sum[s] += max(0, causeCueWeights[top][top]*x[top])
		}
		for s, v := range sum {
			if v > best {
				best, bestSent = v, s
			}
		}
	}
	if bestSent >= 0 {
		fact.Evidence = d.evidence(bestSent)
	} else if u := unknownCause(d); u != nil {
		fact.Evidence = u.Evidence
	}
	return fact
}

// termScale is the value of each present term: the text's vector of terms
// has unit length, so that a long news article and a two-line summary weigh
// their words on one scale.
func termScale(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

// causeUngatedAt: how probable a class must be for an article without cause
// keywords or breach words to have a cause.
const causeUngatedAt = 0.6

func noCause(d *doc, x [numCauseCues]float64, isBreach bool) bool {
	return !isBreach && x[cueNone] == 1 && unknownCause(d) == nil
}

// softmax of z/t.
func softmax(z [numCauseClasses]float64, t float64) [numCauseClasses]float64 {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	var p [numCauseClasses]float64
	sum := 0.0
	for k, v := range z {
		p[k] = math.Exp((v - m) / t)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
	return p
}
