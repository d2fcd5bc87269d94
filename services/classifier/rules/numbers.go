package rules

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// quantity is a count written in the text: "83,000", "1.5 million",
// "tens of thousands" (a range), "a handful" (unknown but small).
type quantity struct {
	value     int64 // lower bound for ranges; 0 when unknown
	max       int64 // upper bound of a range, else 0
	qualifier bwv1.RecordsQualifier
	unknown   bool   // "a handful", "a few", "some": no number
	start     int    // byte span in the text, qualifier included
	end       int    // ...
	numStart  int    // span of the number itself
	text      string // the phrase as written
	mult      int64  // multiplier word applied ("million" = 1e6), else 0
}

var wordNumbers = map[string]int64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"a": 1, "an": 1, "dozen": 12,
}

var multipliers = map[string]float64{
	"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6,
	"mln": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "lakh": 1e5, "crore": 1e7,
}

// vague plurals are ranges: "tens of thousands" is 10,000 to 99,999.
var vagueRanges = []struct {
	re       *regexp.Regexp
	min, max int64
}{
	{regexp.MustCompile(`(?i)\bhundreds of millions\b`), 100_000_000, 999_999_999},
	{regexp.MustCompile(`(?i)\btens of millions\b`), 10_000_000, 99_999_999},
	{regexp.MustCompile(`(?i)\bhundreds of thousands\b`), 100_000, 999_999},
	{regexp.MustCompile(`(?i)\btens of thousands\b`), 10_000, 99_999},
	{regexp.MustCompile(`(?i)\b(?:several |many )?millions\b`), 1_000_000, 9_999_999},
	{regexp.MustCompile(`(?i)\b(?:several |many )?thousands\b`), 1_000, 9_999},
	{regexp.MustCompile(`(?i)\b(?:several |many )?hundreds\b`), 100, 999},
	{regexp.MustCompile(`(?i)\bdozens\b`), 24, 99},
}

// Quotes may wrap the vague word: a “handful” of customers.
var vagueUnknown = regexp.MustCompile(`(?i)\b(?:a ["“‘']?handful|a small number|a number|a few|several|some|a limited number|an unknown number|an undisclosed number|a significant number|a large number|many)\b["”’']?`)

// numberRE finds digit numbers ("83,000", "1.5", "2 000 000") with an optional
// multiplier word, and word numbers ("eighty-two thousand", "half a million").
var numberRE = regexp.MustCompile(`(?i)(?:\b|^)(` +
	`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \x{00a0}\x{202f}]\d{3})+|\d+(?:\.\d+)?` +
	`)(?:\s*-?\s*(hundred|thousand|k|millions?|m|mn|mln|billion|bn|b|lakh|crore)\b)?` +
	`|\b(half a million|half a billion|(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?(?:[- ](?:hundred|thousand|million|billion))*)(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?(?:[- ](?:hundred|thousand|million|billion))*)*)\b`)

