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

// Sums are written with the currency before ("EUR 10,000", "€1.5m") or
// after ("10.000 euros", "1,5 Mio. EUR", "50 000 €"); digits are grouped
// by commas, periods or (non-breaking, thin) spaces.
const (
	currencyCodes = `EUR|GBP|USD|CHF|SEK|NOK|DKK|ISK|PLN|CZK|HUF|RON|BGN|HRK|CAD|AUD|NZD|INR|JPY|BRL|ZAR`
	moneySpace    = `[ \t\x{00A0}\x{202F}\x{2009}]`
	moneyNumber   = `(\d{1,3}(?:(?:[,.]|` + moneySpace + `)\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)`
	moneyScale    = `(?:` + moneySpace + `*-?` + moneySpace + `*((?:thousand|k|millions?|m|mn|billion|bn|b)\b|(?:mio|mln|mrd)\b\.?))?`
)

var moneyRE = regexp.MustCompile(`(?i)(US\$|A\$|C\$|NZ\$|£|\$|€|¥|₹|\b(?:` + currencyCodes + `)\b)` + moneySpace + `?` + moneyNumber + moneyScale +
	`|\b` + moneyNumber + moneyScale + moneySpace + `*(?:(euros?|pounds?(?: sterling)?|dollars?|` + currencyCodes +
	`|zloty|zlotys|kroner|kronor|kronur|kr|lei|leva|kuna|forints?)\b|(€|£|zł|kč))`)

var currencyWords = map[string]string{"euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP",
	"dollar": "USD", "dollars": "USD", "zł": "PLN", "zloty": "PLN", "zlotys": "PLN", "kroner": "DKK", "kronor": "SEK",
	"kronur": "ISK", "kr": "SEK", "lei": "RON", "leva": "BGN", "kuna": "HRK", "forint": "HUF", "forints": "HUF", "kč": "CZK"}

// moneyScales are the multipliers of sums beyond those of counts
// (numbers.go): the German and Dutch "Mio." and "Mrd.".
var moneyScales = map[string]float64{"mio": 1e6, "mrd": 1e9}

// findAmounts returns the sums of money in text[s.start:s.end], in order.
func findAmounts(text string, s span) []amount {
	seg := text[s.start:s.end]
	var out []amount
	for _, m := range moneyRE.FindAllStringSubmatchIndex(seg, -1) {
		var cur string
		numAt, multAt := 4, 6
		if m[2] >= 0 {
			sym := seg[m[2]:m[3]]
			cur = currencySymbols[sym]
			if cur == "" {
				cur = strings.ToUpper(sym)
			}
		} else {
			numAt, multAt = 8, 10
			if m[12] >= 0 {
				w := strings.ToLower(seg[m[12]:m[13]])
				cur = currencyWords[w]
				if cur == "" {
					cur = strings.ToUpper(w)
				}
			} else if sym := seg[m[14]:m[15]]; currencySymbols[sym] != "" {
				cur = currencySymbols[sym]
			} else {
				cur = currencyWords[strings.ToLower(sym)] // "zł", "Kč": no word boundary after a non-ASCII letter
			}
		}
		num := seg[m[numAt]:m[numAt+1]]
		end := m[1]
		mult := ""
		if m[multAt] >= 0 {
			mult = strings.TrimSuffix(strings.ToLower(seg[m[multAt]:m[multAt+1]]), ".")
		}
		if k := strings.IndexAny(num, " \t\u00a0\u202f\u2009"); k >= 0 && m[2] >= 0 && m[numAt+1] < len(seg) && isDigit(seg[m[numAt+1]]) {
			// "EUR 20 2019": digits grouped by a space must end there; the
			// sum is the first group.
			num, mult = num[:k], ""
			end = m[numAt] + k
		}
		v, ok := moneyValue(num)
		if !ok {
			continue
		}
		if mult != "" {
			if f, ok := moneyScales[mult]; ok {
				v *= f
			} else {
				v *= multipliers[mult]
			}
		}
		out = append(out, amount{value: v, currency: cur, start: s.start + m[0], end: s.start + end, text: seg[m[0]:end]})
	}
	return out
}

// moneyValue reads "29,000", "1.5", "1.200.000" (European thousands), "1,5"
// (European decimal) and "50 000" (thousands by spaces).
var (
	euroThousands = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+$`)
	euroFull      = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+,\d+$`)
	euroDecimal   = regexp.MustCompile(`^\d+,\d{1,2}$`)
	groupSpaces   = strings.NewReplacer(" ", "", "\t", "", "\u00a0", "", "\u202f", "", "\u2009", "")
)

func moneyValue(s string) (float64, bool) {
	s = groupSpaces.Replace(s)
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

// conversionWords are what a text writes between a sum and the same sum in
// another currency: "SEK 200,000 (approx. EUR 20,000)", "HUF 5 million,
// i.e. around EUR 14,000", "PLN 100,000. This corresponds to about EUR
// 23,000".
var conversionWords = set("approx", "approx.", "approximately", "appr", "appr.", "ca", "ca.", "c.", "circa", "around",
	"about", "roughly", "some", "nearly", "almost", "equivalent", "equivalently", "equal", "equals", "corresponding",
	"corresponds", "amounting", "amounts", "converted", "to", "of", "or", "i.e.", "ie", "i.e", "which", "is", "was",
	"this", "that", "it", "the", "amount", "sum", "fine", "penalty")

// isConversion: the text between two sums says the second is the first in
// another currency; only punctuation and conversionWords, a few of them.
func isConversion(between string) bool {
	if len(between) > 60 {
		return false
	}
	n := 0
	for w := range strings.FieldsFuncSeq(strings.ToLower(between), func(r rune) bool {
		return strings.ContainsRune(" \t\u00a0,;:()[]/~≈=–—-", r)
	}) {
		if !conversionWords[w] {
			return false
		}
		n++
	}
	return n <= 6
}
