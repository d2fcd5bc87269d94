package query

import (
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	d := func(s string) time.Time { tm, _ := ParseDate(s); return tm }
	cases := []struct {
		in   string
		want Node
	}{
		{"", All{}},
		{"plusnet", Term{Field: FieldText, Op: OpEq, Value: "plusnet"}},
		{`"Life Planning"`, Term{Field: FieldText, Op: OpEq, Value: "life planning", Phrase: true}},
		{"organisation:plusnet AND cause:software_bug_upgrade AND records:>1000", And{Nodes: []Node{
			Term{Field: FieldOrganisation, Op: OpEq, Value: "plusnet"},
			Term{Field: FieldCause, Op: OpEq, Value: "software_bug_upgrade"},
			Term{Field: FieldRecords, Op: OpGt, Value: "1000", Number: 1000},
		}}},
		{"regulator:ICO (action:undertaking OR action:monetary_penalty) NOT year:2014", And{Nodes: []Node{
			Term{Field: FieldRegulator, Op: OpEq, Value: "ico"},
			Or{Nodes: []Node{Term{Field: FieldAction, Op: OpEq, Value: "undertaking"}, Term{Field: FieldAction, Op: OpEq, Value: "monetary_penalty"}}},
			Not{Node: Term{Field: FieldYear, Op: OpEq, Value: "2014", Number: 2014}},
		}}},
		{`organization:"co-operative life planning" first_reported:>=2011-01`, And{Nodes: []Node{
			Term{Field: FieldOrganisation, Op: OpEq, Value: "co-operative life planning", Phrase: true},
			Term{Field: FieldFirstReported, Op: OpGe, Value: "2011-01", Time: d("2011-01")},
		}}},
		{"records:<=1.5m", Term{Field: FieldRecords, Op: OpLe, Value: "1.5m", Number: 1_500_000}},
	}
	for _, tc := range cases {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"colour:red", "records:>many", "first_reported:yesterday", "(cause:hacking", "cause:hacking)",
		`"unclosed`, "AND cause:x", "cause:>x", "records:", "OR"} {
		if n, err := Parse(in); err == nil {
			t.Errorf("%q parsed as %#v", in, n)
		}
	}
}

func TestParseSort(t *testing.T) {
	for in, want := range map[string]Sort{
		"":               {FieldFirstReported, true},
		"records:desc":   {FieldRecords, true},
		"-last_updated":  {FieldLastUpdated, true},
		"first_reported": {FieldFirstReported, false},
		"year:asc":       {FieldYear, false},
	} {
		got, err := ParseSort(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"cause", "records:up"} {
		if _, err := ParseSort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDatePeriods(t *testing.T) {
	cases := []struct {
		q          string
		start, end string
		exact      bool
	}{
		{"first_reported:2015", "2015-01-01T00:00:00Z", "2016-01-01T00:00:00Z", false},
		{"first_reported:2019-02", "2019-02-01T00:00:00Z", "2019-03-01T00:00:00Z", false},
		{"first_reported:2018-12-31", "2018-12-31T00:00:00Z", "2019-01-01T00:00:00Z", false},
		{"first_reported:2019-03-01T04:30:00Z", "2019-03-01T04:30:00Z", "2019-03-01T04:30:00.000000001Z", true},
		{"first_reported:2019-02-28T23:30:00-05:00", "2019-03-01T04:30:00Z", "2019-03-01T04:30:00.000000001Z", true},
	}
	for _, tc := range cases {
		n, err := Parse(tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		term := n.(Term)
		start, end := term.Period()
		if got := start.Format(time.RFC3339Nano); got != tc.start {
			t.Errorf("%s: start %s, want %s", tc.q, got, tc.start)
		}
		if got := end.Format(time.RFC3339Nano); got != tc.end {
			t.Errorf("%s: end %s, want %s", tc.q, got, tc.end)
		}
		if term.Exact() != tc.exact {
			t.Errorf("%s: exact %v", tc.q, term.Exact())
		}
	}
}
