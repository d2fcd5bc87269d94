package rules

// The records rule: how many people or records THIS incident touched.
//
// A count is a quantity (findQuantities) tied to a noun that counts people
// or records ("83,000 customers", "the PHI of approximately 1,200
// individuals", "the number of individuals affected was 1,138"). Only
// sentences holding such a noun are read, and only near the noun. Each
// candidate is scored by the breach cues around it (affected, exposed,
// stolen, notified ...), against cues that it counts something else (the
// customer base: "serves 3 million customers"; another incident: "a 2014
// hack exposed ..."; a subset: "of those, 14 ..."), by its position
// (headline, first sentences, later updates of a chronology entry) and by how
// often the figure recurs. The best candidate above a floor wins.

import (
	"math"
	"slices"
	"sort"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// unitClass ranks what a noun counts: people beat accounts beat records
// beat things that are only loosely records (files, cards).
type unitClass int

const (
	classWeak unitClass = iota
	classRecords
	classAccounts
	classPeople
)

type unitInfo struct {
	unit  bwv1.RecordsUnit
	class unitClass
}

var (
	unitCustomers = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS, classPeople}
	unitPatients  = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_PATIENTS, classPeople}
	unitPeople    = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE, classPeople}
	unitAccounts  = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_ACCOUNTS, classAccounts}
	unitRecords   = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_RECORDS, classRecords}
	unitLoose     = unitInfo{bwv1.RecordsUnit_RECORDS_UNIT_RECORDS, classWeak}
)

// recordNouns maps the nouns (one or two words, lower case) that count
// people or records to the closest unit.
var recordNouns = map[string]unitInfo{
	"customers": unitCustomers, "clients": unitCustomers, "consumers": unitCustomers, "subscribers": unitCustomers,
	"cardholders": unitCustomers, "card holders": unitCustomers, "policyholders": unitCustomers, "policy holders": unitCustomers,
	"shoppers": unitCustomers, "guests": unitCustomers, "passengers": unitCustomers, "travellers": unitCustomers,
	"travelers": unitCustomers, "buyers": unitCustomers, "borrowers": unitCustomers, "customer details": unitCustomers,
	"customer records": unitCustomers, "customer accounts": unitAccounts, "client records": unitCustomers,

	"patients": unitPatients, "patient records": unitPatients, "medical records": unitPatients,
	"health records": unitPatients, "enrollees": unitPatients, "beneficiaries": unitPatients,

	"people": unitPeople, "persons": unitPeople, "individuals": unitPeople, "users": unitPeople, "members": unitPeople,
	"employees": unitPeople, "staff": unitPeople, "workers": unitPeople, "students": unitPeople, "residents": unitPeople,
	"citizens": unitPeople, "voters": unitPeople, "victims": unitPeople, "taxpayers": unitPeople, "veterans": unitPeople,
	"soldiers": unitPeople, "visitors": unitPeople, "donors": unitPeople, "applicants": unitPeople, "players": unitPeople,
	"gamers": unitPeople, "job seekers": unitPeople, "jobseekers": unitPeople, "candidates": unitPeople,
	"children": unitPeople, "parents": unitPeople, "teachers": unitPeople, "physicians": unitPeople, "doctors": unitPeople,
	"nurses": unitPeople, "participants": unitPeople, "retirees": unitPeople, "pensioners": unitPeople,
	"households": unitPeople, "families": unitPeople, "investors": unitPeople, "advisers": unitPeople,
	"advisors": unitPeople, "americans": unitPeople, "britons": unitPeople, "australians": unitPeople,
	"canadians": unitPeople, "personnel": unitPeople, "officers": unitPeople, "faculty": unitPeople,
	"alumni": unitPeople, "claimants": unitPeople, "recipients": unitPeople, "drivers": unitPeople,
	"social security numbers": unitPeople, "ssns": unitPeople, "national insurance numbers": unitPeople,
	"user records": unitPeople, "staff members": unitPeople, "employee records": unitPeople, "personnel records": unitPeople,

	"accounts": unitAccounts, "user accounts": unitAccounts, "account holders": unitAccounts,
	"accountholders": unitAccounts, "profiles": unitAccounts, "credentials": unitAccounts, "passwords": unitAccounts,
	"logins": unitAccounts, "usernames": unitAccounts, "email addresses": unitAccounts, "e-mail addresses": unitAccounts,

	"records": unitRecords, "data records": unitRecords, "rows": unitRecords, "entries": unitRecords,
	"card numbers": unitRecords, "payment cards": unitRecords, "credit cards": unitRecords, "debit cards": unitRecords,
	"card details": unitRecords, "credit card numbers": unitRecords,

	"files": unitLoose, "documents": unitLoose, "cards": unitLoose, "emails": unitLoose, "messages": unitLoose,
}

// recordNounPatterns feeds the keyword automaton: a sentence without one of
// these nouns is never read by this rule.
var recordNounPatterns = register(catRecordUnit, recordNounKeys()...)

