package notices

import (
	"net/url"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The Washington AG's list (https://www.atg.wa.gov/data-breach-notifications)
// is a Drupal view: a table headed Date Reported, Organization Name (a
// link to the notice letter, a PDF), Date of Breach (one date, a range, or
// empty), Number of Washingtonians Affected (a number, or "Unknown") and
// Information Compromised (kinds of data, separated by semicolons), paged
// with ?page=N. The count is of Washington residents only.

const (
	waOrg      = "Organization Name"
	waAffected = "Number of Washingtonians Affected"
	waInfo     = "Information Compromised"
)

var waList = tableList{
	parser: "wa-ag",
	org:    waOrg,
	cols: []column{
		{name: "Date Reported", aliases: []string{"date reported", "reported date"}},
		{name: waOrg, aliases: []string{"organization name", "organization", "organisation name"}},
		{name: "Date of Breach", aliases: []string{"date of breach", "dates of breach", "breach date", "breach dates"}},
		{name: waAffected, aliases: []string{"number of washingtonians affected", "washingtonians affected"}},
		{name: waInfo, aliases: []string{"information compromised"}},
	},
	fill: func(r *Row, tr tableRow, page *url.URL) {
		r.Reported = readDate(tr.text("Date Reported"))
		r.BreachDates = readDates(tr.text("Date of Breach"))
		r.Affected, r.AffectedKnown = readCount(tr.text(waAffected))
		r.AffectedScope = "Washingtonians affected"
		r.AffectedResidentsOnly = true
		r.Information = tr.text(waInfo)
		r.Action = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
		notice := tr.link(waOrg, page)
		if notice != nil {
			r.URL = notice.String()
		}
		r.ID = rowID("wa-ag", notice, r.Organisation, r.Reported, strings.Join(r.BreachDates, ","))
	},
}

func init() {
	register(Parser{
		Name:      "wa-ag",
		Regulator: "Washington AG",
		Country:   "US",
		TimeZone:  "America/Los_Angeles",
		Accept:    "text/html",
		Parse:     waList.parse,
	})
}
