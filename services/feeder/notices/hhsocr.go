package notices

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The HHS OCR breach portal (https://ocrportal.hhs.gov/ocr/breach/) exports
// its list of breaches of health information affecting 500 or more people
// as one CSV file, headed Name of Covered Entity, State, Covered Entity
// Type, Individuals Affected, Breach Submission Date (MM/DD/YYYY), Type of
// Breach (one or several, comma-separated), Location of Breached
// Information (likewise), Business Associate Present and Web Description.
// Columns are found by header, in any order. The export is one file: no
// next page.

const (
	hhsName     = "Name of Covered Entity"
	hhsState    = "State"
	hhsAffected = "Individuals Affected"
	hhsDate     = "Breach Submission Date"
	hhsType     = "Type of Breach"
	hhsLocation = "Location of Breached Information"
)

// hhsColumns are the columns the parser needs; the others are read into
// Row.Text only.
var hhsColumns = []column{
	{name: hhsName, aliases: []string{"name of covered entity", "covered entity name"}},
	{name: hhsState, aliases: []string{"state"}},
	{name: hhsAffected, aliases: []string{"individuals affected"}},
	{name: hhsDate, aliases: []string{"breach submission date"}},
	{name: hhsType, aliases: []string{"type of breach"}},
	{name: hhsLocation, aliases: []string{"location of breached information"}},
}

// hhsParse reads the portal's CSV export.
func hhsParse(body []byte, page *url.URL) (Page, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Page{}, &LayoutError{Parser: "hhs-ocr", Missing: []string{"header row"}, Reason: "empty file"}
	}
	if err != nil {
		return Page{}, fmt.Errorf("hhs-ocr: %s: %w", page, err)
	}
	t := headedBy(header, hhsColumns)
	var missing []string
	for _, c := range hhsColumns {
		if _, ok := t.at[c.name]; !ok {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return Page{}, &LayoutError{Parser: "hhs-ocr", Missing: missing}
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Page{}, fmt.Errorf("hhs-ocr: %s: %w", page, err)
		}
		get := func(col string) string {
			if i := t.at[col]; i < len(rec) {
				return collapse(rec[i])
			}
			return ""
		}
		ps := make([]pair, 0, len(t.headers))
		blank := true
		for i, h := range t.headers {
			v := ""
			if i < len(rec) {
				v = collapse(rec[i])
			}
			if v != "" {
				blank = false
			}
			if h == "" && v == "" {
				continue
			}
			ps = append(ps, pair{h, v})
		}
		if blank {
			continue
		}
		line, _ := cr.FieldPos(0)
		r := Row{Organisation: get(hhsName), URL: page.String(), Text: joinPairs(ps)}
		if r.Organisation == "" {
			return Page{}, fmt.Errorf("hhs-ocr: %s: line %d (%s): no %s", page, line, r.Text, hhsName)
		}
		r.Reported = readDate(get(hhsDate))
		r.Affected, r.AffectedKnown = readCount(get(hhsAffected))
		r.AffectedScope = "individuals affected"
		r.Action = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
		typ, loc := get(hhsType), get(hhsLocation)
		r.Cause = hhsCause(typ, loc)
		r.CauseText = typ
		if typ != "" && loc != "" {
			r.CauseText += "; " + hhsLocation + ": " + loc
		}
		r.ID = rowID("hhs-ocr", nil, r.Organisation, get(hhsState), r.Reported)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return Page{}, &LayoutError{Parser: "hhs-ocr", Reason: "no rows"}
	}
	return Page{Rows: rows}, nil
}

// hhsCause maps a Type of Breach, with its Location of Breached
// Information, to a cause (the mapping of ../shared/eval/README.md):
//
//   - Hacking/IT Incident: hacking.
//   - Theft, Loss: physical paper when every location is Paper/Films, else
//     a lost or stolen device (laptop, desktop, portable device; a stolen
//     server or "Other" too, as the evaluation data labels them).
//   - Improper Disposal: likewise, paper for Paper/Films, else device.
//   - Unauthorized Access/Disclosure: unspecified, the type being no
//     cause. It covers both an employee reading records without need
//     (insider misuse) and mail or email sent to the wrong person
//     (misdelivery): the portal's own descriptions split about evenly
//     between the two, and the evaluation data leaves every such row's
//     cause unlabelled. Unspecified leaves the cause to be read from the
//     Web Description (in Row.Text) downstream; CauseText keeps the type.
//   - Other, Unknown, anything else: unknown; an empty type: unspecified.
//
// Several types ("Hacking/IT Incident, Theft") give the first in the order
// above: the type that says most about how the data was taken. A
// business associate's part (Business Associate Present) adds nothing to
// the cause; Row.Text carries it.
func hhsCause(typ, loc string) bwv1.Cause {
	types := map[string]bool{}
	for _, t := range strings.Split(typ, ",") {
		if n := normLabel(t); n != "" {
			types[n] = true
		}
	}
	if len(types) == 0 {
		return bwv1.Cause_CAUSE_UNSPECIFIED
	}
	paper, other := false, false
	for _, l := range strings.Split(loc, ",") {
		switch normLabel(l) {
		case "":
		case "paper films", "paper":
			paper = true
		default:
			other = true
		}
	}
	physical := bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE
	if paper && !other {
		physical = bwv1.Cause_CAUSE_PHYSICAL_PAPER
	}
	switch {
	case types["hacking it incident"]:
		return bwv1.Cause_CAUSE_HACKING
	case types["theft"], types["loss"], types["improper disposal"]:
		return physical
	case types["unauthorized access disclosure"]:
		return bwv1.Cause_CAUSE_UNSPECIFIED
	}
	return bwv1.Cause_CAUSE_UNKNOWN
}

func init() {
	register(Parser{
		Name:      "hhs-ocr",
		Regulator: "HHS OCR",
		Country:   "US",
		TimeZone:  "America/New_York",
		Accept:    "text/csv",
		Parse:     hhsParse,
	})
}