func recordNounKeys() []string {
	keys := make([]string, 0, len(recordNouns))
	for k := range recordNouns {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable automaton, run after run
	return keys
}

// Cues are matched at the start of a word in the lower-cased window around a
// candidate; most are stems ("affect" covers affected, affecting, affects).
var (
	// The count is the incident's: something happened to these people.
	strongCues = []string{"affect", "impact", "expos", "compromis", "stole", "steal", "leak", "breached",
		"hacked", "notif", "victim", "disclos", "dump", "made available", "publish", "viewed", "view", "could see", "able to see", "obtain",
		"copied", "exfiltrat", "pilfer", "swipe", "harvest", "scrape", "siphon", "available online", "put online", "released", "publicly available", "sold ", "selling", "for sale", "lost", "missing", "misdirect", "misaddress",
		"theft", "accessed", "access to", "at risk", "posted", "involv", "logged on", "logged in", "logged onto",
		"wrongly sent", "inadvertently", "alerted", "impermissibl", "improperly", "mailed", "discarded", "disposed"}
	// Weaker: the count is near the breach's data or wording.
	weakCues = []string{"information of", "data of", "details of", "records of", "information on",
		"information for", "data on", "details for", "data for", "contain", "includ", "breach", "hack",
		"incident", "attack", "database", "personal", "ransom", "unauthori", "phi", "ephi",
		"protected health information"}
	// The count is the organisation's size, not the incident's.
	baseCues = []string{"serves ", "serving ", "serve ", "customer base", "user base", "signing up", "signed up",
		"sign up", "have joined", "has joined", "a month", "per month", "each month", "every month",
		"per year", "each year", "every year", "annually", "population", "employs ", "operates "}
	// The count belongs to another incident the article only mentions.
	otherIncidentCues = []string{"previous", "earlier breach", "earlier incident", "earlier hack",
		"earlier attack", "separate incident", "unconnected", "another breach", "another incident",
		"also fell victim", "last year's", "prior breach", "in the past", "similar", "recall ", "remember ",
		"other breaches", "in a separate", "history of"}
	// Only part of the count: "of those, 14 ...".
	subsetCues = []string{"of those", "of them", "of these", "of whom", "among them", "among those"}
	// The count is an upper bound on who might be affected.
	atRiskCues = []string{"may have", "might have", "could have", "potentially", "possibly", "at risk",
		"logged on", "logged in", "logged onto", "claim", "could be", "may be"}
	// Established after investigation.
	confirmedCues = []string{"confirmed", "investigation found", "determined that", "established that",
		"final total", "concluded that"}
	// A total or a later figure outranks earlier partial ones.
	totalCues = []string{"total", "in all", "overall", "final"}
)

// recordCandidate is one count the rule considers.
type recordCandidate struct {
	q        quantity
	unit     unitInfo
	sent     int  // sentence index
	start    int  // phrase as written: quantity and its noun
	end      int  // ...
	headline bool // in the headline sentence
	total    bool // a bare figure given as a total, no noun
	generic  bool // counted by a plural noun outside the record nouns ("29,000 vendors")
	noun     span // the record noun itself (empty for totals)
	x        [numRecFeatures]float64
	score    float64 // the hand weights' score (recordRuleWeights)
	z, p     float64 // the fitted chooser's margin and probability
	window   span
}

const (
	recordWindowBefore = 180  // bytes read before a record noun
	recordWindowAfter  = 120  // and after it
	recordCueReach     = 200  // bytes around a candidate searched for cues
	recordMaxSentences = 60   // sentences with record nouns read at most
	recordWindowMax    = 1200 // bytes in one window at most
	recordMaxCands     = 200  // candidates weighed at most
	recordFloor        = 1.5  // minimum score to report a count
)

// records finds the count of people or records of this incident: the
// candidate the fitted chooser finds most probable.
func records(d *doc, org *bwv1.OrganisationFact) *bwv1.RecordsFact {
	return chooseRecords(d, org, true)
}

// ruleRecords is the hand-weighted rules' choice, for the rules-only
// extractor.
func ruleRecords(d *doc, org *bwv1.OrganisationFact) *bwv1.RecordsFact {
	return chooseRecords(d, org, false)
}

// recordCandidates finds and describes every candidate count of d.
func recordCandidates(d *doc, org *bwv1.OrganisationFact) []recordCandidate {
	windows := genericWindows(d, recordWindows(d))
	if len(windows) == 0 {
		return nil
	}
	headline := headlineSentence(d)
	var cands []recordCandidate
	for _, w := range windows {
		for _, q := range findQuantities(d.text, w.span) {
			isHead := w.sent == headline && headline >= 0
			c, ok := linkRecordNoun(d, q, w.sent, isHead)
			if !ok {
				if c, ok = genericCount(d, q, w.sent, isHead); !ok {
					continue
				}
			}
			c.sent = w.sent
			c.headline = isHead
			cands = append(cands, c)
		}
		if len(cands) >= recordMaxCands {
			break
		}
	}
	slices.SortStableFunc(cands, func(a, b recordCandidate) int { return a.start - b.start })
	if len(cands) == 0 {
		return nil
	}
	titleQs := titleCounts(d, headline)
	maxYear := -1 // computed on demand
	updateAt := updateMarker(d.lower)
	names := orgNames(org)
	var cues []cueHit
	cuesOf := -1
	for i := range cands {
		if cands[i].sent != cuesOf { // candidates come in sentence order
			cuesOf = cands[i].sent
			cues = recSentenceCues(d.lower, d.sents[cuesOf], cues)
		}
		scoreRecordCandidate(d, &cands[i], cues, cands, titleQs, &maxYear, updateAt, names)
		cands[i].z = recordMargin(cands[i].x)
	}
	recordProbabilities(cands)
	return cands
}

// sizeStatement: the figure is the organisation's size ("which has over a
// billion users", "serves 2 million customers"), which the fitted chooser
// never takes while another figure is there.
func sizeStatement(c recordCandidate) bool { return c.x[rfBase] == 1 || c.x[rfHas] == 1 }

func allSizeStatements(cands []recordCandidate) bool {
	for _, c := range cands {
		if !sizeStatement(c) {
			return false
		}
	}
	return true
}

// chooseRecords picks the best candidate, by the fitted probability or by
// the hand weights' score.
func chooseRecords(d *doc, org *bwv1.OrganisationFact, fitted bool) *bwv1.RecordsFact {
	cands := recordCandidates(d, org)
	if len(cands) == 0 {
		return nil
	}
	return pickRecords(d, cands, fitted)
}

func pickRecords(d *doc, cands []recordCandidate, fitted bool) *bwv1.RecordsFact {
	rank := func(c recordCandidate) float64 {
		if fitted {
			return c.z
		}
		return c.score
	}
	enough := func(c recordCandidate) bool {
		if fitted {
			return c.z > recNone
		}
		return c.score >= recordFloor
	}
	best := -1
	veto := fitted && !allSizeStatements(cands)
	for i, c := range cands {
		if veto && sizeStatement(c) {
			continue
		}
		if best < 0 || rank(c) > rank(cands[best])+1e-9 {
			best = i
		}
	}
	b := cands[best]
	if !enough(b) {
		if fitted {
			// No figure is this incident's count; a vague one the rules
			// choose ("a handful", "tens of thousands") still says so.
			if f := pickRecords(d, cands, false); f != nil && f.GetQualifier() == bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN || f != nil && f.GetValueMax() > 0 && !hasDigit(f.GetText()) {
				return f
			}
		}
		return nil
	}
	// A headline figure is better supported by the same or a more precise
	// figure in the body ("55,000 patients" over "55,447 patients").
	if b.headline {
		if alt := bodyFigure(cands, b, enough); alt >= 0 {
			b = cands[alt]
		}
	}
	return recordFact(d, b, fitted)
}

// genericWindows adds, to the windows around record nouns, every other
// sentence (up to recordWindowMax bytes) that tells of a breach or its
// cause, where a
// count may be of something the record nouns do not list ("29,000 vendors
// were affected"). Windows stay in text order.
func genericWindows(d *doc, windows []recordWindow) []recordWindow {
	covered := make(map[int]bool, len(windows))
	for _, w := range windows {
		covered[w.sent] = true
	}
	out := windows
	added := false
	for _, h := range d.hits {
		if h.sent < 0 || covered[h.sent] {
			continue
		}
		if _, cause := causeIndex[h.key]; breachRoles[h.key] == 0 && !cause {
			continue
		}
		covered[h.sent] = true
		s := d.sents[h.sent]
		if s.end-s.start > recordWindowMax || !strings.ContainsAny(d.text[s.start:s.end], "0123456789") {
			continue // genericCount takes figures only
		}
		out = append(out, recordWindow{s, h.sent})
		added = true
	}
	if added {
		slices.SortStableFunc(out, func(a, b recordWindow) int { return a.start - b.start })
	}
	return out
}

// genericCount links a figure to a plural noun a few words after it that
// is not among the record nouns ("1,400 graduates", "231 firefighters"),
// nor a unit of time, money, size or place. The chooser weighs such counts
// apart (rfGeneric); the rules never choose them.
func genericCount(d *doc, q quantity, sent int, headline bool) (recordCandidate, bool) {
	if q.unknown || q.value <= 0 || !hasDigit(q.text) || numberIsName(d, q, sent, headline) {
		return recordCandidate{}, false
	}
	i := q.end
	for n := 0; n < 4; n++ {
		w, ws, we, brk := recNextWord(d.lower, i)
		if w == "" || hasDigit(w) || genericStop[w] {
			return recordCandidate{}, false
		}
		if len(w) >= 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") && isLetters(w) {
			return recordCandidate{q: q, unit: unitLoose, start: q.start, end: trimWordEnd(d.lower, ws, we), noun: span{ws, trimWordEnd(d.lower, ws, we)}, generic: true}, true
		}
		if brk || gapStop[w] {
			return recordCandidate{}, false
		}
		i = we
	}
	return recordCandidate{}, false
}

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && c != '-' && c != '\'' {
			return false
		}
	}
	return true
}

