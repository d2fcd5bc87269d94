package rules

import "math"

// Relevance: is the article about an incident in which personal or
// confidential data was exposed, accessed, stolen or lost?
//
// The rule counts sentences that tell of data being taken or exposed: a
// theft or leak verb ("stolen", "leaked") or an access verb ("accessed",
// "exposed") together with a noun for data ("records", "passwords", "Social
// Security numbers") in the same sentence, or a phrase that names a breach by
// itself ("data breach", "exfiltrated"). Vulnerability write-ups, patch notes,
// phishing warnings and ransom stories mostly speak of what an attacker could
// do ("could allow attackers to steal"), of bug classes ("information
// disclosure") or of files encrypted, not data taken; such sentences count
// less or not at all, and many vulnerability sentences lower the score.

// breachRole is what a relevance keyword says about the sentence it is in.
type breachRole uint8

const (
	roleBugClass breachRole = iota + 1 // "information disclosure": a kind of bug, not an incident
	roleSelf                           // names a breach by itself: "data breach", "exfiltrated"
	roleStrong                         // taking or leaking: "stolen", "leaked"; needs a data noun
	roleMedium                         // access or exposure: "accessed", "exposed"; needs a data noun
	roleVuln                           // vulnerability, patch, advisory
)

type breachCue struct {
	key  string
	role breachRole
}

var breachCues = []breachCue{
	{"data breach", roleSelf}, {"data breaches", roleSelf}, {"security breach", roleSelf}, {"security breaches", roleSelf},
	{"privacy breach", roleSelf}, {"privacy breaches", roleSelf}, {"data leak", roleSelf}, {"data leaks", roleSelf},
	{"data theft", roleSelf}, {"data was stolen", roleSelf}, {"data were stolen", roleSelf}, {"identity theft", roleSelf},
	{"exfiltrated", roleSelf}, {"exfiltration", roleSelf}, {"exfiltrate", roleSelf},
	{"breach notification", roleSelf}, {"notification of the breach", roleSelf},
	{"protected health information", roleSelf}, {"unauthorized disclosure", roleSelf}, {"unauthorised disclosure", roleSelf},
	{"impermissibly disclosed", roleSelf}, {"impermissible disclosure", roleSelf},
	// Notification-letter language.
	{"security incident", roleSelf}, {"credit monitoring", roleSelf}, {"identity protection", roleSelf},
	{"identity theft protection", roleSelf}, {"writing to inform you", roleSelf}, {"writing to notify you", roleSelf},
	{"writing to let you know", roleSelf}, {"affected individuals", roleSelf}, {"unauthorized acquisition", roleSelf},
	{"unauthorized party", roleSelf}, {"unauthorized parties", roleSelf}, {"unauthorized third party", roleSelf},
	{"unauthorised third party", roleSelf}, {"unauthorized individual", roleSelf}, {"unauthorized individuals", roleSelf},
	{"unauthorized person", roleSelf}, {"unauthorized persons", roleSelf},

	{"stole", roleStrong}, {"steal", roleStrong}, {"steals", roleStrong}, {"stealing", roleStrong}, {"stolen", roleStrong},
	{"theft", roleStrong}, {"thieves", roleStrong}, {"thief", roleStrong}, {"swiped", roleStrong}, {"siphoned", roleStrong},
	{"pilfered", roleStrong}, {"made off with", roleStrong}, {"breach", roleStrong}, {"breached", roleStrong},
	{"breaches", roleStrong}, {"leak", roleStrong}, {"leaked", roleStrong}, {"leaks", roleStrong}, {"leaking", roleStrong},
	{"dumped", roleStrong}, {"dump", roleStrong}, {"data dump", roleSelf}, {"for sale", roleStrong}, {"lost", roleStrong}, {"went missing", roleStrong},
	{"was missing", roleStrong}, {"were missing", roleStrong}, {"improperly disposed", roleStrong},

	{"accessed", roleMedium}, {"gained access", roleMedium}, {"gain access", roleMedium}, {"unauthorized access", roleMedium},
	{"unauthorised access", roleMedium}, {"exposed", roleMedium}, {"exposing", roleMedium}, {"exposure", roleMedium},
	{"compromised", roleMedium}, {"obtained", roleMedium}, {"obtaining", roleMedium}, {"obtain", roleMedium}, {"gained access to", roleMedium}, {"had access to", roleMedium}, {"intercepted", roleMedium}, {"harvested", roleMedium},
	{"viewed", roleMedium}, {"copied", roleMedium}, {"downloaded", roleMedium}, {"posted online", roleMedium},
	{"published online", roleMedium}, {"made available online", roleMedium}, {"made publicly available", roleMedium},
	{"scraped", roleMedium}, {"able to see", roleMedium}, {"able to view", roleMedium}, {"able to access", roleMedium},
	{"disclosed", roleMedium}, {"inadvertently sent", roleMedium}, {"mistakenly sent", roleMedium},
	{"sent to the wrong", roleMedium}, {"publicly accessible", roleMedium},
	{"inappropriately", roleMedium}, {"misused", roleMedium},

	{"information disclosure", roleBugClass}, {"information leak", roleBugClass}, {"info leak", roleBugClass},
	{"memory leak", roleBugClass}, {"information leak vulnerability", roleBugClass}, {"leak information", roleBugClass},

	{"vulnerability", roleVuln}, {"vulnerabilities", roleVuln}, {"flaw", roleVuln}, {"flaws", roleVuln},
	{"patch", roleVuln}, {"patches", roleVuln}, {"patched", roleVuln}, {"proof-of-concept", roleVuln},
	{"proof of concept", roleVuln}, {"zero-day", roleVuln}, {"security update", roleVuln}, {"security updates", roleVuln},
	{"advisory", roleVuln}, {"bug", roleVuln}, {"bugs", roleVuln}, {"exploit", roleVuln}, {"exploits", roleVuln},
}

