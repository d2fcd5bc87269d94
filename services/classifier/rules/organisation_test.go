package rules

import (
	"slices"
	"strings"
	"testing"
)

// Synthetic articles, written for these tests, one per kind of text and
// per trap named in the classifier issue.
func TestOrganisation(t *testing.T) {
	tests := []struct {
		name    string
		title   string
		text    string
		want    string   // "" means no organisation
		aliases []string // must be among the aliases
	}{
		{
			name: "news: victim, not the outlet or the regulator",
			text: "Broadband provider Fernwick Telecom has suffered a data breach after a botched billing upgrade. " +
				"Customers told The Guardian they could see other people's bills. " +
				"Fernwick Telecom said it had informed the Information Commissioner's Office (ICO). " +
				"The ICO confirmed it was making enquiries.",
			want: "Fernwick Telecom",
		},
		{
			name: "an institution word ending the name stays in it",
			text: "Cinderhill Eye Care said on January 2, 2024 that hackers broke into its systems in December and copied the records of 40,000 customers. " +
				"The practice said it found the intrusion during a review of its network.",
			want: "Cinderhill Eye Care",
		},
		{
			name: "news: compared organisation is not the victim",
			text: "Fernwick Telecom customers saw strangers' account details after a system update on Friday. " +
				"Fernwick Telecom apologised and fixed the fault within hours. " +
				"The incident is much like the Harbourline Bank upgrade failure earlier this year. " +
				"A Fernwick Telecom spokesperson said only a handful of customers were affected.",
			want: "Fernwick Telecom",
		},
		{
			name: "acronym defined in the text; full name preferred",
			text: "Marlow Mutual Assurance (MMA) breached data protection law by failing to check its contractor, the regulator said. " +
				"MMA's customers had their names and addresses posted online. " +
				"MMA has agreed to improve its procedures.",
			want:    "Marlow Mutual Assurance",
			aliases: []string{"MMA"},
		},
		{
			name: "regulator portal: covered entity apposition",
			text: "The covered entity (CE), Brookvale Family Clinic, reported that a laptop containing the protected health information of 812 individuals was stolen. " +
				"The CE provided breach notification to HHS, affected individuals, and the media.",
			want: "Brookvale Family Clinic",
		},
		{
			name: "regulator portal: business associate is not the covered entity",
			text: "The covered entity (CE), Ridgeway Dental Group, learned that its business associate (BA), Quillon Billing, had been hacked. " +
				"Quillon Billing notified the CE. Quillon Billing restored its systems from backups.",
			want: "Ridgeway Dental Group",
		},
		{
			name: "DPA decision: fined, with a descriptor before the name",
			text: "The Portuguese DPA (CNPD) has fined the logistics company Tavora Transportes S.A. EUR 45,000 for failing to secure a customer portal. " +
				"The DPA found that the controller had not applied access controls.",
			want: "Tavora Transportes S.A.",
		},
		{
			name: "DPA decision: imposed a fine on",
			text: "The Irish DPA (DPC) has imposed a fine of EUR 12,000 on Glenmore Credit Union. " +
				"The fine follows a breach reported by the controller.",
			want: "Glenmore Credit Union",
		},
		{
			name: "notification letter: the writer names itself",
			text: "Ashcombe Outfitters, Inc. is writing to inform you of an incident that may involve your payment card information. " +
				"On March 3, we learned that malicious code had been placed on our checkout page. " +
				"Our payment processor, Veltra Payments, informed us of unusual activity.",
			want: "Ashcombe Outfitters, Inc.",
		},
		{
			name: "notification letter: a unit of the writer acts for it",
			text: "The City of Larkspur's Human Resources Division became aware of an issue on May 2. " +
				"Employee records were sent to Benefit Partners Ltd. in error. Benefit Partners Ltd. deleted the file.",
			want: "City of Larkspur",
		},
		{
			name:  "headline with outlet tail",
			title: "Oakridge Games confirms hackers stole player emails | Security Wire",
			text: "Oakridge Games confirms hackers stole player emails | Security Wire\n\n" +
				"Oakridge Games said on Tuesday that attackers accessed a database of player emails. " +
				"Security Wire first reported the intrusion, citing researcher Dana Whitfield.",
			want: "Oakridge Games",
		},
		{
			name: "people are not organisations",
			text: "Julia Brennan, chief executive of Pellham Health, said the breach affected patient records. " +
				"Julia Brennan said Pellham Health would notify every patient. Brennan apologised.",
			want: "Pellham Health",
		},
		{
			name: "curated summary with the name only once",
			text: "A laptop containing employee Social Security numbers was stolen from a car. " +
				"Norwell Savings Bank first learned about the theft the next morning.",
			want: "Norwell Savings Bank",
		},
		{
			name: "no organisation named",
			text: "We recently learned that an unauthorized person accessed an employee email account. " +
				"The account contained names and dates of birth. We are offering credit monitoring.",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, tt.title)
			got := organisation(d)
			if tt.want == "" {
				if got != nil {
					t.Fatalf("organisation = %q, want none", got.GetName())
				}
				return
			}
			if got == nil {
				t.Fatalf("organisation = nil, want %q", tt.want)
			}
			if got.GetName() != tt.want {
				t.Errorf("organisation = %q, want %q", got.GetName(), tt.want)
			}
			for _, a := range tt.aliases {
				if !slices.Contains(got.GetAliases(), a) {
					t.Errorf("aliases = %q, want %q among them", got.GetAliases(), a)
				}
			}
			ev := got.GetEvidence()
			if ev == nil || tt.text[ev.GetStart():ev.GetEnd()] != ev.GetText() {
				t.Errorf("evidence %+v does not slice the text", ev)
			}
			if c := got.GetConfidence(); c <= 0 || c > 1 {
				t.Errorf("confidence %v out of (0, 1]", c)
			}
		})
	}
}

