package rules

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/orgname"
)

// The organisation rule. One pass over each sentence finds capitalised name
// sequences ("Co-operative Life Planning", "Backcountry Edge, Inc.",
// "Bank of America"); each occurrence is weighed by the words around it
// (subject of a breach verb, object of "breach at", "fined", the covered
// entity of a regulator's portal entry, possessive before "customers"),
// occurrences of one name are grouped (acronyms, possessives, shorter
// forms), outlets, regulators, places and people are dropped, and the group
// with the most weight, helped by the headline and the first sentences, is
// the breached organisation.

// orgToken is one word of a sentence.
type orgToken struct {
	start, end int  // bytes in the text, possessive excluded
	cap        bool // capitalised (or camel-case: eBay, iCloud)
	allCaps    bool // ABTA, CLP, U.S.
	poss       bool // followed by 's or '
	gap        byte // what separates it from the previous token: ' ', ',', or 0 (anything else)
}

// orgMention is one occurrence of a candidate name.
type orgMention struct {
	start, end int
	sent       int
	role       float64 // weight of the words around it (negative for vendors, outlets, researchers)
	context    bool    // its sentence speaks of a breach
	person     bool    // the words around it mark a person
	orgRole    bool    // the words around it fit an organisation, not a person ("breach at X", "X's customers")
	compared   bool    // brought up for comparison ("like the X upgrade")
}

// orgCand groups the mentions of one name.
type orgCand struct {
	key      string
	forms    []string // surface forms, in order of first appearance
	counts   []int
	mentions []orgMention
	aliases  []string // acronyms and short names defined in the text
	score    float64
	person   int
	isPerson bool // the name itself looks like a person's ("Justine Roberts")
	excluded string
	into     *orgCand // merged into another candidate
	headline bool
	first    int // byte offset of the first mention
}

// Weights of the scoring rules; named so that the explanation stays readable.
const (
	wMention     = 1.0 // every occurrence
	wMentionCap  = 8.0 // frequency counts up to this
	wHeadline    = 3.0 // named in the headline
	wLead1       = 2.0 // named in the first sentence of the body
	wLead2       = 1.0 // second or third sentence
	wStrongRole  = 8.0 // covered entity (CE), X; fined X; on behalf of X; X is writing to
	wBreachRole  = 2.5 // X suffered/disclosed/was hacked; breach at X; hackers accessed X
	wPossessive  = 2.0 // X's customers / systems / database
	wModifier    = 1.0 // X customers; X spokesperson; X said
	wContext     = 0.5 // the sentence talks about a breach
	wContextCap  = 2.0
	wNegRole     = -2.0 // according to X; security firm X; X researchers
	wThirdParty  = -4.0 // its business associate (BA), X; X informed us
	wPerson      = -5.0
	wLetterhead  = 3.0
	wLegal       = 1.5
	wCommonWord  = -1.5
	wPlace       = -1.0 // "in Griffith": a place more often than the victim
	minOrgScore  = 2.5
	maxNameWords = 12
)

// organisation is the breached organisation: the candidate the fitted
// chooser (organisation_model.go) finds most probable.
func organisation(d *doc) *bwv1.OrganisationFact {
	cands, ctx := orgCandidatesOnce(d)
	best, p := pickOrgModel(d, ctx, cands)
	if best == nil {
		return nil
	}
	return orgFact(d, ctx, best, math.Round(p*100)/100)
}

// ruleOrganisation is the hand-weighted rules' choice, for the rules-only
// extractor.
func ruleOrganisation(d *doc) *bwv1.OrganisationFact {
	cands, ctx := orgCandidatesOnce(d)
	best, second := pickOrg(cands)
	if best == nil {
		return nil
	}
	return orgFact(d, ctx, best, orgConfidence(best.score, second))
}

func orgFact(d *doc, ctx *orgContext, best *orgCand, confidence float64) *bwv1.OrganisationFact {
	ev := bestMention(best, ctx)
	name := orgName(best)
	return &bwv1.OrganisationFact{
		Name:       name,
		Aliases:    orgAliases(best, name),
		Evidence:   d.evidence(ev.sent),
		Confidence: confidence,
	}
}

// pickOrg returns the highest-scoring candidate that may be the victim and
// the score of the runner-up.
func pickOrg(cands []*orgCand) (*orgCand, float64) {
	var best *orgCand
	second := 0.0
	for _, c := range cands {
		if c.into != nil || c.excluded != "" {
			continue
		}
		switch {
		case best == nil || c.score > best.score || (c.score == best.score && c.first < best.first):
			if best != nil {
				second = max(second, best.score)
			}
			best = c
		default:
			second = max(second, c.score)
		}
	}
	if best == nil || best.score < minOrgScore {
		return nil, 0
	}
	return best, second
}

func orgConfidence(best, second float64) float64 {
	c := 0.35 + 0.5*(best-second)/(best+1) + 0.1*min(best, 15)/15
	return max(0.2, min(0.95, c))
}

// bestMention is the evidence: the first occurrence in the opening
// sentences, else the first in a breach role, else the first in the body.
func bestMention(c *orgCand, ctx *orgContext) orgMention {
	var first, role, lead *orgMention
	for i := range c.mentions {
		m := &c.mentions[i]
		if m.sent == ctx.titleSent && len(c.mentions) > 1 {
			continue
		}
		if first == nil || m.start < first.start {
			first = m
		}
		if m.role >= wBreachRole && (role == nil || m.start < role.start) {
			role = m
		}
		if (m.sent == ctx.lead[0] || m.sent == ctx.lead[1] || m.sent == ctx.lead[2]) && (lead == nil || m.start < lead.start) {
			lead = m
		}
	}
	switch {
	case lead != nil:
		return *lead
	case role != nil:
		return *role
	case first != nil:
		return *first
	}
	return c.mentions[0]
}

