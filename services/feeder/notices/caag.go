package notices

import (
	"net/url"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The California AG's list (https://oag.ca.gov/privacy/databreach/list) is
// a Drupal view: a table headed Organization Name (a link to the notice's
// own page), Date(s) of Breach (if known) (empty, one date, or several
// separated by commas) and Reported Date, all MM/DD/YYYY, 50 rows a page,
// paged with ?page=N. It gives no count and no cause.

const caOrg = "Organization Name"

var caList = tableList{
	parser: "ca-ag",
	org:    caOrg,
	cols: []column{
		{name: caOrg, aliases: []string{"organization name", "organization", "organisation name"}},
		{name: "Date(s) of Breach", aliases: []string{"date of breach", "dates of breach", "breach date", "breach dates"}},
		{name: "Reported Date", aliases: []string{"reported date", "date reported"}},
	},
	fill: func(r *Row, tr tableRow, page *url.URL) {
		r.BreachDates = readDates(tr.text("Date(s) of Breach"))
		r.Reported = readDate(tr.text("Reported Date"))
		r.Action = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
		notice := tr.link(caOrg, page)
		if notice != nil {
			r.URL = notice.String()
		}
		r.ID = rowID("ca-ag", notice, r.Organisation, r.Reported, strings.Join(r.BreachDates, ","))
	},
}

func init() {
	register(Parser{
		Name:      "ca-ag",
		Regulator: "California AG",
		Country:   "US",
		TimeZone:  "America/Los_Angeles",
		Accept:    "text/html",
		Parse:     caList.parse,
	})
}
