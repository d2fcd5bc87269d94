package rules

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

// Regulators: a gazetteer of names and acronyms to canonical names ("ICO",
// "HHS OCR", "FTC", "SEC", "<State> AG", "<Country> data protection
// authority"), the cues of what they did, and rules that tie each cue to the
// regulator it is about.

// regInfo describes one regulator pattern.
type regInfo struct {
	name     string   // canonical name; empty when it depends on context
	country  string   // ISO code the pattern implies (the default for generic nouns)
	alt      []string // other countries whose authority has this name: the text decides
	acronym  bool     // counts only when written in capitals ("ICO", not "ico") ...
	form     string   // ... or exactly as written here ("LfDI")
	generic  bool     // a DPA noun whose country comes from the words around it
	national bool     // ... or one authority's own name (dpa.go), country known
	anaphor  bool     // "the regulator": points at a regulator named elsewhere
	health   bool     // "OCR": counts only in a health text
	ag       bool     // attorney general: the state comes from context
}

var regulatorGazetteer = addDPAs(map[string]regInfo{
	// United Kingdom
	"ico":                               {name: "ICO", country: "GB", acronym: true},
	"information commissioner":          {generic: true, country: "GB"},
	"information commissioner's office": {generic: true, country: "GB"},
	"information commissioner’s office": {generic: true, country: "GB"},
	"information commissioners office":  {generic: true, country: "GB"},
	"information commissioners' office": {generic: true, country: "GB"},
	"information commissioners’ office": {generic: true, country: "GB"},
	"financial conduct authority":       {name: "FCA", country: "GB"},
	"fca":                               {name: "FCA", country: "GB", acronym: true},
	// United States
	"hhs":     {name: "HHS OCR", country: "US", acronym: true},
	"hhs ocr": {name: "HHS OCR", country: "US", acronym: true},
	"department of health and human services": {name: "HHS OCR", country: "US"},
	"health and human services":               {name: "HHS OCR", country: "US"},
	"office for civil rights":                 {name: "HHS OCR", country: "US"},
	"office of civil rights":                  {name: "HHS OCR", country: "US"},
	"ocr":                                     {name: "HHS OCR", country: "US", acronym: true, health: true},
	"federal trade commission":                {name: "FTC", country: "US"},
	"ftc":                                     {name: "FTC", country: "US", acronym: true},
	"securities and exchange commission":      {name: "SEC", country: "US"},
	"sec":                                     {name: "SEC", country: "US", acronym: true},
	"federal communications commission":       {name: "FCC", country: "US"},
	"fcc":                                     {name: "FCC", country: "US", acronym: true},
	"consumer financial protection bureau":    {name: "CFPB", country: "US"},
	"cfpb":                                    {name: "CFPB", country: "US", acronym: true},
	"department of financial services":        {name: "NYDFS", country: "US"},
	"nydfs":                                   {name: "NYDFS", country: "US", acronym: true},
	"attorney general":                        {ag: true},
	"attorney-general":                        {ag: true},
	"attorneys general":                       {ag: true},
	"ag":                                      {ag: true, acronym: true},
	// National data protection authorities by name: see dpa.go
	"european data protection board": {name: "EDPB"},
	"edpb":                           {name: "EDPB", acronym: true},
	// Data protection authorities by kind: "the Spanish DPA"
	"dpa":                                    {generic: true, acronym: true},
	"data protection authority":              {generic: true},
	"data protection agency":                 {generic: true},
	"data protection commissioner":           {generic: true},
	"data protection regulator":              {generic: true},
	"data protection watchdog":               {generic: true},
	"data protection office":                 {generic: true},
	"data inspectorate":                      {generic: true},
	"supervisory authority":                  {generic: true},
	"national authority for data protection": {generic: true},
	"privacy regulator":                      {generic: true},
	"privacy watchdog":                       {generic: true},
	"privacy commissioner":                   {generic: true},
	"data watchdog":                          {generic: true},
	// Words that point back at a regulator named elsewhere
	"regulator":                   {anaphor: true},
	"regulators":                  {anaphor: true},
	"watchdog":                    {anaphor: true},
	"the commissioner":            {anaphor: true},
	"the authority":               {anaphor: true},
	"relevant authorities":        {anaphor: true},
	"data protection authorities": {anaphor: true},
})

// actionCue is what a cue word says a regulator did, and how close the
// regulator must be named for the cue to count.
type actionCue struct {
	action   bwv1.RegulatorActionType
	strength int  // cueWeak, cueMedium or cueStrong
	penalty  bool // a word for a fine: negation, hedging and proposals change it
}