// orgName: the longest full form (most words; the most frequent on a tie),
// not an acronym when a full form exists.
// truncationOf reports whether f is a longer form cut inside a word.
func truncationOf(f string, forms []string) bool {
	lf := strings.ToLower(f)
	for _, g := range forms {
		lg := strings.ToLower(g)
		if len(lg) > len(lf) && strings.HasPrefix(lg, lf) {
			r, _ := utf8.DecodeRuneInString(lg[len(lf):])
			if unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}

func orgName(c *orgCand) string {
	bi := -1
	bw, bn := 0, 0
	inBody := false
	for _, n := range c.counts {
		inBody = inBody || n > 0
	}
	for i, f := range c.forms {
		w := strings.Count(f, " ") + 1
		if isAcronym(f) {
			w = 0
		}
		if inBody && c.counts[i] == 0 {
			w = -1 // only in the headline
		}
		// Most mentioned full form; more words break ties. A truncation of
		// a longer form ("Co-op" of "Co-operative …") is no full form.
		if w > 0 {
			w = 1
			if truncationOf(f, c.forms) {
				w = 0
			}
		}
		if bi < 0 || w > bw || (w == bw && (c.counts[i] > bn || c.counts[i] == bn && strings.Count(f, " ") > strings.Count(c.forms[bi], " "))) {
			bi, bw, bn = i, w, c.counts[i]
		}
	}
	return c.forms[bi]
}

func orgAliases(c *orgCand, name string) []string {
	out := []string{}
	seen := map[string]bool{orgKey(name): true}
	add := func(a string) {
		k := orgKey(a)
		if k == "" || seen[k] || len(out) >= 5 || orgname.Generic(a) {
			return
		}
		seen[k] = true
		out = append(out, a)
	}
	// Only names the text gives the organisation: defined ("… (CLP)",
	// "trading as …") or its acronym, by its initials or so defined. A
	// shorter form ("Logistics Group" of "Keystone Logistics Group") is no
	// alias: it may be any organisation's, and an alias merges incidents.
	for _, a := range c.aliases {
		add(a)
	}
	for _, f := range c.forms {
		if isAcronym(f) {
			add(f)
		}
	}
	return out
}

// orgMemo keeps the last document's candidates: the organisation rule and
// the mentioned-incidents rule read the same candidates, and Extract calls
// them one after the other. Holding the doc keeps its address from being
// reused while the memo points at it.
type orgMemo struct {
	d     *doc
	cands []*orgCand
	ctx   *orgContext
}

var lastOrgMemo atomic.Pointer[orgMemo]

// orgCandidatesOnce returns the candidates of d, computing them at most once
// for consecutive calls on the same document. Callers must not modify them.
func orgCandidatesOnce(d *doc) ([]*orgCand, *orgContext) {
	if m := lastOrgMemo.Load(); m != nil && m.d == d {
		return m.cands, m.ctx
	}
	cands, ctx := orgCandidates(d)
	lastOrgMemo.Store(&orgMemo{d: d, cands: cands, ctx: ctx})
	return cands, ctx
}

// orgCandidates finds, weighs, groups and filters every candidate name.
func orgCandidates(d *doc) ([]*orgCand, *orgContext) {
	ctx := newOrgContext(d)
	var cands []*orgCand
	byKey := func(key string) *orgCand {
		for _, c := range cands {
			if c.key == key {
				return c
			}
		}
		c := &orgCand{key: key, first: -1}
		cands = append(cands, c)
		return c
	}
	addMention := func(start, end, sent int, role float64, context, person, orgRole bool) *orgCand {
		form := d.text[start:end]
		key := orgKeyLower(d.lower[start:end])
		if key == "" {
			return nil
		}
		c := byKey(key)
		m := orgMention{start: start, end: end, sent: sent, role: role, context: context, person: person, orgRole: orgRole}
		c.mentions = append(c.mentions, m)
		if c.first < 0 || start < c.first {
			c.first = start
		}
		n := 1
		if sent == ctx.titleSent {
			n = 0 // the name is chosen from the body's spelling
		}
		found := false
		for i, f := range c.forms {
			if f == form {
				c.counts[i] += n
				found = true
				break
			}
		}
		if !found {
			c.forms = append(c.forms, form)
			c.counts = append(c.counts, n)
		}
		return c
	}

	// Regulator-portal phrasing names the covered entity in an apposition
	// that may hold commas: "The covered entity (CE), Public Health, Seattle
	// & King County, discovered ...".
	for _, a := range coveredEntities(d) {
		addMention(a.start, a.end, d.sentenceAt(a.start), wStrongRole, true, false, true)
	}

	// A notification letter names its writer's own website: "unauthorized
	// code on our website, www.example.com".
	for _, a := range ownDomains(d) {
		addMention(a.start, a.end, d.sentenceAt(a.start), wBreachRole, true, false, true)
	}

	tokens := make([]orgToken, 0, 64)
	for si := range d.sents {
		if ctx.headline[si] {
			continue
		}
		tokens = tokenizeSentence(d.text, d.lower, d.sents[si], tokens[:0])
		var possessor *orgCand // the name just before, when it ended in 's
		possEnd := -1
		for _, run := range nameRuns(d, tokens) {
			for _, part := range splitRun(d, ctx, tokens, run) {
				start, end := tokens[part.a].start, tokens[part.b-1].end
				if ex, _ := isExcludedName(orgKeyLower(d.lower[start:end])); ex {
					// Months, places, outlets, regulators: never a candidate,
					// so not worth weighing.
					possessor = nil
					continue
				}
				role, person, orgRole, compared := ctx.weigh(d, si, start, end, tokens[part.b-1].poss)
				if possessor != nil && part.a == possEnd+1 && tokens[part.a].gap == ' ' {
					// "The County of San Diego's Benefits Division became
					// aware": a unit of the possessor acts for it.
					m := &possessor.mentions[len(possessor.mentions)-1]
					m.role += max(role, wPossessive)
					m.orgRole = true
					possessor = nil
					continue
				}
				c := addMention(start, end, si, role, ctx.isBreachSentence(d, si), person || part.person, orgRole)
				if c != nil && compared {
					c.mentions[len(c.mentions)-1].compared = true
				}
				possessor = nil
				if c == nil {
					continue
				}
				if tokens[part.b-1].poss {
					possessor, possEnd = c, part.b-1
				}
				if alias, ok := definedAlias(d.text, end, tokens[part.b-1].poss); ok {
					c.aliases = append(c.aliases, alias)
				}
			}
		}
	}

	for _, c := range cands {
		c.score = scoreCandidate(d, ctx, c)
	}
	mergeCandidates(cands)
	return cands, ctx
}

// orgContext is what the weighing rules need to know about the document.
type orgContext struct {
	headline  []bool   // sentences that are headlines (title-case lines, the title)
	heads     []string // headline texts (title without its outlet tail, headline sentences)
	outletKey []string // outlet names read off the title's tail ("... | CSO Online")
	lead      [3]int   // the first three body sentences
	titleSent int      // the sentence that is the title, or -1
	cues      []uint8  // per sentence: cue bits
	stemAt    []int    // positions of breach words, sorted
	lowerSeen map[string]bool
}

func newOrgContext(d *doc) *orgContext {
	c := &orgContext{headline: make([]bool, len(d.sents)), cues: make([]uint8, len(d.sents)), lead: [3]int{-1, -1, -1}, titleSent: -1}
	c.markCues(d)
	title := d.title
	if title != "" {
		head, tails := splitTitle(title)
		c.heads = append(c.heads, head)
		for _, t := range tails {
			c.outletKey = append(c.outletKey, orgKey(strings.TrimSuffix(strings.ToLower(t), ".com")), orgKey(t))
		}
	}
	n := 0
	for i, s := range d.sents {
		st := d.text[s.start:s.end]
		isTitle := title != "" && i < 3 && st == title
		if isTitle {
			c.titleSent = i
		}
		// Title-case lines are headlines: every word is capitalised, so the
		// scanner cannot tell names from words there; they only add weight
		// to names found elsewhere. A sentence-case title is read like any
		// sentence and also counts as a headline.
		if isTitleCase(st) {
			c.headline[i] = true
			if !isTitle {
				c.heads = append(c.heads, st)
			}
			continue
		}
		if isTitle {
			continue
		}
		if n < 3 && i < 12 {
			c.lead[n] = i
			n++
		}
	}
	return c
}

// splitTitle cuts "Headline | Outlet" or "Headline - Outlet" into the
// headline and the outlet-like tails (short segments after a separator).
func splitTitle(t string) (string, []string) {
	var tails []string
	for {
		cut := -1
		sepLen := 0
		for _, sep := range []string{" | ", " - ", " – ", " — ", " « ", " :: ", " » "} {
			if i := strings.LastIndex(t, sep); i > cut {
				cut, sepLen = i, len(sep)
			}
		}
		if cut <= 0 {
			break
		}
		tail := strings.TrimSpace(t[cut+sepLen:])
		if strings.Count(tail, " ") > 6 {
			break
		}
		tails = append(tails, tail)
		t = strings.TrimSpace(t[:cut])
	}
	return t, tails
}

// isTitleCase: a line without final punctuation whose longer words are
// mostly capitalised ("How The Breach Happened", "Intercontinental Hotels
// Group Data Breach Affected 1,184 Hotels").
func isTitleCase(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return false
	}
	words, caps := 0, 0
	for f := range strings.FieldsSeq(s) {
		f = strings.Trim(f, "\"'“”‘’()[],:;|-–—")
		if utf8.RuneCountInString(f) < 4 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f)
		if !unicode.IsLetter(r) {
			continue
		}
		words++
		if unicode.IsUpper(r) {
			caps++
		}
	}
	return words >= 3 && caps*10 >= words*7
}

// isBreachSentence: the sentence speaks of a breach.
func (c *orgContext) isBreachSentence(_ *doc, i int) bool { return c.cues[i]&cueBreach != 0 }

