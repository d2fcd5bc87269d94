package rules

import (
	"strings"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

func TestRecords(t *testing.T) {
	const (
		exact   = bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT
		approx  = bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE
		atLeast = bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST
		atMost  = bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST
		rng     = bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE
		unknown = bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN

		customers = bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS
		accounts  = bwv1.RecordsUnit_RECORDS_UNIT_ACCOUNTS
		patients  = bwv1.RecordsUnit_RECORDS_UNIT_PATIENTS
		recs      = bwv1.RecordsUnit_RECORDS_UNIT_RECORDS
		people    = bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE

		affected = bwv1.RecordsKind_RECORDS_KIND_AFFECTED
		atRisk   = bwv1.RecordsKind_RECORDS_KIND_AT_RISK
	)
	type want = recordsWant
	cases := []struct {
		name  string
		title string
		text  string
		want  *want // nil: no count
	}{
		{"plain count", "", "A regional grocer said hackers stole the card details of 83,000 customers last month.",
			&want{83000, 0, exact, customers, affected, "83,000 customers"}},
		{"customer base is not the count", "",
			"The lender, which serves 3 million customers across the north, said a coding error exposed the statements of 2,500 borrowers.",
			&want{2500, 0, exact, customers, affected, "2,500 borrowers"}},
		{"has N users is not the count", "",
			"The chat app, which has over a billion users, said no data was taken. Separately, a gaming forum said attackers accessed 12,000 accounts.",
			&want{12000, 0, exact, accounts, affected, "12,000 accounts"}},
		{"money is not the count", "",
			"The clinic was fined £275,000 after the records of 1,200 patients were left in a skip.",
			&want{1200, 0, exact, patients, affected, "1,200 patients"}},
		{"a year is not the count", "",
			"In 2019 intruders copied the profiles of 45,000 users from a dating site.",
			&want{45000, 0, exact, people, affected, "45,000 users"}},
		{"an earlier incident is not this one's count", "",
			"Attackers accessed the accounts of 3,200 members of a parenting forum this week. " +
				"The forum was also hit in 2014, when a flaw compromised the site's 1.5 million accounts.",
			&want{3200, 0, exact, people, affected, "3,200 members"}},
		{"a handful", "",
			"After the billing upgrade a “handful” of customers could see other users' addresses.",
			&want{0, 0, unknown, customers, affected, "a “handful” of customers"}},
		{"tens of thousands is a range", "",
			"Names and policy numbers of tens of thousands of customers were made available online.",
			&want{10000, 99999, rng, customers, affected, "tens of thousands of customers"}},
		{"logged on during the window is at risk", "",
			"The cause of the fault is not yet known. Around 4,000 account holders logged on while the fault was live.",
			&want{4000, 0, approx, accounts, atRisk, "Around 4,000 account holders"}},
		{"subset of those affected", "",
			"Around 2,000 users logged in while the session bug was live. Of those affected, 14 users reported seeing another person's messages.",
			&want{2000, 0, approx, people, atRisk, "Around 2,000 users"}},
		{"number in words", "",
			"Eighty-two thousand policyholders had their details stolen from a contractor's server.",
			&want{82000, 0, exact, customers, affected, "Eighty-two thousand policyholders"}},
		{"the number of X was N", "",
			"A dental practice reported that a backup drive was stolen. The number of individuals affected by the breach was 1,138.",
			&want{1138, 0, exact, people, affected, "number of individuals affected by the breach was 1,138"}},
		{"regulator-portal phrasing", "",
			"A business associate of the covered entity (CE) mailed letters to the wrong addresses, disclosing the protected health information (PHI) of approximately 6,412 individuals. The CE provided breach notification to HHS.",
			&want{6412, 0, approx, people, affected, "approximately 6,412 individuals"}},
		{"headline figure, precise body figure", "Clinic ransomware attack hits 55,000 patients",
			"Clinic ransomware attack hits 55,000 patients\n\nA children's clinic said a ransomware attack encrypted its servers. According to its filing, the incident affected 55,123 patients.",
			&want{55123, 0, exact, patients, affected, "55,123 patients"}},
		{"a company called Three", "",
			"Three's website showed some customers the details of other users. The operator said the accounts of 20,000 customers were exposed.",
			&want{20000, 0, exact, customers, affected, "20,000 customers"}},
		{"documents only when nothing better", "",
			"The group leaked 8,000 documents from the ministry.",
			&want{8000, 0, exact, recs, affected, "8,000 documents"}},
		{"people beat documents", "",
			"The group leaked 8,000 documents holding the payroll details of 300 employees.",
			&want{300, 0, exact, people, affected, "300 employees"}},
		{"letters are not customers", "",
			"The insurer sent about 500 letters notifying customers of a phishing campaign.",
			nil},
		{"explicit range", "",
			"The covered entity discovered that the PHI of 450 to 750 clients was improperly disposed of in a recycling bin.",
			&want{450, 750, rng, customers, affected, "450 to 750 clients"}},
		{"as many as is an upper bound", "",
			"The airline said the data of as many as 9.4 million passengers had been accessed.",
			&want{9400000, 0, atMost, customers, atRisk, "as many as 9.4 million passengers"}},
		{"a later update of a chronology entry", "",
			"A backup tape with member records was lost in transit. The tape held records of 12,000 members. UPDATE (3/2/2011): The insurer now says the records of 19,500 members were on the tape.",
			&want{19500, 0, exact, people, affected, "19,500 members"}},
		{"no breach wording", "",
			"When companies handle data for millions of people, they must keep it safe.",
			nil},
		{"how many is a question", "",
			"It is not yet known how many customers were affected by the outage.",
			nil},
	}
	// Where the fitted chooser and the hand-weighted rules part ways; the
	// rules' case still holds for ruleRecords.
	fittedDiffers := map[string]string{
		// the pool's summaries count documents and files as the count
		// ("8,000 files were exposed"): the fit weighs them up
		"people beat documents": "8,000 documents",
	}
	for _, tc := range cases {
		for _, path := range []struct {
			name   string
			choose func(*doc, *bwv1.OrganisationFact) *bwv1.RecordsFact
		}{{"fitted", records}, {"rules", ruleRecords}} {
			t.Run(tc.name+"/"+path.name, func(t *testing.T) {
				d := newDoc(tc.text, tc.title)
				got := path.choose(d, nil)
				if text, ok := fittedDiffers[tc.name]; ok && path.name == "fitted" {
					if got.GetText() != text {
						t.Errorf("fitted chooser: %q, want %q (see fittedDiffers)", got.GetText(), text)
					}
					return
				}
				checkRecords(t, tc.text, got, tc.want)
			})
		}
	}
}

type recordsWant struct {
	value, max int64
	qualifier  bwv1.RecordsQualifier
	unit       bwv1.RecordsUnit
	kind       bwv1.RecordsKind
	text       string
}

func checkRecords(t *testing.T, text string, got *bwv1.RecordsFact, w *recordsWant) {
	t.Helper()
	if w == nil {
		if got != nil {
			t.Fatalf("got %d %s %q, want no count", got.GetValue(), got.GetQualifier(), got.GetText())
		}
		return
	}
	if got == nil {
		t.Fatalf("got no count, want %d", w.value)
	}
	if got.GetValue() != w.value || got.GetValueMax() != w.max || got.GetQualifier() != w.qualifier ||
		got.GetUnit() != w.unit || got.GetKind() != w.kind || got.GetText() != w.text {
		t.Errorf("got %d..%d %s %s %s %q, want %d..%d %s %s %s %q",
			got.GetValue(), got.GetValueMax(), got.GetQualifier(), got.GetUnit(), got.GetKind(), got.GetText(),
			w.value, w.max, w.qualifier, w.unit, w.kind, w.text)
	}
	ev := got.GetEvidence()
	if ev == nil || text[ev.GetStart():ev.GetEnd()] != ev.GetText() {
		t.Fatalf("evidence %+v does not slice the text", ev)
	}
	if !containsSpan(ev.GetText(), got.GetText()) {
		t.Errorf("evidence %q does not hold the phrase %q", ev.GetText(), got.GetText())
	}
	if c := got.GetConfidence(); c <= 0 || c > 1 {
		t.Errorf("confidence %v out of (0, 1]", c)
	}
}

func containsSpan(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// For the rules, the organisation, when known, tips a tie toward the count
// said of it. The fitted chooser learned no such preference from the pool
// (its weight for org_near is about zero), so this is the rules' case.
func TestRecordsPrefersTheOrganisation(t *testing.T) {
	text := "A billing vendor exposed the files of two clinics: the records of approximately 1,179 of Northfield Clinic's patients and approximately 1,145 of Lakeside Health's patients."
	org := &bwv1.OrganisationFact{Name: "Lakeside Health"}
	got := ruleRecords(newDoc(text, ""), org)
	if got == nil || got.GetValue() != 1145 {
		t.Fatalf("got %v, want 1145", got)
	}
}

func TestRecordsMalformed(t *testing.T) {
	long := strings.Repeat("The 12 “ ” “ customers ", 20000) + "were affected."
	for _, text := range []string{"", "customers", "1,000", "users users users 5", "\x00\x01 customers 3",
		"of 12 of of users", "5 “", "“handful", "a “", "number of users was", long} {
		_ = records(newDoc(text, ""), nil) // must not panic
	}
}

// BenchmarkRecords runs the rule over a 5 KB article with a few counts in
// it, some of them traps (customer base, an earlier incident, money).
func BenchmarkRecords(b *testing.B) {
	filler := "Officials said the company had notified regulators and was working with police and outside experts. " +
		"The firm said its systems were now secure and that it had reset passwords as a precaution. " +
		"A spokesperson declined to say when the intrusion began or how it was found. "
	text := "The retailer, which serves 2 million customers, said on Tuesday that an attacker accessed a database. " +
		"The names and card numbers of 48,000 shoppers were copied, and about 300 staff were told to reset passwords. "
	for len(text) < 2500 {
		text += filler
	}
	text += "In 2014 a separate incident exposed the records of 1.5 million members. The regulator may fine it £2 million. "
	for len(text) < 5000 {
		text += filler
	}
	d := newDoc(text, "")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		records(d, nil)
	}
}
