package store

import "slices"

// The kinds of source an incident rests on (the query field source:).
const (
	SourceNews     = "news"
	SourceOfficial = "official"
)

// SearchValues are the values of an incident that the query syntax's
// searched fields look at. Both stores index exactly these, and the
// in-memory matcher (store/match) analyses exactly these, so that search
// and alerts see the same incident; each applies its own normalisation
// (analysis, lower-casing, removing repeats).
type SearchValues struct {
	// Organisation: the name, then the aliases.
	Organisation []string
	// Text: the organisation's names, the sources' titles and outlets, and
	// the quotes of every reported count and regulator action.
	Text []string
	// Cause: the primary cause, then the contributing ones.
	Cause []string
	// Regulator and Action: one entry per regulator action, in order.
	Regulator, Action []string
	// Outlet: one entry per source.
	Outlet []string
	// SourceKind: "official" when a source is a regulator's notice or an
	// official feed, "news" when a source is not; both when both.
	SourceKind []string
}

// SearchValues returns what inc offers each searched field.
func (inc *Incident) SearchValues() SearchValues {
	var v SearchValues
	v.Organisation = append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...)
	v.Text = append([]string(nil), v.Organisation...)
	for _, s := range inc.Sources {
		v.Text = append(v.Text, s.Title, s.Outlet)
		v.Outlet = append(v.Outlet, s.Outlet)
	}
	if inc.Records != nil {
		for _, r := range inc.Records.Reported {
			v.Text = append(v.Text, r.Quote)
		}
	}
	for _, a := range inc.RegulatorActions {
		v.Text = append(v.Text, a.Quote)
		v.Regulator = append(v.Regulator, a.Regulator)
		v.Action = append(v.Action, a.Action)
	}
	v.Cause = append([]string{inc.Cause.Primary}, inc.Cause.Contributing...)
	if slices.ContainsFunc(inc.Sources, func(s Source) bool { return s.Official }) {
		v.SourceKind = append(v.SourceKind, SourceOfficial)
	}
	if slices.ContainsFunc(inc.Sources, func(s Source) bool { return !s.Official }) {
		v.SourceKind = append(v.SourceKind, SourceNews)
	}
	return v
}