// breachStems mark a sentence about a breach; nearStems, close to a name,
// tie that name to an incident. Both are found in one pass of a small
// automaton of this rule's own (the shared lexicon keeps one category per
// pattern, so the rule does not register words other rules may use).
var (
	breachStems = []string{"breach", "hack", "leak", "expos", "stole", "compromis", "unauthori", "attack",
		"ransomware", "malware", "phish", "intrusion", "incident", "cyber", "accessed", "glitch", "bug "}
	nearStems = []string{"software issue", "bug", "outage", "victim"}
)

// Sentence cues, as bits: a breach word, a comparison cue, a past-incident
// cue (the last two for the mentioned-incidents rule).
const (
	cueBreach uint8 = 1 << iota
	cueNear
	cueCompare
	cuePast
)

// orgCueTable finds cue words at word starts: words are looked up by their
// first three letters in a flat table, then compared in full. It is cheaper
// than a second automaton pass and every cue starts a word ("hackers",
// "cyberattack", "breached", "same as").
var orgCueTable = sync.OnceValue(func() *orgCueIndex {
	bits := map[string]uint8{}
	for _, l := range []struct {
		words []string
		bit   uint8
	}{{breachStems, cueBreach}, {nearStems, cueNear}, {comparisonCues, cueCompare}, {pastCues, cuePast}} {
		for _, w := range l.words {
			bits[w] |= l.bit
		}
	}
	x := &orgCueIndex{}
	for i := range x.at {
		x.at[i] = -1
	}
	keys := make([]string, 0, len(bits))
	for w := range bits {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	for _, w := range keys {
		k, ok := prefixKey(w)
		if !ok {
			continue
		}
		if x.at[k] < 0 {
			x.at[k] = int16(len(x.groups))
			x.groups = append(x.groups, nil)
		}
		g := x.at[k]
		x.groups[g] = append(x.groups[g], orgCueEntry{word: w, bits: bits[w]})
	}
	return x
})

type orgCueEntry struct {
	word string
	bits uint8
}

type orgCueIndex struct {
	at     [26 * 26 * 26]int16
	groups [][]orgCueEntry
}

// prefixKey is the table slot of a word's first three ASCII letters.
func prefixKey(w string) (int, bool) {
	if len(w) < 3 {
		return 0, false
	}
	k := 0
	for i := range 3 {
		c := w[i]
		if c < 'a' || c > 'z' {
			return 0, false
		}
		k = k*26 + int(c-'a')
	}
	return k, true
}

// markCues finds the cue words of the text: which sentences have which
// cues, and where the breach words are.
func (c *orgContext) markCues(d *doc) {
	x := orgCueTable()
	low := d.lower
	si := 0
	for i := 0; i+3 <= len(low); i++ {
		if i > 0 && orgIsWordByte(low[i-1]) {
			continue
		}
		k, ok := prefixKey(low[i : i+3])
		if !ok || x.at[k] < 0 {
			continue
		}
		for _, e := range x.groups[x.at[k]] {
			if !strings.HasPrefix(low[i:], e.word) {
				continue
			}
			if e.bits&(cueBreach|cueNear) != 0 {
				c.stemAt = append(c.stemAt, i)
			}
			for si < len(d.sents) && d.sents[si].end <= i {
				si++
			}
			if si < len(d.sents) && d.sents[si].start <= i {
				c.cues[si] |= e.bits
			}
		}
	}
}

// baAppositionRE: ", the software vendor and business associate (BA)" right
// after a name.
var baAppositionRE = regexp.MustCompile(`^,? (?:the|a|its) [a-z ,-]{0,40}business associate \(ba\)`)

// firstBodySentence is the first sentence that is not the headline line.
func (c *orgContext) firstBodySentence(d *doc) int {
	for i, s := range d.sents {
		if d.title != "" && strings.TrimSpace(d.text[s.start:s.end]) == d.title {
			continue
		}
		return i
	}
	return -1
}

// breachWordIn reports whether a breach word starts in [start, end).
func (c *orgContext) breachWordIn(start, end int) bool {
	i := sort.SearchInts(c.stemAt, start)
	return i < len(c.stemAt) && c.stemAt[i] < end
}

// weigh scores one occurrence by the words around it: the role weight
// (negative for vendors, outlets, researchers) and whether they mark a
// person.
func (c *orgContext) weigh(d *doc, si, start, end int, poss bool) (role float64, person, orgRole, compared bool) {
	pre := strings.TrimRight(d.lower[max(d.sents[si].start, start-80):start], " ")
	preD := trimDescriptors(pre)
	after := end
	if poss {
		after = skipPossessive(d.text, end)
	}
	post := d.lower[after:min(d.sents[si].end, after+60)]

	// Portal entries filed by a business associate: the associate opens the
	// first sentence ("A business associate (BA), X, of two covered
	// entities…", "X, the vendor and business associate (BA) for the covered
	// entity (CE), Y, failed…"); the covered entity is then only the owner
	// of the data.
	firstSentence := si == c.firstBodySentence(d)
	switch {
	case firstSentence && hasSuffixWord(pre, baBefore) && strings.TrimSpace(d.lower[d.sents[si].start:start]) == strings.TrimSpace(pre):
		return wStrongRole, false, true, false
	case firstSentence && start == d.sents[si].start && baAppositionRE.MatchString(post):
		return wStrongRole, false, true, false
	case hasSuffixWord(pre, ceOfBA):
		return 0, false, false, false
	}

	switch {
	case hasSuffixWord(pre, strongBefore) || hasSuffixWord(preD, strongBefore):
		role += wStrongRole
		orgRole = true
	case hasSuffixWord(preD, fineBefore) || (hasSuffixWord(preD, fineOn) && containsAny(pre, fineWords)):
		role += wStrongRole
		orgRole = true
	case hasSuffixWord(pre, atBefore) && strings.HasPrefix(post, ", we"):
		role += wStrongRole // "At Acme, we take the privacy ..."
		orgRole = true
	case hasSuffixWord(pre, breachBefore) || hasSuffixWord(preD, breachBefore):
		role += wBreachRole
		orgRole = true
	case hasSuffixWord(pre, baBefore):
		role += wBreachRole // a regulator's portal entry filed by the business associate
		orgRole = true
	}
	switch {
	case hasSuffixWord(pre, thirdPartyBefore):
		role += wThirdParty
	case hasSuffixWord(pre, negBefore) || hasSuffixWord(preD, negBefore):
		role += wNegRole
	case hasSuffixWord(pre, compareBefore) || hasSuffixWord(preD, compareBefore):
		role += wNegRole
		compared = true
	case hasSuffixWord(pre, modifierBefore):
		role += wModifier
	case hasSuffixWord(pre, placeBefore):
		role += wPlace
	}
	if hasSuffixWord(pre, rolesBefore) && !strings.HasSuffix(pre, " of") {
		person = true
	}

	postA := skipAdverb(post)
	switch {
	case hasPrefixWord(post, strongAfter) || hasPrefixWord(postA, strongAfter):
		role += wStrongRole
	case poss && hasPrefixWord(post, possessedNouns):
		role += wPossessive
		orgRole = true
	case hasPrefixWord(post, thirdPartyAfter) || informsSomeone(d, after, si):
		role += wThirdParty
	case hasPrefixWord(post, negAfter):
		role += wNegRole
	case hasPrefixWord(post, breachAfter) || hasPrefixWord(postA, breachAfter) || hasPrefixWord(post, appositiveVerbs):
		role += wBreachRole
	case hasPrefixWord(post, modifierAfter):
		role += wModifier
	}
	if hasPrefixWord(post, personAfter) {
		person = true
	}
	return role, person, orgRole, compared
}

// skipAdverb drops one adverb after a name so that "Bank of America first
// learned" reads as "learned".
func skipAdverb(post string) string {
	t := strings.TrimLeft(post, " ")
	w, rest, ok := strings.Cut(t, " ")
	if !ok {
		return post
	}
	switch {
	case strings.HasSuffix(w, "ly") && len(w) > 4, w == "first", w == "also", w == "later", w == "then",
		w == "now", w == "subsequently", w == "previously", w == "initially", w == "just", w == "today",
		w == "yesterday", w == "last", w == "this":
		if w == "last" || w == "this" { // "last week", "this morning"
			_, rest2, ok2 := strings.Cut(rest, " ")
			if !ok2 {
				return post
			}
			rest = rest2
		}
		return " " + rest
	}
	return post
}

// Context word lists. Before-lists match the end of the lower-cased text
// just before a name (also with descriptive lower-case words such as
// "transgender charity" removed); after-lists match the start of the text
// just after it. Entries are whole words.
var (
	strongBefore = suffixPhrases("covered entity (ce),", "covered entity,", "on behalf of", "the ce,", "controller,",
		"data controller,")
	fineBefore = suffixPhrases("fined", "has fined", "fine on", "fine against", "fine to", "penalty on",
		"penalty against", "penalty to", "sanctioned", "reprimanded", "reprimand to", "reprimand on",
		"reprimand against", "warning to", "penalised", "penalized", "settlement with", "enforcement notice to",
		"enforcement notice against", "order against", "fine for", "fines")
	fineOn    = suffixPhrases("on", "against", "to")
	fineWords = []string{"fine", "penalt", "sanction", "reprimand"}
	atBefore  = suffixPhrases("at")
	baBefore  = suffixPhrases("a business associate (ba),")
	// ceOfBA: a covered entity named as the associate's client.
	ceOfBA = suffixPhrases("business associate (ba) for the covered entity (ce),", "of two covered entities (ce),",
		"of the covered entity (ce),", "of covered entities (ce),", "business associate (ba) of the covered entity (ce),")
	rolesBefore  = suffixPhrases(peopleRoles...)
	breachBefore = suffixPhrases("breach at", "breach of", "breach on", "breaches at", "hack of", "hack at", "hack on",
		"hacking of", "attack on", "attack against", "attacks on", "cyberattack on", "cyber attack on",
		"cyber-attack on", "ransomware attack on", "intrusion at", "intrusion into", "incident at", "leak at",
		"leak from", "stolen from", "taken from", "leaked from", "lifted from", "exfiltrated from", "accessed",
		"hackers accessed", "breached", "hacked", "hacked into", "compromised", "targeting", "targeted",
		"infiltrated", "hit", "struck", "customers of", "users of", "patients of", "clients of", "members of",
		"subscribers of", "account holders of", "guests of", "affecting", "involving", "victim", "victims of",
		"breach involving", "hackers breached", "exposed by", "left exposed by", "belonging to", "owned by the",
		"stolen from the", "data of", "database of", "databases of", "servers of", "systems of", "website of",
		"employees of", "staff at", "employee at", "employees at", "patients at", "customers at", "students at",
		"client of", "customer of", "patient of", "member of", "employee of", "user of", "subscriber of")
	compareBefore = suffixPhrases("like", "such as", "similar to", "unlike", "than", "compared to", "compared with",
		"as with", "just like", "including")
	modifierBefore = suffixPhrases("representatives from", "representative from", "representatives of",
		"officials at", "officials from", "officials of", "spokesperson for", "spokesman for", "spokeswoman for",
		"statement from", "statement by", "a statement from")
	placeBefore      = suffixPhrases("in", "near", "based in", "headquartered in", "located in", "of nearby", "across")
	thirdPartyBefore = suffixPhrases("its business associate (ba),", "its business associate,",
		"vendor,", "its vendor,", "subcontractor,", "contractor,", "processor,",
		"third-party vendor,", "service provider,", "provider,", "dpa (", "authority (", "regulator (",
		"watchdog (", "regulator", "watchdog")
	negBefore = suffixPhrases("according to", "told", "reported by", "researchers at", "researcher at",
		"researchers from", "researcher from", "analysts at", "analyst at", "experts at", "expert at",
		"security firm", "cybersecurity firm", "security company", "security vendor", "security researchers at",
		"firm", "spoke to",
		"speaking to", "interview with", "reports", "wrote", "writes", "via", "courtesy of", "published by",
		"reported first by", "first reported by", "contacted by", "informed by", "alerted by", "notified by",
		"discovered by", "found by", "investigated by", "fined by", "monitoring from", "protection from",
		"services from", "offered by", "provided by", "through", "vs", "versus", "acquired by", "bought by",
		"notified", "notified the", "informed", "informed the", "contacted", "contacted the", "alerted",
		"alerted the", "reported it to", "reported it to the", "reported the incident to",
		"reported the incident to the", "reported the breach to", "reported the breach to the", "sent to",
		"mailed to", "emailed to", "e-mailed to", "provided to", "disclosed to", "transferred to", "shared with",
		"forwarded to", "delivered to")
	strongAfter = prefixPhrases("is writing to", "is writing", "has learned", "recently learned", "recently discovered",
		"recently became aware", "became aware", "was the victim", "has been the victim", "fell victim",
		"has been fined", "was fined", "is notifying", "began notifying", "has begun notifying", "is providing notice",
		"is sending this", "values the privacy", "takes the privacy", "take the privacy", "is committed to protecting",
		"discovered that", "learned that", "determined that", "has agreed to settle",
		"agreed to settle", "has agreed to pay", "agreed to pay", "will pay")
	breachAfter = prefixPhrases("suffered", "has suffered", "had suffered", "reported a", "has reported", "reports",
		"disclosed", "has disclosed", "announced", "has announced", "confirmed", "has confirmed", "admitted",
		"has admitted", "admits", "revealed", "has revealed", "was hacked", "has been hacked", "had been hacked",
		"was breached", "has been breached", "was hit", "has been hit", "hit by", "was targeted",
		"has been targeted", "was attacked", "experienced", "has experienced", "notified", "has notified",
		"is informing", "is alerting", "warned", "has warned", "discovered", "learned", "determined",
		"identified", "detected", "is investigating", "says it", "said it", "said that it", "said its", "says its",
		"data breach", "breach", "hack", "hacking", "cyberattack", "cyber attack", "cyber-attack", "leak",
		"data leak", "security breach", "security incident", "incident", "exposed", "has exposed", "left",
		"leaked", "accidentally", "inadvertently", "mistakenly", "failed", "flags", "confirms", "discloses",
		"suffers", "warns", "apologised", "apologized", "apologises", "apologizes", "became aware",
		"recently discovered", "recently learned", "has been informed", "was informed", "is aware",
		"was notified", "breached", "alerted", "informed", "told", "sent", "mailed", "emailed", "posted", "lost", "reported")
	appositiveVerbs = prefixPhrases(", reported", ", discovered", ", learned", ", determined", ", notified",
		", impermissibly", ", failed", ", experienced", ", suffered", ", became aware", ", was hacked", ", lost")
	possessedNouns = prefixPhrases("business associate", "vendor", "vendors", "contractor", "subcontractor",
		"third-party", "supplier", "processor", "service provider", "customers", "customer", "users", "user", "patients", "patient", "members",
		"member", "employees", "employee", "staff", "students", "student", "clients", "client", "subscribers",
		"account", "accounts", "data", "database", "databases", "systems", "system", "servers", "server",
		"network", "networks", "website", "site", "web site", "app", "computer", "computers", "email", "e-mail",
		"records", "billing", "payment", "guests", "passengers", "players", "shoppers", "donors", "files",
		"online", "internal", "corporate", "own", "security", "it", "breach", "hack", "cloud", "portal",
		"mobile", "customer-facing", "investigation", "statement", "spokesperson", "spokesman", "spokeswoman",
		"ceo", "chief")
	thirdPartyAfter = prefixPhrases("informed us", "notified us", "told us", "alerted us", "informed the", "which provides",
		"which hosts", "which manages", "a vendor", "a third-party", "a third party", "our vendor", "our third-party",
		"the vendor", "a business associate", "a contractor", "a service provider", "our service provider")
	negAfter = prefixPhrases("researchers", "researcher", "reports that", "reported that the", "reported on",
		"reports on", "which reports", "security researchers", "analysts", "analyst", "said in a report",
		"first reported", "was first to report", "news", "journalist", "reporter",
		"security firm", "threat intelligence")
	modifierAfter = prefixPhrases("customers", "customer", "users", "user", "patients", "patient", "employees",
		"employee", "members", "member", "staff", "student", "students", "client", "clients",
		"spokesperson", "spokesman", "spokeswoman", "representative", "representatives", "said", "says",
		"ceo", "officials", "accounts", "account", "subscribers", "clients", "guests", "data", "systems",
		"servers", "website", "network")
	personAfter = prefixPhrases(", the", ", a", ", an", ", who", ", chief", ", ceo", ", founder", ", director",
		", head", ", president", ", vice", ", spokes", ", senior", ", professor")
)

// ownDomains finds "our website, www.example.com" and "our online store
// (www.example.com)" and returns the span of "example".
func ownDomains(d *doc) []span {
	var out []span
	from := 0
	for len(out) < 3 {
		i := strings.Index(d.lower[from:], "www.")
		if i < 0 {
			break
		}
		s := from + i + 4
		from = s
		e := s
		for e < len(d.lower) && (d.lower[e] >= 'a' && d.lower[e] <= 'z' || d.lower[e] >= '0' && d.lower[e] <= '9' || d.lower[e] == '-') {
			e++
		}
		if e-s < 3 || e >= len(d.lower) || d.lower[e] != '.' {
			continue
		}
		pre := d.lower[max(0, s-4-40) : s-4]
		if strings.Contains(pre, "our ") && containsAny(pre, []string{"website", "web site", "site", "store", "portal"}) {
			out = append(out, span{s, e})
		}
	}
	return out
}

// informsSomeone: "X informed Comerica", "X notified us": X is a vendor or
// another party telling the writer, not the writer.
func informsSomeone(d *doc, after, si int) bool {
	post := d.text[after:min(d.sents[si].end, after+40)]
	for _, v := range []string{" informed ", " notified ", " alerted ", " told ", " contacted "} {
		if rest, ok := strings.CutPrefix(post, v); ok {
			if strings.HasPrefix(rest, "us") || strings.HasPrefix(rest, "our") {
				return true
			}
			r, _ := utf8.DecodeRuneInString(rest)
			return unicode.IsUpper(r)
		}
	}
	return false
}

// coveredEntities finds the names in "the covered entity (CE), X, reported".
func coveredEntities(d *doc) []span {
	var out []span
	for _, cue := range []string{"covered entity (ce), ", "covered entity, "} {
		from := 0
		for {
			i := strings.Index(d.lower[from:], cue)
			if i < 0 {
				break
			}
			s := from + i + len(cue)
			from = s
			if s >= len(d.text) {
				break
			}
			r, _ := utf8.DecodeRuneInString(d.text[s:])
			if !unicode.IsUpper(r) {
				continue
			}
			// The apposition ends at ", " followed by a lower-case word, or
			// at the sentence end.
			lim := min(len(d.text), s+160)
			if si := d.sentenceAt(s); si >= 0 {
				lim = min(lim, d.sents[si].end)
			}
			e := -1
			for j := s; j < lim-2; j++ {
				if d.text[j] == ',' && d.text[j+1] == ' ' {
					r, _ := utf8.DecodeRuneInString(d.text[j+2:])
					if unicode.IsLower(r) {
						e = j
						break
					}
				}
				if d.text[j] == '(' || d.text[j] == ';' {
					e = j
					break
				}
			}
			if e < 0 {
				continue
			}
			e = trimNameEnd(d.text, s, e)
			if e > s {
				out = append(out, span{s, e})
			}
		}
	}
	return out
}

// trimNameEnd drops trailing spaces and commas of a name span.
func trimNameEnd(text string, s, e int) int {
	for e > s && (text[e-1] == ' ' || text[e-1] == ',') {
		e--
	}
	return e
}

// trimDescriptors drops up to five trailing lower-case words ("the
// non-profit organization", "transgender charity") so that the verb before
// them can be matched.
func trimDescriptors(pre string) string {
	out := pre
	for range 5 {
		i := strings.LastIndexByte(out, ' ')
		w := out[i+1:]
		if w == "" || !isLowerWord(w) || isTriggerWord(w) {
			break
		}
		if i < 0 {
			return ""
		}
		out = strings.TrimRight(out[:i], " ")
	}
	return out
}

// isLowerWord: letters (and hyphens) only. The text is already lower-cased,
// so this cannot see case; callers pass the original when it matters.
func isLowerWord(w string) bool {
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r == '-' || r >= utf8.RuneSelf && unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}

// isTriggerWord: words that the before-lists end with and that
// trimDescriptors must therefore keep.
func isTriggerWord(w string) bool {
	switch w {
	case "fined", "on", "against", "to", "at", "of", "from", "by", "sanctioned", "reprimanded", "penalised",
		"penalized", "accessed", "breached", "hacked", "compromised", "targeted", "targeting", "infiltrated",
		"hit", "struck", "affecting", "involving", "victim", "told", "like", "than", "via", "firm", "into",
		"with", "fines", "for", "through", "parent", "versus", "vs", "as", "and", "or", "said", "says", "that",
		"in", "is", "was", "were", "has", "have", "had", "per", "notified", "informed", "contacted", "alerted",
		"client", "customer", "patient", "member", "employee", "user", "subscriber", "reprimand", "penalty",
		"fine", "warning", "notice":
		return true
	}
	return false
}

// phrases is a list of context phrases indexed by their last word (for
// matching the end of the text before a name) or their first word (for the
// text after it), so that each check looks at a handful of phrases.
type phrases map[string][]string

func suffixPhrases(list ...string) phrases {
	m := phrases{}
	for _, p := range list {
		k := p[strings.LastIndexByte(p, ' ')+1:]
		m[k] = append(m[k], p)
	}
	return m
}

func prefixPhrases(list ...string) phrases {
	m := phrases{}
	for _, p := range list {
		k := firstToken(p)
		m[k] = append(m[k], p)
	}
	return m
}

// firstToken is the first word of s without trailing punctuation (a lone
// comma stays a comma).
func firstToken(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	e := len(s)
	for e > 0 {
		switch s[e-1] {
		case ',', '.', ';', ':', '!', '?', '"', '\'', ')':
			e--
			continue
		}
		if strings.HasSuffix(s[:e], "”") || strings.HasSuffix(s[:e], "’") {
			e -= len("’")
			continue
		}
		break
	}
	if e > 0 {
		return s[:e]
	}
	return s
}

// hasSuffixWord: s ends with one of the phrases, on a word boundary.
func hasSuffixWord(s string, ph phrases) bool {
	for _, p := range ph[s[strings.LastIndexByte(s, ' ')+1:]] {
		if strings.HasSuffix(s, p) {
			i := len(s) - len(p)
			if i == 0 || !orgIsWordByte(s[i-1]) {
				return true
			}
		}
	}
	return false
}

// hasPrefixWord: s (text after a name, with its leading space) starts with
// one of the phrases, on a word boundary.
func hasPrefixWord(s string, ph phrases) bool {
	if len(s) > 0 && orgIsWordByte(s[0]) {
		return false // glued to the name: not a following word
	}
	t := strings.TrimLeft(s, " ")
	for _, p := range ph[firstToken(t)] {
		if strings.HasPrefix(t, p) && (len(t) == len(p) || !orgIsWordByte(t[len(p)])) {
			return true
		}
	}
	return false
}

func orgIsWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// skipPossessive steps over "'s", "’s" or a bare apostrophe after a name.
func skipPossessive(text string, end int) int {
	for _, p := range []string{"'s", "’s", "'", "’"} {
		if strings.HasPrefix(text[end:], p) {
			return end + len(p)
		}
	}
	return end
}

// definedAlias reads "Name (ACR)" or "Name (“Short”)" right after a name.
// tradingName reads another name the text gives the organisation right
// after its name: "X, trading as Y", "X (formerly Y)", "X, doing business as
// Y": the capitalised words after the marker.
func tradingName(rest string) (string, bool) {
	low := strings.ToLower(rest)
	for _, m := range []string{", trading as ", " trading as ", " t/a ", " d/b/a ", ", d/b/a ", " dba ", ", dba ",
		" doing business as ", ", doing business as ", ", formerly known as ", ", formerly ", " (formerly known as ",
		" (formerly ", " (trading as ", " (now "} {
		if !strings.HasPrefix(low, m) {
			continue
		}
		words := strings.Fields(rest[len(m):])
		var name []string
		for _, w := range words {
			w = strings.TrimRight(w, ",.;:)")
			if w == "" || !hasUpperASCII(w[:1]) && !(len(name) > 0 && (w == "of" || w == "&" || w == "and")) {
				break
			}
			name = append(name, w)
			if strings.ContainsAny(words[len(name)-1], ",.;:)") {
				break
			}
		}
		for len(name) > 0 && (name[len(name)-1] == "of" || name[len(name)-1] == "&" || name[len(name)-1] == "and") {
			name = name[:len(name)-1]
		}
		if len(name) == 0 || len(name) > 5 {
			return "", false
		}
		a := strings.Join(name, " ")
		if k := orgKey(a); k == "" || commonWords[k] || notOrgs[k] || orgname.Generic(a) {
			return "", false
		}
		return a, true
	}
	return "", false
}

func definedAlias(text string, end int, poss bool) (string, bool) {
	if poss {
		return "", false
	}
	rest := text[end:min(len(text), end+48)]
	if a, ok := tradingName(rest); ok {
		return a, true
	}
	if !strings.HasPrefix(rest, " (") {
		return "", false
	}
	inner, _, ok := strings.Cut(rest[2:], ")")
	if !ok {
		return "", false
	}
	inner = strings.TrimSpace(inner)
	inner = strings.TrimPrefix(inner, "the ")
	inner = strings.TrimPrefix(inner, "aka ")
	inner = strings.Trim(inner, "\"'“”‘’ ")
	if inner == "" || strings.Count(inner, " ") > 2 || len(inner) > 30 {
		return "", false
	}
	hasUpper := false
	for _, r := range inner {
		if unicode.IsUpper(r) {
			hasUpper = true
		}
		if unicode.IsDigit(r) && !strings.ContainsAny(inner, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return "", false
		}
	}
	if !hasUpper {
		return "", false
	}
	if k := orgKey(inner); commonWords[k] || notOrgs[k] || isAliasGeneric(k) {
		return "", false
	}
	return inner, true
}

func isAliasGeneric(k string) bool {
	switch k {
	case "company", "the company", "plan", "the plan", "hotel", "practice", "agency", "bank", "firm", "hospital",
		"school", "district", "university", "college", "county", "city", "state", "group", "we", "us", "our",
		"organization", "organisation", "corporation", "entity", "controller", "processor", "vendor", "ba", "ce":
		return true
	}
	return false
}

// tokenizeSentence splits sentence s into words, noting capitalisation,
// possessives and the separator before each word.
func tokenizeSentence(text, lower string, s span, out []orgToken) []orgToken {
	i := s.start
	prevEnd := -1
	broken := false
	for i < s.end {
		if c := text[i]; c < utf8.RuneSelf && !orgIsWordByte(c) && c != '&' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&') {
			i += n
			continue
		}
		start := i
		if r == '&' {
			i += n
		} else {
			i = orgWordEnd(text, i, s.end)
		}
		if c := text[start]; c >= 'a' && c <= 'z' && !isJoinWord(lower[start:i]) && !hasUpperASCII(text[start:i]) {
			// An ordinary lower-case word: it only separates names.
			if i < s.end && (text[i] == '\'' || text[i] == 0xe2) {
				i = skipPossessive(text, i)
			}
			prevEnd = -1
			broken = true
			continue
		}
		t := orgToken{start: start, end: i}
		// "Inc." and "S.A." keep their final period.
		if i < s.end && text[i] == '.' {
			w := lower[start:i]
			if legalSuffixes[w+"."] || strings.Contains(w, ".") && utf8.RuneCountInString(w) <= 6 {
				t.end = i + 1
				i++
			}
		}
		t.cap, t.allCaps = capitalisation(text[t.start:t.end])
		// Possessive: "Plusnet's", "Plusnet’s", "Flores'"; but "Children's
		// Hospital" and "Women's Health" are names.
		if j := skipPossessive(text, t.end); j > t.end && (j >= s.end || !isLetterAt(text, j)) {
			if innerPossessive[lower[t.start:t.end]] && j+1 < s.end && text[j] == ' ' && isUpperAt(text, j+1) {
				t.end = j
			} else {
				t.poss = true
			}
			i = j
		}
		switch {
		case prevEnd < 0 || broken:
			t.gap = 0
		case text[prevEnd:start] == " " || text[prevEnd:start] == "\u00a0":
			t.gap = ' '
		case text[prevEnd:start] == ", ":
			t.gap = ','
		default:
			t.gap = 0
		}
		out = append(out, t)
		prevEnd = i
		broken = false
	}
	return out
}

