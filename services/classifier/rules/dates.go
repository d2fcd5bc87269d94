package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

// Dates: every date the text writes ("August 22, 2013", "31st August",
// "March 2011", "9/27/09", "2019-03-01", "in 2014", "earlier this year"),
// then the incident date (when it happened) and the disclosure date (when it
// was made known) chosen by the words around each date.
//
// The disclosure date does not default to the article's publication date:
// the Extraction carries the article and its published_at already, and a
// date with no sentence behind it would pass for something the text said.

// dateMention is one date written in the text; month and day are 0 when not
// given.
type dateMention struct {
	year, month, day int
	start, end       int
	sent             int
}

func (m dateMention) String() string {
	switch {
	case m.day > 0:
		return fmt.Sprintf("%04d-%02d-%02d", m.year, m.month, m.day)
	case m.month > 0:
		return fmt.Sprintf("%04d-%02d", m.year, m.month)
	}
	return fmt.Sprintf("%04d", m.year)
}

func (m dateMention) precision() int {
	switch {
	case m.day > 0:
		return 3
	case m.month > 0:
		return 2
	}
	return 1
}

var monthWords = map[string]int{
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
	"nov": 11, "dec": 12,
}

// monthOf returns the month a word names, cheaply rejecting most words.
func monthOf(w string) int {
	if len(w) < 3 || len(w) > 9 {
		return 0
	}
	switch w[0] {
	case 'j', 'f', 'm', 'a', 's', 'o', 'n', 'd':
		return monthWords[w]
	}
	return 0
}

// dayOf reads "31", "31st", "2nd": a day of the month, else 0.
func dayOf(w string) int {
	w = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(w, "st"), "nd"), "rd"), "th")
	if len(w) == 0 || len(w) > 2 || !allDigits(w) {
		return 0
	}
	n, _ := strconv.Atoi(w)
	if n < 1 || n > 31 {
		return 0
	}
	return n
}

