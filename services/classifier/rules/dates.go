package rules

import (
	"fmt"
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
func findDates(d *doc, lo, hi int, pub time.Time) []dateMention {
	ws, starts := words(d.lower[lo:hi])
	var out []dateMention
	lastYear := 0
	add := func(m dateMention, endWord int) {
		m.end = lo + starts[endWord] + len(ws[endWord])
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
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if mon := monthOf(w); mon > 0 {
			m := dateMention{month: mon, start: lo + starts[i]}
			j := i + 1
			// "31 August", "31st of August", before the month
			if i > 0 && dayOf(ws[i-1]) > 0 && (len(out) == 0 || out[len(out)-1].end <= lo+starts[i-1]) {
				m.day, m.start = dayOf(ws[i-1]), lo+starts[i-1]
			} else if i > 1 && ws[i-1] == "of" && dayOf(ws[i-2]) > 0 {
				m.day, m.start = dayOf(ws[i-2]), lo+starts[i-2]
			}
			if m.day == 0 && j < len(ws) && dayOf(ws[j]) > 0 {
				m.day = dayOf(ws[j])
				j++
			}
			if j < len(ws) && yearOf(ws[j]) > 0 {
				m.year = yearOf(ws[j])
				j++
			}
			if m.day == 0 && m.year == 0 {
				continue // a bare month, or "may" the verb
			}
			add(m, j-1)
			i = j - 1
			continue
		}
		if y := yearOf(w); y > 0 {
			if !yearContext(d, lo+starts[i], lo+starts[i]+4, ws, i) {
				continue
			}
			add(dateMention{year: y, start: lo + starts[i]}, i)
			continue
		}
		if w[0] >= '0' && w[0] <= '9' {
			if m, ok := numericDate(d.text, lo+starts[i]); ok {
				add(m, i)
				// skip the parts of "9/27/09"
				for i+1 < len(ws) && lo+starts[i+1] < m.end {
					i++
				}
				out[len(out)-1].end = m.end
			}
			continue
		}
		if !pub.IsZero() && i > 0 {
			if m, ok := relativeDate(ws, i, pub); ok {
				m.start = lo + starts[i-1]
				if i > 1 && ws[i-2] == "earlier" || i > 1 && ws[i-2] == "later" {
					m.start = lo + starts[i-2]
				}
				add(m, i)
			}
		}
	}
	return out
}

// yearContext rejects four-digit numbers that are not years of events:
// "the Act of 1996", "$2019", "2014 customers".
func yearContext(d *doc, s, e int, ws []string, i int) bool {
	if s > 0 && strings.ContainsRune("$£€,.", rune(d.text[s-1])) {
		return false
	}
	if e < len(d.text) && (d.text[e] == '%' || d.text[e] == ',' && e+1 < len(d.text) && d.text[e+1] >= '0' && d.text[e+1] <= '9') {
		return false
	}
	if i >= 2 && ws[i-1] == "of" && (ws[i-2] == "act" || ws[i-2] == "regulations") {
		return false
	}
	return true
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

// relativeDate reads "this year", "last year", "this month", "last month",
// "last week", "this week" ending at word i, and "yesterday", "today".
func relativeDate(ws []string, i int, pub time.Time) (dateMention, bool) {
	var t time.Time
	prec := 0
	switch ws[i] {
	case "year":
		switch ws[i-1] {
		case "this":
			t, prec = pub, 1
		case "last":
			t, prec = pub.AddDate(-1, 0, 0), 1
		}
	case "month":
		switch ws[i-1] {
		case "this":
			t, prec = pub, 2
		case "last":
			t, prec = pub.AddDate(0, -1, 0), 2
		}
	case "week":
		switch ws[i-1] {
		case "this":
			t, prec = pub, 2
		case "last":
			t, prec = pub.AddDate(0, 0, -7), 2
		}
	}
	if prec == 0 {
		return dateMention{}, false
	}
	m := dateMention{year: t.Year()}
	if prec >= 2 {
		m.month = int(t.Month())
	}
	return m, true
}

// Cue words that tell what a date in their sentence marks.
var (
	incidentDateCues = []string{"occurred", "occurring", "happened", "took place", "between", "hacked", "hack ",
		"stolen", "theft", "broken into", "broke into", "accessed", "compromised", "infected", "installed",
		"attack", "intrusion", "exposed", "leaked", "went missing", "was missing", "lost", "breached",
		"gained access", "unauthorized access", "unauthorised access", "impermissibly", "mistakenly",
		"inadvertently", "in error", "sent", "posted", "uploaded", "published", "began", "started"}
	discoveryDateCues = []string{"discovered", "learned", "learnt", "became aware", "identified", "detected",
		"noticed", "found"}
	disclosureDateCues = []string{"announced", "revealed", "disclosed the", "went public", "made public",
		"notified", "notifying", "notification", "sent letters", "began sending", "informed", "told customers",
		"statement", "confirmed", "reported the", "disclosed that", "said on", "filed"}
	// past-incident cues: the date is of an earlier incident the article recalls.
	earlierIncidentCues = []string{"previous", "previously", "prior ", "last year", "in the past", "also fell",
		"another ", "similar", "earlier breach", "earlier incident", "before that", "history"}
)

// cueScore is the best of weight minus distance (in bytes, scaled) from the
// date at pos to any cue in the sentence.
func cueScore(sl string, pos int, cues []string, weight float64) float64 {
	best := 0.0
	for _, c := range cues {
		for off := 0; off < len(sl); {
			k := strings.Index(sl[off:], c)
			if k < 0 {
				break
			}
			at := off + k
			dist := at - pos
			if dist < 0 {
				dist = -dist
			}
			if v := weight - float64(dist)/60; v > best {
				best = v
			}
			off = at + len(c)
		}
	}
	return best
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// dates picks the incident date and the disclosure date.
func dates(d *doc, in classifier.Input) (incident, disclosure *bwv1.DateFact) {
	ms := findDates(d, 0, len(d.text), in.Published)
	if len(ms) == 0 {
		return nil, nil
	}
	var inc, found, dis *dateMention
	bestInc, bestFound, bestDis := -1e9, -1e9, -1e9
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
		sl := d.lower[ss.start:ss.end]
		pos := m.start - ss.start
		iScore := cueScore(sl, pos, incidentDateCues, 3)
		cScore := cueScore(sl, pos, discoveryDateCues, 3)
		dScore := cueScore(sl, pos, disclosureDateCues, 3)
		base := 0.4*float64(m.precision()) - 0.05*float64(min(m.sent, 20))
		if containsAny(sl, earlierIncidentCues) {
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
