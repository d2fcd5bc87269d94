package rules

import (
	"math"
	"strings"
)

// The organisation chooser: the rules find and group the candidate names
// and weigh each by hand (scoreCandidate); a conditional logit fitted on
// the labelled pool by scripts/fit-organisation (organisation_weights.go)
// weighs each candidate's evidence, and a softmax over the candidates and
// "no organisation" chooses.

// Candidate features, in orgFeatureNames order.
const (
	ofRuleScore    = iota // the hand-weighted score, log-scaled with its sign
	ofRuleTop             // the rules would choose it
	ofRuleGap             // log(1 + how far below the rules' best it is)
	ofMentions            // log(1 + mentions), aliases and short forms included
	ofHeadline            // named in the headline
	ofLead1               // in the first body sentence
	ofLead23              // in the second or third
	ofLetterhead          // the first body sentence is the name itself
	ofStrongRole          // covered entity, fined, on behalf of, writing to
	ofBreachRole          // log(1 + mentions as subject or object of a breach)
	ofNegRole             // share of mentions as outlet, researcher, vendor
	ofLegal               // a legal suffix in one of its forms
	ofPerson              // share of mentions marked as a person's
	ofCommonWord          // one ordinary word, also written in lower case
	ofWords               // words in the chosen name
	ofAcronym             // only ever written as an acronym
	ofPosition            // where it is first named, 0 (start) to 1 (end)
	ofCompared            // share of mentions brought up for comparison
	ofPast                // share of mentions in sentences about an earlier incident
	ofAlias               // an alias is defined for it
	ofContext             // share of mentions in a sentence about a breach
	ofOrgRole             // some mention fits an organisation, not a person
	ofLeadMentions        // log(1 + mentions in the first three body sentences)
	ofMostNamed           // no other candidate is named more often
	ofHeadLead            // in the headline and in the first body sentence
	ofSubject             // some mention opens its sentence
	numOrgFeatures
)

var orgFeatureNames = [numOrgFeatures]string{"rule_score", "rule_top", "rule_gap", "mentions", "headline", "lead1", "lead23",
	"letterhead", "strong_role", "breach_role", "neg_role", "legal", "person", "common_word", "words", "acronym",
	"position", "compared", "past", "alias", "context", "org_role", "lead_mentions", "most_named", "head_lead", "subject"}

// orgFeatures describes candidate c (a group's head) among the document's
// candidates; best is the highest hand-weighted score among them.
func orgFeatures(d *doc, ctx *orgContext, c *orgCand, best float64, most int) [numOrgFeatures]float64 {
	var x [numOrgFeatures]float64
	x[ofRuleScore] = math.Copysign(math.Log1p(math.Abs(c.score)), c.score)
	if c.score >= best {
		x[ofRuleTop] = 1
	}
	x[ofRuleGap] = math.Log1p(max(0, best-c.score))
	n := float64(len(c.mentions))
	x[ofMentions] = math.Log1p(n)
	if c.headline {
		x[ofHeadline] = 1
	}
	breach, neg, compared, past, context, lead := 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
	for _, m := range c.mentions {
		switch m.sent {
		case ctx.lead[0]:
			x[ofLead1] = 1
			lead++
			if isLetterhead(d, m) {
				x[ofLetterhead] = 1
			}
		case ctx.lead[1], ctx.lead[2]:
			x[ofLead23] = 1
			lead++
		}
		if m.sent >= 0 && m.sent < len(d.sents) && d.sents[m.sent].start == m.start {
			x[ofSubject] = 1
		}
		if m.role >= wStrongRole {
			x[ofStrongRole] = 1
		}
		if m.role >= wBreachRole {
			breach++
		}
		if m.role < 0 {
			neg++
		}
		if m.compared {
			compared++
		}
		if m.sent >= 0 && m.sent < len(ctx.cues) && ctx.cues[m.sent]&cuePast != 0 {
			past++
		}
		if m.context {
			context++
		}
		if m.orgRole {
			x[ofOrgRole] = 1
		}
	}
	x[ofBreachRole] = math.Log1p(breach)
	x[ofLeadMentions] = math.Log1p(lead)
	if len(c.mentions) >= most {
		x[ofMostNamed] = 1
	}
	if c.headline && x[ofLead1] == 1 {
		x[ofHeadLead] = 1
	}
	if n > 0 {
		x[ofNegRole], x[ofCompared], x[ofPast], x[ofContext] = neg/n, compared/n, past/n, context/n
		x[ofPerson] = min(1, float64(c.person)/n)
	}
	acronym := true
	for _, f := range c.forms {
		if hasLegalSuffix(f) {
			x[ofLegal] = 1
		}
		acronym = acronym && isAcronym(f)
	}
	if acronym {
		x[ofAcronym] = 1
	}
	if !strings.Contains(c.key, " ") && !acronym && ctx.appearsLower(d, c.key) {
		x[ofCommonWord] = 1
	}
	x[ofWords] = float64(strings.Count(orgName(c), " ") + 1)
	if len(d.text) > 0 && c.first >= 0 {
		x[ofPosition] = float64(c.first) / float64(len(d.text))
	}
	if len(c.aliases) > 0 {
		x[ofAlias] = 1
	}
	return x
}