// genericStop: plural nouns a figure counts that are never records.
var genericStop = map[string]bool{
	"years": true, "months": true, "weeks": true, "days": true, "hours": true, "minutes": true, "seconds": true,
	"times": true, "dollars": true, "euros": true, "pounds": true, "cents": true, "pence": true, "percent": true,
	"points": true, "miles": true, "kilometres": true, "kilometers": true, "pages": true, "bytes": true,
	"gigabytes": true, "terabytes": true, "megabytes": true, "characters": true, "digits": true, "letters": true,
	"states": true, "countries": true, "cities": true, "counties": true, "campuses": true, "locations": true,
	"stores": true, "shops": true, "restaurants": true, "hotels": true, "branches": true, "offices": true,
	"sites": true, "websites": true, "servers": true, "computers": true, "laptops": true, "devices": true,
	"machines": true, "terminals": true, "systems": true, "hospitals": true, "clinics": true, "schools": true,
	"companies": true, "firms": true, "banks": true, "agencies": true, "departments": true, "employers": true,
	"attacks": true, "incidents": true, "breaches": true, "vulnerabilities": true, "flaws": true, "bugs": true,
	"versions": true, "variants": true, "apps": true, "charges": true, "counts": true, "fines": true,
	"jobs": true, "boxes": true, "tapes": true, "drives": true, "disks": true, "weeks'": true,
}

