package notices

import (
	"slices"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

const (
	meDir   = "https://www.maine.gov/agviewer/content/ag/985235c7-cb95-4be2-8792-a1252b4f8318/"
	meList1 = meDir + "list.html"
)

// mePage1 is what me-ag-list.html must give.
func mePage1() []Row {
	oakhaven := "Oakhaven Property Management"
	return []Row{
		{
			ID:           "me-ag:/agviewer/content/ag/985235c7-cb95-4be2-8792-a1252b4f8318/3f1c2a9e-7b41-4c1e-9d2a-000000000001.html",
			Organisation: "Harbourline Dental Group", URL: meDir + "3f1c2a9e-7b41-4c1e-9d2a-000000000001.html",
			Reported: "2024-02-14", Action: informed,
			Text: "Date Reported: 2024-02-14; Organization Name: Harbourline Dental Group",
		},
		{
			ID:           "me-ag:/agviewer/content/ag/985235c7-cb95-4be2-8792-a1252b4f8318/3f1c2a9e-7b41-4c1e-9d2a-000000000002.html",
			Organisation: "Larkspur Valley Credit Union", URL: meDir + "3f1c2a9e-7b41-4c1e-9d2a-000000000002.html",
			Reported: "2024-02-13", Action: informed,
			Text: "Date Reported: 2024-02-13; Organization Name: Larkspur Valley Credit Union",
		},
		{
			ID: rowID("me-ag", nil, oakhaven, "2024-02-12"), Organisation: oakhaven, URL: meList1,
			Reported: "2024-02-12", Action: informed,
			Text: "Date Reported: 02/12/2024; Organization Name: Oakhaven Property Management",
		},
	}
}

func TestMEPage(t *testing.T) {
	pg := mustParse(t, "me-ag", "me-ag-list.html", meList1)
	checkRows(t, pg.Rows, mePage1())
	if want := meList1 + "?page=2"; pg.Next != want {
		t.Errorf("Next = %q, want %q", pg.Next, want)
	}
	last := mustParse(t, "me-ag", "me-ag-list-page2.html", meList1+"?page=2")
	if last.Next != "" {
		t.Errorf("Next = %q on the last page, want none", last.Next)
	}
	if len(last.Rows) != 2 {
		t.Fatalf("%d rows on page 2, want 2", len(last.Rows))
	}
	checkRows(t, last.Rows[:1], mePage1()[:1])
}

func TestMEColumnOrder(t *testing.T) {
	pg := mustParse(t, "me-ag", "me-ag-reordered.html", meList1)
	want := mePage1()
	checkRows(t, withoutText(pg.Rows), withoutText(want))
	for i, r := range pg.Rows {
		if !samePairs(want[i].Text, r.Text) {
			t.Errorf("row %d Text %q: want the pairs of %q", i, r.Text, want[i].Text)
		}
	}
}

func TestMELayout(t *testing.T) {
	_, err := parseFixture(t, "me-ag", "me-ag-missing-column.html", meList1)
	wantLayout(t, err, "me-ag", []string{"Date Reported"}, "")
	_, err = parseFixture(t, "me-ag", "me-ag-empty.html", meList1)
	wantLayout(t, err, "me-ag", nil, "no rows")
}

func TestMEDetail(t *testing.T) {
	p, _ := Lookup("me-ag")
	for _, c := range []struct {
		file      string
		affected  int64
		known     bool
		dates     []string
		cause     bwv1.Cause
		causeText string
		detail    string
	}{
		{
			file: "me-ag-notice.html", affected: 12480, known: true,
			dates: []string{"2024-01-02", "2024-01-05"}, cause: bwv1.Cause_CAUSE_HACKING, causeText: "External system breach (hacking)",
			detail: "Total number of persons affected (including residents): 12,480; Date(s) Breach Occured: 01/02/2024, 01/05/2024; " +
				"Date Breach Discovered: 01/20/2024; Description of the Breach: External system breach (hacking)",
		},
		{
			file: "me-ag-notice-unknown.html", affected: 0, known: false,
			dates: []string{"2023-12-30", "2024-01-03"}, cause: bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE, causeText: "Loss or theft of device or media",
			detail: "Total number of persons affected (including residents): Unknown; Date(s) Breach Occurred: 12/30/2023 - 01/03/2024; " +
				"Date Breach Discovered: 01/09/2024; Type of breach: Loss or theft of device or media",
		},
	} {
		t.Run(c.file, func(t *testing.T) {
			r := mePage1()[0]
			text := r.Text
			if err := p.Detail(fixture(t, c.file), &r); err != nil {
				t.Fatal(err)
			}
			if r.Affected != c.affected || r.AffectedKnown != c.known || r.AffectedScope != "total persons affected" {
				t.Errorf("count %d known %v scope %q, want %d %v", r.Affected, r.AffectedKnown, r.AffectedScope, c.affected, c.known)
			}
			if !slices.Equal(r.BreachDates, c.dates) || r.Cause != c.cause || r.CauseText != c.causeText {
				t.Errorf("dates %q cause %v %q, want %q %v %q", r.BreachDates, r.Cause, r.CauseText, c.dates, c.cause, c.causeText)
			}
			if r.DetailText != c.detail {
				t.Errorf("DetailText\n got %q\nwant %q", r.DetailText, c.detail)
			}
			if r.Text != text || r.Reported != "2024-02-14" || r.Organisation != "Harbourline Dental Group" {
				t.Errorf("Detail changed the list's facts: %+v", r)
			}
		})
	}
}

func TestMEDetailLayout(t *testing.T) {
	p, _ := Lookup("me-ag")
	r := mePage1()[0]
	err := p.Detail(fixture(t, "me-ag-notice-missing.html"), &r)
	wantLayout(t, err, "me-ag", []string{"Total number of persons affected (including residents)"}, "notice page "+r.URL)
	if r.AffectedScope != "" || r.Cause != bwv1.Cause_CAUSE_UNSPECIFIED {
		t.Errorf("a failed Detail changed the row: %+v", r)
	}
	if err := p.Detail(fixture(t, "me-ag-notice.html"), nil); err == nil {
		t.Error("Detail of no row: no error")
	}
}

func TestMECause(t *testing.T) {
	for in, want := range map[string]bwv1.Cause{
		"External system breach (hacking)": bwv1.Cause_CAUSE_HACKING,
		"Insider wrongdoing":               bwv1.Cause_CAUSE_INSIDER_MISUSE,
		"Inadvertent disclosure":           bwv1.Cause_CAUSE_MISCONFIGURATION_EXPOSURE,
		"Loss or theft of device or media": bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE,
		"Other":                            bwv1.Cause_CAUSE_UNKNOWN,
		"Other: ransomware":                bwv1.Cause_CAUSE_UNKNOWN,
		"Unknown":                          bwv1.Cause_CAUSE_UNKNOWN,
		"a vendor mailed the wrong file":   bwv1.Cause_CAUSE_UNKNOWN,
		"":                                 bwv1.Cause_CAUSE_UNSPECIFIED,
	} {
		if got := meCause(in); got != want {
			t.Errorf("meCause(%q) = %v, want %v", in, got, want)
		}
	}
}