const (
	cueWeak   = iota // the regulator must be named in the same sentence
	cueMedium        // ... or in one of the two sentences before
	cueStrong        // ... or anywhere in the article
)

const (
	actInformed     = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED
	actSelfReported = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_SELF_REPORTED
	actInvestigate  = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INVESTIGATING
	actNFA          = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_NO_FURTHER_ACTION
	actReprimand    = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_REPRIMAND
	actUndertaking  = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNDERTAKING
	actEnforcement  = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_ENFORCEMENT_NOTICE
	actNOI          = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_NOTICE_OF_INTENT
	actPenalty      = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY
	actNoPenalty    = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_NO_MONETARY_PENALTY
	actSettlement   = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_SETTLEMENT
	actAppeal       = bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_APPEAL
)

var actionCues = map[string]actionCue{
	"notified": {actInformed, cueWeak, false}, "notify": {actInformed, cueWeak, false},
	"notifying": {actInformed, cueWeak, false}, "notification": {actInformed, cueWeak, false},
	"informed": {actInformed, cueWeak, false}, "inform": {actInformed, cueWeak, false},
	"informing": {actInformed, cueWeak, false}, "reported": {actInformed, cueWeak, false},
	"reports": {actInformed, cueWeak, false}, "reporting": {actInformed, cueWeak, false},
	"report": {actInformed, cueWeak, false}, "alerted": {actInformed, cueWeak, false},
	"told": {actInformed, cueWeak, false}, "contacted": {actInformed, cueWeak, false},
	"aware": {actInformed, cueWeak, false}, "filed a breach report": {actInformed, cueWeak, false},
	"provided notice": {actInformed, cueWeak, false}, "provides notice": {actInformed, cueWeak, false},
	"provide notice": {actInformed, cueWeak, false}, "gave notice": {actInformed, cueWeak, false},
	"sent notice": {actInformed, cueWeak, false}, "submitted notice": {actInformed, cueWeak, false},
	"advised": {actInformed, cueWeak, false}, "advises": {actInformed, cueWeak, false},

	"reported itself": {actSelfReported, cueMedium, false}, "reported themselves": {actSelfReported, cueMedium, false},
	"reported ourselves": {actSelfReported, cueMedium, false}, "turned itself in": {actSelfReported, cueMedium, false},
	"turned itself into": {actSelfReported, cueMedium, false}, "self-reported": {actSelfReported, cueMedium, false},
	"self reported": {actSelfReported, cueMedium, false}, "self-report": {actSelfReported, cueMedium, false},
	"referred itself": {actSelfReported, cueMedium, false},

	"investigation": {actInvestigate, cueWeak, false}, "investigations": {actInvestigate, cueWeak, false},
	"investigating": {actInvestigate, cueWeak, false}, "investigate": {actInvestigate, cueWeak, false},
	"investigated": {actInvestigate, cueWeak, false}, "inquiry": {actInvestigate, cueWeak, false},
	"inquiries": {actInvestigate, cueWeak, false}, "enquiry": {actInvestigate, cueWeak, false},
	"enquiries": {actInvestigate, cueWeak, false}, "probe": {actInvestigate, cueWeak, false},
	"probing": {actInvestigate, cueWeak, false}, "looking into": {actInvestigate, cueWeak, false},
	"looked into": {actInvestigate, cueWeak, false}, "look into": {actInvestigate, cueWeak, false},

	"no further action": {actNFA, cueMedium, false}, "take no action": {actNFA, cueMedium, false},
	"closed the case": {actNFA, cueMedium, false}, "closed its investigation": {actNFA, cueMedium, false},

	"reprimand": {actReprimand, cueStrong, false}, "reprimanded": {actReprimand, cueStrong, false},

	"undertaking": {actUndertaking, cueStrong, false}, "undertakings": {actUndertaking, cueStrong, false},
	"assurances": {actUndertaking, cueWeak, false}, "remedial action": {actUndertaking, cueWeak, false},
	"remedial actions": {actUndertaking, cueWeak, false},

	"enforcement notice": {actEnforcement, cueStrong, false}, "enforcement notices": {actEnforcement, cueStrong, false},

	"notice of intent": {actNOI, cueStrong, true}, "notice of intention": {actNOI, cueStrong, true},
	"intends to fine": {actNOI, cueStrong, true}, "intention to fine": {actNOI, cueStrong, true},
	"intent to fine": {actNOI, cueStrong, true}, "proposed fine": {actNOI, cueStrong, true},
	"proposed penalty": {actNOI, cueStrong, true}, "proposes to fine": {actNOI, cueStrong, true},
	"plans to fine": {actNOI, cueStrong, true}, "provisional fine": {actNOI, cueStrong, true},

	"fined": {actPenalty, cueStrong, true}, "monetary penalty": {actPenalty, cueStrong, true},
	"civil monetary penalty": {actPenalty, cueStrong, true}, "civil money penalty": {actPenalty, cueStrong, true},
	"imposed a fine": {actPenalty, cueStrong, true}, "penalty notice": {actPenalty, cueStrong, true},
	"financial penalty": {actPenalty, cueStrong, true}, "penalised": {actPenalty, cueStrong, true},
	"penalized": {actPenalty, cueStrong, true}, "penalise": {actPenalty, cueStrong, true},
	"penalize": {actPenalty, cueStrong, true}, "penalty": {actPenalty, cueMedium, true},
	"penalties": {actPenalty, cueMedium, true}, "fine": {actPenalty, cueMedium, true},
	"fines": {actPenalty, cueMedium, true}, "ordered to pay": {actPenalty, cueMedium, true},

	"settle": {actSettlement, cueWeak, false}, "settled": {actSettlement, cueWeak, false},
	"settles": {actSettlement, cueWeak, false}, "settlement": {actSettlement, cueWeak, false},
	"resolution agreement": {actSettlement, cueMedium, false}, "consent order": {actSettlement, cueWeak, false},
	"consent decree": {actSettlement, cueWeak, false}, "agreed to pay": {actSettlement, cueMedium, false},
	"will pay": {actSettlement, cueMedium, false},

	"appeal": {actAppeal, cueMedium, false}, "appealed": {actAppeal, cueMedium, false},
	"appealing": {actAppeal, cueMedium, false},
}

