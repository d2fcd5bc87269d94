package rules

import (
	"slices"
	"testing"
)

func TestMentionedIncidents(t *testing.T) {
	type want struct {
		org     string
		year    int32
		records int64
	}
	tests := []struct {
		name string
		text string
		want []want
	}{
		{
			name: "another organisation's incident used as comparison",
			text: "Fernwick Telecom customers could see other customers' details after a billing upgrade in 2018. " +
				"Fernwick Telecom said it had fixed the fault. " +
				"The Fernwick Telecom breach is much like the Harbourline Bank software issue from earlier this year.",
			want: []want{{org: "Harbourline Bank", year: 2018}},
		},
		{
			name: "the same organisation's earlier incident",
			text: "Chatterbox Forum has reported a data breach to the regulator in 2021. " +
				"Chatterbox Forum said users could see other members' private messages. " +
				"Chatterbox Forum also fell victim to a password leak in 2016, which exposed 200,000 accounts.",
			want: []want{{org: "Chatterbox Forum", year: 2016, records: 200_000}},
		},
		{
			name: "anaphor and last year",
			text: "Chatterbox Forum has reported a data breach to the regulator in 2021. " +
				"Chatterbox Forum said users could see other members' private messages. " +
				"The site also reported itself to the regulator last year after a volunteer leaked a list of members.",
			want: []want{{org: "Chatterbox Forum", year: 2020}},
		},
		{
			name: "security firm and outlet are not incidents",
			text: "Pellham Health suffered a ransomware attack that exposed patient records in 2020. " +
				"Researchers at Corvid Labs said the attack used a known flaw. " +
				"Pellham Health told Reuters it was restoring systems.",
			want: nil,
		},
		{
			name: "the article's own incident described in the past tense is not another incident",
			text: "Pellham Health disclosed a breach on Monday. " +
				"The breach was previously announced in February as affecting one clinic.",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, "")
			org := organisation(d)
			got := mentionedIncidents(d, org)
			var gw []want
			for _, m := range got {
				gw = append(gw, want{org: m.GetOrganisation(), year: m.GetYear(), records: m.GetRecords()})
				ev := m.GetEvidence()
				if ev == nil || tt.text[ev.GetStart():ev.GetEnd()] != ev.GetText() {
					t.Errorf("evidence %+v does not slice the text", ev)
				}
			}
			if !slices.Equal(gw, tt.want) {
				t.Errorf("mentioned = %+v, want %+v", gw, tt.want)
			}
		})
	}
}

func TestYearsIn(t *testing.T) {
	got := yearsIn("in 2014, then 2019; not 12014 or 2,014 or $2015 or 1850")
	if !slices.Equal(got, []int{2014, 2019}) {
		t.Errorf("yearsIn = %v", got)
	}
}
