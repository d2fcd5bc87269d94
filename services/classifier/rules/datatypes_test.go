package rules

import (
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/classifier"
)

func TestDataTypes(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"a list, and a negation after but",
			"Names, email addresses and dates of birth were exposed, but not passwords.",
			[]string{"names", "contact_details", "dates_of_birth"}},
		{"negated whole sentence",
			"The retailer stressed that no payment card details or bank account numbers were taken.",
			nil},
		{"negated verb after",
			"Passwords were not compromised. Home addresses and phone numbers were visible to other users.",
			[]string{"addresses", "contact_details"}},
		{"advice is not exposure",
			"We recommend that you change your password and monitor your bank account statements.",
			nil},
		{"phishing emails are the attack, not the data",
			"Staff received phishing emails; the attackers then read patient records and diagnoses.",
			[]string{"health"}},
		{"loose words only in a list of data",
			"In the name of transparency the firm gave its address. The file held each member's name, address and social security number.",
			[]string{"names", "addresses", "government_ids"}},
		{"government ids and cards",
			"Driver's license numbers, credit card numbers and IP addresses were in the stolen files.",
			[]string{"government_ids", "payment_cards", "ip_addresses"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range dataTypes(newDoc(tt.text, "")) {
				got = append(got, classifier.EnumWord(f.GetDataType()))
				if ev := f.GetEvidence(); tt.text[ev.Start:ev.End] != ev.Text {
					t.Errorf("evidence does not slice the text")
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("data types\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
