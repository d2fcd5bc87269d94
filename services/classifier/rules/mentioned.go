package rules

import (
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The mentioned-incidents rule: other incidents an article only mentions,
// so that the indexer does not merge them into this one. Two kinds:
//   - another organisation's incident, brought up for comparison or as
//     background ("just like the TSB upgrade earlier this year");
//   - the same organisation's incident at another time ("it also fell
//     victim to Heartbleed in 2014", "reported itself last year").
// A sentence qualifies when it speaks of a breach and carries a comparison
// or time cue; the organisation comes from the same name scanner as the
// organisation rule.

const maxMentioned = 6

// comparisonCues tie another organisation's incident to this one.
var comparisonCues = []string{"similar", "same as", "like the", "just like", "reminiscent", "echoes", "echoing",
	"compared", "as with", "in the wake of", "not the first", "another", "previous", "previously", "earlier",
	"prior", "last year", "years ago", "in the past", "once again", "second time", "third time", "follows",
	"following the", "comes after", "came after", "latest in", "string of", "spate of", "wave of",
	"series of", "separate incident", "other companies", "other organisations", "other organizations"}

// pastCues place an incident of the same organisation at another time.
var pastCues = []string{"also fell victim", "previous breach", "previous incident", "previous hack",
	"previous attack", "previously suffered", "previously been hit", "previously been breached",
	"previously reported a", "earlier breach", "earlier incident", "earlier hack", "prior breach", "prior incident",
	"another breach", "another incident", "another hack", "last year", "years ago", "in the past", "once again",
	"second time", "third time", "not the first", "also suffered", "also had a", "also hit by",
	"separate incident", "reported itself"}

// anaphors stand for the article's organisation at the start of a sentence.
var anaphors = []string{"the site ", "the company ", "the firm ", "the forum ", "the organisation ",
	"the organization ", "the bank ", "the retailer ", "the provider ", "the hospital ", "the insurer ",
	"the group ", "the platform ", "the service ", "the business ", "the charity ", "the council ", "it "}

func mentionedIncidents(d *doc, org *bwv1.OrganisationFact) []*bwv1.MentionedIncident {
	cands, ctx := orgCandidatesOnce(d)
	var main *orgCand
	if org != nil {
		main, _ = pickOrg(cands)
	}
	refYear := referenceYear(d, ctx)
	root := func(c *orgCand) *orgCand {
		for c.into != nil {
			c = c.into
		}
		return c
	}

	// Other organisations named in each sentence, in a role that is not a
	// vendor, outlet or researcher.
	others := make(map[int][]*orgCand)
	mainIn := make(map[int]bool)
	for _, c := range cands {
		r := root(c)
		for _, m := range c.mentions {
			switch {
			case main != nil && r == main:
				// The organisation as the subject: named near the start.
				if m.start-d.sents[m.sent].start < 48 {
					mainIn[m.sent] = true
				}
			case r.excluded == "" && !r.isPerson && (m.role >= 0 || m.compared) && !m.person && m.sent != ctx.titleSent &&
				(r.score >= 1 || m.compared) && (m.role >= wBreachRole || nearBreachWord(d, ctx, m)):
				if !containsCand(others[m.sent], r) {
					others[m.sent] = append(others[m.sent], r)
				}
			}
		}
	}

	var out []*bwv1.MentionedIncident
	seen := map[string]bool{}
	add := func(name string, year int, desc string, si int) {
		k := strings.ToLower(name) + "|" + itoa(year)
		if seen[k] || len(out) >= maxMentioned {
			return
		}
		seen[k] = true
		out = append(out, &bwv1.MentionedIncident{Organisation: name, Year: int32(year), Description: desc,
			Records: mentionedRecords(d, si), Evidence: d.evidence(si)})
	}
	for si := range d.sents {
		if si == ctx.titleSent || ctx.headline[si] {
			continue
		}
		low := d.lower[d.sents[si].start:d.sents[si].end]
		year := otherYear(low, refYear)
		breach := ctx.isBreachSentence(d, si)
		// The same organisation at another time; the breach may be named in
		// the next sentence ("It reported itself last year ... The forum
		// treated it as a data breach").
		sameBreach := breach || si+1 < len(d.sents) && ctx.isBreachSentence(d, si+1)
		if main != nil && sameBreach && (mainIn[si] || startsWithAnaphor(low)) && ctx.cues[si]&cuePast != 0 {
			y := year
			if y == 0 && strings.Contains(low, "last year") && refYear > 0 {
				y = refYear - 1
			}
			if y == 0 || y != refYear {
				add(orgName(main), y, "earlier incident at the same organisation", si)
				continue
			}
		}
		// Another organisation's incident: a comparison cue, or another year
		// when the organisation is itself the breached party in the sentence.
		if !breach || len(others[si]) == 0 {
			continue
		}
		cue := ctx.cues[si]&cueCompare != 0
		if !cue && !(year > 0 && year != refYear && strongOther(others[si], si)) {
			continue
		}
		y := year
		switch {
		case y > 0 || refYear == 0:
		case strings.Contains(low, "this year"):
			y = refYear
		case strings.Contains(low, "last year"):
			y = refYear - 1
		}
		desc := "incident at another organisation, mentioned for comparison"
		if main == nil {
			desc = "incident at another organisation"
		}
		for _, c := range others[si] {
			add(orgName(c), y, desc, si)
		}
	}
	return out
}

// strongOther: one of the organisations is the object or subject of a
// breach verb in sentence si.
func strongOther(cs []*orgCand, si int) bool {
	for _, c := range cs {
		for _, m := range c.mentions {
			if m.sent == si && m.role >= wBreachRole {
				return true
			}
		}
	}
	return false
}

// nearBreachWord: a breach word close to the name ("the TSB software
// issue", "a hack at Yahoo", "Hilton ... were breached").
func nearBreachWord(d *doc, ctx *orgContext, m orgMention) bool {
	s := d.sents[m.sent]
	return ctx.breachWordIn(max(s.start, m.start-40), min(s.end, m.end+50))
}

func containsCand(list []*orgCand, c *orgCand) bool {
	for _, o := range list {
		if o == c {
			return true
		}
	}
	return false
}

func startsWithAnaphor(low string) bool {
	for _, a := range anaphors {
		if strings.HasPrefix(low, a) {
			return true
		}
	}
	return false
}

// referenceYear is the year of the article's own incident: the first year
// in the headline or opening sentences, else the latest year in the text.
func referenceYear(d *doc, ctx *orgContext) int {
	for _, si := range []int{ctx.titleSent, ctx.lead[0], ctx.lead[1], ctx.lead[2]} {
		if si < 0 {
			continue
		}
		if ys := yearsIn(d.lower[d.sents[si].start:d.sents[si].end]); len(ys) > 0 {
			return ys[0]
		}
	}
	latest := 0
	for _, y := range yearsIn(d.lower) {
		latest = max(latest, y)
	}
	return latest
}

// otherYear returns a year in the sentence that differs from ref (the
// first such), or ref itself when that is the only year, or 0.
func otherYear(low string, ref int) int {
	found := 0
	for _, y := range yearsIn(low) {
		if y != ref {
			return y
		}
		found = y
	}
	return found
}

// yearsIn finds four-digit years from 1990 to 2039 standing as words.
func yearsIn(s string) []int {
	var out []int
	for i := 0; i+4 <= len(s); i++ {
		c := s[i]
		if c != '1' && c != '2' {
			continue
		}
		if i > 0 && (isDigitByte(s[i-1]) || s[i-1] == ',' || s[i-1] == '.' || s[i-1] == '$') {
			continue
		}
		if !isDigitByte(s[i+1]) || !isDigitByte(s[i+2]) || !isDigitByte(s[i+3]) {
			continue
		}
		if i+4 < len(s) && (isDigitByte(s[i+4]) || s[i+4] == ',' && i+5 < len(s) && isDigitByte(s[i+5])) {
			continue
		}
		y := int(c-'0')*1000 + int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
		if y >= 1990 && y <= 2039 {
			out = append(out, y)
		}
		i += 3
	}
	return out
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [12]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// mentionedRecordNouns follow a count of people or records.
var mentionedRecordNouns = []string{"accounts", "customers", "users", "records", "people", "patients", "members",
	"individuals", "subscribers", "employees", "clients", "students", "passengers", "guests", "voters",
	"consumers", "account holders", "cardholders"}

// mentionedRecords: a count written just before a people or record noun
// ("1.5 million accounts", "800,000 employees"), or 0.
func mentionedRecords(d *doc, si int) int64 {
	sent := d.lower[d.sents[si].start:d.sents[si].end]
	for _, n := range mentionedRecordNouns {
		from := 0
		for {
			i := strings.Index(sent[from:], n)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(n)
			if v := countBefore(sent[:at]); v > 0 {
				return v
			}
		}
	}
	return 0
}

// countBefore parses "1.5 million " or "800,000 " at the end of s.
func countBefore(s string) int64 {
	s = strings.TrimRight(s, " ")
	mult := 1.0
	for _, m := range []struct {
		w string
		f float64
	}{{"million", 1e6}, {"billion", 1e9}, {"thousand", 1e3}} {
		if strings.HasSuffix(s, " "+m.w) {
			mult = m.f
			s = strings.TrimRight(s[:len(s)-len(m.w)], " ")
			break
		}
	}
	e := len(s)
	b := e
	for b > 0 && (isDigitByte(s[b-1]) || s[b-1] == ',' || s[b-1] == '.') {
		b--
	}
	num := strings.Trim(s[b:e], ",.")
	if num == "" || b > 0 && orgIsWordByte(s[b-1]) {
		return 0
	}
	v, frac, scale := 0.0, false, 1.0
	for i := 0; i < len(num); i++ {
		switch c := num[i]; {
		case c == ',':
		case c == '.':
			frac = true
		case frac:
			scale /= 10
			v += float64(c-'0') * scale
		default:
			v = v*10 + float64(c-'0')
		}
	}
	if mult == 1 && (frac || v < 2 || v >= 1900 && v <= 2100 && !strings.Contains(num, ",")) {
		return 0 // "1.5 accounts" or a year
	}
	return int64(v*mult + 0.5)
}