// recordWindow is a stretch of one sentence around record nouns.
type recordWindow struct {
	span
	sent int
}

// recordWindows returns, per sentence with record nouns, the stretch around
// them (merged), so that long sentences are not read whole.
func recordWindows(d *doc) []recordWindow {
	var out []recordWindow
	sents := 0
	for _, h := range d.hits {
		if h.cat != catRecordUnit || h.sent < 0 {
			continue
		}
		s := d.sents[h.sent]
		a := max(s.start, h.start-recordWindowBefore)
		b := min(s.end, h.end+recordWindowAfter)
		if n := len(out); n > 0 && out[n-1].sent == h.sent && a <= out[n-1].end {
			if b-out[n-1].start <= recordWindowMax {
				out[n-1].end = max(out[n-1].end, b)
				continue
			}
			// a long run of nouns: go on in a new window, not overlapping
			a = out[n-1].end
			if a >= b {
				continue
			}
		}
		if n := len(out); n == 0 || out[n-1].sent != h.sent {
			sents++
			if sents > recordMaxSentences {
				break
			}
		}
		out = append(out, recordWindow{span{a, b}, h.sent})
	}
	// Do not cut a number in two at either edge.
	for i := range out {
		w := &out[i]
		s := d.sents[w.sent]
		if w.start > s.start {
			for w.start < w.end && d.text[w.start-1] != ' ' {
				w.start++
			}
		}
		if w.end < s.end {
			for w.end < s.end && d.text[w.end] != ' ' {
				w.end++
			}
		}
	}
	return out
}

// headlineSentence is the index of the sentence holding the headline, or -1
// when the headline is not part of the text.
func headlineSentence(d *doc) int {
	if d.title == "" || len(d.sents) == 0 {
		return -1
	}
	first := d.sentence(0)
	if strings.HasPrefix(first, d.title) || strings.HasPrefix(d.title, first) {
		return 0
	}
	return -1
}

// linkRecordNoun ties a quantity to the noun it counts: a noun just after
// it ("83,000 customers", "6 million of its customers", "9,900 former
// hospital patients"), or a noun before it in "the number of individuals
// affected was 1,138".
func linkRecordNoun(d *doc, q quantity, sent int, headline bool) (recordCandidate, bool) {
	if !q.unknown && numberIsName(d, q, sent, headline) {
		return recordCandidate{}, false
	}
	if u, noun, ok := nounAfter(d.text, d.lower, q.end, q.unknown); ok {
		return recordCandidate{q: q, unit: u, start: q.start, end: noun.end, noun: noun}, true
	}
	if q.unknown {
		return recordCandidate{}, false
	}
	if u, start, noun, ok := nounBefore(d.lower, q.start); ok {
		return recordCandidate{q: q, unit: u, start: start, end: q.end, noun: noun}, true
	}
	if start, ok := totalBefore(d.lower, q.start); ok {
		c := recordCandidate{q: q, unit: unitRecords, start: start, end: q.end, total: true, noun: span{q.end, q.end}}
		// "... to reflect the final total of records breached"
		for i, n := q.end, 0; n < 8; n++ {
			w, ws, we, brk := recNextWord(d.lower, i)
			if w == "" {
				break
			}
			if u, ok := recordNouns[w]; ok {
				c.unit, c.noun = u, span{ws, we}
				break
			}
			if brk {
				break
			}
			i = we
		}
		return c, true
	}
	return recordCandidate{}, false
}

// numberIsName: a capitalised number word that names something, as in a
// company called Three ("Three's website", "Three UK", "thousands of Three
// customers"). At the start of a sentence, or in a title-case headline,
// "Three patients" is still a count.
func numberIsName(d *doc, q quantity, sent int, headline bool) bool {
	c := d.text[q.numStart]
	if c < 'A' || c > 'Z' || hasDigit(d.text[q.numStart:q.end]) {
		return false
	}
	rest := d.text[q.end:]
	if strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") {
		return true
	}
	w, ws, _, _ := recNextWord(d.lower, q.end)
	if w != "" && d.text[ws] >= 'A' && d.text[ws] <= 'Z' {
		_, one := recordNouns[w]
		_, two := recordNouns[w+" "+nextWordAfter(d.lower, ws)]
		if !one && !two {
			return true
		}
	}
	return !headline && q.numStart != d.sents[sent].start
}

func nextWordAfter(lower string, pos int) string {
	_, _, we, _ := recNextWord(lower, pos)
	w, _, _, _ := recNextWord(lower, we)
	return w
}

// totalBefore finds a bare figure given as a total: "the total had been
// 26,000", "total changes to 396,279". It returns the phrase's start.
func totalBefore(lower string, pos int) (int, bool) {
	from := max(0, pos-40)
	k := strings.LastIndex(lower[from:pos], "total")
	if k < 0 {
		return 0, false
	}
	k += from
	tail := strings.TrimRight(lower[k:pos], " ")
	for _, l := range []string{" was", " is", " at", " to", " of", ":", " had been", " has been", " reached", " rose to", " now"} {
		if strings.HasSuffix(tail, l) {
			return k, true
		}
	}
	return 0, false
}

