package rules

import (
	"math"
	"strings"
)

// Relevance: is the article about an incident in which personal or
// confidential data was exposed, accessed, stolen or lost?
//
// The article is described by a few dozen general cue features (listed with
// their meaning at relFeature below): sentences that tell of data taken or
// exposed, of a named victim hit by an attack, of customers notified, of data
// for sale; and sentences that mark the kinds of security news that are not
// breaches: vulnerability write-ups and patches, scam and phishing warnings,
// ransomware that only locks files, malware and trend pieces. The headline
// counts apart. Beside the cues, a lexicon of common words (relWords) adds a
// small weight for each word present anywhere in the article: the register
// of a breach report ("we", "personal", "later", "group") differs from that
// of a how-to or a research write-up ("can", "make", "researcher",
// "exploit") in many words, each too weak to be a cue. The score is a
// logistic function of the cue features' weighted sum plus the words'
// weights. All weights (relevance_weights.go) were fitted together with L2
// regularisation by scripts/fit-relevance on labelled news; the lexicon is
// the words found in at least ten of those articles, leaving out words that
// are mostly capitalised inside a sentence (names of companies, products and
// places), so that it describes the kind of text rather than the stories it
// was fitted on. The threshold, chosen on out-of-fold scores, is folded into
// the bias so that a score of 0.5 is the decision boundary. Every feature is
// a count of keyword hits or of sentences, or a word, so
// relevanceContributions can say what moved the score. (Features for
// researchers' findings, CVE identifiers, bug classes and second-person
// advice were tried and dropped: they added nothing under cross-validation
// beyond the vulnerability, patch and scam counts.) Note what the fit says
// about the labelled news: any talk of data accessed, even hedged ("may have
// been") or denied ("no evidence that ... was accessed"), makes a breach
// story more likely; a victim "hit by" ransomware alone is a coin toss; and a
// theft verb counts whatever was taken (a film, game code, "stolen" on its
// own), so it is a feature apart from the data-noun rule. Money is the
// exception: "steal funds" is fraud, so a money word keeps a sentence from
// being a theft of data. (Tried under cross-validation and dropped, adding
// nothing: requiring the data noun within a few words of the verb,
// first-person statements, second-person warnings about scams, data
// inventories ("including names and addresses"), espionage words, counts of
// affected people anywhere, and pairwise products of the cue families.)

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

// cueMask marks the cue families a relevance keyword belongs to. The
// families are kinds of statement, not topics of any one story.
type cueMask uint32

const (
	cueVuln     cueMask = 1 << iota // a weakness: "vulnerability", "flaw", "zero-day", "exploit"
	cuePatch                        // a fix: "patch", "security update", "fixed"
	cueScam                         // a campaign against the public: "scam", "phishing", "fake", "spoofed"
	cueRansom                       // files locked for money: "ransomware", "decryption", "bitcoin"
	cueTrend                        // statistics and trends: "percent", "on the rise", "survey"
	cueIncident                     // a victim hit: "was hacked", "hit by", "fell victim", "attack on"
	cueNotify                       // the victim's response: "notified", "affected customers", "apologised"
	cueSale                         // data offered or published: "dark web", "for sale", "posted online"
	cueMalware                      // malicious software: "malware", "trojan", "botnet"
	cueActor                        // who attacked: "hackers", "attackers", "cybercriminals"
	cueNeg                          // denial: "no evidence", "was not", "no personal"
	cueHack                         // "hacked", "hacking", "hack"
	cueData                         // personal or confidential data: "personal information", "passwords"
	cueSteal                        // a theft verb, whatever was taken: "stole", "stolen", "stealing"
)