var (
	_ = register(catRegulator, sortedKeys(regulatorGazetteer)...)
	_ = register(catRegulator, sortedKeys(regulatorContexts)...)
	_ = register(catAction, sortedKeys(actionCues)...)
)

// sortedKeys keeps registration (and so tie order in the automaton) stable.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// hitsWithKeys returns the document's hits whose pattern is a key of one of
// the maps. The automaton reports a pattern once even when two categories
// registered it, so the rules here select hits by pattern, not category.
func hitsWithKeys[V, W any](d *doc, m map[string]V, more map[string]W) []hit {
	out := make([]hit, 0, 32)
	for _, h := range d.hits {
		if _, ok := m[h.key]; ok {
			out = append(out, h)
		} else if _, ok := more[h.key]; ok {
			out = append(out, h)
		}
	}
	return out
}

// longestHits drops hits that lie inside a longer hit of the list, so that
// "information commissioner's office" is one mention, not two.
func longestHits(hs []hit) []hit {
	out := hs[:0:0]
	for i, h := range hs {
		inside := false
		for j := max(0, i-4); j < min(len(hs), i+5); j++ {
			o := hs[j]
			if j != i && o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, h)
		}
	}
	return out
}

// regMention is a regulator named (or pointed at) in the text.
type regMention struct {
	name    string // canonical; empty when it could not be resolved
	start   int
	end     int
	sent    int
	anaphor bool // resolved from elsewhere, not named here
	dpa     bool // a data protection authority's name or noun
	rank    int  // how surely the DPA's country is known (dpaRank)
}

// dpaRank orders the ways a DPA mention gets its country, surest last.
const (
	dpaUnknown  = iota // "the DPA", nothing near
	dpaDefault         // a noun's usual country: "Information Commissioner" is the UK's
	dpaShared          // a name several countries use, resolved by the text
	dpaOwnName         // a name only one country's authority has: "AEPD"
	dpaExplicit        // a country named next to it: "the Norwegian DPA"
)