// gapStop are words that end the search for a noun after a number: the
// number is the object or subject of something else.
var gapStop = map[string]bool{
	"were": true, "was": true, "is": true, "are": true, "have": true, "has": true, "had": true, "be": true,
	"been": true, "in": true, "on": true, "at": true, "from": true, "for": true, "to": true, "with": true,
	"by": true, "who": true, "that": true, "which": true, "per": true, "a": true, "an": true, "than": true,
	"into": true, "over": true, "since": true, "after": true, "before": true, "during": true, "while": true,
	"when": true, "where": true, "out": true, "about": true, "up": true, "it": true, "they": true,
	"this": true, "these": true, "those": true, "will": true, "would": true, "could": true, "may": true,
}

// gapCarrier are things counted instead of people: "500 letters notifying
// customers" counts letters.
var gapCarrier = map[string]bool{
	"letters": true, "notices": true, "notifications": true, "emails": true, "e-mails": true, "messages": true,
	"pages": true, "calls": true, "complaints": true, "reports": true, "hotels": true, "stores": true,
	"locations": true, "properties": true, "companies": true, "organizations": true, "organisations": true,
	"websites": true, "sites": true, "servers": true, "databases": true, "devices": true, "laptops": true,
}

// gapAdjective are -ing words that describe the counted people ("3 million
// existing customers"); other -ing words are verbs ("notifying customers").
var gapAdjective = map[string]bool{"existing": true, "remaining": true, "paying": true, "participating": true,
	"banking": true, "gaming": true, "working": true, "retiring": true, "incoming": true, "visiting": true}

const (
	maxNounGap   = 5 // words allowed between a number and its noun
	maxNounNames = 6 // and capitalised words of a name besides
)

// nounAfter scans the words after pos for a record noun. Adjectives and
// names may stand between ("92 million MyHeritage users", "21.5 million
// current and former federal employees"); "of" only right after the number
// ("2,250 of the practice's patients"). Vague quantities ("a handful")
// need "of": "a handful of customers".
func nounAfter(text, lower string, pos int, vague bool) (unitInfo, span, bool) {
	i := pos
	gap, names := 0, 0
	prevName := false
	capitalised := func(at int) bool { return text != "" && at < len(text) && 'A' <= text[at] && text[at] <= 'Z' }
	for n := 0; n <= maxNounGap+1+maxNounNames; n++ {
		w, ws, we, brk := recNextWord(lower, i)
		if w == "" {
			return unitInfo{}, span{}, false
		}
		// two-word nouns first: "account holders", "social security numbers"
		if w2, _, we2, brk2 := recNextWord(lower, we); w2 != "" && !brk {
			if w3, _, we3, _ := recNextWord(lower, we2); w3 != "" && !brk2 {
				if u, ok := recordNouns[w+" "+w2+" "+w3]; ok {
					return u, span{ws, we3}, true
				}
			}
			if u, ok := recordNouns[w+" "+w2]; ok {
				return u, span{ws, trimWordEnd(lower, ws, we2)}, true
			}
		}
		if u, ok := recordNouns[w]; ok {
			return u, span{ws, trimWordEnd(lower, ws, we)}, true
		}
		if brk || hasDigit(w) {
			return unitInfo{}, span{}, false
		}
		// A name before the noun: "700 Yuma Proving Ground employees",
		// "450 University of Rochester students".
		_, nws, _, _ := recNextWord(lower, we)
		if !vague && (capitalised(ws) || w == "of" && prevName && capitalised(nws)) {
			if names++; names > maxNounNames {
				return unitInfo{}, span{}, false
			}
			prevName = true
			i = we
			continue
		}
		prevName = false
		if gapStop[w] || gapCarrier[w] || strings.HasSuffix(w, "ing") && !gapAdjective[w] {
			return unitInfo{}, span{}, false
		}
		if w == "of" {
			if gap != 0 {
				return unitInfo{}, span{}, false
			}
		} else if vague && gap == 0 {
			return unitInfo{}, span{}, false // "a handful of X" only
		}
		gap++
		if gap > maxNounGap {
			return unitInfo{}, span{}, false
		}
		i = we
	}
	return unitInfo{}, span{}, false
}

// nounBefore finds "number of [affected] individuals ... was|at|to" ending
// just before pos, and returns the noun's unit and the phrase's start.
func nounBefore(lower string, pos int) (unitInfo, int, span, bool) {
	from := max(0, pos-110)
	k := strings.LastIndex(lower[from:pos], "number of ")
	if k < 0 {
		return unitInfo{}, 0, span{}, false
	}
	k += from
	tail := strings.TrimRight(lower[k:pos], " ")
	linked := false
	for _, l := range []string{" was", " is", " at", " to", " reached", " totals", " totaled", " totalled",
		" of", ":", " stands at", " stood at", " rose to", " grew to", " now", " more than", " over", " about",
		" approximately", " around", " nearly", " almost", " some"} {
		if strings.HasSuffix(tail, l) {
			linked = true
			break
		}
	}
	if !linked {
		return unitInfo{}, 0, span{}, false
	}
	i := k + len("number of ")
	for n := 0; n < 4; n++ {
		w, ws, we, brk := recNextWord(lower, i)
		if w == "" || we > pos {
			break
		}
		if w2, _, we2, _ := recNextWord(lower, we); w2 != "" && !brk {
			if u, ok := recordNouns[w+" "+w2]; ok {
				return u, k, span{ws, we2}, true
			}
		}
		if u, ok := recordNouns[w]; ok {
			return u, k, span{ws, we}, true
		}
		if brk {
			break
		}
		i = we
	}
	return unitInfo{}, 0, span{}, false
}

