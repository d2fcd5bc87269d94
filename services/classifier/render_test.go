package classifier

import (
	"encoding/json"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// An unknown count ("a handful of customers") travels as value 0; the
// classify output says null, and keeps the qualifier and unit.
func TestRenderRecordsValue(t *testing.T) {
	const (
		exact   = bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT
		rng     = bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE
		unknown = bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN
	)
	for _, tc := range []struct {
		name      string
		fact      *bwv1.RecordsFact
		want      string // the records object, or "null"
		wantCount bool
	}{
		{"exact", &bwv1.RecordsFact{Value: 4100, Qualifier: exact, Unit: bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE},
			`{"value":4100,"qualifier":"exact","unit":"people","kind":"","text":"","evidence":null,"confidence":0}`, true},
		{"range", &bwv1.RecordsFact{Value: 10000, ValueMax: 99999, Qualifier: rng, Unit: bwv1.RecordsUnit_RECORDS_UNIT_ACCOUNTS},
			`{"value":10000,"value_max":99999,"qualifier":"range","unit":"accounts","kind":"","text":"","evidence":null,"confidence":0}`, true},
		{"unknown", &bwv1.RecordsFact{Qualifier: unknown, Unit: bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS, Text: "a handful of customers",
			Evidence: &bwv1.Evidence{Text: "A handful of customers were affected.", Start: 10, End: 47}, Confidence: 0.5},
			`{"value":null,"qualifier":"unknown","unit":"customers","kind":"","text":"a handful of customers",` +
				`"evidence":{"text":"A handful of customers were affected.","start":10,"end":47},"confidence":0.5}`, false},
		// The qualifier decides, whatever a producer left in value.
		{"unknown with a stray value", &bwv1.RecordsFact{Value: 7, ValueMax: 9, Qualifier: unknown, Unit: bwv1.RecordsUnit_RECORDS_UNIT_PATIENTS},
			`{"value":null,"qualifier":"unknown","unit":"patients","kind":"","text":"","evidence":null,"confidence":0}`, false},
		{"none", nil, `null`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(Render("story.txt", &bwv1.Extraction{Records: tc.fact}).Records)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("records\n got %s\nwant %s", got, tc.want)
			}
			if _, ok := KnownCount(tc.fact); ok != tc.wantCount {
				t.Errorf("KnownCount ok = %v, want %v", ok, tc.wantCount)
			}
		})
	}
}
