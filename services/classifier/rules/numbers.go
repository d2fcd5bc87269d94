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

// vagueRange is the range a vague plural stands for: "tens of thousands"
// is 10,000 to 99,999.
func vagueRange(phrase string) (lo, hi int64) {
	switch {
	case phrase == "hundreds of millions":
		return 100_000_000, 999_999_999
	case phrase == "tens of millions":
		return 10_000_000, 99_999_999
	case phrase == "hundreds of thousands":
		return 100_000, 999_999
	case phrase == "tens of thousands":
		return 10_000, 99_999
	case strings.HasSuffix(phrase, "millions"):
		return 1_000_000, 9_999_999
	case strings.HasSuffix(phrase, "thousands"):
		return 1_000, 9_999
	case strings.HasSuffix(phrase, "hundreds"):
		return 100, 999
	}
	return 24, 99 // dozens
}

// qualifierPhrases are the words just before a number that qualify it; the
// longest one that ends just before the number wins ("no more than" over
// "more than").
var qualifierPhrases = []struct {
	phrase string
	q      bwv1.RecordsQualifier
}{
	{"more than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST}, {"over", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	{"at least", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST}, {"in excess of", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	{"upwards of", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST}, {"upward of", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	{"no fewer than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST}, {"no less than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	{"exceeding", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST}, {"north of", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	{"as few as", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST},
	// "as many as 9.4 million" bounds the count from above.
	{"up to", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST}, {"fewer than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST},
	{"less than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST}, {"under", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST},
	{"no more than", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST}, {"at most", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST},
	{"as many as", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST}, {"below", bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST},
	{"about", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"around", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"approximately", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"approx.", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"approx", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"roughly", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"nearly", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"almost", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"some", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"an estimated", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"estimated", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"close to", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"just under", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"just over", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"circa", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, {"c.", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
	{"~", bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE},
}

// qualifierLastBytes are the bytes qualifier phrases end with: most words
// before a number end otherwise, and need no comparison at all.
var qualifierLastBytes = func() (t [256]bool) {
	for _, p := range qualifierPhrases {
		t[p.phrase[len(p.phrase)-1]] = true
	}
	return t
}()

// qualifierAt returns the qualifier ending just before byte a of lower and
// where it starts, or ok=false.
func qualifierAt(lower string, a int) (bwv1.RecordsQualifier, int, bool) {
	from := max(0, a-qualifierReach)
	pre := lower[from:a]
	trimmed := strings.TrimRight(pre, " \t")
	spaced := len(trimmed) < len(pre)
	best, bestLen, start := bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNSPECIFIED, 0, 0
	if trimmed == "" || !qualifierLastBytes[trimmed[len(trimmed)-1]] {
		return best, 0, false
	}
	for _, p := range qualifierPhrases {
		if len(p.phrase) <= bestLen || !strings.HasSuffix(trimmed, p.phrase) {
			continue
		}
		if c := p.phrase[len(p.phrase)-1]; isAlnum(c) && !spaced {
			continue // "over5" is no qualifier
		}
		k := len(trimmed) - len(p.phrase)
		if k > 0 && isAlnum(trimmed[k-1]) {
			continue // "leftover", "hover"
		}
		best, bestLen, start = p.q, len(p.phrase), from+k
	}
	return best, start, bestLen > 0
}

// findQuantities returns the counts written in text[s.start:s.end], in order.
// Years, percentages, times, ordinals, money and numbers glued to letters
// (model names, "4G") are skipped.
func findQuantities(text string, s span) []quantity {
	seg := text[s.start:s.end]
	low := asciiLower(seg)
	var out []quantity
	var taken []bool // lazily: most windows hold no number at all
	mark := func(a, b int) {
		if taken == nil {
			taken = make([]bool, len(seg))
		}
		for i := a; i < b; i++ {
			taken[i] = true
		}
	}
	isTaken := func(i int) bool { return taken != nil && taken[i] }
	add := func(a, b int, val float64, mult int64) {
		if val <= 0 || val > 1e11 {
			return
		}
		q := quantity{value: int64(math.Round(val)), qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT, numStart: s.start + a, start: s.start + a, end: s.start + b, mult: mult}
		// A rounded figure with a multiplier ("1.5 million") is approximate
		// only when the text says so; keep it exact otherwise.
		if ql, k, ok := qualifierAt(low, a); ok {
			q.qualifier = ql
			q.start = s.start + k
		}
		mark(q.start-s.start, b)
		out = append(out, q)
	}
	// digits: "83,000", "1.5 million", "2.9m", "1 200 000"
	for i := 0; i < len(low); i++ {
		if !isDigit(low[i]) || i > 0 && (isAlnum(low[i-1]) || low[i-1] == '_') {
			continue
		}
		a, numEnd, b, mult := i, digitsEnd(low, i), 0, int64(0)
		b = numEnd
		if w, ws, we := multiplierAfter(low, numEnd); w != "" {
			// "m", "b" and "k" alone are multipliers only right after the digits ("2.9m").
			if !((w == "m" || w == "b" || w == "k") && ws != numEnd) {
				b, mult = we, int64(multipliers[w])
			}
		}
		i = b - 1
		val, ok := digitValue(seg[a:numEnd])
		if !ok || skipDigits(seg, a, numEnd, b) {
			continue
		}
		if mult > 0 {
			val *= float64(mult)
		}
		add(a, b, val, mult)
	}
	// words: vague ranges, numbers in words, vague counts
	for i := 0; i < len(low); i++ {
		c := low[i]
		if c < 'a' || c > 'z' || i > 0 && isAlnum(low[i-1]) {
			continue
		}
		w, we := wordAt(low, i)
		if isTaken(i) || !maybeQuantityWord(w) {
			i = max(we, i+1) - 1
			continue
		}
		if e, lo, hi := vagueRangeAt(low, i); e > i {
			out = append(out, quantity{value: lo, max: hi, qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_RANGE, numStart: s.start + i, start: s.start + i, end: s.start + e})
			mark(i, e)
			i = e - 1
			continue
		}
		if e := wordNumberAt(low, i); e > i {
			if val, ok := wordValue(low[i:e]); ok && val >= 2 { // "a", "one": not a count worth reporting
				add(i, e, val, 0)
			}
			i = e - 1
			continue
		}
		if e := vagueCountAt(low, i); e > i {
			out = append(out, quantity{unknown: true, qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN, numStart: s.start + i, start: s.start + i, end: s.start + e})
			i = e - 1
			continue
		}
		i = max(we, i+1) - 1
	}
	sortQuantities(out)
	out = mergeRanges(seg, s.start, out)
	for i := range out {
		out[i].text = text[out[i].start:out[i].end]
	}
	return out
}

// maybeQuantityWord: w can start a vague range, a number in words or a
// vague count; one switch keeps the scan cheap for all other words.
func maybeQuantityWord(w string) bool {
	switch w {
	case "a", "an", "half", "some", "several", "many", "hundreds", "tens", "millions", "thousands", "dozens",
		"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
		"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety":
		return true
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitsEnd returns the end of the number starting at i: "83,000",
// "1,200,000.5", "1 200 000" (groups of three after a short head), "1.5".
func digitsEnd(low string, i int) int {
	j := i
	for j < len(low) && isDigit(low[j]) {
		j++
	}
	if j-i <= 3 {
		// thousands separators: a comma, or a (narrow) no-break or plain space
		for _, sep := range []string{",", " ", "\u00a0", "\u202f"} {
			k := j
			for strings.HasPrefix(low[k:], sep) && threeDigits(low, k+len(sep)) {
				k += len(sep) + 3
			}
			if k > j {
				if sep == "," && k+1 < len(low) && low[k] == '.' && isDigit(low[k+1]) {
					k++
					for k < len(low) && isDigit(low[k]) {
						k++
					}
				}
				return k
			}
		}
	}
	if j+1 < len(low) && low[j] == '.' && isDigit(low[j+1]) {
		j++
		for j < len(low) && isDigit(low[j]) {
			j++
		}
	}
	return j
}

// threeDigits: exactly three digits at k, not followed by a fourth.
func threeDigits(low string, k int) bool {
	return k+3 <= len(low) && isDigit(low[k]) && isDigit(low[k+1]) && isDigit(low[k+2]) && (k+3 == len(low) || !isDigit(low[k+3]))
}

// multiplierAfter reads an optional multiplier word after a number
// ("1.5 million", "2.9m", "3-million"): the word and its span.
func multiplierAfter(low string, i int) (string, int, int) {
	j := i
	for j < len(low) && low[j] == ' ' {
		j++
	}
	if j < len(low) && low[j] == '-' {
		j++
		for j < len(low) && low[j] == ' ' {
			j++
		}
	}
	w, e := wordAt(low, j)
	if w == "" || e < len(low) && isAlnum(low[e]) {
		return "", 0, 0
	}
	if _, ok := multipliers[w]; !ok {
		return "", 0, 0
	}
	return w, j, e
}

// vagueRangePhrases, longest first at one position.
var vagueRangePhrases = []string{"hundreds of millions", "tens of millions", "hundreds of thousands",
	"tens of thousands", "several millions", "many millions", "millions", "several thousands",
	"many thousands", "thousands", "several hundreds", "many hundreds", "hundreds", "dozens"}

// vagueRangeAt matches a vague plural at i: its end and range, else i.
func vagueRangeAt(low string, i int) (int, int64, int64) {
	switch low[i] {
	case 'h', 't', 's', 'm', 'd':
	default:
		return i, 0, 0
	}
	for _, p := range vagueRangePhrases {
		if strings.HasPrefix(low[i:], p) && wordEnds(low, i+len(p)) {
			lo, hi := vagueRange(p)
			return i + len(p), lo, hi
		}
	}
	return i, 0, 0
}

// vagueCountPhrases are counts without a number ("a handful").
var vagueCountPhrases = []string{"a small number", "a number", "a few", "a limited number", "an unknown number",
	"an undisclosed number", "a significant number", "a large number", "several", "some", "many"}

// vagueCountAt matches a vague count at i and returns its end, else i.
// Quotes may wrap the word: a “handful” of customers. "how many" is a
// question, and "some 36 million" is a qualifier, not a count.
func vagueCountAt(low string, i int) int {
	switch low[i] {
	case 'a', 's', 'm':
	default:
		return i
	}
	if strings.HasSuffix(low[:i], "how ") {
		return i
	}
	if strings.HasPrefix(low[i:], "a ") {
		j := i + 2
		for _, q := range []string{"\"", "“", "‘", "'"} {
			if strings.HasPrefix(low[j:], q) {
				j += len(q)
				break
			}
		}
		if strings.HasPrefix(low[j:], "handful") && wordEnds(low, j+len("handful")) {
			e := j + len("handful")
			for _, q := range []string{"\"", "”", "’", "'"} {
				if strings.HasPrefix(low[e:], q) {
					return e + len(q)
				}
			}
			return e
		}
	}
	for _, p := range vagueCountPhrases {
		if strings.HasPrefix(low[i:], p) && wordEnds(low, i+len(p)) {
			e := i + len(p)
			if nw, _ := wordAt(low, min(e+1, len(low))); e+1 < len(low) && (isDigit(low[e+1]) || numberWordKinds[nw] != 0) {
				return i // "some 36 million", "several hundred"
			}
			return e
		}
	}
	return i
}

// wordEnds: no letter or digit at e.
func wordEnds(low string, e int) bool { return e >= len(low) || !isAlnum(low[e]) }

// numberWordKinds: 1 a digit word (one..nine), 2 a teen or ten, 3 a tens
// word, 4 a scale (hundred, thousand ...).
var numberWordKinds = map[string]int{
	"one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1, "seven": 1, "eight": 1, "nine": 1,
	"ten": 2, "eleven": 2, "twelve": 2, "thirteen": 2, "fourteen": 2, "fifteen": 2, "sixteen": 2,
	"seventeen": 2, "eighteen": 2, "nineteen": 2,
	"twenty": 3, "thirty": 3, "forty": 3, "fifty": 3, "sixty": 3, "seventy": 3, "eighty": 3, "ninety": 3,
	"hundred": 4, "thousand": 4, "million": 4, "billion": 4,
}

// wordNumberAt returns the end of a number written in words that starts at
// byte i of lower ("eighty-two thousand", "two hundred and fifty", "a
// million", "half a million"), or i when none starts there.
func wordNumberAt(lower string, i int) int {
	w, e := wordAt(lower, i)
	switch w {
	case "half":
		for _, p := range []string{" a million", " a billion"} {
			if strings.HasPrefix(lower[e:], p) && (e+len(p) == len(lower) || !isAlnum(lower[e+len(p)])) {
				return e + len(p)
			}
		}
		return i
	case "a", "an":
		// only before a scale: "a million", "an estimated" is not a number
		if e < len(lower) && lower[e] == ' ' {
			if nw, _ := wordAt(lower, e+1); numberWordKinds[nw] == 4 {
				break
			}
		}
		return i
	default:
		if k := numberWordKinds[w]; k == 0 || k == 4 {
			return i
		}
	}
	end := e
	for end < len(lower) && (lower[end] == ' ' || lower[end] == '-') {
		j := end + 1
		nw, ne := wordAt(lower, j)
		if nw == "and" && ne < len(lower) && (lower[ne] == ' ' || lower[ne] == '-') {
			if aw, ae := wordAt(lower, ne+1); numberWordKinds[aw] != 0 && numberWordKinds[aw] != 4 {
				end = ae
				continue
			}
			break
		}
		if numberWordKinds[nw] == 0 {
			break
		}
		end = ne
	}
	return end
}

// wordAt returns the run of letters starting at i and its end.
func wordAt(lower string, i int) (string, int) {
	e := i
	for e < len(lower) && lower[e] >= 'a' && lower[e] <= 'z' {
		e++
	}
	return lower[i:e], e
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

var digitSeparators = strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "")

func digitValue(s string) (float64, bool) {
	if strings.ContainsAny(s, ", \u00a0\u202f") {
		s = digitSeparators.Replace(s)
	}
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
	// only the next few words matter: do not copy the rest of the text
	rest := strings.TrimLeft(seg[end:], " ")
	rest = asciiLower(rest[:min(len(rest), 12)])
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
	before := strings.TrimRight(seg[:a], " ")
	before = strings.ToUpper(before[max(0, len(before)-4):])
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
