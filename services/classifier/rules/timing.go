package rules

import (
	"strconv"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Notification timing: how soon someone was (or had to be) told — "within
// 72 hours", "60 days after discovering it", "without undue delay" — with
// whom: the regulator or the affected people.

// timingUnits are the anchor words, in hours per unit; 0 for phrases that
// state no number.
var timingUnits = map[string]int64{
	"hour": 1, "hours": 1, "day": 24, "days": 24, "business days": 24, "working days": 24,
	"week": 168, "weeks": 168, "month": 720, "months": 720, "without undue delay": 0,
}

var _ = register(catAction, sortedKeys(timingUnits)...)

// timingLeadWords may stand before the number ("within 72 hours").
var timingLeadWords = map[string]bool{"within": true, "in": true, "after": true, "before": true, "than": true,
	"to": true, "about": true, "around": true, "nearly": true, "almost": true, "over": true, "only": true,
	"just": true, "took": true, "waited": true, "of": true, "least": true, "until": true}

var notifyWords = []string{"notif", "inform", "report", "tell", "told", "alert", "disclos", "letter", "contact"}

// audienceWords tell who was notified: true for a regulator, false for the
// affected people.
var audienceWords = map[string]bool{
	"regulator": true, "regulators": true, "authority": true, "authorities": true, "commissioner": true,
	"watchdog": true, "attorney": true, "supervisory": true,
	"customer": false, "customers": false, "individual": false, "individuals": false, "patient": false,
	"patients": false, "user": false, "users": false, "member": false, "members": false, "victim": false,
	"victims": false, "consumer": false, "consumers": false, "employee": false, "employees": false,
	"subjects": false, "affected": false, "holders": false, "client": false, "clients": false,
	"resident": false, "residents": false, "people": false, "those": false, "you": false,
}

// smallNumbers are the number words a delay is written with.
var smallNumbers = map[string]int64{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
	"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
	"fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90,
	"seventy-two": 72, "twenty-four": 24, "forty-eight": 48, "several": 0, "few": 0}

// numberValue reads "72", "three", "seventy-two"; ok is false for other words.
func numberValue(w string) (int64, bool) {
	if allDigits(w) && len(w) <= 4 {
		n, _ := strconv.ParseInt(w, 10, 64)
		return n, true
	}
	n, ok := smallNumbers[w]
	return n, ok
}

func notificationTimings(d *doc) []*bwv1.NotificationTiming {
	var out []*bwv1.NotificationTiming
	var mentions []regMention
	mentionsDone := false
	lastEnd := -1
	for _, h := range d.hits {
		per, ok := timingUnits[h.key]
		if !ok {
			continue
		}
		ss := d.sents[h.sent]
		sl := d.lower[ss.start:ss.end]
		if !containsAny(sl, notifyWords) {
			continue
		}
		start, hours := h.start, int64(0)
		if per > 0 {
			// the number before the unit: "72 hours", "72-hour", "three days"
			ws, starts := words(d.lower[max(ss.start, h.start-40):h.start])
			if len(ws) == 0 {
				continue
			}
			last := len(ws) - 1
			w := ws[last]
			if strings.HasSuffix(w, "-") {
				w = strings.TrimSuffix(w, "-")
			}
			n, ok := numberValue(w)
			if !ok || n == 0 {
				continue
			}
			if w == "a" || w == "an" {
				if last == 0 || !timingLeadWords[ws[last-1]] {
					continue // "a day" only as "within a day"
				}
			}
			base := max(ss.start, h.start-40)
			start = base + starts[last]
			lead := last - 1
			if lead > 0 && (ws[lead] == "a" || ws[lead] == "an" || ws[lead] == "the") && w != "a" && w != "an" {
				lead-- // "within a 72-hour window"
			}
			after := d.lower[h.end:min(ss.end, h.end+30)]
			if numStart := base + starts[last]; numStart > 0 && (d.text[numStart-1] == ',' || d.text[numStart-1] == '.') {
				continue // "1,800 hours": not a delay
			}
			if lead >= 0 && timingLeadWords[ws[lead]] {
				start = base + starts[lead]
				if ws[lead] == "least" && lead > 0 {
					start = base + starts[lead-1]
				}
			} else if !strings.HasPrefix(after, " later") && !((strings.HasPrefix(after, " after") ||
				strings.HasPrefix(after, " before") || strings.HasPrefix(after, " to ")) && containsAny(after, notifyWords)) {
				continue // "online for two hours": how long, not how soon
			}
			if strings.HasPrefix(after, " of free") || strings.HasPrefix(after, " of credit") ||
				strings.HasPrefix(after, " of complimentary") || strings.HasPrefix(after, " of identity") ||
				strings.HasPrefix(after, " of monitoring") || strings.HasPrefix(after, " of protection") {
				continue // "12 months of credit monitoring"
			}
			hours = n * per
		}
		if !mentionsDone {
			mentions, mentionsDone = regulatorMentions(d), true
		}
		t := &bwv1.NotificationTiming{
			Text: d.text[start:h.end], Hours: hours, Audience: timingAudience(d, h, mentions),
			Evidence: d.evidence(h.sent), Confidence: 0.7,
		}
		if t.Audience != bwv1.NotificationAudience_NOTIFICATION_AUDIENCE_UNSPECIFIED {
			t.Confidence = 0.8
		}
		if len(out) > 0 && lastEnd == h.end {
			continue // "business days" and "days"
		}
		lastEnd = h.end
		out = append(out, t)
	}
	return out
}

// timingAudience is whoever is named nearest to the timing phrase in its
// sentence: a regulator, or the affected people.
func timingAudience(d *doc, h hit, mentions []regMention) bwv1.NotificationAudience {
	ss := d.sents[h.sent]
	// Look in the clause of the timing first, then in the whole sentence.
	lo, hi := h.start, h.end
	for lo > ss.start && d.text[lo-1] != ',' && d.text[lo-1] != ';' {
		lo--
	}
	for hi < ss.end && d.text[hi] != ',' && d.text[hi] != ';' {
		hi++
	}
	if a := audienceIn(d, h, mentions, span{lo, hi}); a != bwv1.NotificationAudience_NOTIFICATION_AUDIENCE_UNSPECIFIED {
		return a
	}
	return audienceIn(d, h, mentions, ss)
}

func audienceIn(d *doc, h hit, mentions []regMention, ss span) bwv1.NotificationAudience {
	bestReg, bestPeople := 1<<30, 1<<30
	for _, m := range mentions {
		if m.start >= ss.start && m.end <= ss.end {
			bestReg = min(bestReg, absInt(m.start-h.start))
		}
	}
	l := d.lower
	for i := ss.start; i < ss.end; {
		if !isAlnum(l[i]) {
			i++
			continue
		}
		e := wordEnd(l, i, ss.end)
		if reg, ok := audienceWords[l[i:e]]; ok {
			if reg {
				bestReg = min(bestReg, absInt(i-h.start))
			} else {
				bestPeople = min(bestPeople, absInt(i-h.start))
			}
		}
		i = e
	}
	switch {
	case bestReg == 1<<30 && bestPeople == 1<<30:
		return bwv1.NotificationAudience_NOTIFICATION_AUDIENCE_UNSPECIFIED
	case bestReg <= bestPeople:
		return bwv1.NotificationAudience_NOTIFICATION_AUDIENCE_REGULATOR
	}
	return bwv1.NotificationAudience_NOTIFICATION_AUDIENCE_AFFECTED_PEOPLE
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
