package rules

import (
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

func TestFindQuantities(t *testing.T) {
	type q struct {
		text      string
		value     int64
		max       int64
		qualifier bwv1.RecordsQualifier
		unknown   bool
	}
	exact, approx, atLeast, atMost, rng, unk := bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT, bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE,
		bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST, bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST,
		bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE, bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN
	cases := []struct {
		in   string
		want []q
	}{
		{"The files of 83,000 customers were copied.", []q{{"83,000", 83000, 0, exact, false}}},
		{"About 1.5 million accounts were affected.", []q{{"About 1.5 million", 1_500_000, 0, approx, false}}},
		{"more than 2.9m users and up to 500 staff", []q{{"more than 2.9m", 2_900_000, 0, atLeast, false}, {"up to 500", 500, 0, atMost, false}}},
		{"eighty-two thousand people", []q{{"eighty-two thousand", 82000, 0, exact, false}}},
		{"two hundred and fifty patients", []q{{"two hundred and fifty", 250, 0, exact, false}}},
		{"half a million records", []q{{"half a million", 500_000, 0, exact, false}}},
		{"tens of thousands of customers", []q{{"tens of thousands", 10_000, 99_999, rng, false}}},
		{"a handful of customers", []q{{"a handful", 0, 0, unk, true}}},
		{"In 2018, 4,000 users", []q{{"4,000", 4000, 0, exact, false}}},
		{"a fine of £500,000 and 20% of users on 4G at 10:30", nil},
		{"a fine of EUR 29,000", nil},
		{"COVID-19 and A320 and v2", nil},
		{"1 200 000 records", []q{{"1 200 000", 1_200_000, 0, exact, false}}},
		{"a “handful” of users", []q{{"a “handful”", 0, 0, unk, true}}},
		{"as many as 9.4 million passengers", []q{{"as many as 9.4 million", 9_400_000, 0, atMost, false}}},
		{"no more than 40 staff", []q{{"no more than 40", 40, 0, atMost, false}}},
		{"the PHI of 450 to 750 clients", []q{{"450 to 750", 450, 750, rng, false}}},
		{"between 2 and 3 million users", []q{{"between 2 and 3 million", 2_000_000, 3_000_000, rng, false}}},
		{"2,000 and 3,000 users", []q{{"2,000", 2000, 0, exact, false}, {"3,000", 3000, 0, exact, false}}},
		{"some 36 million members", []q{{"some 36 million", 36_000_000, 0, approx, false}}},
		{"it is unclear how many customers", nil},
		{"a million accounts and an estimated 300 more", []q{{"a million", 1_000_000, 0, exact, false}, {"an estimated 300", 300, 0, approx, false}}},
		{"one hundred twenty-six million seven hundred thousand", []q{{"one hundred twenty-six million seven hundred thousand", 126_700_000, 0, exact, false}}},
		{"leftover 12 files", []q{{"12", 12, 0, exact, false}}},
		{"~500 users", []q{{"~500", 500, 0, approx, false}}},
	}
	for _, tc := range cases {
		got := findQuantities(tc.in, span{0, len(tc.in)})
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %d quantities %+v, want %d", tc.in, len(got), got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			g := got[i]
			if g.text != w.text || g.value != w.value || g.max != w.max || g.qualifier != w.qualifier || g.unknown != w.unknown {
				t.Errorf("%q: got %+v, want %+v", tc.in, g, w)
			}
		}
	}
}

func TestFindAmounts(t *testing.T) {
	cases := []struct {
		in       string
		value    float64
		currency string
	}{
		{"fined £500,000 by the ICO", 500000, "GBP"},
		{"a penalty of $1.5 million", 1_500_000, "USD"},
		{"EUR 29,000 for failing", 29000, "EUR"},
		{"a fine of 1.200.000 euros", 1_200_000, "EUR"},
		{"€746m fine", 746_000_000, "EUR"},
		{"paid US$ 2.3bn", 2_300_000_000, "USD"},
		{"20,000 pounds", 20000, "GBP"},
	}
	for _, tc := range cases {
		got := findAmounts(tc.in, span{0, len(tc.in)})
		if len(got) != 1 || got[0].value != tc.value || got[0].currency != tc.currency {
			t.Errorf("%q: %+v, want %v %s", tc.in, got, tc.value, tc.currency)
		}
	}
}
