package rules

import (
	"math"
	"sort"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Cause: why the breach happened, from the closed list in the design.
//
// Each sentence is scored for every category. Some keywords name a cause by
// themselves ("ransomware", "phishing", "misconfigured", "coding error");
// others count only together with a second keyword in the same sentence: a
// device noun with a loss word is a lost or stolen device ("a laptop was
// stolen"), a paper noun with a loss word is lost paper, a contractor or
// vendor with an incident word is a third party at fault ("the vendor's
// server was hacked"), an employee with a misuse word is an insider ("an
// employee accessed records without a business need"). The category with the
// highest total is primary; others with enough weight contribute. A keyword
// inside a longer one is ignored, so "unauthorized third party" is an
// attacker, not a vendor, and "computer systems" is not a device.

// causeRole says how a cause keyword counts.
type causeRole uint8

const (
	causeDirect   causeRole = iota + 1 // names the category by itself
	causeDevice                        // laptop, hard drive: needs a loss word
	causePaper                         // paper records, boxes: needs a loss word
	causeLoss                          // stolen, lost, missing
	causeVendor                        // contractor, vendor: needs an incident word
	causeIncident                      // hacked, accessed, exposed: confirms a vendor's part
	causeEmployee                      // employee, staff member: needs a misuse word
	causeMisuse                        // inappropriately, without permission
	causeNeutral                       // only hides the keywords inside it
)

type causeCue struct {
	key  string
	role causeRole
	cat  bwv1.Cause
	w    float64
}

const (
	cHacking  = bwv1.Cause_CAUSE_HACKING
	cMalware  = bwv1.Cause_CAUSE_MALWARE_RANSOMWARE
	cPhishing = bwv1.Cause_CAUSE_PHISHING_SOCIAL
	cBug      = bwv1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE
	cExposure = bwv1.Cause_CAUSE_MISCONFIGURATION_EXPOSURE
	cThird    = bwv1.Cause_CAUSE_THIRD_PARTY
	cInsider  = bwv1.Cause_CAUSE_INSIDER_MISUSE
	cDevice   = bwv1.Cause_CAUSE_LOST_STOLEN_DEVICE
	cPaper    = bwv1.Cause_CAUSE_PHYSICAL_PAPER
	cUnknown  = bwv1.Cause_CAUSE_UNKNOWN
)

// Weights of the pair rules.
const (
	causeDeviceLoss  = 2.5 // device noun + loss word
	causePaperLoss   = 2.0 // paper noun + loss word
	causeVendorHit   = 2.5 // vendor noun + incident word
	causeVendorAlone = 0.3 // vendor noun alone
	causeInsiderPair = 2.5 // employee noun + misuse word
)

func direct(cat bwv1.Cause, w float64, keys ...string) []causeCue {
	out := make([]causeCue, len(keys))
	for i, k := range keys {
		out[i] = causeCue{key: k, role: causeDirect, cat: cat, w: w}
	}
	return out
}

func roled(role causeRole, keys ...string) []causeCue {
	out := make([]causeCue, len(keys))
	for i, k := range keys {
		out[i] = causeCue{key: k, role: role}
	}
	return out
}

var causeCues = concatCues(
	// hacking: someone from outside broke in.
	direct(cHacking, 1, "hacked", "hacker", "hackers", "hacking", "hack", "cyberattack", "cyberattacks", "cyber attack",
		"cyber-attack", "cyber attacks", "unauthorized access", "unauthorised access", "gained access", "intrusion",
		"infiltrated", "attackers", "attacker", "cybercriminals", "cyber criminals", "unauthorized third party",
		"unauthorized third parties", "unauthorised third party", "unknown third party", "unauthorized party",
		"unauthorized person", "unauthorized persons", "unauthorized individual", "unauthorized individuals",
		"unauthorized actor", "unauthorized user", "unauthorized users", "website compromise", "criminal hackers",
		"accessed without authorization", "without authorization", "unlawful access"),
	direct(cHacking, 1.5, "hacked into", "broke into our", "compromised server", "sql injection", "brute force",
		"brute-force", "credential stuffing", "exploited a vulnerability", "exploited vulnerabilities", "heartbleed"),
	// malware_ransomware
	direct(cMalware, 2, "malware", "ransomware", "malicious software", "trojan", "keylogger",
		"keyloggers", "keylogging", "spyware", "malicious code", "ram scraper", "ram-scraping", "card skimming", "magecart",
		"infected with", "unauthorized code"),
	direct(cMalware, 1, "virus", "computer virus"),
	// phishing_social
	direct(cPhishing, 2.5, "phishing", "phished", "spear-phishing", "spear phishing", "phishing email", "phishing emails",
		"phishing attack", "phishing scam", "social engineering", "business email compromise", "impersonating",
		"impersonated", "posing as", "pretending to be", "fraudulent email", "fraudulent emails", "spoofed email",
		"spoofed emails", "pretexting", "vishing", "smishing", "w-2 scam", "tricked", "fraudulent phone call"),
	// software_bug_upgrade
	direct(cBug, 3, "coding error", "programming error", "programming change", "code change"),
	direct(cBug, 2, "software upgrade", "system upgrade", "systems upgrade", "software update", "system update",
		"billing system", "migration", "migrating", "software error", "software bug", "software glitch", "technical glitch", "computer glitch", "glitch",
		"botched", "it upgrade", "upgrade", "upgraded", "upgrading"),
	direct(cBug, 1, "technical error", "technical issue", "system error", "computer error", "bug"),
	// misconfiguration_exposure
	direct(cExposure, 2, "misconfigured", "misconfiguration", "improperly configured", "incorrectly configured",
		"unsecured server", "unsecured database", "unprotected database", "unsecured", "s3 bucket", "open database",
		"inadvertently posted", "inadvertently sent", "inadvertently emailed", "inadvertently published",
		"inadvertently disclosed", "mistakenly sent", "accidentally sent", "accidentally posted", "sent in error",
		"sent to the wrong", "mailed to the wrong", "wrong address", "wrong addresses", "incorrect address",
		"incorrect addresses", "wrong recipient", "misdirected", "misdelivered", "misaddressed", "not blind copied",
		"user error", "human error", "without password protection", "no password", "indexed by search engines",
		"publicly accessible", "publicly exposed", "exposed online"),
	direct(cExposure, 1, "inadvertently", "accidentally", "mistakenly", "in error", "by mistake", "publicly available",
		"posted online", "search engine"),
	// insider_misuse
	direct(cInsider, 2, "rogue employee", "disgruntled employee", "dishonest employee", "insider threat", "insider",
		"snooping", "snooped", "without a business need", "without a legitimate business", "no business need",
		"identity theft ring", "personal email account", "personal e-mail account", "employee misconduct"),
	direct(cInsider, 1, "former employee", "former worker"),
	// physical_paper
	direct(cPaper, 2.5, "improperly disposed", "dumpster", "recycling bin", "not shredded", "thrown away",
		"paper records", "paper files", "hard copies", "hard copy", "shred bin", "paper documents"),
	direct(cPaper, 1.5, "trash", "recycling", "shredded", "discarded", "disposed of", "paperwork"),

	roled(causeDevice, "laptop", "laptops", "lap top", "computer", "computers", "desktop", "hard drive", "hard drives",
		"usb", "usb drive", "flash drive", "thumb drive", "memory stick", "cd", "cd-rom", "dvd", "backup tape",
		"backup tapes", "tape", "tapes", "portable device", "mobile device", "smartphone", "cell phone", "mobile phone",
		"ipad", "tablet", "storage device", "workstation", "disk", "disks"),
	roled(causePaper, "paper", "papers", "boxes", "box", "folders", "folder", "binder", "binders", "charts",
		"envelopes", "envelope", "mail", "mailbox", "letters", "forms", "briefcase", "filing cabinet", "file cabinet",
		"log", "prescriptions", "records room", "package", "packages", "contents"),
	roled(causeLoss, "stolen", "lost", "missing", "theft", "went missing", "burglary", "burglarized", "broken into",
		"broke into", "misplaced", "was taken", "were taken", "thieves", "thief", "break-in", "robbed", "robbery"),
	roled(causeVendor, "vendor", "vendors", "third-party vendor", "third party vendor", "third-party", "third party",
		"contractor", "contractors", "subcontractor", "business associate", "service provider", "services provider",
		"data recovery", "supplier", "payment processor", "hosting provider", "portal provider", "software provider",
		"technology vendor", "outsourced", "outside vendor", "processor"),
	roled(causeIncident, "hacked", "hacked into", "hack", "breach", "breached", "compromised", "accessed", "unauthorized access",
		"unauthorised access", "copied", "copy", "exposed", "disclosed", "gained access", "stolen", "infected", "malware",
		"ransomware", "error", "incident", "security incident", "leaked", "without authorisation",
		"without authorization", "no authorization", "no authorisation", "failed to", "made available online",
		"suspicious activity"),
	roled(causeEmployee, "employee", "employees", "staff member", "staffer", "worker", "workforce member", "nurse",
		"clerk", "physician", "former employee", "former worker", "an employee"),
	roled(causeMisuse, "inappropriately", "misused", "misuse", "without permission", "without authorization",
		"without authorisation", "improperly accessed", "stole", "sold", "fraudulent", "fraudulently",
		"for personal gain", "tax fraud", "uploading", "uploaded", "emailed", "sent an email", "personal use"),
	roled(causeNeutral, "computer system", "computer systems", "computer network", "computer networks",
		"computer server", "computer servers", "third-party forensic", "third party forensic", "third-party cyber",
		"third-party security", "third party security", "third-party data security", "third-party experts",
		"third-party expert", "third-party investigator", "third-party cybersecurity", "phone numbers", "phone number",
		"e-mail addresses", "email addresses", "stolen information", "stolen data", "stolen credentials",
		"stolen passwords", "identity theft protection", "identity theft", "lost revenue", "missing out",
		"processor's", "word processor", "mail server", "email server", "mail servers", "log in", "log on",
		"data processor", "card processor", "box office", "forms of", "other forms", "e-mail", "voice mail", "voicemail", "to a third party",
		"to third parties", "with a third party", "with third parties"),
)

func concatCues(groups ...[]causeCue) []causeCue {
	var out []causeCue
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// causeIndex maps a keyword to its cues (a keyword can both name a cause and
// confirm a vendor's part: "hacked"). Hits are looked up by key, not by
// category, so a keyword another rule registers too still counts here.
var causeIndex = func() map[string][]causeCue {
	m := make(map[string][]causeCue, len(causeCues))
	for _, c := range causeCues {
		m[c.key] = append(m[c.key], c)
	}
	return m
}()

var _ = func() bool {
	seen := make(map[string]bool, len(causeCues))
	var keys []string
	for _, c := range causeCues {
		if !seen[c.key] {
			seen[c.key] = true
			keys = append(keys, c.key)
		}
	}
	register(catCause, keys...)
	return true
}()

// numCauses bounds the Cause enum for per-category arrays.
const numCauses = int(cUnknown) + 1

// causeScore is one category's total and its best sentence.
type causeScore struct {
	total      float64
	best       float64
	sent       int
	withVendor bool // named in a sentence where a vendor was at fault
}

// causeCueScores adds up, per category, what the keyword rules find in
// each sentence.
func causeCueScores(d *doc) *[numCauses]causeScore {
	var scores [numCauses]causeScore
	for i := range scores {
		scores[i].sent = -1
	}
	hits := d.hits
	var sh []hit // this sentence's cause hits, reused
	for i := 0; i < len(hits); {
		sent := hits[i].sent
		j := i
		sh = sh[:0]
		for ; j < len(hits) && hits[j].sent == sent; j++ {
			if _, ok := causeIndex[hits[j].key]; ok {
				sh = append(sh, hits[j])
			}
		}
		if sent >= 0 && len(sh) > 0 {
			scoreCauseSentence(sent, outermost(sh), &scores)
		}
		i = j
	}
	return &scores
}

// ruleCause is the keyword rules' cause alone: the category with the
// highest total is primary, others with enough weight contribute. The
// fitted model (causeModel) reads the same totals as features; the
// rules-only extractor uses this.
func ruleCause(d *doc, scores *[numCauses]causeScore) *bwv1.CauseFact {
	top, second := bwv1.Cause_CAUSE_UNSPECIFIED, bwv1.Cause_CAUSE_UNSPECIFIED
	for c := 1; c < numCauses; c++ {
		s := scores[c]
		if s.total <= 0 {
			continue
		}
		switch {
		case top == 0 || s.total > scores[top].total || (s.total == scores[top].total && s.sent < scores[top].sent):
			top, second = bwv1.Cause(c), top
		case second == 0 || s.total > scores[second].total:
			second = bwv1.Cause(c)
		}
	}
	if top == 0 {
		return unknownCause(d)
	}
	t := scores[top].total
	fact := &bwv1.CauseFact{Primary: top, Evidence: d.evidence(scores[top].sent)}
	var contributing []bwv1.Cause
	for c := 1; c < numCauses; c++ {
		s := scores[c]
		// A vendor at fault was breached somehow: what the vendor sentences
		// say happened to it contributes.
		if bwv1.Cause(c) != top && (s.total >= 1 && s.total >= 0.35*t || top == cThird && s.withVendor) {
			contributing = append(contributing, bwv1.Cause(c))
		}
	}
	sort.SliceStable(contributing, func(a, b int) bool { return scores[contributing[a]].total > scores[contributing[b]].total })
	fact.Contributing = contributing
	// Confidence grows with the evidence for the primary cause and shrinks
	// with a close runner-up.
	var s2 float64
	if second != 0 {
		s2 = scores[second].total
	}
	conf := 0.35 + 0.2*math.Min(t, 3) - 0.3*s2/t
	fact.Confidence = math.Round(math.Max(0.2, math.Min(0.95, conf))*100) / 100
	return fact
}

// outermost drops hits lying inside a longer hit of the same sentence.
func outermost(sh []hit) []hit {
	out := sh[:0:0]
	for i, h := range sh {
		inside := false
		for k, o := range sh {
			if k != i && o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start {
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

// scoreCauseSentence adds what sentence i says about each category.
func scoreCauseSentence(i int, sh []hit, scores *[numCauses]causeScore) {
	var w [numCauses]float64
	var device, paper, loss, vendor, incident, employee, misuse bool
	for _, h := range sh {
		for _, c := range causeIndex[h.key] {
			switch c.role {
			case causeDirect:
				w[c.cat] = math.Max(w[c.cat], c.w)
			case causeDevice:
				device = true
			case causePaper:
				paper = true
			case causeLoss:
				loss = true
			case causeVendor:
				vendor = true
			case causeIncident:
				incident = true
			case causeEmployee:
				employee = true
			case causeMisuse:
				misuse = true
			}
		}
	}
	switch {
	case device && loss:
		w[cDevice] = math.Max(w[cDevice], causeDeviceLoss)
	case paper && loss:
		w[cPaper] = math.Max(w[cPaper], causePaperLoss)
	}
	if vendor {
		if incident {
			w[cThird] = math.Max(w[cThird], causeVendorHit)
		} else {
			w[cThird] = math.Max(w[cThird], causeVendorAlone)
		}
	}
	if employee && misuse {
		w[cInsider] = math.Max(w[cInsider], causeInsiderPair)
	}
	vendorAtFault := vendor && incident
	for c := 1; c < numCauses; c++ {
		if w[c] == 0 {
			continue
		}
		s := &scores[c]
		s.total += w[c]
		s.withVendor = s.withVendor || vendorAtFault
		if w[c] > s.best {
			s.best, s.sent = w[c], i
		}
	}
}

// unknownCause: the article tells of a breach but not why. Its evidence is
// the first sentence that tells of the breach (or of a "security incident");
// with no such sentence there is no cause to report.
func unknownCause(d *doc) *bwv1.CauseFact {
	for _, h := range d.hits {
		r := breachRoles[h.key]
		if h.sent >= 0 && (r == roleSelf || r == roleStrong || r == roleMedium || h.key == "security incident") {
			return &bwv1.CauseFact{Primary: cUnknown, Evidence: d.evidence(h.sent), Confidence: 0.3}
		}
	}
	return nil
}