// regulatorMentions resolves every regulator hit to a canonical name.
func regulatorMentions(d *doc) []regMention {
	hs := longestHits(hitsWithKeys(d, regulatorGazetteer, regulatorContexts))
	if len(hs) == 0 {
		return nil
	}
	var out []regMention
	var ctx [numContexts]int // sentence+1 of the first hit of each context marker
	for _, h := range hs {
		if c, ok := regulatorContexts[h.key]; ok && ctx[c] == 0 && (h.key != "ce" || d.text[h.start] == 'C') {
			ctx[c] = h.sent + 1
		}
	}
	for _, h := range hs {
		info, ok := regulatorGazetteer[h.key]
		if !ok {
			continue // a context marker
		}
		if info.acronym && !writtenAsAcronym(d.text[h.start:h.end], info.form) {
			continue
		}
		m := regMention{start: h.start, end: h.end, sent: h.sent}
		switch {
		case info.health:
			if ctx[ctxHealth] == 0 && ctx[ctxPortal] == 0 && ctx[ctxPHI] == 0 && !strings.Contains(sentenceLower(d, h.sent), "breach") {
				continue // OCR as in optical character recognition
			}
			m.name = info.name
		case h.key == "ico":
			if ctx[ctxCrypto] != 0 {
				continue // an initial coin offering
			}
			m.name = info.name
		case info.ag:
			m.name = attorneyGeneral(d, h)
			if m.name == "" && h.key == "ag" {
				continue // "Siemens AG": not a regulator
			}
			m.anaphor = m.name == ""
		case info.generic:
			m.dpa = true
			code := countryNear(d, h)
			switch {
			case code != "":
				m.rank = dpaExplicit
			case len(info.alt) > 0:
				code, m.rank = dpaOfContext(d, append([]string{info.country}, info.alt...)), dpaShared
			case info.national:
				code, m.rank = info.country, dpaOwnName
			case info.country != "":
				code, m.rank = info.country, dpaDefault
			}
			if code == "" {
				m.anaphor = true
				break
			}
			m.name = dpaName(code)
		case info.anaphor:
			m.anaphor = true
		default:
			m.name = info.name
		}
		out = append(out, m)
	}
	joinAppositions(d, out)
	// Anaphors take the nearest regulator named before them, else the first
	// one named after them.
	for i := range out {
		if !out[i].anaphor || out[i].name != "" {
			continue
		}
		for j := i - 1; j >= 0 && out[i].name == ""; j-- {
			if !out[j].anaphor {
				out[i].name = out[j].name
			}
		}
		for j := i + 1; j < len(out) && out[i].name == ""; j++ {
			if !out[j].anaphor {
				out[i].name = out[j].name
			}
		}
	}
	// "The DPA fined ..." with no authority named anywhere: in a
	// data-protection text it is the DPA of the country the text points at.
	var fallback string
	fallbackDone := false
	for i := range out {
		if out[i].name != "" || !out[i].dpa {
			continue
		}
		if !fallbackDone {
			fallbackDone = true
			fallback = textDPA(d)
		}
		out[i].name = fallback
	}
	return out
}

// joinAppositions gives two DPA mentions written as one ("the Norwegian DPA
// (Datatilsynet)", "Garante, the Italian DPA", or two overlapping names of
// one authority) the country of the surer.
func joinAppositions(d *doc, ms []regMention) {
	for i := 0; i+1 < len(ms); i++ {
		a, b := &ms[i], &ms[i+1]
		if !a.dpa || !b.dpa || a.sent != b.sent || b.start >= a.end && !apposed(d.lower[a.end:b.start]) {
			continue
		}
		if a.rank < b.rank {
			a, b = b, a
		}
		if a.name != "" && a.rank > b.rank {
			b.name, b.rank, b.anaphor = a.name, a.rank, false
		}
	}
}

// apposed: the words between two names say they are one ("(", ", the",
// "/", "or").
func apposed(between string) bool {
	if len(between) > 12 {
		return false
	}
	for w := range strings.FieldsFuncSeq(between, func(r rune) bool {
		return strings.ContainsRune(" ,()[]/\"'“”‘’«»-–—:", r)
	}) {
		if w != "the" && w != "or" && w != "aka" {
			return false
		}
	}
	return true
}

// textDPA is the DPA of the country a data-protection text points at, or
// "" when it is not such a text, points nowhere clearly or at a country
// without a national authority of the kind (the United States).
func textDPA(d *doc) string {
	if !dataProtectionText(d) {
		return ""
	}
	if c := countryCues(d); c.code != "" && c.score >= 1 && hasNationalDPA(c.code) {
		return dpaName(c.code)
	}
	return ""
}

// sentenceLower is sentence i of the lower-cased text.
func sentenceLower(d *doc, i int) string {
	s := d.sentSpan(i)
	return d.lower[s.start:s.end]
}

// dpaName is the canonical name of a country's data protection authority.
func dpaName(code string) string {
	if code == "GB" {
		return "ICO"
	}
	if n, ok := countryNames[code]; ok {
		return n + " data protection authority"
	}
	return ""
}

func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// sentSpan is the span of sentence i (the whole text when i is -1).
func (d *doc) sentSpan(i int) span {
	if i < 0 || i >= len(d.sents) {
		return span{0, len(d.text)}
	}
	return d.sents[i]
}