// recNextWord returns the next word after pos with surrounding quotes,
// brackets, punctuation and a possessive removed, its raw byte span, and
// whether punctuation after it breaks the phrase (",", ";", ":", ".", ")").
func recNextWord(lower string, pos int) (w string, start, end int, brk bool) {
	// lone quotes and dashes are skipped, a few at most
	for range 4 {
		w, start, end, brk = rawWord(lower, pos)
		if w != "" || brk || end <= pos {
			return w, start, end, brk
		}
		pos = end
	}
	return "", 0, 0, false
}

// gluedStop: the full stop at dot ends a word of three letters or more and
// a letter follows at once, as where summaries glue sentences together
// ("patients.The"); initials ("u.s.") and decimals do not stop there.
func gluedStop(lower string, start, dot int) bool {
	if dot+1 >= len(lower) || dot-start < 3 {
		return false
	}
	letter := func(c byte) bool { return 'a' <= c && c <= 'z' }
	return letter(lower[dot+1]) && letter(lower[dot-1]) && letter(lower[dot-2]) && letter(lower[dot-3])
}

// rawWord is recNextWord without skipping lone punctuation: w is empty for a
// token that is only quotes.
func rawWord(lower string, pos int) (w string, start, end int, brk bool) {
	i := pos
	for i < len(lower) && (lower[i] == ' ' || lower[i] == '\t') {
		i++
	}
	if i >= len(lower) || lower[i] == '\n' {
		return "", 0, 0, false
	}
	j := i
	for j < len(lower) && lower[j] != ' ' && lower[j] != '\t' && lower[j] != '\n' {
		j++
		if lower[j-1] == '.' && gluedStop(lower, i, j-1) {
			break // "8,000 patients.The data ...": two sentences glued
		}
	}
	w = strings.TrimLeft(lower[i:j], "\"'([“‘")
	for {
		switch {
		case strings.HasSuffix(w, "’s"):
			w = w[:len(w)-len("’s")]
		case strings.HasSuffix(w, "'s") && len(w) > 2:
			w = w[:len(w)-2]
		case strings.HasSuffix(w, "’") || strings.HasSuffix(w, "”"):
			w = w[:len(w)-len("’")]
		case len(w) > 0 && strings.IndexByte("\"'.,;:!?)]", w[len(w)-1]) >= 0:
			if strings.IndexByte(",;:.!?)]", w[len(w)-1]) >= 0 {
				brk = true
			}
			w = w[:len(w)-1]
		default:
			return w, i, j, brk
		}
	}
}