// breachRoles maps a keyword to its role. Hits are looked up by key, not by
// category, so a keyword another rule registers too still counts here.
var breachRoles = func() map[string]breachRole {
	m := make(map[string]breachRole, len(breachCues))
	for _, c := range breachCues {
		m[c.key] = c.role
	}
	return m
}()

var _ = func() bool {
	var keys []string
	for _, c := range breachCues {
		keys = append(keys, c.key)
	}
	register(catBreach, keys...)
	return true
}()

// Word classes checked in candidate sentences only. A word-by-word lookup
// (words and two- or three-word phrases) is cheaper than a regexp with many
// alternatives, and a candidate sentence is short.
const (
	wordData    uint8 = 1 << iota // a noun for data: "records", "passwords", "dates of birth"
	wordIntent                    // what could or was meant to happen: "could", "designed to", "your"
	wordRansom                    // files locked for ransom: "encrypted", "ransom"
	wordHeadCue                   // a breach word in a headline: "hacked", "leaks"
)

var wordClasses = func() map[string]uint8 {
	m := map[string]uint8{}
	add := func(class uint8, words ...string) {
		for _, w := range words {
			m[w] |= class
		}
	}
	add(wordData, "data", "information", "info", "details", "records", "credentials", "password", "passwords",
		"username", "usernames", "user names", "login", "logins", "email", "emails", "e-mail", "e-mails",
		"card number", "card numbers", "credit card", "credit cards", "debit card", "debit cards", "payment card",
		"payment cards", "bank account", "bank details", "social security", "ssn", "ssns", "date of birth",
		"dates of birth", "birth date", "birth dates", "birthdates", "phone numbers", "addresses", "files", "documents",
		"database", "databases", "messages", "contacts", "w-2", "w-2s", "tax forms", "tax returns", "account details",
		"pii", "phi", "patient", "patients", "laptop", "laptops", "hard drive", "hard drives", "backup tape",
		"backup tapes")
	add(wordIntent, "designed to", "attempt to", "attempts to", "attempting to", "try to", "trying to", "tries to",
		"trick", "tricks", "tricked", "aim to", "aims to", "an effort", "goal", "could", "can", "may", "might", "would",
		"allow", "allows", "allowed", "enable", "enables", "enabling", "potentially", "if", "you", "your")
	add(wordRansom, "ransom", "ransomware", "encrypt", "encrypted", "encrypting", "decrypt", "decryption", "locked",
		"bitcoin", "bitcoins")
	add(wordHeadCue, "breach", "breached", "breaches", "hack", "hacked", "hacker", "hackers", "stolen", "steal", "steals",
		"stole", "leak", "leaked", "leaks", "exposed", "exposes", "theft")
	return m
}()

// wordClassesIn returns the classes of the words and two- and three-word
// phrases in lower (ASCII lower-cased text), which it does not copy.
func wordClassesIn(lower string) uint8 {
	var classes uint8
	start1, start2 := -1, -1 // starts of the previous two words
	for i := 0; i < len(lower); {
		if !isWordByte(lower[i]) {
			i++
			continue
		}
		j := i
		for j < len(lower) && (isWordByte(lower[j]) || (lower[j] == '-' && j+1 < len(lower) && isWordByte(lower[j+1]))) {
			j++
		}
		classes |= wordClasses[lower[i:j]]
		if start1 >= 0 {
			classes |= wordClasses[lower[start1:j]]
		}
		if start2 >= 0 {
			classes |= wordClasses[lower[start2:j]]
		}
		start2, start1 = start1, i
		i = j
	}
	return classes
}