// orgWordEnd: letters and digits, with inner hyphens, periods, apostrophes
// and slashes when a letter or digit follows ("Co-operative", "usps.com",
// "O'Brien", "d/b/a"); a possessive 's is not part of the word.
// isJoinWord: lower-case words that may sit inside a name (connectors,
// "plc", dotted suffixes such as "s.r.l.").
func isJoinWord(w string) bool {
	switch w {
	case "of", "and", "for", "de", "del", "della", "des", "du", "la", "le", "von", "van", "der", "den", "y", "e",
		"the", "d/b/a", "dba", "plc", "di", "da", "do", "dos", "das":
		return true
	}
	return strings.IndexByte(w, '.') >= 0 && legalSuffixes[w]
}

func hasUpperASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 'A' && w[i] <= 'Z' {
			return true
		}
	}
	return false
}

func orgWordEnd(text string, i, lim int) int {
	for i < lim {
		if c := text[i]; c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			i += n
		case r == '&' && i+n < lim && isLetterAt(text, i+n) && i > 0 && isUpperBefore(text, i):
			i += n // M&M, AT&T
		case r == '-' || r == '.' || r == '/' || r == '\'' || r == '’':
			if i+n >= lim || !isLetterOrDigitAt(text, i+n) {
				return i
			}
			if r == '.' && gluedSentence(text, i, lim) {
				return i // "on the devices.Cbr Systems reached"
			}
			if (r == '\'' || r == '’') && isPossessiveAt(text, i, lim) {
				return i
			}
			i += n
		default:
			return i
		}
	}
	return i
}

