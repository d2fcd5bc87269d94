// Package notices reads regulators' public breach lists (HTML tables and
// lists, a CSV export) into rows: who notified, when, how many people, and
// sometimes why. Each source has its own parser, chosen by name in a feed's
// configuration (`kind: notices`, `parser: NAME`). HTML is read with
// goquery.
//
// A parser never guesses: a list that lacks a column it needs, or a page
// that yields no rows, is a *LayoutError naming what is missing, so that a
// changed layout makes the source fail loudly instead of half-parsing it.
package notices

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the regulators' zones, on hosts without a zone database

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Row is one notice as a regulator's list gives it.
type Row struct {
	// ID is the row's identity within its source, stable across pages,
	// re-polls and re-orderings of the list (built from the organisation,
	// the reported date and the breach dates, or the row's own notice URL).
	ID string
	// Organisation is the notifying organisation's name as the list
	// writes it (whitespace collapsed).
	Organisation string
	// URL is the row's own notice page (absolute) when the list links one,
	// else the list page's URL.
	URL string
	// BreachDates are the dates of the breach the list gives, "YYYY-MM-DD"
	// (or "YYYY-MM" / "YYYY" when it gives no more), oldest first; empty
	// when unknown. A range is its two ends.
	BreachDates []string
	// Reported is when the notice was reported, posted or decided,
	// "YYYY-MM-DD"; empty when the list gives no date.
	Reported string
	// Affected is how many people the notice says were affected;
	// AffectedKnown is false when the list gives no number ("Unknown",
	// "N/A", empty), which is not 0.
	Affected      int64
	AffectedKnown bool
	// AffectedScope says whom Affected counts, as the list heads the
	// column, e.g. "Washingtonians affected" or "total persons affected".
	AffectedScope string
	// AffectedResidentsOnly is true when Affected counts only the
	// regulator's own residents (a state AG's list): a part of the
	// breach's total, so at least that many people were affected.
	AffectedResidentsOnly bool
	// Cause is the list's cause mapped to the closed list (the mapping of
	// ../shared/eval/README.md); CAUSE_UNSPECIFIED when the list gives
	// none. CauseText is the list's own words.
	Cause     bwv1.Cause
	CauseText string
	// Action is what the list records the regulator as doing: INFORMED for
	// a list of breach notifications; for enforcement lists the action
	// (MONETARY_PENALTY, REPRIMAND, ENFORCEMENT_NOTICE, UNDERTAKING).
	Action bwv1.RegulatorActionType
	// AmountMinor and Currency are the action's amount in minor units
	// (pence, cents), when the list gives one.
	AmountMinor int64
	Currency    string
	// Information is what the list says was compromised, as written.
	Information string
	// Text is the row as one line, "Column: value; Column: value", in the
	// list's column order: the evidence every fact of the row cites.
	Text string
	// DetailText is what Detail read from the row's own notice page, as one
	// line "Label: value; Label: value" in the page's order: the evidence
	// for the facts Detail filled in. It is kept out of Text, which is the
	// list's row alone, so that Text (and a hash of it) is the same whether
	// or not the notice page was read.
	DetailText string
}

// Page is what one fetched page (or CSV file) of a list yields.
type Page struct {
	Rows []Row
	// Next is the next page of the list (absolute URL); empty on the last.
	Next string
}

// Parser reads one source's list.
type Parser struct {
	// Name is how feeds select it: "ca-ag", "wa-ag", "me-ag", "hhs-ocr", "ico".
	Name string
	// Regulator is the canonical regulator name (RegulatorAction.regulator):
	// "California AG", "Washington AG", "Maine AG", "HHS OCR", "ICO".
	Regulator string
	// Country is the ISO 3166-1 alpha-2 code of the jurisdiction.
	Country string
	// TimeZone is the IANA zone the list's calendar dates are in (the
	// regulator's office): a row reported on 02/01/2025 in California was
	// reported from 2025-02-01T00:00-08:00, not from midnight UTC.
	TimeZone string
	// Accept is the Accept header to fetch the list with.
	Accept string
	// Parse reads one page of the list fetched from page.
	Parse func(body []byte, page *url.URL) (Page, error)
	// Detail, when set, completes a row from its own notice page (Row.URL):
	// lists whose count or cause is only on the notice page.
	Detail func(body []byte, row *Row) error
}

// Day is the instant a calendar date of the list ("YYYY-MM-DD") begins in
// the list's time zone; false when date is not a whole date.
func (p Parser) Day(date string) (time.Time, bool) {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, date, loc)
	return t, err == nil
}

var parsers = map[string]Parser{}

func register(p Parser) { parsers[p.Name] = p }

// Lookup returns the parser called name.
func Lookup(name string) (Parser, bool) {
	p, ok := parsers[name]
	return p, ok
}

// Names lists the parsers, sorted.
func Names() []string {
	names := make([]string, 0, len(parsers))
	for n := range parsers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// LayoutError is a page that is not shaped as its parser expects: a
// missing column, no table, no rows.
type LayoutError struct {
	Parser  string
	Missing []string // columns (or elements) the page lacks
	Reason  string   // what else is wrong, e.g. "no rows"
}

func (e *LayoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: layout changed:", e.Parser)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, " missing %s", strings.Join(e.Missing, ", "))
		if e.Reason != "" {
			b.WriteString(";")
		}
	}
	if e.Reason != "" {
		b.WriteString(" " + e.Reason)
	}
	return b.String()
}