// orgMargin is the fitted chooser's margin for a candidate with features
// x; the candidates and "no organisation" (margin orgNone) compete in a
// softmax.
func orgMargin(x [numOrgFeatures]float64) float64 {
	z := 0.0
	for j, v := range x {
		z += orgWeights[j] * v
	}
	return z
}

// pickOrgModel returns the candidate with the highest margin and its
// probability, or nil when "no organisation" is more probable than any.
func pickOrgModel(d *doc, ctx *orgContext, cands []*orgCand) (*orgCand, float64) {
	best, most := orgBests(cands)
	var top *orgCand
	zTop := math.Inf(-1)
	var zs []float64
	for _, c := range cands {
		if c.into != nil || c.excluded != "" {
			continue
		}
		z := orgMargin(orgFeatures(d, ctx, c, best, most)) + orgContextMargin(d, c)
		zs = append(zs, z)
		if top == nil || z > zTop || (z == zTop && c.first < top.first) {
			top, zTop = c, z
		}
	}
	if top == nil || zTop <= orgNone {
		return nil, 0
	}
	sum := math.Exp(orgNone - zTop)
	for _, z := range zs {
		sum += math.Exp(z - zTop)
	}
	return top, 1 / sum
}

// orgBests: the highest hand-weighted score and the most mentions among the
// candidates that may be the victim.
func orgBests(cands []*orgCand) (float64, int) {
	best, most := math.Inf(-1), 0
	for _, c := range cands {
		if c.into == nil && c.excluded == "" {
			best = max(best, c.score)
			most = max(most, len(c.mentions))
		}
	}
	return best, most
}

// The words next to a candidate's mentions say what it is in the story:
// "on behalf of X", "X's vendor", "X, a subsidiary of". Each word within
// orgContextReach words before or after a mention (inside its sentence) is
// a feature of the candidate, present or not; orgContextWords (fitted, in
// organisation_weights.go) weigh the common ones.
const orgContextReach = 3

// orgContextWord is a word before (left) or after a mention, and its weight.
type orgContextWord struct {
	word string
	left bool
	w    float64
}

var orgContextIndex = func() [2]map[string]int {
	idx := [2]map[string]int{{}, {}}
	for i, c := range orgContextWords {
		side := 1
		if c.left {
			side = 0
		}
		idx[side][c.word] = i
	}
	return idx
}()

// forEachOrgContext calls fn with each word within orgContextReach words
// of each mention of c, inside the mention's sentence.
func forEachOrgContext(d *doc, c *orgCand, fn func(left bool, word string)) {
	for _, m := range c.mentions {
		if m.sent < 0 || m.sent >= len(d.sents) {
			continue
		}
		s := d.sents[m.sent]
		left := d.lower[max(s.start, m.start-16*orgContextReach):m.start]
		var words [orgContextReach]string
		n := 0
		forEachWord(left, func(a, b int) {
			words[n%orgContextReach] = left[a:b]
			n++
		})
		for k := max(0, n-orgContextReach); k < n; k++ {
			fn(true, words[k%orgContextReach])
		}
		right := d.lower[m.end:min(s.end, m.end+16*orgContextReach)]
		n = 0
		forEachWord(right, func(a, b int) {
			if n < orgContextReach {
				fn(false, right[a:b])
			}
			n++
		})
	}
}

// orgContextMargin adds the weights of the context words of c, each once.
func orgContextMargin(d *doc, c *orgCand) float64 {
	if len(orgContextWords) == 0 {
		return 0
	}
	seen := make([]uint64, (len(orgContextWords)+63)/64)
	z := 0.0
	forEachOrgContext(d, c, func(left bool, word string) {
		side := 1
		if left {
			side = 0
		}
		i, ok := orgContextIndex[side][word]
		if !ok || seen[i/64]&(1<<(i%64)) != 0 {
			return
		}
		seen[i/64] |= 1 << (i % 64)
		z += orgContextWords[i].w
	})
	return z
}