var relevanceCues = []struct {
	mask cueMask
	keys []string
}{
	{cueVuln, []string{"vulnerability", "vulnerabilities", "vulnerable", "flaw", "flaws", "bug", "bugs", "zero-day",
		"zero-days", "0-day", "exploit", "exploits", "exploitable", "exploited", "remote code execution",
		"privilege escalation", "cross-site scripting", "buffer overflow", "security hole", "weakness", "advisory"}},
	{cuePatch, []string{"patch", "patches", "patched", "patching", "unpatched", "security update", "security updates",
		"update", "updates", "updated", "fix", "fixes", "fixed", "firmware", "mitigation", "mitigations", "workaround",
		"upgrade to", "released a fix", "version"}},
	{cueScam, []string{"scam", "scams", "scammer", "scammers", "phishing", "phish", "phishers", "fake", "bogus",
		"spoofed", "spoof", "fraudulent", "impersonate", "impersonating", "pretending to be", "pretends to be",
		"posing as", "malicious link", "malicious links", "click on", "clicking", "attachment", "attachments",
		"lure", "lures", "spam", "robocall", "robocalls", "beware", "be wary", "be careful"}},
	{cueRansom, []string{"ransomware", "ransom", "decrypt", "decryption", "decryptor", "encrypted", "encrypts",
		"encrypting", "bitcoin", "bitcoins", "extortion", "extort", "locked", "pay up"}},
	{cueTrend, []string{"percent", "per cent", "on the rise", "rise in", "increase in", "increasing", "increasingly",
		"surge", "survey", "surveyed", "study", "statistics", "trend", "trends", "year-over-year", "more and more",
		"growing", "report found", "according to a report", "according to the report", "quarter", "respondents"}},
	{cueIncident, []string{"was hacked", "were hacked", "been hacked", "got hacked", "hacked into", "hit by", "hit with",
		"fell victim", "victim of", "victims of", "suffered a", "suffered an", "cyberattack on", "cyber attack on",
		"cyber-attack on", "attack on", "attack against", "intrusion", "breached", "compromised", "infiltrated",
		"broke into", "gained access", "unauthorized access", "unauthorised access", "was attacked", "were attacked",
		"targeted by", "affected by the", "confirmed that", "confirmed the", "admitted"}},
	{cueNotify, []string{"notified", "notifying", "notify", "notification", "affected customers", "affected users",
		"affected individuals", "affected patients", "apologised", "apologized", "apologise", "apologize",
		"credit monitoring", "informed customers", "contacting", "reset their passwords", "law enforcement",
		"investigating the incident", "forensic", "class action", "class-action", "lawsuit"}},
	{cueSale, []string{"dark web", "darkweb", "for sale", "sold", "selling", "sells", "underground forum",
		"hacking forum", "posted online", "published online", "pastebin", "dumped", "dump", "leaked online",
		"wikileaks", "released online", "torrent"}},
	{cueMalware, []string{"malware", "trojan", "trojans", "botnet", "botnets", "spyware", "keylogger", "virus",
		"worm", "backdoor", "variant", "variants", "infected", "infect", "infects", "infection", "payload",
		"dropper", "strain"}},
	{cueActor, []string{"hacker", "hackers", "hacking group", "cybercriminals", "cyber criminals", "attackers",
		"threat actor", "threat actors", "criminals", "crooks", "intruder", "intruders", "hacktivist", "hacktivists"}},
	{cueHack, []string{"hack", "hacked", "hacks", "hacking", "hacked into", "cyberattack", "cyber-attack",
		"cyber attack", "cyberattacks", "cyber-attacks", "cyber attacks"}},
	{cueData, []string{"personal information", "personal data", "personal details", "customer data",
		"customer information", "user data", "sensitive data", "sensitive information", "credentials", "passwords",
		"password", "usernames", "email addresses", "e-mail addresses", "phone numbers", "social security",
		"credit card", "credit cards", "card numbers", "payment card", "bank account", "dates of birth",
		"date of birth", "addresses", "medical records", "health information", "patient data", "patient information",
		"account information", "account details", "login details", "records", "confidential", "emails", "documents",
		"source code", "intellectual property"}},
	{cueSteal, []string{"steal", "steals", "stole", "stolen", "stealing"}},
	{cueNeg, []string{"no evidence", "no indication", "no sign", "no signs", "no personal", "no customer", "no data",
		"no information", "no sensitive", "not been accessed", "not accessed", "not compromised", "was not",
		"were not", "has not", "have not", "had not", "did not", "nothing"}},
}

