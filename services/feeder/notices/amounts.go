package notices

import (
	"math/big"
	"regexp"
	"strings"
)

// poundRe is an amount in pounds as the ICO writes one: "£500,000",
// "£1,250.50", "£3.07 million", "£7.5m", "£20k", "GBP 14 million". Its
// number is checked against poundNumberRe.
var poundRe = regexp.MustCompile(`(?i)(?:£|\bGBP\s?)\s?([\d,]*\d)(?:\.(\d+))?(?:\s?(million|billion|bn|m|k)\b)?`)

// poundNumberRe is the whole pounds of an amount: grouped by commas or
// not, at most 15 digits.
var poundNumberRe = regexp.MustCompile(`^(?:\d{1,3}(?:,\d{3})+|\d{1,15})$`)

// poundScale is pence per unit of each suffix.
var poundScale = map[string]int64{"": 100, "k": 100_000, "m": 100_000_000, "million": 100_000_000, "bn": 100_000_000_000, "billion": 100_000_000_000}

// poundsInPence is the one amount in pounds s states, in pence. ok is
// false when s states none, or several different ones ("reduced from
// £4.4m to £750,000"): which is the penalty is then not the parser's
// guess to make, and the words stay in Row.Text.
func poundsInPence(s string) (pence int64, ok bool) {
	var found []int64
	for _, m := range poundRe.FindAllStringSubmatch(s, -1) {
		p, ok := toPence(m[1], m[2], strings.ToLower(m[3]))
		if !ok {
			continue
		}
		if len(found) == 0 || found[0] != p {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return 0, false
	}
	return found[0], true
}

// toPence is whole pounds, a fraction (the digits after the point) and a
// suffix as pence; ok false when that is not a whole, positive number of
// pence that fits an int64.
func toPence(whole, frac, suffix string) (int64, bool) {
	if !poundNumberRe.MatchString(whole) || len(frac) > 6 {
		return 0, false
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(whole, ",", "")+frac, 10)
	if !ok {
		return 0, false
	}
	n.Mul(n, big.NewInt(poundScale[suffix]))
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil)
	q, r := new(big.Int).QuoRem(n, div, new(big.Int))
	if r.Sign() != 0 || q.Sign() == 0 || !q.IsInt64() {
		return 0, false // a fraction of a penny, no amount at all, or too much
	}
	return q.Int64(), true
}