// isWordByte: an ASCII letter or digit, or any byte of a non-ASCII rune
// (so that words with accents stay whole).
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c >= 0x80
}

// Weights of the relevance score. A sentence that tells of data taken counts
// 1, one that tells of data accessed or exposed counts a half; either counts
// less when it says what could or was meant to happen. The threshold is one
// such sentence, or a weaker one backed by the headline.
const (
	relevanceMedium    = 0.6
	relevanceIntent    = 0.75
	relevanceHeadline  = 0.5
	relevanceVuln      = 0.03 // per vulnerability sentence, at most relevanceVulnMax of them
	relevanceVulnMax   = 10
	relevanceThreshold = 0.44
)

// relevance scores the article and decides whether it is about a breach.
func relevance(d *doc) (bool, float64) {
	score := breachScore(d)
	if score <= 0 {
		return false, 0
	}
	rel := score / (score + relevanceThreshold) // 0.5 at the threshold
	return score >= relevanceThreshold, math.Round(rel*1000) / 1000
}

// breachScore sums the sentence weights described above.
func breachScore(d *doc) float64 {
	var score float64
	vuln := 0
	hits := d.hits
	for i := 0; i < len(hits); {
		sent := hits[i].sent
		j := i
		for j < len(hits) && hits[j].sent == sent {
			j++
		}
		if sent >= 0 {
			w, strongest, isVuln := sentenceBreachWeight(d, sent, hits[i:j])
			if sent == 0 && d.title == "" && isHeadline(d, 0) && (strongest == roleSelf || strongest == roleStrong) {
				// The first line is the headline when no title is given:
				// "Hackers leak ..." there speaks for the whole article.
				w += relevanceHeadline
			}
			score += w
			if isVuln {
				vuln++
			}
		}
		i = j
	}
	if d.title != "" {
		// A headline given apart from the text: a breach word counts when it
		// names data ("leaks passwords") or the text backs it.
		if c := wordClassesIn(asciiLower(d.title)); c&wordHeadCue != 0 && (score > 0 || c&wordData != 0) {
			score += relevanceHeadline
		}
	}
	score -= relevanceVuln * float64(min(vuln, relevanceVulnMax))
	return score
}

// sentenceBreachWeight is what sentence i adds to the score, given its
// keyword hits; isVuln says whether it speaks of a vulnerability or patch.
func sentenceBreachWeight(d *doc, i int, hits []hit) (w float64, best breachRole, isVuln bool) {
	var bugSpans [4]span
	nbug := 0
	for _, h := range hits {
		switch breachRoles[h.key] {
		case roleVuln:
			isVuln = true
		case roleBugClass:
			if nbug < len(bugSpans) {
				bugSpans[nbug] = span{h.start, h.end}
				nbug++
			}
		}
	}
	for _, h := range hits {
		role, ok := breachRoles[h.key]
		if !ok || role == roleVuln || role == roleBugClass || inSpans(bugSpans[:nbug], h.start, h.end) {
			continue
		}
		if best == 0 || role < best {
			best = role
		}
	}
	if best == 0 {
		return 0, 0, isVuln
	}
	s := d.sents[i]
	words := wordClassesIn(d.lower[s.start:s.end])
	switch best {
	case roleSelf:
		w = 1
	case roleStrong:
		if words&wordData != 0 {
			w = 1
		}
	case roleMedium:
		// "could not access the encrypted files" is a ransom story.
		if words&wordData != 0 && words&wordRansom == 0 {
			w = relevanceMedium
		}
	}
	if w > 0 && words&wordIntent != 0 {
		w *= relevanceIntent
	}
	return w, best, isVuln
}

// isHeadline: sentence i is a short line of its own.
func isHeadline(d *doc, i int) bool {
	s := d.sents[i]
	if s.end-s.start > 200 {
		return false
	}
	rest := d.text[s.end:]
	for j := 0; j < len(rest); j++ {
		switch rest[j] {
		case ' ', '\t', '\r':
			continue
		case '\n':
			return true
		}
		return false
	}
	return true
}

// inSpans reports whether [start, end) lies inside one of spans.
func inSpans(spans []span, start, end int) bool {
	for _, s := range spans {
		if s.start <= start && end <= s.end {
			return true
		}
	}
	return false
}
