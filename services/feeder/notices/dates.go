package notices

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// The lists' dates are calendar dates in the regulator's local time: a
// notice a list shows as reported on 02/01/2024 was reported on that day
// where the regulator sits. They are read as written, with no time zone
// and no conversion, and written "YYYY-MM-DD" (or "YYYY-MM" when the list
// gives only a month, "YYYY" when only a year).
//
// Slashed dates are month first (MM/DD/YYYY), as the US lists write them.
// A cell whose text holds no readable date (a typo, "Spring 2023") gives
// no date; its words stay in Row.Text, so one odd row does not stop a list.

const monthWord = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

// dateRe finds dates in a cell, longest forms first so that the "02/2024"
// inside "01/02/2024" is not read as a month.
var dateRe = regexp.MustCompile(`(?i)\b(?:` +
	`\d{1,2}/\d{1,2}/\d{4}` +
	`|\d{4}-\d{2}-\d{2}` +
	`|\d{1,2}(?:st|nd|rd|th)?\s+` + monthWord + `,?\s+\d{4}` +
	`|` + monthWord + `\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}` +
	`|` + monthWord + `,?\s+\d{4}` +
	`|\d{1,2}/\d{4}` +
	`)\b`)

var (
	ordinalRe = regexp.MustCompile(`(?i)(\d)(?:st|nd|rd|th)\b`)
	yearRe    = regexp.MustCompile(`^\d{4}$`)
)

// dayLayouts and monthLayouts are the forms dateRe finds, once ordinals,
// commas and full stops are taken out.
var (
	dayLayouts   = []string{"1/2/2006", "2006-01-02", "2 January 2006", "2 Jan 2006", "January 2 2006", "Jan 2 2006"}
	monthLayouts = []string{"January 2006", "Jan 2006", "1/2006"}
)

// readDates is every date in s, oldest first, each once: one date, several
// ("01/02/2024, 01/05/2024"), or a range's two ends ("01/02/2024 -
// 01/05/2024", "1 March 2024 to 4 March 2024"). A blank cell ("", "n/a")
// or one with no readable date gives none.
func readDates(s string) []string {
	s = collapse(s)
	if isBlank(s) {
		return nil
	}
	if yearRe.MatchString(s) {
		if y, ok := parseDate(s, []string{"2006"}, "2006"); ok {
			return []string{y}
		}
		return nil
	}
	var out []string
	for _, m := range dateRe.FindAllString(s, -1) {
		if d, ok := readOne(m); ok {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// readDate is the first date s gives, "" when none.
func readDate(s string) string {
	s = collapse(s)
	if isBlank(s) {
		return ""
	}
	for _, m := range dateRe.FindAllString(s, -1) {
		if d, ok := readOne(m); ok {
			return d
		}
	}
	return ""
}

// readOne reads one date dateRe found.
func readOne(m string) (string, bool) {
	m = ordinalRe.ReplaceAllString(m, "$1")
	m = strings.NewReplacer(",", " ", ".", " ").Replace(m)
	m = collapse(m)
	if f := strings.Fields(m); len(f) > 1 && strings.EqualFold(f[0], "sept") {
		m = "Sep " + strings.Join(f[1:], " ")
	} else if len(f) > 2 && strings.EqualFold(f[1], "sept") {
		m = f[0] + " Sep " + strings.Join(f[2:], " ")
	}
	if d, ok := parseDate(m, dayLayouts, time.DateOnly); ok {
		return d, true
	}
	return parseDate(m, monthLayouts, "2006-01")
}

// parseDate reads s in the first of layouts that fits, as out; years
// before 1900 or after 2100 are not dates a breach list gives.
func parseDate(s string, layouts []string, out string) (string, bool) {
	for _, l := range layouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if t.Year() < 1900 || t.Year() > 2100 {
			return "", false
		}
		return t.Format(out), true
	}
	return "", false
}