// yearOf reads a four-digit year from 1980 to 2039, else 0.
func yearOf(w string) int {
	if len(w) != 4 || !allDigits(w) || (w[:2] != "19" && w[:2] != "20") {
		return 0
	}
	n, _ := strconv.Atoi(w)
	if n < 1980 || n > 2039 {
		return 0
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// findDates returns the dates written in text[lo:hi], in order. Dates
// without a year take the last year written before them, else the year of
// pub (the year before when the month is still to come); relative dates
// ("last year", "earlier this month") need pub.
//
// It works from the digits in the text (every absolute date has some) and
// reads the words around them, so an article costs one byte loop.
func findDates(d *doc, lo, hi int, pub time.Time) []dateMention {
	l := d.lower
	var out []dateMention
	lastYear := 0
	add := func(m dateMention) {
		if m.year == 0 {
			switch {
			case lastYear > 0:
				m.year = lastYear
			case !pub.IsZero():
				m.year = pub.Year()
				if m.month > int(pub.Month()) {
					m.year--
				}
			default:
				return
			}
		} else {
			lastYear = m.year
		}
		m.sent = d.sentenceAt(m.start)
		out = append(out, m)
	}
	for i := lo; i < hi; {
		if c := l[i]; c < '0' || c > '9' || i > lo && isAlnum(l[i-1]) {
			i++
			continue
		}
		j := i
		for j < hi && l[j] >= '0' && l[j] <= '9' {
			j++
		}
		run := l[i:j]
		if j < hi && (l[j] == '/' || l[j] == '-' && len(run) == 4) {
			if m, ok := numericDate(d.text[:hi], i); ok {
				add(m)
				i = m.end
				continue
			}
		}
		if y := yearOf(run); y > 0 && (j >= hi || !isAlnum(l[j])) {
			w, ws, _ := prevWord(l, lo, i)
			if mon := monthOf(w); mon > 0 && w != "may" {
				add(dateMention{year: y, month: mon, start: ws, end: j})
			} else if yearContext(d, lo, i, j) {
				add(dateMention{year: y, start: i, end: j})
			}
			i = j
			continue
		}
		end := wordEnd(l, i, hi)
		day := dayOf(l[i:end])
		if day == 0 {
			i = j
			continue
		}
		m := dateMention{day: day, start: i}
		// "31 August 2018", "31st of August"
		w, _, we := nextWord(l, end, hi)
		if w == "of" {
			w, _, we = nextWord(l, we, hi)
		}
		if mon := monthOf(w); mon > 0 {
			m.month, end = mon, we
		} else if w, ws, _ := prevWord(l, lo, i); monthOf(w) > 0 {
			m.month, m.start = monthOf(w), ws // "August 22, 2013"
		} else {
			i = j
			continue
		}
		if w, _, we := nextWord(l, end, hi); yearOf(w) > 0 {
			m.year, end = yearOf(w), we
		}
		m.end = end
		add(m)
		i = end
	}
	if !pub.IsZero() {
		out = append(out, relativeDates(d, lo, hi, pub)...)
		sort.SliceStable(out, func(a, b int) bool { return out[a].start < out[b].start })
	}
	return out
}

// wordEnd is the end of the word of ASCII letters and digits starting at i.
func wordEnd(l string, i, hi int) int {
	for i < hi && isAlnum(l[i]) {
		i++
	}
	return i
}

// nextWord skips spaces and commas after pos and returns the word there.
func nextWord(l string, pos, hi int) (w string, start, end int) {
	for pos < hi && (l[pos] == ' ' || l[pos] == ',') {
		pos++
	}
	end = wordEnd(l, pos, hi)
	return l[pos:end], pos, end
}

// prevWord returns the word before pos, skipping spaces, commas and the
// period of an abbreviated month ("Aug.").
func prevWord(l string, lo, pos int) (w string, start, end int) {
	for pos > lo && (l[pos-1] == ' ' || l[pos-1] == ',' || l[pos-1] == '.') {
		pos--
	}
	start = pos
	for start > lo && isAlnum(l[start-1]) {
		start--
	}
	return l[start:pos], start, pos
}

// yearContext rejects four-digit numbers that are not years of events:
// "the Act of 1996", "$2019", "12,2019", "2019%".
func yearContext(d *doc, lo, s, e int) bool {
	if s > 0 && strings.ContainsRune("$£€,.", rune(d.text[s-1])) {
		return false
	}
	if e < len(d.text) && (d.text[e] == '%' || d.text[e] == ',' && e+1 < len(d.text) && d.text[e+1] >= '0' && d.text[e+1] <= '9') {
		return false
	}
	if w, ws, _ := prevWord(d.lower, lo, s); w == "of" {
		if w2, _, _ := prevWord(d.lower, lo, ws); w2 == "act" || w2 == "regulations" {
			return false
		}
	}
	return true
}

// relativePhrases are dates relative to the publication date.
var relativePhrases = []struct {
	phrase            string
	years, mons, days int
	precision         int
}{
	{"this year", 0, 0, 0, 1}, {"last year", -1, 0, 0, 1}, {"this month", 0, 0, 0, 2},
	{"last month", 0, -1, 0, 2}, {"this week", 0, 0, 0, 2}, {"last week", 0, 0, -7, 2},
}

func relativeDates(d *doc, lo, hi int, pub time.Time) []dateMention {
	var out []dateMention
	seg := d.lower[lo:hi]
	for _, r := range relativePhrases {
		for off := 0; ; {
			k := strings.Index(seg[off:], r.phrase)
			if k < 0 {
				break
			}
			s := lo + off + k
			off += k + len(r.phrase)
			if wordBefore(d.lower, s) || wordAfter(d.lower, lo+off) {
				continue
			}
			t := pub.AddDate(r.years, r.mons, r.days)
			m := dateMention{year: t.Year(), start: s, end: lo + off}
			if r.precision >= 2 {
				m.month = int(t.Month())
			}
			m.sent = d.sentenceAt(s)
			out = append(out, m)
		}
	}
	return append(out, bareMonths(d, lo, hi, pub)...)
}

// bareMonths reads a month written without a day or a year ("in
// December", "in early March") as that month of the publication's year,
// or of the year before when it is still to come: a breach "in December"
// reported in January was in the December before.
func bareMonths(d *doc, lo, hi int, pub time.Time) []dateMention {
	var out []dateMention
	l := d.lower
	for off := lo; ; {
		k := strings.Index(l[off:hi], "in ")
		if k < 0 {
			break
		}
		s := off + k
		off = s + 3
		if wordBefore(l, s) {
			continue
		}
		w, ws, we := nextWord(l, off, hi)
		if w == "early" || w == "mid" || w == "late" {
			w, _, we = nextWord(l, we, hi)
		}
		mon := monthOf(w)
		if mon == 0 || w == "may" || w == "mar" {
			continue
		}
		// "in December 2023", "in December, 2023" and "in March 3" are
		// absolute dates, read by findDates.
		if next, _, _ := nextWord(l, we, hi); yearOf(next) > 0 || dayOf(next) > 0 {
			continue
		}
		year := pub.Year()
		if mon > int(pub.Month()) {
			year--
		}
		m := dateMention{year: year, month: mon, start: ws, end: we}
		m.sent = d.sentenceAt(ws)
		out = append(out, m)
	}
	return out
}

// numericDate reads "9/27/09", "09/27/2009" (US month first) or "2019-03-01" at pos.
func numericDate(text string, pos int) (dateMention, bool) {
	end := pos
	for end < len(text) && (text[end] >= '0' && text[end] <= '9' || text[end] == '/' || text[end] == '-') {
		end++
	}
	s := strings.TrimRight(text[pos:end], "/-")
	end = pos + len(s)
	if end < len(text) && isAlnum(text[end]) {
		return dateMention{}, false
	}
	var parts []string
	iso := strings.Count(s, "-") == 2
	if iso {
		parts = strings.Split(s, "-")
	} else if strings.Count(s, "/") == 2 {
		parts = strings.Split(s, "/")
	} else {
		return dateMention{}, false
	}
	n := make([]int, 3)
	for k, p := range parts {
		if p == "" || !allDigits(p) {
			return dateMention{}, false
		}
		n[k], _ = strconv.Atoi(p)
	}
	m := dateMention{start: pos, end: end}
	if iso {
		if len(parts[0]) != 4 {
			return dateMention{}, false
		}
		m.year, m.month, m.day = n[0], n[1], n[2]
	} else {
		m.month, m.day, m.year = n[0], n[1], n[2]
		switch len(parts[2]) {
		case 2:
			m.year += 2000
			if m.year > 2039 {
				m.year -= 100
			}
		case 4:
		default:
			return dateMention{}, false
		}
	}
	if m.month < 1 || m.month > 12 || m.day < 1 || m.day > 31 || m.year < 1980 || m.year > 2039 {
		return dateMention{}, false
	}
	return m, true
}

// Cue words that tell what a date in their sentence marks.
const (
	roleIncident = iota
	roleDiscovery
	roleDisclosure
	roleEarlier // an earlier incident the article recalls
)

var dateCueWords = func() map[string]int {
	m := map[string]int{}
	for role, ws := range [][]string{
		roleIncident: {"occurred", "occurring", "happened", "place", "between", "hacked", "hack", "stolen", "theft",
			"broken", "broke", "accessed", "access", "compromised", "infected", "installed", "attack", "attacked",
			"cyberattack", "intrusion", "exposed", "leaked", "missing", "lost", "breached", "impermissibly",
			"mistakenly", "inadvertently", "error", "sent", "posted", "uploaded", "published", "began", "started",
			"copied", "stole", "exfiltrated", "encrypted", "phishing", "ransomware", "malware", "hackers", "hacker",
			"attacker", "attackers", "misconfigured", "unsecured"},
		roleDiscovery:  {"discovered", "learned", "learnt", "aware", "identified", "detected", "noticed", "found"},
		roleDisclosure: {"announced", "revealed", "disclosed", "public", "notified", "notifying", "notification", "letters", "informed", "statement", "confirmed", "reported", "filed"},
		roleEarlier:    {"previous", "previously", "prior", "past", "another", "similar", "history"},
	} {
		for _, w := range ws {
			m[w] = role
		}
	}
	return m
}()

// sentenceCues lists the role cues of one sentence with their offsets.
type dateCue struct{ pos, role int }

func sentenceCues(sl string) (cues []dateCue, earlier bool) {
	prev := ""
	for i := 0; i < len(sl); {
		if !isAlnum(sl[i]) {
			i++
			continue
		}
		e := wordEnd(sl, i, len(sl))
		w := sl[i:e]
		if role, ok := dateCueWords[w]; ok {
			if role == roleEarlier {
				earlier = true
			} else {
				cues = append(cues, dateCue{i, role})
			}
		} else if w == "year" && prev == "last" || w == "fell" && prev == "also" {
			earlier = true
		}
		prev, i = w, e
	}
	return cues, earlier
}

// roleScores is, per role, 3 minus the distance (in bytes / 60) from the
// date at pos to the nearest cue of that role; 0 when there is none.
func roleScores(cues []dateCue, pos int) (s [3]float64) {
	for _, c := range cues {
		v := 3 - float64(absInt(c.pos-pos))/60
		if v > s[c.role] {
			s[c.role] = v
		}
	}
	return s
}

// dates picks the incident date and the disclosure date.
func dates(d *doc, in classifier.Input) (incident, disclosure *bwv1.DateFact) {
	ms := findDates(d, 0, len(d.text), in.Published)
	if len(ms) == 0 {
		return nil, nil
	}
	var inc, found, dis *dateMention
	bestInc, bestFound, bestDis := -1e9, -1e9, -1e9
	cueSent := -1
	var cues []dateCue
	earlier := false
	for k := range ms {
		m := &ms[k]
		if m.sent < 0 {
			continue
		}
		after := d.lower[m.end:min(len(d.lower), m.end+24)]
		if strings.Contains(after, "compliance date") || strings.Contains(after, "effective date") || strings.Contains(after, "deadline") {
			continue
		}
		ss := d.sents[m.sent]
		if m.sent != cueSent {
			cueSent = m.sent
			cues, earlier = sentenceCues(d.lower[ss.start:ss.end])
		}
		sc := roleScores(cues, m.start-ss.start)
		iScore, cScore, dScore := sc[roleIncident], sc[roleDiscovery], sc[roleDisclosure]
		base := 0.4*float64(m.precision()) - 0.05*float64(min(m.sent, 20))
		if earlier {
			base -= 2
		}
		switch {
		case iScore > 0 && iScore >= dScore && iScore >= cScore:
			if v := base + iScore; v > bestInc {
				bestInc, inc = v, m
			}
		case cScore > 0 && cScore >= dScore:
			if v := base + cScore; v > bestFound {
				bestFound, found = v, m
			}
		case dScore > 0:
			if v := base + dScore; v > bestDis {
				bestDis, dis = v, m
			}
		}
	}
	// Too weak a case (an earlier incident the article recalls, a date far
	// from any cue) is no answer.
	if bestInc < 1 {
		inc = nil
	}
	if bestFound < 1 {
		found = nil
	}
	if bestDis < 1 {
		dis = nil
	}
	incDiscovery := false
	if inc == nil && found != nil {
		inc, incDiscovery = found, true // the discovery date stands in
	}
	if inc != nil {
		conf := 0.4 + 0.1*float64(inc.precision())
		if incDiscovery {
			conf -= 0.2 // a discovery date stands in for the incident date
		}
		incident = &bwv1.DateFact{Date: inc.String(), Evidence: d.evidence(inc.sent), Confidence: conf}
	}
	if dis != nil {
		disclosure = &bwv1.DateFact{Date: dis.String(), Evidence: d.evidence(dis.sent), Confidence: 0.4 + 0.1*float64(dis.precision())}
	}
	return incident, disclosure
}

// sentenceDate is the first full or partial date written in sentence i with
// its own year, as a partial date string; "" when there is none.
func sentenceDate(d *doc, i int) string {
	if i < 0 || i >= len(d.sents) {
		return ""
	}
	s := d.sents[i]
	for _, m := range findDates(d, s.start, s.end, time.Time{}) {
		return m.String()
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