// trimWordEnd drops trailing punctuation from a raw word span, keeping a
// possessive: "patients’" of "patients’ data" stays as written.
func trimWordEnd(lower string, start, end int) int {
	for end > start && strings.IndexByte(",;:.!?)]\"", lower[end-1]) >= 0 {
		end--
	}
	return end
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// scoreRecordCandidate weighs one candidate; see the file comment.
func scoreRecordCandidate(d *doc, c *recordCandidate, cues []cueHit, all []recordCandidate, titleQs []quantity, maxYear *int, updateAt int, names []string) {
	c.x = recordFeatures(d, c, cues, all, titleQs, maxYear, updateAt, names)
	c.score = 0
	for j, v := range c.x {
		c.score += recordRuleWeights[j] * v
	}
}

// recordFeatures describes a candidate count by the words around it, what
// it counts, how precisely, and where it is (recFeature order).
func recordFeatures(d *doc, c *recordCandidate, cues []cueHit, all []recordCandidate, titleQs []quantity, maxYear *int, updateAt int, names []string) [numRecFeatures]float64 {
	var x [numRecFeatures]float64
	flag := func(f recFeature, on bool) {
		if on {
			x[f] = 1
		}
	}
	s := d.sents[c.sent]
	c.window = span{max(s.start, c.start-recordCueReach), min(s.end, c.end+recordCueReach)}
	w := c.window

	// context: breach cues around the count (not in its noun)
	strong := cueIn(cues, recCueStrong, w.start, w.end, c.noun)
	switch {
	case strong:
		x[rfStrong] = 1
	case cueIn(cues, recCueWeak, w.start, w.end, c.noun):
		x[rfWeak] = 1
	default:
		x[rfNoCue] = 1
	}
	// the organisation's size: only close to the count
	flag(rfBase, cueIn(cues, cueBase, c.start-60, c.start, span{}) || cueIn(cues, cueBase, c.end, c.end+40, span{}))
	switch recPrevWord(d.lower, c.q.start) {
	case "has", "have", "had", "serves", "serving", "boasts":
		x[rfHas] = 1 // "which has over a billion users"
	case "its", "their", "our":
		x[rfIts] = 1
	}
	flag(rfPossessive, possessiveBefore(d.lower, c.q.start))
	flag(rfOther, cueIn(cues, cueOther, w.start, w.end, span{}))
	flag(rfEarlierYear, earlierYear(d, c.window, maxYear))
	flag(rfSubset, cueIn(cues, cueSubset, c.q.start-24, c.q.start, span{}))

	// what is counted, and how precisely
	switch c.unit.class {
	case classPeople:
		x[rfPeople] = 1
	case classAccounts:
		x[rfAccounts] = 1
	case classRecords:
		x[rfRecords] = 1
	case classWeak:
		// files, documents: only when nothing better, and only when
		// something happened to them
		x[rfWeakUnit] = 1
		flag(rfWeakUnitNoCue, !strong)
	}
	vague := c.q.unknown || c.q.max > 0 && !hasDigit(c.q.text)
	switch {
	case vague:
		// "a handful", "millions of": said of this incident only with a
		// breach word close by; any figure beats them
		x[rfVague] = 1
		flag(rfVagueNoCue, !strong)
	case c.q.value <= 12 && !hasDigit(c.q.text):
		x[rfSmallWord] = 1 // "five individuals": usually a detail, not the count
	case c.q.max == 0:
		x[rfExact] = 1
	}
	flag(rfTotal, c.total) // "the final total"; weighs up for the missing noun

	// where it is
	flag(rfHeadline, c.headline)
	x[rfEarly] = 1 - float64(min(c.sent, 20))/20
	if updateAt >= 0 && c.start > updateAt {
		x[rfUpdate] = 1 // a later update of a chronology entry
		if last := strings.LastIndex(d.lower, "update"); last > updateAt && c.start > last {
			x[rfLastUpdate] = 1
		}
	}
	flag(rfTotalCue, cueIn(cues, cueTotal, w.start, w.end, span{}))
	if !c.headline && !c.q.unknown {
		for _, t := range titleQs {
			if near(c.q.value, t.value) {
				x[rfTitleMatch] = 1
				break
			}
		}
	}
	// how often the same figure is given
	same, first, largest := 0, true, true
	for _, o := range all {
		if o.sent != c.sent && !o.q.unknown && o.q.value == c.q.value && !c.q.unknown {
			same++
		}
		if o.start < c.start && !o.q.unknown {
			first = false
		}
		if !o.q.unknown && o.q.value > c.q.value {
			largest = false
		}
	}
	x[rfSame] = float64(min(same, 2))
	// said of the breached organisation: "1,145 of Lakeside's patients"
	around := d.lower[max(s.start, c.start-30):c.end]
	for _, n := range names {
		if strings.Contains(around, n) {
			x[rfOrgNear] = 1
			break
		}
	}
	if !c.q.unknown && c.q.value > 0 {
		x[rfMagnitude] = math.Log10(float64(c.q.value)) / 9
	}
	flag(rfFirst, first && !c.q.unknown)
	flag(rfLargest, largest && !c.q.unknown)
	flag(rfGeneric, c.generic)
	noun := d.lower[c.noun.start:c.noun.end]
	flag(rfIDNoun, strings.Contains(noun, "social security") || strings.Contains(noun, "ssn") || strings.Contains(noun, "card") ||
		strings.HasSuffix(noun, "numbers"))
	after := d.lower[c.end:min(s.end, c.end+40)]
	for _, v := range []string{"affected", "impacted", "exposed", "compromised", "accessed", "stolen", "notified"} {
		if strings.Contains(after, v) {
			x[rfAffected] = 1
			break
		}
	}
	firstInSentence := true
	for _, o := range all {
		if o.sent == c.sent && o.start < c.start {
			firstInSentence = false
		}
	}
	flag(rfFirstInSentence, firstInSentence)
	before := d.lower[max(s.start, c.q.start-30):c.q.start]
	for _, v := range []string{"could", "may ", "might", "as high as", "up to", "as many as", "potentially"} {
		if strings.Contains(before, v) {
			x[rfHedged] = 1
			break
		}
	}
	return x
}

// cueKind says what a cue phrase suggests about a count near it.
type cueKind uint8

const (
	recCueStrong cueKind = iota
	recCueWeak
	cueBase
	cueOther
	cueSubset
	cueAtRisk
	cueConfirmed
	cueTotal
)

type cueEntry struct {
	phrase string
	kind   cueKind
}

// cueTable holds every cue phrase by its first byte, so that a sentence is
// read once, word start by word start, for all kinds of cue.
var cueTable = func() *[256][]cueEntry {
	var t [256][]cueEntry
	for kind, list := range [][]string{recCueStrong: strongCues, recCueWeak: weakCues, cueBase: baseCues,
		cueOther: otherIncidentCues, cueSubset: subsetCues, cueAtRisk: atRiskCues,
		cueConfirmed: confirmedCues, cueTotal: totalCues} {
		for _, p := range list {
			t[p[0]] = append(t[p[0]], cueEntry{p, cueKind(kind)})
		}
	}
	return &t
}()

// cueHit is one cue phrase found in a sentence.
type cueHit struct {
	start, end int
	kind       cueKind
}

// recSentenceCues finds the cue phrases starting a word in lower[s.start:s.end].
func recSentenceCues(lower string, s span, out []cueHit) []cueHit {
	out = out[:0]
	for i := s.start; i < s.end; i++ {
		if i > s.start && isAlnum(lower[i-1]) {
			continue
		}
		for _, e := range cueTable[lower[i]] {
			if i+len(e.phrase) <= s.end && lower[i:i+len(e.phrase)] == e.phrase {
				out = append(out, cueHit{i, i + len(e.phrase), e.kind})
			}
		}
	}
	return out
}

// cueIn reports whether a cue of kind lies within [from, to) and outside
// the span not (the record noun itself: "victims" is no cue for itself).
func cueIn(hits []cueHit, kind cueKind, from, to int, not span) bool {
	// hits are in text order: start at the first one at or after from
	i := sort.Search(len(hits), func(i int) bool { return hits[i].start >= from })
	for ; i < len(hits) && hits[i].start < to; i++ {
		h := hits[i]
		if h.kind == kind && h.end <= to && (h.end <= not.start || h.start >= not.end) {
			return true
		}
	}
	return false
}

// recPrevWord is the lower-case word just before pos.
func recPrevWord(lower string, pos int) string {
	e := pos
	for e > 0 && lower[e-1] == ' ' {
		e--
	}
	b := e
	for b > 0 && lower[b-1] != ' ' && lower[b-1] != '\n' {
		b--
	}
	return strings.Trim(lower[b:e], "\"'(,“”")
}

// possessiveBefore: "the site's 60 million users" counts the site's users.
func possessiveBefore(lower string, pos int) bool {
	w := recPrevWord(lower, pos)
	return strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "s'") || strings.HasSuffix(w, "s’")
}

