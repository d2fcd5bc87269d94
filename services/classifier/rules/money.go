package rules

import (
	"regexp"
	"strconv"
	"strings"
)

// amount is a sum of money written in the text.
type amount struct {
	value    float64 // in currency units
	currency string  // ISO 4217
	start    int
	end      int
	text     string
}

var currencySymbols = map[string]string{"£": "GBP", "$": "USD", "US$": "USD", "€": "EUR", "A$": "AUD", "C$": "CAD", "NZ$": "NZD", "¥": "JPY", "₹": "INR"}

var moneyRE = regexp.MustCompile(`(?i)(US\$|A\$|C\$|NZ\$|£|\$|€|¥|₹|\b(?:EUR|GBP|USD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|BGN|HRK|CAD|AUD|INR|JPY|BRL|ZAR)\b)\s?` +
	`(\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?:\s*-?\s*(thousand|k|millions?|m|mn|mln|billion|bn|b)\b)?` +
	`|(\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?:\s*-?\s*(thousand|k|millions?|m|mn|mln|billion|bn|b)\b)?\s*(euros?|pounds?(?: sterling)?|dollars?|EUR|GBP|USD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|zł|zloty|kroner|kronor|kr)\b`)

var currencyWords = map[string]string{"euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP",
	"dollar": "USD", "dollars": "USD", "zł": "PLN", "zloty": "PLN", "kroner": "DKK", "kronor": "SEK", "kr": "SEK"}

// findAmounts returns the sums of money in text[s.start:s.end], in order.
func findAmounts(text string, s span) []amount {
	seg := text[s.start:s.end]
	var out []amount
	for _, m := range moneyRE.FindAllStringSubmatchIndex(seg, -1) {
		var cur, num, mult string
		if m[2] >= 0 {
			sym := seg[m[2]:m[3]]
			cur = currencySymbols[sym]
			if cur == "" {
				cur = strings.ToUpper(sym)
			}
			num = seg[m[4]:m[5]]
			if m[6] >= 0 {
				mult = seg[m[6]:m[7]]
			}
		} else {
			num = seg[m[8]:m[9]]
			if m[10] >= 0 {
				mult = seg[m[10]:m[11]]
			}
			w := strings.ToLower(seg[m[12]:m[13]])
			cur = currencyWords[w]
			if cur == "" {
				cur = strings.ToUpper(w)
			}
		}
		v, ok := moneyValue(num)
		if !ok {
			continue
		}
		if mult != "" {
			v *= multipliers[strings.ToLower(mult)]
		}
		out = append(out, amount{value: v, currency: cur, start: s.start + m[0], end: s.start + m[1], text: seg[m[0]:m[1]]})
	}
	return out
}

// moneyValue reads "29,000", "1.5", "1.200.000" (European thousands) and "1,5" (European decimal).
var (
	euroThousands = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+$`)
	euroFull      = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+,\d+$`)
	euroDecimal   = regexp.MustCompile(`^\d+,\d{1,2}$`)
)

func moneyValue(s string) (float64, bool) {
	switch {
	case euroThousands.MatchString(s):
		s = strings.ReplaceAll(s, ".", "")
	case euroFull.MatchString(s):
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	case euroDecimal.MatchString(s):
		s = strings.ReplaceAll(s, ",", ".")
	default:
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}
