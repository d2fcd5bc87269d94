package rules

import (
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

func TestJurisdiction(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"from the regulator", "The ICO fined the charity £25,000 after an email blunder.", "GB"},
		{"from a DPA", "The Swedish DPA fined the hospital SEK 30,000,000.", "SE"},
		{"from HHS", "The CE provided breach notification to HHS and the media.", "US"},
		{"from places", "A clinic in Ohio said a laptop holding patient files was stolen from a car in Columbus, Ohio.", "US"},
		{"from a legal form", "Hackers copied the customer table of Beispiel GmbH and Muster GmbH.", "DE"},
		{"from a German state", "A clinic in Rhineland-Palatinate lost files; another clinic in Saarland did too.", "DE"},
		{"from a DPA's own name", "The AEPD opened an investigation into the leak.", "ES"},
		{"a shared DPA name by the currency", "Datatilsynet fined the council NOK 400,000 after a leak of personal data.", "NO"},
		{"the pronoun us is not the US", "Tell us what you think about the leak.", ""},
		{"nothing", "Hackers stole a customer database.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, "")
			x := &bwv1.Extraction{RegulatorActions: regulatorActions(d)}
			j := jurisdiction(d, x)
			if got := j.GetCountry(); got != tt.want {
				t.Errorf("jurisdiction %q, want %q", got, tt.want)
			}
			if ev := j.GetEvidence(); ev != nil && tt.text[ev.Start:ev.End] != ev.Text {
				t.Errorf("evidence does not slice the text")
			}
		})
	}
}
