package rules

import "testing"

func TestFindAmountsForms(t *testing.T) {
	tests := []struct {
		in       string
		value    float64
		currency string
		text     string
	}{
		{"a fine of EUR 50 000 on", 50000, "EUR", "EUR 50 000"},
		{"a fine of EUR\u00a010\u00a0000 on", 10000, "EUR", "EUR\u00a010\u00a0000"},
		{"a fine of EUR 1,5 Mio. on", 1_500_000, "EUR", "EUR 1,5 Mio."},
		{"a fine of 2,5 Mio. EUR on", 2_500_000, "EUR", "2,5 Mio. EUR"},
		{"a fine of 50 000 € on", 50000, "EUR", "50 000 €"},
		{"a fine of 10.000 euros", 10000, "EUR", "10.000 euros"},
		{"a fine of 40 000 zł", 40000, "PLN", "40 000 zł"},
		{"a fine of 90 000 Kč", 90000, "CZK", "90 000 Kč"},
		{"a fine of ISK 3,000,000", 3_000_000, "ISK", "ISK 3,000,000"},
		{"a fine of 48.000 lei", 48000, "RON", "48.000 lei"},
		{"a fine of HUF 5 million", 5_000_000, "HUF", "HUF 5 million"},
		{"a fine of EUR 1.234,50", 1234.5, "EUR", "EUR 1.234,50"},
		{"fined EUR 20 2019 was", 20, "EUR", "EUR 20"},
	}
	for _, tt := range tests {
		got := findAmounts(tt.in, span{0, len(tt.in)})
		if len(got) != 1 || got[0].value != tt.value || got[0].currency != tt.currency || got[0].text != tt.text {
			t.Errorf("%q: %+v, want %v %s %q", tt.in, got, tt.value, tt.currency, tt.text)
		}
	}
}

func TestFindAmountsNone(t *testing.T) {
	for _, in := range []string{
		"in 2019 10 000 customers were affected",
		"the 140 699 records",
	} {
		if got := findAmounts(in, span{0, len(in)}); len(got) != 0 {
			t.Errorf("%q: %+v, want none", in, got)
		}
	}
}

func TestIsConversion(t *testing.T) {
	tests := []struct {
		between string
		want    bool
	}{
		{" (", true},
		{" (approx. ", true},
		{" (approximately ", true},
		{", i.e. around ", true},
		{" (the equivalent of ", true},
		{" / ", true},
		{" or ", true},
		{" and its supplier Beta S.r.l. ", false},
		{" for the first breach and ", false},
	}
	for _, tt := range tests {
		if got := isConversion(tt.between); got != tt.want {
			t.Errorf("isConversion(%q) = %v, want %v", tt.between, got, tt.want)
		}
	}
}