func TestOrgKey(t *testing.T) {
	tests := map[string]string{
		"The Guardian":              "guardian",
		"Plusnet’s":                 "plusnet",
		"Backcountry Edge, Inc.":    "backcountry edge",
		"Katherman Kitts & Co. LLP": "katherman kitts",
		"Region of Syddanmark":      "region of syddanmark",
		"Hotels Group":              "hotels group",
	}
	for in, want := range tests {
		if got := orgKey(in); got != want {
			t.Errorf("orgKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefinedAlias(t *testing.T) {
	tests := []struct {
		text string
		ok   bool
		want string
	}{
		{"Marlow Mutual Assurance (MMA) said", true, "MMA"},
		{"Renwick Philanthropy Group (“RenPG”) became aware", true, "RenPG"},
		{"Colby Realty, Inc. (the “Company”) sent", false, ""},
		{"Hale Clinic (Texas) said", true, "Texas"}, // a place is filtered later by the gazetteer
		{"Hale Clinic (2019) said", false, ""},
	}
	for _, tt := range tests {
		end := strings.Index(tt.text, " (")
		got, ok := definedAlias(tt.text, end, false)
		if ok != tt.ok || got != tt.want {
			t.Errorf("definedAlias(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsTitleCase(t *testing.T) {
	tests := map[string]bool{
		"How The Data Breach Happened At The Firm":    true,
		"Mumble reports data breach to the regulator": false,
		"The Breach Affected Many Customers.":         false, // a sentence
	}
	for in, want := range tests {
		if got := isTitleCase(in); got != want {
			t.Errorf("isTitleCase(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSplitTitle(t *testing.T) {
	head, tails := splitTitle("Oakridge Games confirms breach - Tech Desk | Daily Wire")
	if head != "Oakridge Games confirms breach" || !slices.Equal(tails, []string{"Daily Wire", "Tech Desk"}) {
		t.Errorf("splitTitle = %q, %q", head, tails)
	}
}

func TestSentenceSplitterNames(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"The fine of ca. EUR 2,000 was imposed on K.L. EOOD for unlawful processing. K.L. EOOD appealed.", 2},
		{"Files were on the devices.Norbury Systems reached a settlement.", 2},
		{"He moved to the U.S. The company followed.", 1}, // an abbreviation the splitter always keeps
	}
	for _, tt := range tests {
		if got := splitSentences(tt.text); len(got) != tt.want {
			t.Errorf("splitSentences(%q) = %d sentences, want %d", tt.text, len(got), tt.want)
		}
	}
}

// The name shown is the full form the article uses most; a truncation of a
// longer form ("Co-op" of "Co-operative …") never is, an acronym neither.
func TestOrgNameMostUsedFullForm(t *testing.T) {
	cases := []struct {
		forms  []string
		counts []int
		want   string
	}{
		{[]string{"Harbour Mutual Planning", "HMP", "Harbour"}, []int{1, 4, 1}, "Harbour Mutual Planning"},
		{[]string{"Co-operative Savings Bureau", "Co-op"}, []int{1, 5}, "Co-operative Savings Bureau"},
		{[]string{"Vale", "Vale Mobile"}, []int{4, 1}, "Vale"},
		{[]string{"Vale", "Vale Mobile"}, []int{2, 2}, "Vale Mobile"},
	}
	for _, tc := range cases {
		if got := orgName(&orgCand{forms: tc.forms, counts: tc.counts}); got != tc.want {
			t.Errorf("forms %v counts %v: %q, want %q", tc.forms, tc.counts, got, tc.want)
		}
	}
	if !truncationOf("Co-op", []string{"Co-operative Savings Bureau"}) || truncationOf("Vale", []string{"Vale Mobile"}) {
		t.Error("truncationOf")
	}
}
