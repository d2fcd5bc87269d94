package rules

import (
	"context"
	"unicode/utf8"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

// Version identifies this rule set in every Extraction it produces. Bump it
// whenever a rule changes what is extracted, so stored results can be traced
// to the rules that made them and reprocessed.
const Version = "rules/1.4.1"

// Extractor is the rule-based extractor with its fitted models. It holds no
// state between calls and is safe for concurrent use.
type Extractor struct {
	rulesOnly bool
}

// New returns the extractor: keyword rules find the candidates, fitted
// weights (scripts/fit-*) choose among them.
func New() *Extractor { return &Extractor{} }

// NewRulesOnly returns the extractor without its fitted choosers: the
// hand-weighted rules alone, kept as the baseline the benchmarks and the
// fit scripts compare the fitted models with.
func NewRulesOnly() *Extractor { return &Extractor{rulesOnly: true} }

// Version implements classifier.Extractor.
func (e *Extractor) Version() string {
	if e.rulesOnly {
		return Version + "+rules-only"
	}
	return Version
}

// Extract implements classifier.Extractor.
func (e *Extractor) Extract(ctx context.Context, in classifier.Input) (*bwv1.Extraction, error) {
	if len(in.Text) > classifier.MaxTextBytes {
		return nil, classifier.ErrTooLarge
	}
	if looksBinary(in.Text) {
		return nil, classifier.ErrBinary
	}
	x := &bwv1.Extraction{ExtractorVersion: e.Version()}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := newDoc(in.Text, in.Title)
	x.IsBreach, x.Relevance = relevance(d)
	if e.rulesOnly {
		x.Organisation = ruleOrganisation(d)
		x.Records = ruleRecords(d, x.Organisation)
	} else {
		x.Organisation = organisation(d)
		x.Records = records(d, x.Organisation)
	}
	if e.rulesOnly {
		x.Cause = ruleCause(d, causeCueScores(d))
	} else {
		x.Cause = causeModel(d, causeCueScores(d), x.IsBreach)
	}
	x.RegulatorActions = regulatorActions(d)
	x.NotificationTimings = notificationTimings(d)
	x.DataTypes = dataTypes(d)
	x.IncidentDate, x.DisclosureDate = dates(d, in)
	x.Jurisdiction = jurisdiction(d, x)
	x.MentionedIncidents = mentionedIncidents(d, x.Organisation)
	return x, nil
}

// looksBinary: invalid UTF-8 or control characters in the first KiB.
func looksBinary(s string) bool {
	head := s
	if len(head) > 1024 {
		head = head[:1024]
		for len(head) > 0 && !utf8.ValidString(head) {
			head = head[:len(head)-1]
		}
	}
	if !utf8.ValidString(head) {
		return true
	}
	ctrl := 0
	for _, r := range head {
		if r == 0 || (r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			ctrl++
		}
	}
	return ctrl > 0 && ctrl*50 > len(head)
}