func isPossessiveAt(text string, i, lim int) bool {
	_, n := utf8.DecodeRuneInString(text[i:])
	j := i + n
	if j < lim && (text[j] == 's' || text[j] == 'S') {
		return j+1 >= lim || !isLetterOrDigitAt(text, j+1)
	}
	return false
}

// innerPossessive: plural nouns whose possessive sits inside names.
var innerPossessive = set("women", "children", "people", "men", "veterans", "mothers", "teachers", "workers",
	"physicians", "doctors", "farmers", "citizens", "kids", "boys", "girls", "st", "saint", "lloyd", "macy",
	"mcdonald", "dillard", "kohl", "sainsbury", "wendy", "denny", "land", "moody", "nurses", "seniors")

func isUpperAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsUpper(r)
}

func isLetterAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r)
}

func isLetterOrDigitAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isUpperBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsUpper(r)
}

// capitalisation: a word is a name word when it starts upper-case or is
// camel-case (eBay, iCloud, 23andMe); allCaps when it has two or more
// letters, all upper-case.
func capitalisation(w string) (cap, allCaps bool) {
	r, _ := utf8.DecodeRuneInString(w)
	letters, upper := 0, 0
	for _, c := range w {
		if unicode.IsLetter(c) {
			letters++
			if unicode.IsUpper(c) {
				upper++
			}
		}
	}
	cap = unicode.IsUpper(r) || (upper > 0 && (unicode.IsLower(r) || unicode.IsDigit(r)))
	allCaps = letters >= 2 && upper == letters
	return cap, allCaps
}