// qualifierBefore maps words just before a number to its qualifier.
var qualifierBefore = []struct {
	re *regexp.Regexp
	q  bwv1.RecordsQualifier
}{
	{regexp.MustCompile(`(?i)\b(?:more than|over|at least|in excess of|upwards of|upward of|no fewer than|no less than|exceeding|north of|as few as)\s+$`), bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	// "as many as 9.4 million" bounds the count from above.
	{regexp.MustCompile(`(?i)\b(?:up to|fewer than|less than|under|no more than|at most|as many as|below)\s+$`), bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST},
	{regexp.MustCompile(`(?i)(?:\b(?:about|around|approximately|approx\.?|roughly|nearly|almost|some|an estimated|estimated|close to|just under|just over|circa|c\.)|~)\s*$`), bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
}

// findQuantities returns the counts written in text[s.start:s.end], in order.
// Years, percentages, times, ordinals, money and numbers glued to letters
// (model names, "4G") are skipped.
func findQuantities(text string, s span) []quantity {
	seg := text[s.start:s.end]
	var out []quantity
	taken := make([]bool, len(seg))
	mark := func(a, b int) {
		for i := a; i < b; i++ {
			taken[i] = true
		}
	}
	for _, v := range vagueRanges {
		for _, m := range v.re.FindAllStringIndex(seg, -1) {
			if taken[m[0]] {
				continue
			}
			q := quantity{value: v.min, max: v.max, qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE, numStart: s.start + m[0], start: s.start + m[0], end: s.start + m[1]}
			mark(m[0], m[1])
			out = append(out, q)
		}
	}
	for _, m := range numberRE.FindAllStringSubmatchIndex(seg, -1) {
		a, b := m[0], m[1]
		if taken[a] {
			continue
		}
		var val float64
		var ok bool
		var mult int64
		if m[2] >= 0 {
			val, ok = digitValue(seg[m[2]:m[3]])
			if ok && m[4] >= 0 {
				w := strings.ToLower(seg[m[4]:m[5]])
				// "m" and "b" alone are multipliers only right after the digits ("2.9m").
				if (w == "m" || w == "b" || w == "k") && m[4] != m[3] {
					b = m[3]
				} else {
					val *= multipliers[w]
					mult = int64(multipliers[w])
				}
			}
			if ok && skipDigits(seg, m[2], m[3], b) {
				continue
			}
		} else {
			val, ok = wordValue(seg[m[6]:m[7]])
			if ok && val < 2 {
				continue // "a", "one": not a count worth reporting
			}
		}
		if !ok || val <= 0 || val > 1e11 {
			continue
		}
		q := quantity{value: int64(math.Round(val)), qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT, numStart: s.start + a, start: s.start + a, end: s.start + b, mult: mult}
		// A rounded figure with a multiplier ("1.5 million") is approximate
		// only when the text says so; keep it exact otherwise. Only the
		// words just before the number matter, so only those are searched.
		from := max(0, a-qualifierReach)
		for _, qb := range qualifierBefore {
			if loc := qb.re.FindStringIndex(seg[from:a]); loc != nil {
				q.qualifier = qb.q
				q.start = s.start + from + loc[0]
				break
			}
		}
		mark(q.start-s.start, b)
		out = append(out, q)
	}
	for _, m := range vagueUnknown.FindAllStringIndex(seg, -1) {
		if taken[m[0]] {
			continue
		}
		// "how many customers", "how few": a question, not a quantity.
		if strings.HasSuffix(strings.ToLower(seg[:m[0]]), "how ") {
			continue
		}
		out = append(out, quantity{unknown: true, qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN, numStart: s.start + m[0], start: s.start + m[0], end: s.start + m[1]})
	}
	sortQuantities(out)
	out = mergeRanges(seg, s.start, out)
	for i := range out {
		out[i].text = text[out[i].start:out[i].end]
	}
	return out
}

// qualifierReach is how many bytes before a number a qualifier may start
// ("in excess of " is the longest).
const qualifierReach = 24

// rangeJoin matches what may stand between the two ends of a range:
// "450 to 750", "2-3 million", "between 450 and 750".
var rangeJoin = regexp.MustCompile(`^\s*(?:-|–|—|to|and)\s*$`)

// mergeRanges joins "450 to 750" and "between 450 and 750" into one
// quantity with qualifier range. A multiplier on the upper end also applies
// to a bare lower end: "2 to 3 million" is 2,000,000..3,000,000.
func mergeRanges(seg string, base int, qs []quantity) []quantity {
	out := qs[:0]
	for i := 0; i < len(qs); i++ {
		q := qs[i]
		if i+1 < len(qs) && !q.unknown && !qs[i+1].unknown && q.max == 0 && qs[i+1].max == 0 &&
			q.qualifier == bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT && qs[i+1].qualifier == bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT {
			r := qs[i+1]
			join := seg[q.end-base : r.start-base]
			isAnd := strings.Contains(join, "and")
			before := strings.TrimRight(seg[:q.start-base], " ")
			between := strings.HasSuffix(strings.ToLower(before), "between")
			lo := q.value
			if q.mult == 0 && r.mult > 1 && lo*r.mult <= r.value*10 {
				lo *= r.mult
			}
			if rangeJoin.MatchString(join) && (!isAnd || between) && lo < r.value {
				q.value, q.max = lo, r.value
				q.end = r.end
				q.qualifier = bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE
				if between {
					q.start = base + len(before) - len("between")
				}
				out = append(out, q)
				i++
				continue
			}
		}
		out = append(out, q)
	}
	return out
}

func sortQuantities(qs []quantity) {
	for i := 1; i < len(qs); i++ {
		for j := i; j > 0 && qs[j].start < qs[j-1].start; j-- {
			qs[j], qs[j-1] = qs[j-1], qs[j]
		}
	}
}

func digitValue(s string) (float64, bool) {
	s = strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "").Replace(s)
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// skipDigits rejects digit runs that are not counts.
func skipDigits(seg string, a, numEnd, end int) bool {
	num := seg[a:numEnd]
	// glued to letters or other digits: "4G", "A320", "v2", "COVID-19"
	if a > 0 {
		c := seg[a-1]
		if isAlnum(c) || c == '-' || c == '/' || c == '.' || c == '#' || c == ':' || c == '$' {
			return true
		}
		if strings.HasSuffix(seg[:a], "€") || strings.HasSuffix(seg[:a], "£") || strings.HasSuffix(seg[:a], "¥") {
			return true
		}
	}
	if end < len(seg) {
		c := seg[end]
		if isAlnum(c) && end == numEnd || c == '%' || c == ':' || c == '/' {
			return true
		}
	}
	rest := strings.ToLower(seg[end:])
	rest = strings.TrimLeft(rest, " ")
	for _, w := range []string{"percent", "per cent", "pc ", "am", "pm", "a.m", "p.m", "st ", "nd ", "rd ", "th ",
		"pounds", "dollars", "euros", "usd", "gbp", "eur", "years", "year", "months", "days", "hours", "minutes", "weeks"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	// Years: four digits 1900-2099 with no separators and no multiplier.
	if numEnd == end && len(num) == 4 && (strings.HasPrefix(num, "19") || strings.HasPrefix(num, "20")) {
		return true
	}
	// Before a money code or symbol, e.g. "EUR 29,000", "US$".
	before := strings.ToUpper(strings.TrimRight(seg[:a], " "))
	for _, cur := range []string{"EUR", "GBP", "USD", "US$", "$", "£", "€", "CHF", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD", "RON", "HUF", "CZK"} {
		if strings.HasSuffix(before, cur) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// wordValue parses "eighty-two thousand", "two hundred and fifty", "half a million".
func wordValue(s string) (float64, bool) {
	s = strings.ToLower(s)
	switch s {
	case "half a million":
		return 5e5, true
	case "half a billion":
		return 5e8, true
	}
	var total, current float64
	seen := false
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		if w == "and" {
			continue
		}
		if n, ok := wordNumbers[w]; ok {
			current += float64(n)
			seen = true
			continue
		}
		switch w {
		case "hundred":
			if current == 0 {
				current = 1
			}
			current *= 100
		case "thousand", "million", "billion":
			if current == 0 {
				current = 1
			}
			total += current * multipliers[w]
			current = 0
		default:
			return 0, false
		}
		seen = true
	}
	return total + current, seen
}
