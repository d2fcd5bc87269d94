package notices

import (
	"strings"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

const caList1 = "https://oag.ca.gov/privacy/databreach/list"

const informed = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED

// caPage1 is what ca-ag-page1.html must give.
func caPage1() []Row {
	oakhaven := "Oakhaven Property Management"
	return []Row{
		{
			ID: "ca-ag:/ecrime/databreach/reports/sb24-900101", Organisation: "Harbourline Dental Group",
			URL:         "https://oag.ca.gov/ecrime/databreach/reports/sb24-900101",
			BreachDates: []string{"2024-01-02", "2024-01-05"}, Reported: "2024-02-01", Action: informed,
			Text: "Organization Name: Harbourline Dental Group; Date(s) of Breach: 01/02/2024, 01/05/2024; Reported Date: 02/01/2024",
		},
		{
			ID: "ca-ag:/ecrime/databreach/reports/sb24-900102", Organisation: "Quillfeather & Sons Bookbinders",
			URL:      "https://oag.ca.gov/ecrime/databreach/reports/sb24-900102",
			Reported: "2024-02-01", Action: informed,
			Text: "Organization Name: Quillfeather & Sons Bookbinders; Date(s) of Breach:; Reported Date: 02/01/2024",
		},
		{
			ID: "ca-ag:/ecrime/databreach/reports/sb24-900103", Organisation: "Larkspur Valley Credit Union",
			URL:         "https://oag.ca.gov/ecrime/databreach/reports/sb24-900103",
			BreachDates: []string{"2023-11-30", "2023-12-28"}, Reported: "2024-01-31", Action: informed,
			Text: "Organization Name: Larkspur Valley Credit Union; Date(s) of Breach: 12/28/2023 , 11/30/2023 , 12/28/2023; Reported Date: 01/31/2024",
		},
		{
			ID: rowID("ca-ag", nil, oakhaven, "2024-01-30", ""), Organisation: oakhaven, URL: caList1,
			Reported: "2024-01-30", Action: informed,
			Text: "Organization Name: Oakhaven Property Management; Date(s) of Breach: n/a; Reported Date: 01/30/2024",
		},
		{
			ID: "ca-ag:/ecrime/databreach/reports/sb24-900105", Organisation: "Brightwater Kennels",
			URL:      "https://oag.ca.gov/ecrime/databreach/reports/sb24-900105",
			Reported: "2024-01-29", Action: informed,
			Text: "Organization Name: Brightwater Kennels; Date(s) of Breach: Spring 2023; Reported Date: 01/29/2024",
		},
	}
}

func TestCAPage(t *testing.T) {
	pg := mustParse(t, "ca-ag", "ca-ag-page1.html", caList1)
	checkRows(t, pg.Rows, caPage1())
	if want := caList1 + "?page=1"; pg.Next != want {
		t.Errorf("Next = %q, want %q", pg.Next, want)
	}
	for _, r := range pg.Rows {
		if r.AffectedKnown || r.Affected != 0 || r.Cause != bwv1.Cause_CAUSE_UNSPECIFIED || r.AffectedScope != "" {
			t.Errorf("%s: the list gives no count or cause, got %+v", r.Organisation, r)
		}
	}
}

func TestCALastPage(t *testing.T) {
	pg := mustParse(t, "ca-ag", "ca-ag-page2.html", caList1+"?page=1")
	if pg.Next != "" {
		t.Errorf("Next = %q on the last page, want none", pg.Next)
	}
	if len(pg.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(pg.Rows))
	}
	// The row that moved from page 1 to page 2 is the same row.
	checkRows(t, pg.Rows[:1], caPage1()[:1])
	saltmarsh := pg.Rows[1]
	if saltmarsh.Organisation != "Saltmarsh Outfitters, Inc." || strings.Join(saltmarsh.BreachDates, " ") != "2023-10-01 2023-10-14" ||
		saltmarsh.ID != "ca-ag:/ecrime/databreach/reports/sb24-900090" {
		t.Errorf("range row = %+v", saltmarsh)
	}
}

func TestCAColumnOrder(t *testing.T) {
	pg := mustParse(t, "ca-ag", "ca-ag-reordered.html", caList1)
	want := caPage1()
	checkRows(t, withoutText(pg.Rows), withoutText(want))
	for i, r := range pg.Rows {
		if !samePairs(want[i].Text, r.Text) || !strings.HasPrefix(r.Text, "Reported Date: ") || !strings.Contains(r.Text, "Notice Type: Sample") {
			t.Errorf("row %d Text %q: want page 1's pairs in this page's order", i, r.Text)
		}
	}
}

func TestCALayout(t *testing.T) {
	_, err := parseFixture(t, "ca-ag", "ca-ag-missing-column.html", caList1)
	wantLayout(t, err, "ca-ag", []string{"Reported Date"}, "")
	_, err = parseFixture(t, "ca-ag", "ca-ag-empty.html", caList1)
	wantLayout(t, err, "ca-ag", nil, "no rows")
	p, _ := Lookup("ca-ag")
	_, err = p.Parse([]byte(`<html><body><p>Down for maintenance.</p><table><tr><td>Menu</td></tr></table></body></html>`), mustURL(t, caList1))
	wantLayout(t, err, "ca-ag", []string{"table"}, "no table is headed Organization Name, Date(s) of Breach, Reported Date")
}

func TestCARowWithoutOrganisation(t *testing.T) {
	p, _ := Lookup("ca-ag")
	body := `<table><tr><th>Organization Name</th><th>Date(s) of Breach</th><th>Reported Date</th></tr>
<tr><td></td><td>01/02/2024</td><td>02/01/2024</td></tr></table>`
	_, err := p.Parse([]byte(body), mustURL(t, caList1))
	if err == nil || !strings.Contains(err.Error(), "row 1") || !strings.Contains(err.Error(), "Organization Name") {
		t.Fatalf("error %v, want one naming row 1 and its missing Organization Name", err)
	}
}
