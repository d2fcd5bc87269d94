package notices

import (
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

const icoList1 = "https://ico.org.uk/action-weve-taken/enforcement/"

const (
	penalty     = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY
	reprimand   = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_REPRIMAND
	enforcement = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_ENFORCEMENT_NOTICE
	undertaking = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNDERTAKING
)

func TestICOPage(t *testing.T) {
	pg := mustParse(t, "ico", "ico-page1.html", icoList1)
	if want := icoList1 + "?page=2"; pg.Next != want {
		t.Errorf("Next = %q, want %q", pg.Next, want)
	}
	d := icoList1
	want := []Row{
		{
			ID: "ico:/action-weve-taken/enforcement/2025/03/harbourline-dental-group/", Organisation: "Harbourline Dental Group",
			URL: d + "2025/03/harbourline-dental-group/", Reported: "2025-03-26", Action: penalty, AmountMinor: 307_000_000, Currency: "GBP",
			Text: "Organisation: Harbourline Dental Group; Date: 26 March 2025; Action: Monetary penalties; " +
				"Summary: We have fined Harbourline Dental Group £3.07 million for failing to protect patients' records from a ransomware attack.",
		},
		{
			ID: "ico:/action-weve-taken/enforcement/2025/03/larkspur-valley-borough-council/", Organisation: "Larkspur Valley Borough Council",
			URL: d + "2025/03/larkspur-valley-borough-council/", Reported: "2025-03-19", Action: reprimand,
			Text: "Organisation: Larkspur Valley Borough Council; Date: 19 March 2025; Action: Reprimands; " +
				"Summary: A reprimand, instead of a £10m fine, after the council emailed a spreadsheet of residents' details to the wrong list.",
		},
		{
			ID: "ico:/action-weve-taken/enforcement/quillfeather-marketing-ltd/", Organisation: "Quillfeather Marketing Ltd",
			URL: d + "quillfeather-marketing-ltd/", Reported: "2025-02-12", Action: enforcement,
			Text: "Organisation: Quillfeather Marketing Ltd; Date: 12 February 2025; Action: Enforcement notices; Summary: An order to stop making unsolicited marketing calls.",
		},
		{
			ID: "ico:/action-weve-taken/enforcement/oakhaven-academy-trust/", Organisation: "Oakhaven Academy Trust",
			URL: d + "oakhaven-academy-trust/", Reported: "2025-02-03", Action: undertaking,
			Text: "Organisation: Oakhaven Academy Trust; Date: 3 February 2025; Action: Undertakings; " +
				"Summary: The trust undertook to train its staff after pupils' records were left on a shared drive.",
		},
		{
			ID: "ico:/action-weve-taken/enforcement/saltmarsh-telecom-ltd/", Organisation: "Saltmarsh Telecom Ltd",
			URL: d + "saltmarsh-telecom-ltd/", Reported: "2025-01-21", Action: penalty, AmountMinor: 50_000_000, Currency: "GBP",
			Text: "Organisation: Saltmarsh Telecom Ltd; Date: 21 January 2025; Action: Monetary penalties; Summary: A £500,000 penalty for nuisance calls. Read more",
		},
	}
	// The prosecution of a former employee is left out.
	checkRows(t, pg.Rows, want)
}

func TestICOLastPageOtherMarkup(t *testing.T) {
	first := mustParse(t, "ico", "ico-page1.html", icoList1)
	pg := mustParse(t, "ico", "ico-page2.html", icoList1+"?page=2")
	if pg.Next != "" {
		t.Errorf("Next = %q on the last page, want none", pg.Next)
	}
	if len(pg.Rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(pg.Rows), pg.Rows)
	}
	// The same decision in other markup is the same row.
	checkRows(t, pg.Rows[:1], first.Rows[:1])
	fee := pg.Rows[1]
	if fee.Organisation != "Fernbrook Logistics plc" || fee.Reported != "2025-01-09" || fee.Action != penalty {
		t.Errorf("row 2 = %+v", fee)
	}
	// Two amounts (£1,250.50 reduced from £4,000): which is the penalty is
	// not guessed.
	if fee.AmountMinor != 0 || fee.Currency != "" {
		t.Errorf("row 2 amount %d %q, want none", fee.AmountMinor, fee.Currency)
	}
	if want := "Organisation: Fernbrook Logistics plc; Date: 9 January 2025; Action: Monetary penalty notice; " +
		"Summary: We fined the company £1,250.50 for failing to pay the data protection fee, reduced from £4,000."; fee.Text != want {
		t.Errorf("row 2 Text\n got %q\nwant %q", fee.Text, want)
	}
	// An entry that names no action is kept, its action unspecified.
	if r := pg.Rows[2]; r.Organisation != "Ironwood Surgery" || r.Action != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNSPECIFIED || r.Reported != "2025-01-02" {
		t.Errorf("row 3 = %+v", r)
	}
}

func TestICOLayout(t *testing.T) {
	_, err := parseFixture(t, "ico", "ico-empty.html", icoList1)
	wantLayout(t, err, "ico", nil, "no rows")
	_, err = parseFixture(t, "ico", "ico-nolabels.html", icoList1)
	wantLayout(t, err, "ico", []string{"action type"}, "no entry names its action")
}

func TestICOOnlyLeftOutEntries(t *testing.T) {
	p, _ := Lookup("ico")
	body := `<ul><li><h3><a href="prosecution-of-a-former-clerk/">A former clerk</a></h3><span>Prosecutions</span><span>4 April 2025</span></li></ul>`
	pg, err := p.Parse([]byte(body), mustURL(t, icoList1+"?type=prosecutions"))
	if err != nil || len(pg.Rows) != 0 {
		t.Fatalf("a page of prosecutions: %d rows, error %v; want none and no error", len(pg.Rows), err)
	}
}
