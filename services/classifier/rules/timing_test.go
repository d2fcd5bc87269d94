package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/classifier"
)

func TestNotificationTimings(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // "text|hours|audience"
	}{
		{"regulator within 72 hours",
			"The shop says it notified the Information Commissioner's Office within 72 hours of finding the fault.",
			[]string{"within 72 hours|72|regulator"}},
		{"hyphenated and in words",
			"Customers were told about the leak within a 72-hour window, and the regulator was informed within three days.",
			[]string{"within a 72-hour|72|affected_people", "within three days|72|regulator"}},
		{"weeks to tell customers",
			"It took the bank six weeks to notify affected customers.",
			[]string{"six weeks|1008|affected_people"}},
		{"without undue delay",
			"Controllers must inform the supervisory authority without undue delay.",
			[]string{"without undue delay|0|regulator"}},
		{"credit monitoring is not a delay",
			"Affected customers were notified and offered 12 months of free credit monitoring.",
			nil},
		{"how long data was online is not how soon anyone was told",
			"The disclosed file was online for two hours before it was removed.",
			nil},
		{"a count of hours is not a delay",
			"The clinic reported that a drive holding 1,800 hours of recordings was missing.",
			nil},
		{"a window of exposure is not a notification delay",
			"The database was open for three days before the researcher found it.",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, n := range notificationTimings(newDoc(tt.text, "")) {
				got = append(got, fmt.Sprintf("%s|%d|%s", n.GetText(), n.GetHours(), classifier.EnumWord(n.GetAudience())))
				if ev := n.GetEvidence(); tt.text[ev.Start:ev.End] != ev.Text {
					t.Errorf("evidence does not slice the text")
				}
			}
			if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("timings\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