// countryNear reads the country of a DPA noun from the words just before it
// ("the Spanish DPA", "Spain's data protection authority") or just after it
// ("the data protection authority of Spain", "the DPA of North
// Rhine-Westphalia").
func countryNear(d *doc, h hit) string {
	s := d.sentSpan(h.sent)
	ws := lastWords(d.lower, max(s.start, h.start-48), h.start, "the")
	for i := 0; i < len(ws); i++ {
		if code, _, state, n := placeAt(ws, i); n > 0 && i+n == len(ws) && state == "" {
			return code
		}
	}
	rest := d.lower[h.end:min(s.end, h.end+48)]
	if !strings.HasPrefix(rest, " of ") && !strings.HasPrefix(rest, " in ") {
		return ""
	}
	after, _ := words(rest[4:])
	if len(after) > 0 && after[0] == "the" {
		after = after[1:]
	}
	if len(after) == 0 {
		return ""
	}
	if code, _, state, n := placeAt(after[:min(len(after), 3)], 0); n > 0 && state == "" {
		return code
	}
	return ""
}

// lastWords returns up to three words before pos (not before lo), in text
// order, leaving out a possessive "s" and the word skip right before pos.
// Words run on across spaces, commas and periods, not other punctuation;
// they may hold inner hyphens and any letters ("Baden-Württemberg").
func lastWords(l string, lo, pos int, skip string) []string {
	var buf [3]string
	n := 0
	trailing := true // still at the words right before pos, which may be skipped
	for n < len(buf) {
		for pos > lo && (l[pos-1] == ' ' || l[pos-1] == ',' || l[pos-1] == '.') {
			pos--
		}
		end := pos
		for pos > lo {
			r, size := utf8.DecodeLastRuneInString(l[lo:pos])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' && pos-size > lo && pos < end && isAlnum(l[pos-size-1]) {
				pos -= size
				continue
			}
			if (r == '\'' || r == '’') && trailing && n == 0 && l[pos:end] == "s" {
				pos -= size // "Spain's", "Spain’s"
				end = pos
				continue
			}
			break
		}
		if pos == end {
			break
		}
		w := l[pos:end]
		if trailing && w == skip {
			continue
		}
		trailing = false
		buf[n] = w
		n++
	}
	out := buf[:n]
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// attorneyGeneral names a state attorney general: the state just before
// ("California Attorney General", "New York's AG"), after ("Attorney General
// of Texas") or elsewhere in the sentence.
func attorneyGeneral(d *doc, h hit) string {
	s := d.sentSpan(h.sent)
	ws := lastWords(d.lower, max(s.start, h.start-40), h.start, "state")
	for i := 0; i < len(ws); i++ {
		if _, _, state, n := placeAt(ws, i); state != "" && i+n == len(ws) {
			return state + " AG"
		}
	}
	if h.key == "ag" {
		return ""
	}
	if w, _, e := nextWord(d.lower, h.end, s.end); w == "of" {
		w, _, e = nextWord(d.lower, e, s.end)
		w2, _, _ := nextWord(d.lower, e, s.end)
		if _, _, state, _ := placeAt([]string{w, w2}, 0); state != "" {
			return state + " AG"
		}
	}
	all, _ := words(d.lower[s.start:s.end])
	for i := range all {
		if _, _, state, _ := placeAt(all, i); state != "" && state != "Washington" {
			return state + " AG"
		}
	}
	if h.key == "attorneys general" {
		return "US state AGs"
	}
	return ""
}