// earlierYear reports whether the window names a year before the latest
// year in the article: "a 2014 hack exposed ..." in a story about 2019.
func earlierYear(d *doc, w span, maxYear *int) bool {
	y := latestYear(d.lower[w.start:w.end])
	if y < 0 {
		return false
	}
	if *maxYear < 0 {
		*maxYear = latestYear(d.lower)
	}
	return y < *maxYear
}

// latestYear returns the largest stand-alone year 1990-2099 in s, or -1.
func latestYear(s string) int {
	best := -1
	for i := 0; i+4 <= len(s); i++ {
		c := s[i]
		if c != '1' && c != '2' {
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == ',' || s[i-1] == '.' || s[i-1] == '$') {
			continue
		}
		if i+4 < len(s) && (isAlnum(s[i+4]) || s[i+4] == ',' && i+5 < len(s) && s[i+5] >= '0' && s[i+5] <= '9') {
			continue
		}
		y := 0
		ok := true
		for j := i; j < i+4; j++ {
			if s[j] < '0' || s[j] > '9' {
				ok = false
				break
			}
			y = y*10 + int(s[j]-'0')
		}
		if ok && y >= 1990 && y <= 2099 && y > best {
			best = y
		}
	}
	return best
}

// updateMarker is the offset of the first "UPDATE" note of a chronology
// entry, or -1.
func updateMarker(lower string) int {
	for off := 0; ; {
		k := strings.Index(lower[off:], "update")
		if k < 0 {
			return -1
		}
		k += off
		rest := strings.TrimPrefix(lower[k+len("update"):], "d")
		if strings.HasPrefix(rest, " (") || strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, ":") {
			return k
		}
		off = k + 1
	}
}

// titleCounts are the counts in the headline when the headline is not part
// of the text; a body figure that matches one is better supported.
func titleCounts(d *doc, headline int) []quantity {
	t := d.title
	if headline >= 0 {
		t = d.sentence(headline)
	}
	if t == "" || !strings.ContainsAny(t, "0123456789") {
		return nil
	}
	lower := asciiLower(t)
	var out []quantity
	for _, q := range findQuantities(t, span{0, len(t)}) {
		if q.unknown {
			continue
		}
		if _, _, ok := nounAfter("", lower, q.end, false); ok {
			out = append(out, q)
		}
	}
	return out
}

// near: within 5%, so "55,000" in a headline supports "55,447" in the body.
func near(a, b int64) bool {
	if a <= 0 || b <= 0 {
		return false
	}
	diff := a - b
	if diff < 0 {
		diff = -diff
	}
	return diff*20 <= max(a, b)
}

// bodyFigure returns a body candidate for the same count as headline
// candidate h: the same value, else a more precise one within 5%; or -1.
func bodyFigure(cands []recordCandidate, h recordCandidate, enough func(recordCandidate) bool) int {
	alt := -1
	for i, c := range cands {
		if c.headline || c.q.unknown || !enough(c) {
			continue
		}
		if c.q.value == h.q.value {
			return i
		}
		if alt < 0 && near(c.q.value, h.q.value) && significantDigits(c.q.value) > significantDigits(h.q.value) {
			alt = i
		}
	}
	return alt
}

func significantDigits(v int64) int {
	for v > 0 && v%10 == 0 {
		v /= 10
	}
	n := 0
	for ; v > 0; v /= 10 {
		n++
	}
	return n
}

// orgNames are the lower-case names of the breached organisation, if known.
func orgNames(org *bwv1.OrganisationFact) []string {
	if org == nil {
		return nil
	}
	var out []string
	for _, n := range append([]string{org.GetName()}, org.GetAliases()...) {
		if len(n) >= 3 {
			out = append(out, asciiLower(n))
		}
	}
	return out
}

// recordFact turns the chosen candidate into the extraction's fact.
func recordFact(d *doc, c recordCandidate, fitted bool) *bwv1.RecordsFact {
	cues := recSentenceCues(d.lower, d.sents[c.sent], nil)
	w := c.window
	kind := bwv1.RecordsKind_RECORDS_KIND_AFFECTED
	switch {
	case cueIn(cues, cueAtRisk, w.start, w.end, span{}) || c.q.qualifier == bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST:
		kind = bwv1.RecordsKind_RECORDS_KIND_AT_RISK
	case cueIn(cues, cueConfirmed, w.start, w.end, span{}):
		kind = bwv1.RecordsKind_RECORDS_KIND_CONFIRMED
	}
	conf := 0.35 + 0.08*c.score
	if fitted {
		conf = math.Round(c.p*100) / 100
	}
	if c.q.unknown {
		conf = min(conf, 0.5)
	}
	conf = min(0.95, max(0.3, conf))
	return &bwv1.RecordsFact{
		Value:      c.q.value,
		ValueMax:   c.q.max,
		Qualifier:  c.q.qualifier,
		Unit:       c.unit.unit,
		Kind:       kind,
		Text:       d.text[c.start:c.end],
		Evidence:   d.evidence(c.sent),
		Confidence: conf,
	}
}