// relevanceCueMasks maps a keyword to its families (a keyword may be in
// several, and also be a breachCue).
var relevanceCueMasks = func() map[string]cueMask {
	m := map[string]cueMask{}
	for _, c := range relevanceCues {
		for _, k := range c.keys {
			m[k] |= c.mask
		}
	}
	for _, c := range breachCues {
		if _, ok := m[c.key]; !ok {
			m[c.key] = 0
		}
	}
	return m
}()

var _ = func() bool {
	for _, c := range relevanceCues {
		register(catNotBreach, c.keys...)
	}
	return true
}()

// Word classes checked in candidate sentences and headlines only. A
// word-by-word lookup (words and two- or three-word phrases) is cheaper than
// a regexp with many alternatives, and a candidate sentence is short.
const (
	wordData    uint16 = 1 << iota // a noun for data: "records", "passwords", "dates of birth"
	wordIntent                     // what could or was meant to happen: "could", "designed to", "your"
	wordRansom                     // files locked for ransom: "encrypted", "ransom"
	wordHeadCue                    // a breach word: "breach", "leaks", "stolen"
	wordPeople                     // whose data: "customers", "patients", "accounts"
	wordNumber                     // a count: digits, "million", "thousands"
	wordHacked                     // an attack word: "hacked", "cyberattack", "hit"
	wordScam                       // "scam", "phishing", "fake", "warning"
	wordExplain                    // a how-to or trend headline: "how", "why", "rise", "report"
	wordMoney                      // what thieves take that is not data: "money", "funds", "bitcoin"
)

// wordPhraseStart marks (in wordClasses) a word that begins a two- or
// three-word entry, so that phrases are looked up only after such a word.
const wordPhraseStart uint16 = 1 << 15