// regulatorActions finds what regulators did about the incident, in text
// order, one action per regulator and kind.
func regulatorActions(d *doc) []*bwv1.RegulatorAction {
	mentions := regulatorMentions(d)
	var cues []hit
	for _, h := range d.hits {
		if _, ok := actionCues[h.key]; ok {
			cues = append(cues, h)
		}
	}
	cues = longestHits(cues)
	var out []*bwv1.RegulatorAction
	add := func(a *bwv1.RegulatorAction) {
		for _, o := range out {
			if o.Regulator == a.Regulator && o.Action == a.Action {
				if o.AmountMinor == nil && a.AmountMinor != nil {
					o.AmountMinor, o.Currency, o.Stage = a.AmountMinor, a.Currency, a.Stage
					o.Evidence = a.Evidence
				}
				return
			}
		}
		out = append(out, a)
	}
	fallback := ""
	fallbackDone := false
	settling := false
	for i := 0; i < len(cues); i++ {
		h := cues[i]
		cue := actionCues[h.key]
		sl := d.lower[d.sents[h.sent].start:d.sents[h.sent].end]
		rel := h.start - d.sents[h.sent].start
		action := cue.action
		strength := cue.strength
		if cue.penalty {
			switch {
			case penaltyNegated(sl, rel, rel+len(h.key)):
				action = actNoPenalty
			case hedged(sl[:rel]):
				continue
			case sentenceHasAction(cues, i, h.sent, actNOI) && action != actNOI:
				continue // the notice of intent speaks for this sentence
			case faces(sl[:rel]):
				action = actNOI
			case action == actPenalty && (settling || sentenceHasAction(cues, i, h.sent, actSettlement)):
				action = actSettlement
			}
		}
		if action == actSettlement {
			if strings.Contains(sl, "class action") || strings.Contains(sl, "lawsuit") || strings.Contains(sl, "plaintiff") {
				continue
			}
		}
		if action == actInvestigate {
			pre := sl[max(0, rel-9):rel]
			if strings.HasSuffix(pre, "its ") || strings.HasSuffix(pre, "our ") || strings.HasSuffix(pre, "their ") || strings.HasSuffix(pre, "internal ") {
				continue // the organisation's own investigation
			}
		}
		if action == actAppeal && hedged(sl[:rel]) {
			continue // "can appeal"
		}
		var amt *amount
		if action == actPenalty || action == actNOI || action == actSettlement {
			amt = pickAmount(d, h)
			if amt != nil && action != actSettlement && sumOfFine(h, amt, sl) {
				// "The fine of EUR 2,500 was imposed on ...": with its sum a
				// fine is one whichever sentence names the authority.
				strength = cueStrong
			}
		}
		reg, conf := attribute(mentions, h, strength, informedDirection(h.key))
		// A bare "fine" or "penalty" needs an amount or a named regulator.
		if amt == nil && strength == cueMedium && conf < 0.85 && action == actPenalty {
			continue
		}
		if action == actPenalty && conf < 0.85 && criminalSentence(sl) {
			continue // "sentenced to a year in prison and a fine": a court's
		}
		if reg == "" && action == actPenalty && amt != nil && !anyNamed(mentions) {
			// A fine with no regulator named: in a data-protection text it is
			// the DPA of the country the text points at.
			if !fallbackDone {
				fallbackDone = true
				fallback = textDPA(d)
			}
			reg, conf = fallback, 0.4
		}
		if reg == "" {
			continue
		}
		if amt == nil && (h.key == "will pay" || h.key == "agreed to pay") {
			continue // "will pay for credit monitoring"
		}
		if action == actSettlement {
			settling = true
		}
		a := &bwv1.RegulatorAction{Regulator: reg, Action: action, Evidence: d.evidence(h.sent), Confidence: conf}
		switch action {
		case actNOI:
			a.Stage = bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_PROPOSED
		case actPenalty, actSettlement, actNoPenalty:
			a.Stage = bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_FINAL
			if strings.Contains(sl, "appeal") && !hedged(sl) {
				a.Stage = bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_APPEALED
			}
		case actAppeal:
			a.Stage = bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_APPEALED
		}
		if amt != nil {
			v := classifier.MinorAmount(amt.value, amt.currency)
			a.AmountMinor = &v
			a.Currency = amt.currency
		}
		a.Date = sentenceDate(d, h.sent)
		add(a)
	}
	if !hasRegulator(out, "HHS OCR") {
		if s := hipaaPortalSentence(d); s >= 0 {
			// The HHS breach portal's own summaries: a covered entity's breach
			// of protected health information is reported to HHS.
			out = append(out, &bwv1.RegulatorAction{Regulator: "HHS OCR", Action: actInformed, Evidence: d.evidence(s), Confidence: 0.5})
		}
	}
	return out
}

// sumOfFine: a fine noun written with its sum ("a fine of ca. EUR 2,557",
// "a €5,000 penalty"), not a criminal court's ("sentenced ... and fined").
func sumOfFine(h hit, a *amount, sl string) bool {
	if h.key != "fine" && h.key != "penalty" && h.key != "monetary penalty" && h.key != "financial penalty" {
		return false
	}
	attached := a.start >= h.end && a.start-h.end <= 9 || a.end <= h.start && h.start-a.end <= 3
	return attached && !criminalSentence(sl)
}

// criminalSentence: the sentence is about what a criminal court imposed.
func criminalSentence(sl string) bool {
	return containsSpaced(sl, []string{" sentenced", " prison", " jail", " restitution"})
}

