package notices

import (
	"slices"
	"testing"
	"time"
)

func TestReadDates(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"n/a", nil},
		{"N/A", nil},
		{"Unknown", nil},
		{"01/02/2024", []string{"2024-01-02"}},
		{"1/2/2024", []string{"2024-01-02"}},
		{"01/05/2024, 01/02/2024", []string{"2024-01-02", "2024-01-05"}},
		{"12/28/2023 , 11/30/2023 , 12/28/2023", []string{"2023-11-30", "2023-12-28"}},
		{"11/02/2024 - 11/09/2024", []string{"2024-11-02", "2024-11-09"}},
		{"02/03/2025 to 02/01/2025", []string{"2025-02-01", "2025-02-03"}},
		{"2024-02-14", []string{"2024-02-14"}},
		{"26 March 2025", []string{"2025-03-26"}},
		{"March 26, 2025", []string{"2025-03-26"}},
		{"3rd Sept 2024", []string{"2024-09-03"}},
		{"March 2024", []string{"2024-03"}},
		{"03/2024", []string{"2024-03"}},
		{"2023", []string{"2023"}},
		{"Spring 2023", nil},
		{"02/30/2024", nil},
		{"13/01/2024", nil},
		{"01/02/1850", nil},
		{"01/02/2024 and n/a", []string{"2024-01-02"}},
	} {
		if got := readDates(c.in); !slices.Equal(got, c.want) {
			t.Errorf("readDates(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadDate(t *testing.T) {
	for in, want := range map[string]string{
		"02/01/2024": "2024-02-01", "2024-02-14": "2024-02-14", "": "", "TBD": "", "soon": "",
		"Date: 9 January 2025": "2025-01-09",
	} {
		if got := readDate(in); got != want {
			t.Errorf("readDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadCount(t *testing.T) {
	for _, c := range []struct {
		in    string
		n     int64
		known bool
	}{
		{"1,234", 1234, true},
		{"4689", 4689, true},
		{" 12,480 ", 12480, true},
		{"0", 0, true},
		{"Unknown", 0, false},
		{"N/A", 0, false},
		{"", 0, false},
		{"TBD", 0, false},
		{"approximately 1,200", 0, false},
		{"1,23", 0, false},
		{"-5", 0, false},
		{"99999999999999999999", 0, false},
	} {
		n, known := readCount(c.in)
		if n != c.n || known != c.known {
			t.Errorf("readCount(%q) = %d, %v; want %d, %v", c.in, n, known, c.n, c.known)
		}
	}
}

func TestPoundsInPence(t *testing.T) {
	for _, c := range []struct {
		in    string
		pence int64
		ok    bool
	}{
		{"a fine of £500,000", 50_000_000, true},
		{"£3.07 million", 307_000_000, true},
		{"£7.5m for", 750_000_000, true},
		{"£1,250.50", 125_050, true},
		{"£20k", 2_000_000, true},
		{"GBP 14 million", 1_400_000_000, true},
		{"£500,000 and again £500,000", 50_000_000, true},
		{"reduced from £4.4m to £750,000", 0, false},
		{"no amount", 0, false},
		{"£1.005", 0, false},
		{"£999999999999999 billion", 0, false},
		{"£1234567890123456", 0, false},
		{"£0", 0, false},
		{"a fine of £500,000.", 50_000_000, true},
	} {
		p, ok := poundsInPence(c.in)
		if p != c.pence || ok != c.ok {
			t.Errorf("poundsInPence(%q) = %d, %v; want %d, %v", c.in, p, ok, c.pence, c.ok)
		}
	}
}

func TestLabels(t *testing.T) {
	for in, want := range map[string]string{
		"Date(s) of Breach (if known)":                            "date of breach",
		"  Organization\n Name ":                                  "organization name",
		"\ufeffName of Covered Entity":                            "name of covered entity",
		"Total number of persons affected (including residents):": "total number of persons affected",
	} {
		if got := normLabel(in); got != want {
			t.Errorf("normLabel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Date(s) of Breach (if known)": "Date(s) of Breach",
		"Reported Date:":               "Reported Date",
		"Total number of persons affected (including residents)": "Total number of persons affected (including residents)",
	} {
		if got := displayLabel(in); got != want {
			t.Errorf("displayLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// A list's dates are calendar dates in its regulator's zone: the day
// begins at local midnight, daylight saving included.
func TestParserDayIsInTheRegulatorsZone(t *testing.T) {
	for _, name := range Names() {
		p, _ := Lookup(name)
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" {
			t.Errorf("%s: time zone %q: %v", name, p.TimeZone, err)
		}
	}
	for _, tc := range []struct {
		parser, date string
		want         time.Time
	}{
		{"ca-ag", "2025-02-01", time.Date(2025, 2, 1, 8, 0, 0, 0, time.UTC)},
		{"wa-ag", "2025-07-01", time.Date(2025, 7, 1, 7, 0, 0, 0, time.UTC)},
		{"hhs-ocr", "2025-02-01", time.Date(2025, 2, 1, 5, 0, 0, 0, time.UTC)},
		{"ico", "2025-07-01", time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)},
		{"ico", "2025-01-15", time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)},
	} {
		p, _ := Lookup(tc.parser)
		got, ok := p.Day(tc.date)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("%s %s: %v %v, want %v", tc.parser, tc.date, got.UTC(), ok, tc.want)
		}
	}
	if p, _ := Lookup("ca-ag"); func() bool { _, ok := p.Day("2025-02"); return ok }() {
		t.Error("a partial date was read as a day")
	}
}