var wordClasses = func() map[string]uint16 {
	m := map[string]uint16{}
	add := func(class uint16, words ...string) {
		for _, w := range words {
			m[w] |= class
			if first, _, ok := strings.Cut(w, " "); ok {
				m[first] |= wordPhraseStart
			}
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
	add(wordHeadCue, "breach", "breached", "breaches", "stolen", "steal", "steals", "stole", "stealing", "leak",
		"leaked", "leaks", "exposed", "exposes", "exposing", "theft", "dump", "dumped", "exfiltrated")
	add(wordPeople, "customers", "customer", "users", "user", "accounts", "patients", "people", "employees",
		"members", "students", "individuals", "clients", "consumers", "subscribers", "players", "voters",
		"passengers", "guests", "taxpayers", "staff", "workers", "residents", "records", "account holders")
	add(wordMoney, "money", "funds", "cash", "bitcoin", "bitcoins", "coins", "cryptocurrency", "ether", "payments",
		"refund", "refunds", "wallet", "wallets")
	add(wordNumber, "million", "millions", "thousand", "thousands", "hundreds", "billion")
	add(wordHacked, "hack", "hacked", "hacks", "hacking", "hacker", "hackers", "hit", "hits", "attack", "attacked",
		"cyberattack", "cyber-attack", "cyber attack", "compromised", "compromise", "victim", "victims", "suffers",
		"suffered", "intrusion", "infiltrated", "targeted")
	add(wordScam, "scam", "scams", "scammer", "scammers", "phishing", "phish", "fake", "bogus", "beware", "warning",
		"warns", "warned", "alert", "spam", "fraudsters")
	add(wordExplain, "how", "why", "what", "rise", "rising", "increase", "increasing", "increasingly", "surge",
		"report", "study", "survey", "trends", "tips", "top", "most", "growing", "new")
	return m
}()

// wordClassesIn returns the classes of the words and two- and three-word
// phrases in lower (ASCII lower-cased text), which it does not copy. A word
// that starts with a digit is a number.
func wordClassesIn(lower string) uint16 {
	var classes uint16
	start1, start2 := -1, -1 // starts of the previous two words, if they begin a phrase
	for i := 0; i < len(lower); {
		if !isWordByte(lower[i]) {
			i++
			continue
		}
		j := i
		for j < len(lower) && (isWordByte(lower[j]) || (lower[j] == '-' && j+1 < len(lower) && isWordByte(lower[j+1]))) {
			j++
		}
		if '0' <= lower[i] && lower[i] <= '9' {
			classes |= wordNumber
		}
		c := wordClasses[lower[i:j]]
		classes |= c
		if start1 >= 0 {
			classes |= wordClasses[lower[start1:j]]
		}
		if start2 >= 0 {
			classes |= wordClasses[lower[start2:j]]
		}
		start2, start1 = start1, -1
		if c&wordPhraseStart != 0 {
			start1 = i
		}
		i = j
	}
	return classes &^ wordPhraseStart
}

// isWordByte: an ASCII letter or digit, or any byte of a non-ASCII rune
// (so that words with accents stay whole).
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c >= 0x80
}

// relFeature indexes the relevance features. Counts of sentences enter as
// log(1+n), so the tenth sentence of a kind adds less than the first; flags
// are 0 or 1. "Breach sentence" below means a sentence with a phrase that
// names a breach ("data breach"), or a theft or leak verb with a data noun,
// or an access or exposure verb with a data noun (not in a ransom sentence).
type relFeature int

const (
	fSelf        relFeature = iota // breach-naming sentences ("data breach", "exfiltrated"), not denied
	fTheft                         // theft or leak verb + data noun, stated as fact (no "could", "you")
	fAccess                        // access or exposure verb + data noun, stated as fact
	fHedged                        // breach sentences that say what could or was meant to happen
	fDenied                        // breach sentences with a denial ("no evidence that data was accessed")
	fEarly                         // flag: a factual breach sentence among the first three of the body
	fCount                         // flag: a breach sentence with a number and a people or record noun
	fIncident                      // sentences where a victim was hit ("was hacked", "hit by", "attack on")
	fNotify                        // sentences of the victim's response ("notified", "apologised", "lawsuit")
	fSale                          // sentences of data offered or published ("dark web", "for sale")
	fActor                         // sentences naming attackers ("hackers", "cybercriminals")
	fVuln                          // sentences about a weakness ("vulnerability", "flaw", "exploit")
	fPatch                         // sentences about a fix ("patch", "security update", "version")
	fScam                          // sentences about a campaign ("scam", "phishing", "fake")
	fRansom                        // sentences about locked files ("ransomware", "decryption", "bitcoin")
	fTrend                         // sentences about statistics and trends ("percent", "survey")
	fMalware                       // sentences about malicious software ("malware", "trojan")
	fHeadBreach                    // headline: a breach word ("breach", "leaked", "stolen", "exposed")
	fHeadHacked                    // headline: an attack word ("hacked", "hit", "cyberattack", "victim")
	fHeadScam                      // headline: a campaign or warning ("scam", "phishing", "beware")
	fHeadExplain                   // headline: explainer or trend ("how", "why", "rise", "report", "new")
	fHeadCount                     // headline: a number ("1.5 million", "40,000")
	fLength                        // log(1+body sentences) / 4: longer articles mention more of everything
	fAny                           // flag: any breach sentence at all (factual, hedged or denied) or breach headline
	fHack                          // sentences with "hacked", "hacking", "cyberattack"
	fSum                           // log(1 + factual breach sentences + 0.75 x hedged): how much of the article is breach
	fData                          // sentences naming personal or confidential data ("personal information")
	fBare                          // theft or access verbs without a data noun ("systems were compromised")
	fSteal                         // sentences with a theft verb, whatever its object ("stole the film", "stolen")
	numRelFeatures
)

// relFeatureNames name the features in relevanceContributions and in the
// fitting script's output (same order as the constants).
var relFeatureNames = [numRelFeatures]string{
	"self", "theft", "access", "hedged", "denied", "early", "count", "incident", "notify", "sale", "actor",
	"vuln", "patch", "scam", "ransom", "trend", "malware", "head_breach", "head_hacked", "head_scam",
	"head_explain", "head_count", "length", "any", "hack", "sum", "data", "bare", "steal",
}

// relevance scores the article and decides whether it is about a breach.
func relevance(d *doc) (bool, float64) {
	if len(d.sents) == 0 {
		return false, 0
	}
	x := relevanceFeatures(d)
	z := relBias
	for i, v := range x {
		z += relWeights[i] * v
	}
	forEachLexiconWord(d, func(i int) { z += relWords[i].weight })
	score := math.Round(1000/(1+math.Exp(-z))) / 1000
	return score >= 0.5, score
}

// relevanceContributions explains a score: each feature's value times its
// weight, and each lexicon word's weight as "word:<w>" (the bias is not
// included).
func relevanceContributions(d *doc) map[string]float64 {
	x := relevanceFeatures(d)
	out := make(map[string]float64, numRelFeatures)
	for i, v := range x {
		if v != 0 {
			out[relFeatureNames[i]] = v * relWeights[i]
		}
	}
	forEachLexiconWord(d, func(i int) { out["word:"+relWords[i].word] = relWords[i].weight })
	return out
}

// relWord is a word of the relevance lexicon and its fitted weight, added
// once when the word is anywhere in the headline or the text.
type relWord struct {
	word   string
	weight float64
}

// relWordIndex maps a lexicon word to its place in relWords.
var relWordIndex = func() map[string]int {
	m := make(map[string]int, len(relWords))
	for i, w := range relWords {
		m[w.word] = i
	}
	return m
}()

// forEachLexiconWord calls fn once with the index in relWords of each
// lexicon word in the headline or the text.
func forEachLexiconWord(d *doc, fn func(i int)) {
	seen := make([]uint64, (len(relWords)+63)/64)
	visit := func(lower string) {
		forEachWord(lower, func(start, end int) {
			if i, ok := relWordIndex[lower[start:end]]; ok && seen[i/64]&(1<<(i%64)) == 0 {
				seen[i/64] |= 1 << (i % 64)
				fn(i)
			}
		})
	}
	if d.title != "" {
		visit(d.titleLower)
	}
	visit(d.lower)
}

// forEachWord calls fn with the offsets of each word in lower (ASCII
// lower-cased text): a run of ASCII letters, apostrophes and hyphens
// ("don't", "zero-day") that no letter or digit touches (wordBefore,
// wordAfter: the keyword pass's boundaries), with its outer apostrophes and
// hyphens trimmed, of two letters or more.
// A run that touches a digit or an accented letter ("mp3", "café") is not a
// word of the lexicon.
func forEachWord(lower string, fn func(start, end int)) {
	inRun := func(c byte) bool { return 'a' <= c && c <= 'z' || c == '\'' || c == '-' }
	for i := 0; i < len(lower); {
		if !inRun(lower[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(lower) && inRun(lower[j]) {
			j++
		}
		start, end := i, j
		for start < end && (lower[start] == '\'' || lower[start] == '-') {
			start++
		}
		for end > start && (lower[end-1] == '\'' || lower[end-1] == '-') {
			end--
		}
		if end-start >= 2 && !wordBefore(lower, i) && !wordAfter(lower, j) {
			fn(start, end)
		}
		i = j
	}
}

// headlineOf returns the headline (lower-cased) and the byte offset where the
// body starts: a given title that also opens the text is skipped in the
// body; without a title, a short first line is the headline.
func headlineOf(d *doc) (string, int) {
	if d.title != "" {
		body := 0
		lead := len(d.text) - len(trimLeftSpace(d.text))
		if len(d.text)-lead >= len(d.title) && d.text[lead:lead+len(d.title)] == d.title {
			body = lead + len(d.title)
		}
		return d.titleLower, body
	}
	if len(d.sents) > 1 && isHeadline(d, 0) {
		s := d.sents[0]
		return d.lower[s.start:s.end], s.end
	}
	return "", 0
}

func trimLeftSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\r' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

// relevanceFeatures computes the features from the keyword hits, sentence by
// sentence; word classes are looked up only in sentences with a breach cue.
func relevanceFeatures(d *doc) [numRelFeatures]float64 {
	var x [numRelFeatures]float64
	var n [numRelFeatures]int // sentence counts
	head, bodyStart := headlineOf(d)
	body := 0
	for _, s := range d.sents {
		if s.start >= bodyStart {
			body++
		}
	}
	bodyIndex := -1 // index of the current sentence in the body
	lastSent := -1
	hits := d.hits
	for i := 0; i < len(hits); {
		sent := hits[i].sent
		j := i
		for j < len(hits) && hits[j].sent == sent {
			j++
		}
		group := hits[i:j]
		i = j
		if sent < 0 || d.sents[sent].start < bodyStart {
			continue
		}
		// The body index counts sentences, with or without hits.
		if bodyIndex < 0 {
			bodyIndex = 0
			for k := 0; k < sent; k++ {
				if d.sents[k].start >= bodyStart {
					bodyIndex++
				}
			}
		} else {
			bodyIndex += sent - lastSent
		}
		lastSent = sent

		var mask cueMask
		var bugSpans [4]span
		nbug := 0
		for _, h := range group {
			mask |= relevanceCueMasks[h.key]
			if breachRoles[h.key] == roleBugClass && nbug < len(bugSpans) {
				bugSpans[nbug] = span{h.start, h.end}
				nbug++
			}
		}
		var best breachRole
		for _, h := range group {
			role := breachRoles[h.key]
			if role == 0 || role == roleVuln || role == roleBugClass || inSpans(bugSpans[:nbug], h.start, h.end) {
				continue
			}
			if best == 0 || role < best {
				best = role
			}
		}
		count := func(f relFeature, m cueMask) {
			if mask&m != 0 {
				n[f]++
			}
		}
		count(fIncident, cueIncident)
		count(fNotify, cueNotify)
		count(fSale, cueSale)
		count(fActor, cueActor)
		count(fVuln, cueVuln)
		count(fPatch, cuePatch)
		count(fScam, cueScam)
		count(fRansom, cueRansom)
		count(fTrend, cueTrend)
		count(fMalware, cueMalware)
		count(fHack, cueHack)
		count(fData, cueData)
		count(fSteal, cueSteal)
		if best == 0 {
			continue
		}
		s := d.sents[sent]
		words := wordClassesIn(d.lower[s.start:s.end])
		// A theft or access verb needs a data noun in the sentence and no
		// word for money: "steal funds" is fraud, "stole card numbers" a
		// breach.
		taken := words&wordData != 0 && words&wordMoney == 0
		breach := best == roleSelf ||
			best == roleStrong && taken ||
			best == roleMedium && taken && words&wordRansom == 0
		if !breach {
			if best != roleSelf {
				n[fBare]++
			}
			continue
		}
		switch {
		case mask&cueNeg != 0:
			n[fDenied]++
			continue
		case words&wordIntent != 0:
			n[fHedged]++
			continue
		case best == roleSelf:
			n[fSelf]++
		case best == roleStrong:
			n[fTheft]++
		default:
			n[fAccess]++
		}
		if bodyIndex < 3 {
			x[fEarly] = 1
		}
		if words&wordNumber != 0 && words&wordPeople != 0 {
			x[fCount] = 1
		}
	}
	factual := n[fSelf] + n[fTheft] + n[fAccess]
	if factual+n[fHedged]+n[fDenied] > 0 {
		x[fAny] = 1
	}
	x[fSum] = math.Log1p(float64(factual) + 0.75*float64(n[fHedged]))
	for _, f := range []relFeature{fSelf, fTheft, fAccess, fHedged, fDenied, fIncident, fNotify, fSale, fActor,
		fVuln, fPatch, fScam, fRansom, fTrend, fMalware, fHack, fData, fBare, fSteal} {
		x[f] = math.Log1p(float64(n[f]))
	}
	x[fLength] = math.Log1p(float64(body)) / 4
	if head != "" {
		w := wordClassesIn(head)
		flag := func(f relFeature, class uint16) {
			if w&class != 0 {
				x[f] = 1
			}
		}
		flag(fHeadBreach, wordHeadCue)
		flag(fAny, wordHeadCue)
		flag(fHeadHacked, wordHacked)
		flag(fHeadScam, wordScam)
		flag(fHeadExplain, wordExplain)
		flag(fHeadCount, wordNumber)
	}
	return x
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