// anyNamed: some mention resolved to a regulator.
func anyNamed(ms []regMention) bool {
	for _, m := range ms {
		if m.name != "" {
			return true
		}
	}
	return false
}

func hasRegulator(as []*bwv1.RegulatorAction, name string) bool {
	for _, a := range as {
		if a.Regulator == name {
			return true
		}
	}
	return false
}

// attribute picks the regulator a cue is about: the nearest named in its
// sentence (before the cue, else after), else, for stronger cues, the last
// named before it, within two sentences (medium) or anywhere (strong).
func attribute(ms []regMention, h hit, strength int, dir direction) (string, float64) {
	best, bestDist := -1, 1<<30
	for i, m := range ms {
		if m.sent != h.sent || m.name == "" {
			continue
		}
		dist := h.start - m.end
		if dist < 0 {
			dist = m.start - h.end + 20 // after the cue: a little farther
			if dir == regBefore {
				continue
			}
		} else if dir == regAfter || dir == regAfterOrClose && dist > 24 {
			continue
		}
		if dist < bestDist {
			best, bestDist = i, dist
		}
	}
	if best >= 0 {
		if ms[best].anaphor {
			return ms[best].name, 0.75
		}
		return ms[best].name, 0.9
	}
	if strength == cueWeak {
		return "", 0
	}
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		if m.sent >= h.sent || m.name == "" {
			continue
		}
		if strength == cueMedium && m.sent < h.sent-2 {
			break
		}
		return m.name, 0.7
	}
	if strength == cueStrong {
		for _, m := range ms {
			if m.name != "" {
				return m.name, 0.6
			}
		}
	}
	return "", 0
}

// direction says where a regulator must stand for an "informed" cue to be
// about it: told ("reported the breach to the ICO") or told of ("the ICO
// is aware", "HHS was notified").
type direction int

const (
	regAnywhere     direction = iota
	regAfter                  // "notified the ICO", "reports ... to the ICO"
	regAfterOrClose           // "informed the ICO", "ICO informed of"
	regBefore                 // "the ICO is aware"
)

func informedDirection(key string) direction {
	switch key {
	case "informed", "notified":
		return regAfterOrClose
	case "aware":
		return regBefore
	}
	if actionCues[key].action == actInformed {
		return regAfter
	}
	return regAnywhere
}

func sentenceHasAction(cues []hit, i, sent int, action bwv1.RegulatorActionType) bool {
	for j := max(0, i-6); j < min(len(cues), i+7); j++ {
		if j != i && cues[j].sent == sent && actionCues[cues[j].key].action == action {
			return true
		}
	}
	return false
}

// penaltyNegated: "no fine", "avoided a penalty", "did not penalise",
// "a monetary penalty was not appropriate".
func penaltyNegated(sl string, s, e int) bool {
	before := sl[max(0, s-40):s]
	if k := strings.LastIndexAny(before, ",;:"); k >= 0 {
		before = before[k+1:]
	}
	if containsSpaced(before, []string{" no ", " not ", "n't ", "n’t ", " never ", " without ", " avoid", " escape", " escaping", " spared ", " against ", " nor "}) {
		return true
	}
	after := sl[e:min(len(sl), e+24)]
	for _, w := range []string{" was not", " were not", " is not", " would not", " will not", " not ", " wasn't", " wasn’t", " isn't", " isn’t"} {
		if strings.HasPrefix(after, w) || strings.Contains(after, w) && !strings.ContainsAny(after[:strings.Index(after, w)], ",;.") {
			return true
		}
	}
	return false
}

// hedged: the fine is a possibility, not a fact ("could face fines of up
// to", "we'd be surprised if the regulator fined").
func hedged(before string) bool {
	return containsSpaced(before, hedgeWords)
}

var hedgeWords = []string{" could ", " may ", " might ", " would ", "'d ", "’d ", " if ", " can ", " risk",
	" potential", " possible", " up to ", " as much as ", " threat", " whether "}

// containsSpaced is strings.Contains for words written with a leading space,
// counting the start of s as a space.
func containsSpaced(s string, ws []string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) || w[0] == ' ' && strings.HasPrefix(s, w[1:]) {
			return true
		}
	}
	return false
}

// faces: "BA faces a £183m fine" reports a proposed penalty.
func faces(before string) bool {
	return strings.Contains(before, " faces ") || strings.Contains(before, " facing ")
}

