package notices

import (
	"strings"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

const hhsExport = "https://ocrportal.hhs.gov/ocr/breach/breach_report.csv"

func TestHHSExport(t *testing.T) {
	pg := mustParse(t, "hhs-ocr", "hhs-ocr.csv", hhsExport)
	if pg.Next != "" {
		t.Errorf("Next = %q, want none: the export is one file", pg.Next)
	}
	want := []struct {
		org      string
		reported string
		affected int64
		known    bool
		cause    bwv1.Cause
		text     string
	}{
		{"Harbourline Dental Group", "2024-01-22", 12480, true, bwv1.Cause_CAUSE_HACKING, "Hacking/IT Incident; Location of Breached Information: Network Server"},
		{"Larkspur Valley Health Plan", "2024-01-19", 3210, true, bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE, "Theft; Location of Breached Information: Laptop"},
		{"Oakhaven Family Clinic", "2024-01-18", 845, true, bwv1.Cause_CAUSE_PHYSICAL_PAPER, "Loss; Location of Breached Information: Paper/Films"},
		{"Brightwater Pediatrics", "2024-01-17", 1502, true, bwv1.Cause_CAUSE_UNSPECIFIED, "Unauthorized Access/Disclosure; Location of Breached Information: Email"},
		{"Saltmarsh Orthopedics", "2024-01-16", 0, false, bwv1.Cause_CAUSE_PHYSICAL_PAPER, "Improper Disposal; Location of Breached Information: Paper/Films"},
		{"Quillfeather Health, LLC", "2024-01-15", 61000, true, bwv1.Cause_CAUSE_HACKING, "Hacking/IT Incident, Theft; Location of Breached Information: Laptop, Network Server"},
		{"Fernbrook Dialysis Center", "2024-01-12", 2200, true, bwv1.Cause_CAUSE_UNKNOWN, "Other; Location of Breached Information: Other"},
		{"Ironwood Hearing Services", "2024-01-11", 640, true, bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE, "Theft; Location of Breached Information: Other Portable Electronic Device"},
	}
	if len(pg.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(pg.Rows), len(want))
	}
	ids := map[string]bool{}
	for i, w := range want {
		r := pg.Rows[i]
		if r.Organisation != w.org || r.Reported != w.reported || r.Affected != w.affected || r.AffectedKnown != w.known ||
			r.Cause != w.cause || r.CauseText != w.text {
			t.Errorf("row %d = %+v\nwant %+v", i, r, w)
		}
		if r.AffectedScope != "individuals affected" || r.Action != informed || r.URL != hhsExport || r.BreachDates != nil ||
			!strings.HasPrefix(r.ID, "hhs-ocr:") || ids[r.ID] {
			t.Errorf("row %d: %+v", i, r)
		}
		ids[r.ID] = true
	}
	if got, want := pg.Rows[1].Text, "Name of Covered Entity: Larkspur Valley Health Plan; State: WA; Covered Entity Type: Health Plan; "+
		"Individuals Affected: 3210; Breach Submission Date: 01/19/2024; Type of Breach: Theft; Location of Breached Information: Laptop; "+
		"Business Associate Present: Yes; Web Description: A laptop was stolen from a contractor's car."; got != want {
		t.Errorf("Text\n got %q\nwant %q", got, want)
	}
	if got := pg.Rows[2].Text; !strings.HasSuffix(got, "Business Associate Present: No; Web Description:") {
		t.Errorf("Text with an empty last column: %q", got)
	}
}

func TestHHSBOMAndColumnOrder(t *testing.T) {
	want := mustParse(t, "hhs-ocr", "hhs-ocr.csv", hhsExport)
	pg := mustParse(t, "hhs-ocr", "hhs-ocr-bom-reordered.csv", hhsExport)
	checkRows(t, withoutText(pg.Rows), withoutText(want.Rows))
	for i, r := range pg.Rows {
		if !samePairs(want.Rows[i].Text, r.Text) || !strings.HasPrefix(r.Text, "Type of Breach: ") {
			t.Errorf("row %d Text %q: want the pairs of %q in this file's order", i, r.Text, want.Rows[i].Text)
		}
	}
}

func TestHHSLayout(t *testing.T) {
	_, err := parseFixture(t, "hhs-ocr", "hhs-ocr-missing-column.csv", hhsExport)
	wantLayout(t, err, "hhs-ocr", []string{"Type of Breach"}, "")
	_, err = parseFixture(t, "hhs-ocr", "hhs-ocr-empty.csv", hhsExport)
	wantLayout(t, err, "hhs-ocr", nil, "no rows")
	p, _ := Lookup("hhs-ocr")
	_, err = p.Parse(nil, mustURL(t, hhsExport))
	wantLayout(t, err, "hhs-ocr", []string{"header row"}, "empty file")
	_, err = p.Parse([]byte("<html><body>Session expired</body></html>"), mustURL(t, hhsExport))
	wantLayout(t, err, "hhs-ocr", []string{"Name of Covered Entity", "State", "Individuals Affected", "Breach Submission Date", "Type of Breach", "Location of Breached Information"}, "")
}

func TestHHSCause(t *testing.T) {
	for _, c := range []struct {
		typ, loc string
		want     bwv1.Cause
	}{
		{"Hacking/IT Incident", "Email", bwv1.Cause_CAUSE_HACKING},
		{"Theft", "Paper/Films", bwv1.Cause_CAUSE_PHYSICAL_PAPER},
		{"Loss", "Paper/Films", bwv1.Cause_CAUSE_PHYSICAL_PAPER},
		{"Theft", "Laptop", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Loss", "Desktop Computer", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Theft", "Paper/Films, Laptop", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Theft", "", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Improper Disposal", "Paper/Films", bwv1.Cause_CAUSE_PHYSICAL_PAPER},
		{"Improper Disposal", "Desktop Computer", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Unauthorized Access/Disclosure", "Electronic Medical Record", bwv1.Cause_CAUSE_UNSPECIFIED},
		{"Unauthorized Access/Disclosure, Other", "Email", bwv1.Cause_CAUSE_UNSPECIFIED},
		{"Unauthorized Access/Disclosure, Theft", "Laptop", bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE},
		{"Theft, Hacking/IT Incident", "Laptop, Network Server", bwv1.Cause_CAUSE_HACKING},
		{"Other", "Other", bwv1.Cause_CAUSE_UNKNOWN},
		{"Unknown", "", bwv1.Cause_CAUSE_UNKNOWN},
		{"", "Laptop", bwv1.Cause_CAUSE_UNSPECIFIED},
	} {
		if got := hhsCause(c.typ, c.loc); got != c.want {
			t.Errorf("hhsCause(%q, %q) = %v, want %v", c.typ, c.loc, got, c.want)
		}
	}
}
