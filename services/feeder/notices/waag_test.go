package notices

import (
	"strings"
	"testing"
)

const waList1 = "https://www.atg.wa.gov/data-breach-notifications"

// waPage1 is what wa-ag-page1.html must give.
func waPage1() []Row {
	const scope = "Washingtonians affected"
	oakhaven := "Oakhaven Property Management"
	return []Row{
		{
			ID: "wa-ag:/databreach/BreachA90001.pdf", Organisation: "Harbourline Dental Group",
			URL:         "https://files.example.test/databreach/BreachA90001.pdf",
			BreachDates: []string{"2024-11-02", "2024-11-09"}, Reported: "2025-03-18",
			Affected: 4689, AffectedKnown: true, AffectedScope: scope, AffectedResidentsOnly: true, Action: informed,
			Information: "Name; Social Security Number; Full Date of Birth",
			Text:        "Date Reported: 03/18/2025; Organization Name: Harbourline Dental Group; Date of Breach: 11/02/2024 - 11/09/2024; Number of Washingtonians Affected: 4,689; Information Compromised: Name; Social Security Number; Full Date of Birth",
		},
		{
			ID: "wa-ag:/sites/default/files/databreach/BreachA90002.pdf", Organisation: "Larkspur Valley Credit Union",
			URL:         "https://www.atg.wa.gov/sites/default/files/databreach/BreachA90002.pdf",
			BreachDates: []string{"2025-01-15"}, Reported: "2025-03-17",
			AffectedScope: scope, AffectedResidentsOnly: true, Action: informed, Information: "Name; Financial & Banking Information",
			Text: "Date Reported: 03/17/2025; Organization Name: Larkspur Valley Credit Union; Date of Breach: 01/15/2025; Number of Washingtonians Affected: Unknown; Information Compromised: Name; Financial & Banking Information",
		},
		{
			ID: rowID("wa-ag", nil, oakhaven, "2025-03-14", ""), Organisation: oakhaven, URL: waList1,
			Reported: "2025-03-14", Affected: 612, AffectedKnown: true, AffectedScope: scope, AffectedResidentsOnly: true, Action: informed,
			Information: "Name; Driver's License or Washington ID Card Number",
			Text:        "Date Reported: 03/14/2025; Organization Name: Oakhaven Property Management; Date of Breach:; Number of Washingtonians Affected: 612; Information Compromised: Name; Driver's License or Washington ID Card Number",
		},
		{
			ID: "wa-ag:/sites/default/files/databreach/BreachA90004.pdf", Organisation: "Brightwater Kennels",
			URL:         "https://www.atg.wa.gov/sites/default/files/databreach/BreachA90004.pdf",
			BreachDates: []string{"2025-02-01", "2025-02-03"}, Reported: "2025-03-12",
			AffectedScope: scope, AffectedResidentsOnly: true, Action: informed, Information: "Name",
			Text: "Date Reported: 03/12/2025; Organization Name: Brightwater Kennels; Date of Breach: 02/03/2025 to 02/01/2025; Number of Washingtonians Affected: N/A; Information Compromised: Name",
		},
	}
}

func TestWAPage(t *testing.T) {
	pg := mustParse(t, "wa-ag", "wa-ag-page1.html", waList1)
	checkRows(t, pg.Rows, waPage1())
	if want := waList1 + "?page=1"; pg.Next != want {
		t.Errorf("Next = %q, want %q", pg.Next, want)
	}
}

func TestWAUnknownCount(t *testing.T) {
	pg := mustParse(t, "wa-ag", "wa-ag-page1.html", waList1)
	for _, i := range []int{1, 3} { // "Unknown", "N/A"
		if r := pg.Rows[i]; r.AffectedKnown || r.Affected != 0 {
			t.Errorf("%s: count %d known %v, want unknown (not 0)", r.Organisation, r.Affected, r.AffectedKnown)
		}
	}
	if r := pg.Rows[2]; !r.AffectedKnown || r.Affected != 612 {
		t.Errorf("%s: count %d known %v, want 612", r.Organisation, r.Affected, r.AffectedKnown)
	}
}

func TestWALastPage(t *testing.T) {
	pg := mustParse(t, "wa-ag", "wa-ag-page2.html", waList1+"?page=1")
	if pg.Next != "" {
		t.Errorf("Next = %q on the last page, want none", pg.Next)
	}
	if len(pg.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(pg.Rows))
	}
	checkRows(t, pg.Rows[:1], waPage1()[:1])
	if r := pg.Rows[1]; r.Affected != 1203 || !r.AffectedKnown || strings.Join(r.BreachDates, ",") != "2024-12-01" {
		t.Errorf("row 2 = %+v", r)
	}
}

func TestWAColumnOrder(t *testing.T) {
	pg := mustParse(t, "wa-ag", "wa-ag-reordered.html", waList1)
	want := waPage1()
	checkRows(t, withoutText(pg.Rows), withoutText(want))
	for i, r := range pg.Rows {
		if !samePairs(want[i].Text, r.Text) || !strings.HasPrefix(r.Text, "Information Compromised: ") {
			t.Errorf("row %d Text %q: want page 1's pairs in this page's order", i, r.Text)
		}
	}
}

func TestWALayout(t *testing.T) {
	_, err := parseFixture(t, "wa-ag", "wa-ag-missing-column.html", waList1)
	wantLayout(t, err, "wa-ag", []string{"Number of Washingtonians Affected"}, "")
	// The view's one-cell "no results" row is not a notice.
	_, err = parseFixture(t, "wa-ag", "wa-ag-empty.html", waList1)
	wantLayout(t, err, "wa-ag", nil, "no rows")
}