// pickAmount is the sum a fine or settlement cue refers to: the first amount
// after the cue in its sentence, else the last before it, else one in the
// next sentence ("will pay $3.9 million"). Caps ("up to £17m") are not
// amounts. When the text gives the same sum in two currencies, "SEK
// 15,000,000 (EUR 1,463,000)" or "SEK 200,000. This is approx. EUR
// 20,000.", the euro figure is kept: it compares across authorities, and the
// other stays in the evidence.
func pickAmount(d *doc, h hit) *amount {
	s := d.sents[h.sent]
	all := findAmounts(d.text, s)
	var as []amount
	for _, a := range all {
		pre := d.lower[max(s.start, a.start-14):a.start]
		if strings.HasSuffix(pre, "up to ") || strings.HasSuffix(pre, "as much as ") || strings.HasSuffix(pre, "maximum of ") {
			continue
		}
		as = append(as, a)
	}
	if h.sent+1 < len(d.sents) && (len(as) == 0 || as[len(as)-1].start < h.end) {
		// "fined Acme S.L. EUR 4,000", "a fine of 1,5 Mio. EUR": the
		// sentence splitter may cut after a legal form, "ca." or "Mio.",
		// leaving the amount at the head of the next sentence or across the
		// cut.
		next := d.sents[h.sent+1]
		if gap := strings.TrimSpace(d.text[s.end:next.start]); gap == "" {
			if na := findAmounts(d.text, span{s.start, next.end}); len(na) > 0 {
				for _, a := range na {
					if a.start < s.end && a.end > s.end || a.start >= next.start && a.start-next.start <= 2 {
						as = append(as, a)
						break
					}
				}
			}
		}
	}
	if len(as) == 0 {
		return nil
	}
	k := -1
	for i, a := range as {
		if a.start >= h.end {
			k = i
			break
		}
	}
	if k < 0 {
		k = len(as) - 1
	}
	if as[k].currency != "EUR" {
		if k+1 < len(as) && as[k+1].currency == "EUR" && isConversion(d.text[as[k].end:as[k+1].start]) {
			k++
		} else if e, ok := euroInNextSentence(d, h.sent, as[k]); ok && k == len(as)-1 {
			return &e
		}
	}
	a := as[k]
	return &a
}

// euroInNextSentence: "The fine is SEK 200,000. This corresponds to about
// EUR 20,000." The euro figure opens the next sentence.
func euroInNextSentence(d *doc, sent int, a amount) (amount, bool) {
	if sent+1 >= len(d.sents) || a.end < d.sents[sent].end-3 {
		return amount{}, false
	}
	next := d.sents[sent+1]
	na := findAmounts(d.text, next)
	if len(na) == 0 || na[0].currency != "EUR" || !isConversion(strings.TrimPrefix(strings.TrimSpace(d.text[a.end:na[0].start]), ".")) {
		return amount{}, false
	}
	return na[0], true
}

// dataProtectionText: the text speaks the language of data protection law.
func dataProtectionText(d *doc) bool {
	for _, w := range []string{"gdpr", "data subject", "data protection", "personal data", "controller"} {
		if strings.Contains(d.lower, w) {
			return true
		}
	}
	return false
}

// hipaaPortalSentence finds the sentence that shows a text is an HHS breach
// portal summary: a covered entity and protected health information.
func hipaaPortalSentence(d *doc) int {
	var portal, phi bool
	first := -1
	for _, h := range d.hits {
		switch regulatorContexts[h.key] {
		case ctxPortal:
			if h.key == "ce" && d.text[h.start] != 'C' {
				continue // the portal writes the covered entity "CE"
			}
			if !portal {
				portal, first = true, h.sent
			}
		case ctxPHI:
			phi = phi || h.key != "phi" || d.text[h.start] == 'P'
		}
	}
	if !portal || !phi {
		return -1
	}
	return first
}

// Context markers: words that tell what a text is about, so that an
// acronym can be read right ("OCR" in a health text, "ICO" outside crypto
// news) and an HHS portal summary recognised.
const (
	ctxNone = iota
	ctxHealth
	ctxPortal
	ctxPHI
	ctxCrypto
	numContexts
)

var regulatorContexts = map[string]int{
	"health": ctxHealth, "healthcare": ctxHealth, "health care": ctxHealth, "patient": ctxHealth,
	"patients": ctxHealth, "medical": ctxHealth, "hospital": ctxHealth,
	"covered entity": ctxPortal, "covered entities": ctxPortal, "ce": ctxPortal,
	"business associate": ctxPortal, "business associates": ctxPortal,
	"protected health information": ctxPHI, "phi": ctxPHI, "ephi": ctxPHI, "hipaa": ctxPHI,
	"coin offering": ctxCrypto, "token sale": ctxCrypto,
}