// run is a token range [a, b) of a sentence.
type run struct {
	a, b   int
	person bool
}

// nameRuns finds maximal sequences of name words joined by spaces,
// connectors ("of", "&", "for") and ", Inc."-style suffixes.
func nameRuns(d *doc, toks []orgToken) []run {
	var out []run
	for i := 0; i < len(toks); {
		if !toks[i].cap {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && !toks[j-1].poss {
			t := toks[j]
			w := d.lower[t.start:t.end]
			switch {
			case t.gap == ' ' && t.cap && !runBreakers[w]:
				j++
				continue
			case (t.gap == ' ' || t.gap == ',') && isSuffixToken(t, w):
				j++
				continue
			case t.gap == ' ' && connectors[w] && j+1 < len(toks) && toks[j+1].gap == ' ' && toks[j+1].cap:
				if w == "the" && d.lower[toks[j-1].start:toks[j-1].end] != "of" {
					break
				}
				j += 2
				continue
			case t.gap == ' ' && (w == "of" || w == "for") && j+2 < len(toks) && toks[j+1].gap == ' ' &&
				strings.EqualFold(d.text[toks[j+1].start:toks[j+1].end], "the") && toks[j+2].gap == ' ' && toks[j+2].cap:
				j += 3
				continue
			}
			break
		}
		out = append(out, run{a: i, b: j})
		i = j
	}
	return out
}

// runBreakers are capitalised verbs inside title-like text ("Orange Is The
// New Black"): they end a name.
var runBreakers = set("is", "are", "was", "were", "has", "have", "had", "will", "can", "says", "said", "the",
	"breach", "breaches", "hack", "hacked", "leak", "leaks", "attack", "attacks",
	"eur", "usd", "gbp", "sek", "dkk", "nok", "pln", "chf", "ron", "bgn", "huf", "czk", "cad", "aud", "inr")

// isSuffixToken: a legal suffix as written in a name: "Inc.", "LLC", "plc",
// "S.A." ("as" and "co" in lower case are ordinary words).
func isSuffixToken(t orgToken, w string) bool {
	return legalSuffixes[w] && (t.cap || w == "plc" || strings.Contains(w, "."))
}

// splitRun trims a run to the name inside it: common words at the front
// ("According", "The", "Hackers"), connectors at either end, and splits it
// at role words ("Cloudflare CEO Matthew Prince") and at "and" unless an
// institution word follows ("Racing and Gaming Commission").
func splitRun(d *doc, ctx *orgContext, toks []orgToken, r run) []run {
	word := func(i int) string { return d.lower[toks[i].start:toks[i].end] }
	var parts []run
	a := r.a
	afterRole := false
	flush := func(b int) {
		p := trimRun(d, ctx, toks, run{a: a, b: b})
		if p.b > p.a {
			p.person = afterRole
			parts = append(parts, p)
		}
	}
	for i := r.a; i < r.b; i++ {
		w := word(i)
		if titleWords[w] && r.b-r.a > 1 && !(officeWords[w] && i+1 < r.b && word(i+1) == "of") {
			flush(i)
			a = i + 1
			afterRole = !(i+1 < r.b && connectors[word(i+1)])
			continue
		}
		if w == "and" && !institutionFollows(d, toks, i+1, r.b) {
			flush(i)
			a = i + 1
			continue
		}
	}
	flush(r.b)
	return parts
}

// officeWords name public offices: "Secretary of State" stays whole.
var officeWords = set("secretary", "minister", "commissioner", "governor", "mayor", "chancellor", "sheriff",
	"judge", "senator", "director", "president")

// titleWords are job titles that split a name run: "Cloudflare CEO Matthew
// Prince" is an organisation and a person.
var titleWords = set("founder", "co-founder", "ceo", "cto", "ciso", "cio", "cfo", "coo", "president", "director",
	"spokesperson", "spokesman", "spokeswoman", "researcher", "analyst", "chairman", "chairwoman", "commissioner",
	"professor", "dr", "mr", "mrs", "ms", "minister", "secretary", "senator", "governor", "mayor", "judge",
	"chancellor", "sheriff", "said", "says")

// institutionFollows: the words from i to b end with an institution word.
func institutionFollows(d *doc, toks []orgToken, i, b int) bool {
	for j := i; j < b; j++ {
		if institutionWords[d.lower[toks[j].start:toks[j].end]] {
			return true
		}
	}
	return false
}

var institutionWords = set("commission", "services", "service", "agency", "department", "company", "companies",
	"sciences", "technology", "technologies", "research", "development", "hospital", "hospitals", "clinic",
	"associates", "partners", "trust", "bank", "insurance", "health", "affairs", "gaming", "resources",
	"communications", "industries", "solutions", "systems", "institute", "university", "college", "authority",
	"board", "council", "center", "centre", "foundation", "society", "association", "casinos", "resorts",
	"hotels", "suites", "loan", "savings", "exchange", "family", "care", "rehabilitation", "medicine",
	"management", "security", "welfare", "human", "safety", "transportation", "office", "trade")

// trimRun drops common words and connectors at the front and connectors at
// the end; single common or generic words vanish.
func trimRun(d *doc, ctx *orgContext, toks []orgToken, r run) run {
	word := func(i int) string { return d.lower[toks[i].start:toks[i].end] }
	for r.a < r.b {
		w := word(r.a)
		if commonWords[w] || connectors[w] || calendarWords[w] && r.b-r.a > 1 || !toks[r.a].cap ||
			strings.HasSuffix(w, "-based") {
			r.a++
			continue
		}
		break
	}
	// Connectors and ordinary words at the end: "PakWheels Hacked".
	for r.b > r.a {
		w := word(r.b - 1)
		if connectors[w] || w == "and" || r.b-r.a > 1 && (commonWords[w] || w == "data") && !legalSuffixes[w] && !institutionWords[w] {
			r.b--
			continue
		}
		break
	}
	if r.b-r.a > maxNameWords {
		r.b = r.a + maxNameWords
	}
	if r.b > r.a {
		// A single sentence-initial word that also appears in lower case
		// elsewhere is an ordinary word ("Regrettably", "Upgrades").
		w := word(r.a)
		if r.b-r.a == 1 && isSentenceStart(d, toks[r.a].start) && !toks[r.a].allCaps &&
			(strings.HasSuffix(w, "ly") || len(w) >= 5 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing")) ||
				ctx.appearsLower(d, w)) {
			r.a = r.b
		}
	}
	return r
}

func isSentenceStart(d *doc, pos int) bool {
	si := d.sentenceAt(pos)
	if si < 0 {
		return false
	}
	pre := strings.TrimLeft(d.text[d.sents[si].start:pos], "\"'“‘([ ")
	return pre == ""
}

// appearsLower reports whether w occurs in lower case, on word boundaries,
// somewhere in the text; answers are kept per document.
func (c *orgContext) appearsLower(d *doc, w string) bool {
	if v, ok := c.lowerSeen[w]; ok {
		return v
	}
	if c.lowerSeen == nil {
		c.lowerSeen = make(map[string]bool)
	}
	v := appearsLower(d, w)
	c.lowerSeen[w] = v
	return v
}

func appearsLower(d *doc, w string) bool {
	from := 0
	for from < len(d.lower) {
		i := strings.Index(d.lower[from:], w)
		if i < 0 {
			return false
		}
		s := from + i
		e := s + len(w)
		from = e
		if wordBefore(d.lower, s) || wordAfter(d.lower, e) {
			continue
		}
		if d.text[s] == d.lower[s] {
			return true
		}
	}
	return false
}

// scoreCandidate adds the document-level signals to the mention weights.
func scoreCandidate(d *doc, ctx *orgContext, c *orgCand) float64 {
	if ex, why := isExcludedName(c.key); ex {
		c.excluded = why
	}
	for _, k := range ctx.outletKey {
		if k != "" && (c.key == k || strings.TrimSuffix(c.key, ".com") == k) {
			c.excluded = "outlet"
		}
	}
	if len(c.key) < 2 {
		c.excluded = "short"
	}
	s, freq, ctxSum := 0.0, 0.0, 0.0
	lead := 0.0
	roleful := false
	for _, m := range c.mentions {
		if freq < wMentionCap {
			freq += wMention
		}
		s += m.role
		roleful = roleful || m.orgRole
		if m.context && ctxSum < wContextCap {
			ctxSum += wContext
		}
		if m.person {
			c.person++
		}
		switch m.sent {
		case ctx.lead[0]:
			lead = max(lead, wLead1)
			if isLetterhead(d, m) {
				lead = max(lead, wLetterhead+wLead1)
			}
		case ctx.lead[1], ctx.lead[2]:
			lead = max(lead, wLead2)
		}
	}
	s += freq + ctxSum + lead
	for _, f := range c.forms {
		if hasLegalSuffix(f) {
			s += wLegal // "Backcountry Edge, Inc." is a company by its name
			break
		}
	}
	for _, f := range c.forms {
		if mentionedIn(ctx.heads, f) {
			c.headline = true
			s += wHeadline
			break
		}
	}
	// People: marked by the words around them, or a first name without any
	// breach role ("Ashley Madison's customers" stays an organisation).
	if c.person*2 >= len(c.mentions) || looksLikePerson(c) {
		s += wPerson
		c.isPerson = !roleful
	}
	// A single ordinary word, also written in lower case in the text, is
	// more likely a word than a name ("Introduction to Business").
	if c.excluded == "" && s >= minOrgScore && !strings.Contains(c.key, " ") && !isAcronym(c.forms[0]) && ctx.appearsLower(d, c.key) {
		s += wCommonWord
	}
	return s
}

// isLetterhead: the first body sentence is the name itself (a letterhead or
// a sender line).
func isLetterhead(d *doc, m orgMention) bool {
	s := d.sents[m.sent]
	return (m.end-m.start)*10 >= (s.end-s.start)*7
}

// looksLikePerson: two or three words starting with a common first name.
func looksLikePerson(c *orgCand) bool {
	for _, f := range c.forms {
		if hasLegalSuffix(f) {
			return false
		}
	}
	for _, f := range c.forms {
		n := strings.Count(f, " ") + 1
		if n < 2 || n > 3 {
			continue
		}
		first, _, _ := strings.Cut(f, " ")
		if firstNames[strings.ToLower(first)] && !hasLegalSuffix(f) {
			return true
		}
	}
	return false
}

func hasLegalSuffix(f string) bool {
	i := strings.LastIndexAny(f, " ,")
	return i >= 0 && legalSuffixes[strings.ToLower(f[i+1:])]
}

// mentionedIn: form occurs in one of the texts as whole words.
func mentionedIn(texts []string, form string) bool {
	for _, t := range texts {
		from := 0
		for {
			i := strings.Index(t[from:], form)
			if i < 0 {
				break
			}
			s := from + i
			e := s + len(form)
			from = s + 1
			if (s == 0 || !orgIsWordByte(t[s-1])) && (e == len(t) || !orgIsWordByte(t[e])) {
				return true
			}
		}
	}
	return false
}

// mergeCandidates folds aliases, acronyms and shorter forms into the
// candidate they stand for; the absorbing candidate takes their score.
func mergeCandidates(cands []*orgCand) {
	root := func(c *orgCand) *orgCand {
		for c.into != nil {
			c = c.into
		}
		return c
	}
	merge := func(from, to *orgCand) {
		from, to = root(from), root(to)
		if from == to {
			return
		}
		from.into = to
		to.score += from.score - headlineOverlap(from, to)
		to.mentions = append(to.mentions, from.mentions...)
		to.forms = append(to.forms, from.forms...)
		to.counts = append(to.counts, from.counts...)
		to.aliases = append(to.aliases, from.aliases...)
		to.person += from.person
		to.isPerson = to.isPerson || from.isPerson && strings.Contains(from.key, " ")
		to.headline = to.headline || from.headline
		if from.first < to.first {
			to.first = from.first
		}
		// A candidate excluded as a person or outlet takes its short forms
		// with it; an excluded short form does not exclude a longer name.
	}
	// Aliases defined in the text.
	for _, c := range cands {
		for _, a := range c.aliases {
			ak := orgKey(a)
			for _, o := range cands {
				if o != c && o.key == ak {
					merge(o, c)
				}
			}
		}
	}
	// Acronyms made of a longer candidate's initials.
	for _, a := range cands {
		acr := acronymOf(a)
		if a.into != nil || acr == "" {
			continue
		}
		for _, c := range cands {
			if c != a && c.into == nil && strings.Contains(c.key, " ") && initials(c.key) == strings.ReplaceAll(a.key, ".", "") {
				merge(a, c)
				c = root(c)
				c.aliases = append(c.aliases, acr)
				break
			}
		}
	}
	// Shorter forms: "Cathay" in "Cathay Pacific Airways", "Roberts" in
	// "Justine Roberts", "Co-op" in "Co-operative Life Planning".
	order := make([]*orgCand, len(cands))
	copy(order, cands)
	sort.SliceStable(order, func(i, j int) bool { return len(order[i].key) < len(order[j].key) })
	for _, a := range order {
		if a.into != nil || len(a.key) <= 3 {
			continue
		}
		var target *orgCand
		for _, c := range order {
			if c == a || c.into != nil || len(c.key) <= len(a.key) {
				continue
			}
			if isWordPrefix(c.key, a.key) || isWordSuffix(c.key, a.key) || isStemPrefix(c.key, a.key) {
				if target == nil || c.score > target.score {
					target = c
				}
			}
		}
		if target == nil || a.excluded != "" {
			continue
		}
		if target.excluded != "" && target.excluded != "outlet" {
			// A regulator or a place does not swallow a name that merely
			// starts or ends like it.
			continue
		}
		merge(a, target)
	}
	// A group is excluded when its head is.
	for _, c := range cands {
		if c.into == nil && c.excluded == "" && (c.isPerson || c.person >= len(c.mentions) && c.person > 0) {
			c.excluded = "person"
		}
	}
}

// headlineOverlap avoids counting the headline bonus twice when both forms
// were in the headline.
func headlineOverlap(from, to *orgCand) float64 {
	if from.headline && to.headline {
		return wHeadline
	}
	return 0
}

// isAcronym: a single word of two to eight letters, all upper-case
// ("CLP", "U.S.") or with at least three capitals ("RenPSG").
func isAcronym(s string) bool {
	letters, upper := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		case r == '.' || r == '&' || unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters >= 2 && letters <= 8 && (upper == letters || upper >= 3)
}

// acronymOf returns the candidate's acronym form, if it has one.
func acronymOf(c *orgCand) string {
	for _, f := range c.forms {
		if isAcronym(f) {
			return f
		}
	}
	return ""
}

// initials of a key's content words: "co-operative life planning" -> "clp",
// "association of british travel agents" -> "abta".
func initials(key string) string {
	var b strings.Builder
	for f := range strings.FieldsSeq(key) {
		if f == "of" || f == "the" || f == "and" || f == "&" || f == "for" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f)
		b.WriteRune(r)
	}
	return b.String()
}

func isWordPrefix(long, short string) bool {
	return strings.HasPrefix(long, short) && long[len(short)] == ' '
}

func isWordSuffix(long, short string) bool {
	return strings.HasSuffix(long, short) && long[len(long)-len(short)-1] == ' '
}

// isStemPrefix: "co-op" for "co-operative life planning": a hyphenated
// short form that begins the first word of the longer name.
func isStemPrefix(long, short string) bool {
	return strings.Contains(short, "-") && !strings.Contains(short, " ") && len(short) >= 4 && strings.HasPrefix(long, short)
}
