package classifier

import (
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// NoticeVersion is the extractor version of extractions taken from a
// regulator's list row rather than from text.
const NoticeVersion = "notice/1.0.0"

// FromNotice is the extraction of a regulator's list row: every fact comes
// from a column, nothing is guessed, and each cites the row (the article's
// whole text) as its evidence. A row of a list of breach notifications is
// a breach by the list's definition; for a row of an enforcement list
// (enforcement), the stage takes is_breach from the relevance model.
func FromNotice(art *bwv1.Article) *bwv1.Extraction {
	n := art.GetNotice()
	row := &bwv1.Evidence{Text: art.GetText(), Start: 0, End: uint32(len(art.GetText()))}
	x := &bwv1.Extraction{
		ExtractorVersion: NoticeVersion,
		IsBreach:         true,
		Relevance:        1,
		Organisation: &bwv1.OrganisationFact{
			Name: strings.TrimSpace(n.GetOrganisation()), Country: n.GetCountry(), Evidence: row, Confidence: 1,
		},
		Jurisdiction: &bwv1.JurisdictionFact{Country: n.GetCountry(), Evidence: row, Confidence: 1},
	}
	if n.GetAffectedKnown() {
		q := bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT
		if n.GetAffectedResidentsOnly() {
			// One state's residents: the whole breach is at least as large.
			q = bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST
		}
		x.Records = &bwv1.RecordsFact{
			Value: n.GetAffected(), Qualifier: q,
			Unit: bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE, Kind: bwv1.RecordsKind_RECORDS_KIND_AFFECTED,
			Text: n.GetAffectedScope(), Evidence: row, Confidence: 1,
		}
	}
	if c := n.GetCause(); c != bwv1.Cause_CAUSE_UNSPECIFIED {
		x.Cause = &bwv1.CauseFact{Primary: c, Evidence: row, Confidence: 1}
	}
	if a := n.GetAction(); a != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNSPECIFIED {
		ra := &bwv1.RegulatorAction{
			Regulator: n.GetRegulator(), Action: a, Stage: bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_FINAL,
			Date: n.GetReported(), Evidence: row, Confidence: 1,
		}
		if n.AmountMinor != nil {
			ra.AmountMinor, ra.Currency = n.AmountMinor, n.GetCurrency()
		}
		x.RegulatorActions = []*bwv1.RegulatorAction{ra}
	}
	if d := n.GetBreachDates(); len(d) > 0 {
		x.IncidentDate = &bwv1.DateFact{Date: d[0], Evidence: row, Confidence: 1}
	}
	if r := n.GetReported(); r != "" {
		x.DisclosureDate = &bwv1.DateFact{Date: r, Evidence: row, Confidence: 1}
	}
	return x
}

// enforcement reports whether n is a row of an enforcement list (a
// penalty, reprimand, notice or undertaking, or an entry the list did not
// label) rather than a notification of a breach: such lists hold actions about other things than breaches too.
func enforcement(n *bwv1.Notice) bool {
	return n.GetAction() != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
}

// fromEnforcementText completes x, a row of an enforcement list, with what
// the rules read in the row's text (the list's summary of the action). An
// enforcement list also fines nuisance calls and spam, and has no cause
// column. The row is a breach when the relevance model says so or when
// the text names a cause of one: the relevance model was fitted on news
// articles and scores these one-line summaries low (a ransomware fine
// scored 0.35), while a cause is rarely found in a summary about calls or
// spam. The cause, when the row has none, is the text's, with its
// evidence and confidence; every other fact stays the columns'.
func fromEnforcementText(x, text *bwv1.Extraction) {
	c := text.GetCause().GetPrimary()
	named := c != bwv1.Cause_CAUSE_UNSPECIFIED && c != bwv1.Cause_CAUSE_UNKNOWN
	x.IsBreach, x.Relevance = text.GetIsBreach() || named, text.GetRelevance()
	if x.Cause == nil && named {
		x.Cause = text.GetCause()
	}
}
