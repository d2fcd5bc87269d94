package notices

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The Maine AG's list
// (https://www.maine.gov/agviewer/content/ag/985235c7-cb95-4be2-8792-a1252b4f8318/list.html)
// is a table headed Date Reported and Organization Name, the name a link
// to the notice's own page. The list gives neither count nor cause: those
// are on the notice page, as labelled lines ("Total number of persons
// affected (including residents): 1,234", "Date(s) Breach Occurred:",
// "Date Breach Discovered:", and the type of breach from a closed list),
// which Detail reads.

const meOrg = "Organization Name"

var meList = tableList{
	parser: "me-ag",
	org:    meOrg,
	cols: []column{
		{name: "Date Reported", aliases: []string{"date reported", "reported date"}},
		{name: meOrg, aliases: []string{"organization name", "organization", "organisation name", "entity name"}},
	},
	fill: func(r *Row, tr tableRow, page *url.URL) {
		r.Reported = readDate(tr.text("Date Reported"))
		r.Action = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
		notice := tr.link(meOrg, page)
		if notice != nil {
			r.URL = notice.String()
		}
		r.ID = rowID("me-ag", notice, r.Organisation, r.Reported)
	},
}

// meField is a fact of a Maine notice page, read from the line its label
// heads.
type meField int

const (
	meAffected meField = iota
	meOccurred
	meDiscovered
	meType
	meDescription
)

// meLabels are the notice page's labels (normLabel form) and the fact
// each heads. The page has been seen to spell "Occured"; both spellings
// are read.
var meLabels = map[string]meField{
	"total number of persons affected":                     meAffected,
	"total number of persons affected including residents": meAffected,
	"date breach occurred":                                 meOccurred,
	"date breach occured":                                  meOccurred,
	"dates breach occurred":                                meOccurred,
	"dates breach occured":                                 meOccurred,
	"date breach discovered":                               meDiscovered,
	"date breach was discovered":                           meDiscovered,
	"type of breach":                                       meType,
	"what type of breach occurred":                         meType,
	"breach type":                                          meType,
	"description of the breach":                            meDescription,
}

// meCauses maps the notice form's closed list of breach types (normLabel
// form, which drops the "(hacking)" of "External system breach
// (hacking)") to causes.
var meCauses = []struct {
	text  string
	cause bwv1.Cause
}{
	{"external system breach", bwv1.Cause_CAUSE_HACKING},
	{"insider wrongdoing", bwv1.Cause_CAUSE_INSIDER_MISUSE},
	{"inadvertent disclosure", bwv1.Cause_CAUSE_MISCONFIGURATION_EXPOSURE},
	{"loss or theft of device or media", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
	{"other", bwv1.Cause_CAUSE_UNKNOWN},
}

// meCause maps a notice's type of breach to a cause: one of the form's
// closed list (or a value beginning with one, "Other: ..."); a value off
// the list is CAUSE_UNKNOWN, its words kept in CauseText; none is
// CAUSE_UNSPECIFIED.
func meCause(v string) bwv1.Cause {
	n := normLabel(v)
	if n == "" {
		return bwv1.Cause_CAUSE_UNSPECIFIED
	}
	for _, c := range meCauses {
		if n == c.text || strings.HasPrefix(n, c.text+" ") {
			return c.cause
		}
	}
	return bwv1.Cause_CAUSE_UNKNOWN
}

// meDetail completes a Maine row from its notice page: the count of
// persons affected, the breach's dates, its type as a cause. A page
// without the count's or the type's label is a *LayoutError.
func meDetail(body []byte, r *Row) error {
	if r == nil {
		return errors.New("me-ag: detail: no row")
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("me-ag: %s: read HTML: %w", r.URL, err)
	}
	found := map[meField]pair{}
	var used []pair
	lines := linesOf(doc.Selection)
	for i, l := range lines {
		label, value, _ := strings.Cut(l, ":")
		f, ok := meLabels[normLabel(label)]
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" && i+1 < len(lines) && !isMeLabel(lines[i+1]) {
			value = lines[i+1] // the value on a line of its own, under its label
		}
		if _, dup := found[f]; dup {
			continue
		}
		p := pair{displayLabel(label), value}
		found[f] = p
		used = append(used, p)
	}
	cause, ok := found[meType]
	if !ok {
		cause, ok = found[meDescription]
	}
	var missing []string
	if _, has := found[meAffected]; !has {
		missing = append(missing, "Total number of persons affected (including residents)")
	}
	if !ok {
		missing = append(missing, "Type of breach")
	}
	if len(missing) > 0 {
		return &LayoutError{Parser: "me-ag", Missing: missing, Reason: "notice page " + r.URL}
	}
	r.Affected, r.AffectedKnown = readCount(found[meAffected].value)
	r.AffectedScope = "total persons affected"
	if d := readDates(found[meOccurred].value); len(d) > 0 {
		r.BreachDates = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(r.BreachDates), d...))))
	}
	r.Cause, r.CauseText = meCause(cause.value), cause.value
	r.DetailText = joinPairs(used)
	return nil
}

// isMeLabel reports whether line is headed by one of the notice page's
// labels.
func isMeLabel(line string) bool {
	label, _, _ := strings.Cut(line, ":")
	_, ok := meLabels[normLabel(label)]
	return ok
}

func init() {
	register(Parser{
		Name:      "me-ag",
		Regulator: "Maine AG",
		Country:   "US",
		TimeZone:  "America/New_York",
		Accept:    "text/html",
		Parse:     meList.parse,
		Detail:    meDetail,
	})
}
