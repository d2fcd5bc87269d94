package rules

import (
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/classifier"
)

func TestDates(t *testing.T) {
	pub := time.Date(2019, 5, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name                 string
		text                 string
		pub                  time.Time
		incident, disclosure string
	}{
		{"hacked date, not the learned date",
			"On August 22, 2013, the clinic learned that its payment portal had been hacked on June 30, 2013.",
			time.Time{}, "2013-06-30", ""},
		{"a range starts the incident; announcement is the disclosure",
			"The intrusion occurred between 3 March 2019 and 12 March 2019. The company announced the breach on 1 April 2019.",
			time.Time{}, "2019-03-03", "2019-04-01"},
		{"numeric US dates",
			"A backup computer was stolen on 9/27/09 from the office.",
			time.Time{}, "2009-09-27", ""},
		{"month and year",
			"In March 2011 a file held by the contractor was hacked into.",
			time.Time{}, "2011-03", ""},
		{"an earlier incident is not this one",
			"The forum also fell victim to a similar bug in 2014.",
			time.Time{}, "", ""},
		{"years of laws are not dates",
			"The clinic broke the Health Insurance Portability and Accountability Act of 1996 when files were stolen.",
			time.Time{}, "", ""},
		{"day and month without a year take the publication year",
			"The migration began on Friday 31st August and customers saw other accounts.",
			time.Date(2018, 9, 3, 0, 0, 0, 0, time.UTC), "2018-08-31", ""},
		{"relative dates need the publication date",
			"Hackers accessed the database earlier this year.",
			pub, "2019", ""},
		{"relative dates without it are skipped",
			"Hackers accessed the database earlier this year.",
			time.Time{}, "", ""},
		{"a bare month is the last such month before the publication",
			"Cinderhill Eye Care said hackers broke into its systems in December and copied the records of 40,000 customers.",
			time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC), "2023-12", ""},
		{"a bare month earlier in the publication's year",
			"Hackers broke into the network in early March, the company said.",
			pub, "2019-03", ""},
		{"a month with its year is not read twice",
			"Hackers broke into the network in March 2018.",
			pub, "2018-03", ""},
		{"may is a verb",
			"Customers who were affected in may want to change their passwords.",
			pub, "", ""},
		{"compliance dates are not incidents",
			"The breach occurred prior to the September 23, 2013, compliance date.",
			time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc, dis := dates(newDoc(tt.text, ""), classifier.Input{Text: tt.text, Published: tt.pub})
			if got := inc.GetDate(); got != tt.incident {
				t.Errorf("incident %q, want %q", got, tt.incident)
			}
			if got := dis.GetDate(); got != tt.disclosure {
				t.Errorf("disclosure %q, want %q", got, tt.disclosure)
			}
			if inc != nil {
				if ev := inc.GetEvidence(); tt.text[ev.Start:ev.End] != ev.Text {
					t.Errorf("evidence does not slice the text")
				}
			}
		})
	}
}
