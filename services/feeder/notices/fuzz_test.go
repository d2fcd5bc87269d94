package notices

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// fuzzPages are the addresses each parser's pages are read as from.
var fuzzPages = map[string]string{
	"ca-ag": caList1, "wa-ag": waList1, "me-ag": meList1, "hhs-ocr": hhsExport, "ico": icoList1,
}

var isoDate = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)

// FuzzParsers feeds every parser (and the Maine notice reader) hostile
// pages, seeded with the fixtures: none may panic, and what one accepts
// must be well formed.
func FuzzParsers(f *testing.F) {
	for _, pattern := range []string{"*.html", "*.csv"} {
		files, _ := filepath.Glob(filepath.Join("testdata", pattern))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("\ufeff\"Name of Covered Entity\",State\n\"unterminated"))
	f.Add([]byte(`<table><tr><th>Organization Name<th>Reported Date<th>Date(s) of Breach<tr><td><a href="javascript:alert(1)">x</a><td>99/99/9999<td>01/01/2024 - </table><li class=pager-next><a href="#">n</a>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, name := range Names() {
			p, _ := Lookup(name)
			page, _ := url.Parse(fuzzPages[name])
			pg, err := p.Parse(body, page)
			if err != nil {
				continue
			}
			if pg.Next != "" {
				if u, err := url.Parse(pg.Next); err != nil || !u.IsAbs() || pg.Next == page.String() {
					t.Fatalf("%s: bad Next %q", name, pg.Next)
				}
			}
			for _, r := range pg.Rows {
				checkFuzzRow(t, name, r)
				if p.Detail != nil {
					if err := p.Detail(body, &r); err == nil {
						checkFuzzRow(t, name, r)
					}
				}
			}
		}
	})
}

// checkFuzzRow fails t when r is not a well-formed row of parser.
func checkFuzzRow(t *testing.T, parser string, r Row) {
	t.Helper()
	if !strings.HasPrefix(r.ID, parser+":") || len(r.ID) == len(parser)+1 {
		t.Fatalf("%s: row ID %q", parser, r.ID)
	}
	if r.Organisation == "" || r.Organisation != collapse(r.Organisation) {
		t.Fatalf("%s: organisation %q", parser, r.Organisation)
	}
	if u, err := url.Parse(r.URL); err != nil || !u.IsAbs() {
		t.Fatalf("%s: URL %q", parser, r.URL)
	}
	if r.Reported != "" && !isoDate.MatchString(r.Reported) {
		t.Fatalf("%s: reported %q", parser, r.Reported)
	}
	for _, d := range r.BreachDates {
		if !isoDate.MatchString(d) {
			t.Fatalf("%s: breach date %q", parser, d)
		}
	}
	if !slices.IsSorted(r.BreachDates) || len(slices.Compact(slices.Clone(r.BreachDates))) != len(r.BreachDates) {
		t.Fatalf("%s: breach dates %q not sorted and distinct", parser, r.BreachDates)
	}
	if r.Affected < 0 || (!r.AffectedKnown && r.Affected != 0) {
		t.Fatalf("%s: affected %d known %v", parser, r.Affected, r.AffectedKnown)
	}
	if (r.Currency == "") != (r.AmountMinor == 0) || r.AmountMinor < 0 {
		t.Fatalf("%s: amount %d %q", parser, r.AmountMinor, r.Currency)
	}
}
