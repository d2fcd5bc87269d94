package rules

import (
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The candidates the fitted chooser added to the rules' (our own
// sentences, in the style of the chronology summaries).
func TestRecordsFittedChooser(t *testing.T) {
	tests := []struct {
		name, text string
		want       int64 // 0: no count
		phrase     string
	}{
		{"glued sentences", "Hackers accessed the personal information of 8,000 patients.The data included names and addresses.", 8000, "8,000 patients"},
		{"a name before the noun", "The Social Security numbers of more than 700 Harbour Point Ground employees were exposed by hackers.", 700, "more than 700 Harbour Point Ground employees"},
		{"a plural noun outside the record nouns", "Nearly 29,000 local vendors were affected by the hacking incident at the city.", 29000, "Nearly 29,000 local vendors"},
		{"the organisation's size is never the count", "The chat app, which has over a billion users, said hackers accessed 12,000 accounts.", 12000, "12,000 accounts"},
		{"a unit of time is no count", "Hackers were inside the network for 200 days before the breach was found.", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := records(newDoc(tt.text, ""), nil)
			if tt.want == 0 {
				if got != nil && got.GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN {
					t.Fatalf("got %d %q, want no count", got.GetValue(), got.GetText())
				}
				return
			}
			if got.GetValue() != tt.want || got.GetText() != tt.phrase {
				t.Errorf("got %d %q, want %d %q", got.GetValue(), got.GetText(), tt.want, tt.phrase)
			}
			if c := got.GetConfidence(); c <= 0 || c > 1 {
				t.Errorf("confidence %v out of (0, 1]", c)
			}
		})
	}
	// The rules never choose a count of a noun they do not list.
	if got := ruleRecords(newDoc(tests[2].text, ""), nil); got != nil {
		t.Errorf("rules: %d %q for a noun they do not list", got.GetValue(), got.GetText())
	}
}
