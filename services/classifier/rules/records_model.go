package rules

import "math"

// The record-count chooser. The rules find every count linked to a record
// noun and describe it (recordFeatures); the hand weights below are the
// rules' own scoring, kept for the rules-only extractor, and a logistic
// regression fitted on the labelled pool by scripts/fit-records
// (records_weights.go) turns the same features into the probability that a
// candidate is this incident's count.

// recFeature indexes a candidate count's features.
type recFeature int

const (
	rfStrong          recFeature = iota // a strong breach cue around it
	rfWeak                              // only a weak one
	rfNoCue                             // none
	rfBase                              // the organisation's size ("serves 2 million customers")
	rfHas                               // after has / have / serves
	rfIts                               // after its / their / our
	rfPossessive                        // after a possessive
	rfOther                             // a cue for another incident or organisation
	rfEarlierYear                       // an earlier year nearby
	rfSubset                            // a part of a larger count ("of whom")
	rfPeople                            // counts people
	rfAccounts                          // counts accounts
	rfRecords                           // counts records
	rfWeakUnit                          // counts files, documents, cards
	rfWeakUnitNoCue                     // ... with no strong cue
	rfVague                             // "a handful", "millions of"
	rfVagueNoCue                        // ... with no strong cue
	rfSmallWord                         // a small number in words ("five")
	rfExact                             // a figure, not a range
	rfTotal                             // a bare figure given as a total
	rfHeadline                          // in the headline
	rfEarly                             // 1 in the first sentence, falling to 0 by the 20th
	rfUpdate                            // after an update marker
	rfLastUpdate                        // after the last one
	rfTotalCue                          // "in total", "overall" nearby
	rfTitleMatch                        // the headline gives about the same figure
	rfSame                              // the same figure in other sentences (up to 2)
	rfOrgNear                           // the breached organisation named just before
	rfMagnitude                         // log10 of the figure / 9
	rfFirst                             // the first figure of the text
	rfLargest                           // the largest figure of the text
	rfGeneric                           // counted by a plural noun outside the record nouns
	rfIDNoun                            // counts identifiers: Social Security or card numbers
	rfAffected                          // "affected", "impacted", "exposed" just after
	rfFirstInSentence                   // the first figure of its sentence
	rfHedged                            // "could", "may", "as high as", "up to" just before
	recFeatureCount
)

// numRecFeatures is the number of candidate features, as an int.
const numRecFeatures = int(recFeatureCount)

var recFeatureNames = [numRecFeatures]string{"strong", "weak", "no_cue", "base", "has", "its", "possessive", "other",
	"earlier_year", "subset", "people", "accounts", "records", "weak_unit", "weak_unit_no_cue", "vague", "vague_no_cue",
	"small_word", "exact", "total", "headline", "early", "update", "last_update", "total_cue", "title_match", "same",
	"org_near", "magnitude", "first", "largest", "generic", "id_noun", "affected", "first_in_sentence", "hedged"}

// recordRuleWeights are the hand weights of the rules (rules/1.3.0).
var recordRuleWeights = [numRecFeatures]float64{
	rfStrong: 2, rfWeak: 1, rfNoCue: -1.5, rfBase: -3, rfHas: -3, rfIts: -2, rfPossessive: -1, rfOther: -2,
	rfEarlierYear: -1.5, rfSubset: -1.5, rfPeople: 1, rfAccounts: 0.8, rfRecords: 0.5, rfWeakUnit: -0.5,
	rfWeakUnitNoCue: -1.5, rfVague: -1.5, rfVagueNoCue: -1, rfSmallWord: -1, rfExact: 0.3, rfTotal: 0.8,
	rfHeadline: 1.5, rfEarly: 1, rfUpdate: 1, rfLastUpdate: 0.5, rfTotalCue: 0.3, rfTitleMatch: 1, rfSame: 0.6,
	rfOrgNear: 0.5, rfGeneric: -100, // the rules never chose such counts
}

// recordMargin is the fitted chooser's margin for a candidate with
// features x; the candidates and "no count" (margin recNone) compete in a
// softmax.
func recordMargin(x [numRecFeatures]float64) float64 {
	z := 0.0
	for j, v := range x {
		z += recWeights[j] * v
	}
	return z
}

// recordProbabilities turns the candidates' margins into probabilities,
// "no count" included in the sum.
func recordProbabilities(cands []recordCandidate) {
	m := recNone
	for _, c := range cands {
		m = max(m, c.z)
	}
	sum := math.Exp(recNone - m)
	for _, c := range cands {
		sum += math.Exp(c.z - m)
	}
	for i := range cands {
		cands[i].p = math.Exp(cands[i].z-m) / sum
	}
}
