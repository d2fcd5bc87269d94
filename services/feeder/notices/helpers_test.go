package notices

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fixture is a synthetic page under testdata/.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustURL parses a URL the test writes.
func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// parseFixture reads fixture name with the parser called parser, as if
// fetched from page.
func parseFixture(t testing.TB, parser, name, page string) (Page, error) {
	t.Helper()
	p, ok := Lookup(parser)
	if !ok {
		t.Fatalf("no parser %q", parser)
	}
	return p.Parse(fixture(t, name), mustURL(t, page))
}

// mustParse is parseFixture that must succeed.
func mustParse(t testing.TB, parser, name, page string) Page {
	t.Helper()
	pg, err := parseFixture(t, parser, name, page)
	if err != nil {
		t.Fatalf("%s %s: %v", parser, name, err)
	}
	return pg
}

// wantLayout checks that err is a *LayoutError of parser, missing missing
// and with reason reason.
func wantLayout(t testing.TB, err error, parser string, missing []string, reason string) {
	t.Helper()
	var le *LayoutError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T), want a *LayoutError", err, err)
	}
	if le.Parser != parser || !slices.Equal(le.Missing, missing) || le.Reason != reason {
		t.Fatalf("LayoutError %+v, want parser %q, missing %q, reason %q", *le, parser, missing, reason)
	}
}

// withoutText is rows with their Text left out: what must not change when
// a page's columns move.
func withoutText(rows []Row) []Row {
	out := slices.Clone(rows)
	for i := range out {
		out[i].Text = ""
	}
	return out
}

// samePairs reports whether two Row.Texts hold the same "Header: value"
// pairs, whatever their order, once headers are compared as labels
// ("Organization  Name" is "Organization Name") and extra columns of b
// are passed over.
func samePairs(a, b string) bool {
	bs := map[string]string{}
	for _, p := range strings.Split(b, "; ") {
		h, v, _ := strings.Cut(p, ":")
		bs[normLabel(h)] = strings.TrimSpace(v)
	}
	for _, p := range strings.Split(a, "; ") {
		h, v, _ := strings.Cut(p, ":")
		if got, ok := bs[normLabel(h)]; !ok || got != strings.TrimSpace(v) {
			return false
		}
	}
	return true
}

// checkRows compares rows field by field, so that a failure names the
// row and the field.
func checkRows(t *testing.T, got, want []Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		for f := 0; f < g.NumField(); f++ {
			if !reflect.DeepEqual(g.Field(f).Interface(), w.Field(f).Interface()) {
				t.Errorf("row %d (%s) %s = %#v, want %#v", i, want[i].Organisation, g.Type().Field(f).Name, g.Field(f).Interface(), w.Field(f).Interface())
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"ca-ag", "hhs-ocr", "ico", "me-ag", "wa-ag"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	meta := map[string][2]string{
		"ca-ag": {"California AG", "US"}, "wa-ag": {"Washington AG", "US"}, "me-ag": {"Maine AG", "US"},
		"hhs-ocr": {"HHS OCR", "US"}, "ico": {"ICO", "GB"},
	}
	for name, m := range meta {
		p, ok := Lookup(name)
		if !ok || p.Regulator != m[0] || p.Country != m[1] || p.Accept == "" || p.Parse == nil {
			t.Errorf("Lookup(%q) = %+v, %v; want regulator %q, country %q", name, p, ok, m[0], m[1])
		}
		if (p.Detail != nil) != (name == "me-ag") {
			t.Errorf("%s: Detail set = %v", name, p.Detail != nil)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) found a parser")
	}
}

func TestLayoutErrorMessage(t *testing.T) {
	for _, c := range []struct {
		err  LayoutError
		want string
	}{
		{LayoutError{Parser: "ca-ag", Missing: []string{"Reported Date"}}, "ca-ag: layout changed: missing Reported Date"},
		{LayoutError{Parser: "ca-ag", Reason: "no rows"}, "ca-ag: layout changed: no rows"},
		{LayoutError{Parser: "ico", Missing: []string{"action type"}, Reason: "no entry names its action"}, "ico: layout changed: missing action type; no entry names its action"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}
