package rules

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Synthetic articles, one per kind of text the relevance rule meets.
func TestRelevance(t *testing.T) {
	tests := []struct {
		name, title, text string
		want              bool
	}{
		{"news breach", "", "Hackers stole customer records from Northwind Outfitters\n\n" +
			"Northwind Outfitters said on Monday that attackers had stolen names and email addresses of 40,000 customers. " +
			"The retailer has notified affected customers.", true},
		{"regulator portal", "", "A laptop containing the protected health information of 2,100 patients was stolen from an employee's car. " +
			"The covered entity provided breach notification to affected individuals.", true},
		{"notification letter", "", "We are writing to inform you of a security incident that may have involved your personal information.", true},
		{"hedged letter", "", "Payment card information used at the front desk may have been compromised.", true},
		{"chronology summary", "", "Paper records with Social Security numbers were improperly disposed of in a dumpster behind the clinic.", true},
		{"headline with title", "Gaming forum leaks user passwords", "The forum's administrators apologised on Friday.", true},
		{"vulnerability disclosure", "", "Researchers disclosed a flaw in a popular router firmware. " +
			"The vulnerability, rated critical, could allow an attacker to read configuration files. " +
			"The vendor released a patch and urged users to install the security update. " +
			"A second bug causes an information disclosure in the web console.", false},
		{"phishing warning", "", "Beware of fake delivery emails this holiday season. " +
			"The scam emails try to trick you into entering your card details on a fake page. " +
			"Never click links in unexpected messages.", false},
		{"ransom without data", "", "A ransomware attack locked the town's computers on Tuesday. " +
			"Staff could not access the encrypted files and the attackers demanded a ransom in bitcoin. " +
			"Officials said systems were restored from backups.", false},
		{"unrelated", "", "The council approved a new budget for road repairs on Thursday.", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, score := relevance(newDoc(tt.text, tt.title))
			if got != tt.want {
				t.Errorf("is_breach = %v (relevance %.3f), want %v", got, score, tt.want)
			}
			if score < 0 || score > 1 {
				t.Errorf("relevance %v outside [0, 1]", score)
			}
			if got != (score >= 0.5) {
				t.Errorf("relevance %.3f disagrees with is_breach %v", score, got)
			}
		})
	}
}

// A keyword another rule also registers (in another category) still counts.
func TestRelevanceLooksUpByKey(t *testing.T) {
	d := newDoc("Customer data was compromised.", "")
	if len(d.hits) == 0 {
		t.Fatal("no keyword hits")
	}
	if ok, _ := relevance(d); !ok {
		t.Error("not a breach")
	}
}

// Each cue family, on synthetic sentences: the features that must fire and
// those that must not.
func TestRelevanceFeatures(t *testing.T) {
	tests := []struct {
		name, title, text string
		on, off           []relFeature
	}{
		{"breach named", "", "Officials confirmed a data breach at the county clinic on Friday.",
			[]relFeature{fSelf, fAny, fEarly, fSum}, []relFeature{fDenied, fHedged}},
		{"theft with count", "", "Intruders stole the names and passwords of 12,000 customers last week.",
			[]relFeature{fTheft, fCount, fEarly, fAny, fData}, []relFeature{fSelf, fHedged}},
		{"access with data", "", "An outsider accessed files holding patient records for two days.",
			[]relFeature{fAccess, fAny}, []relFeature{fTheft}},
		{"hedged", "", "The flaw could allow an attacker to steal passwords from the router.",
			[]relFeature{fHedged, fAny, fVuln}, []relFeature{fTheft, fSelf}},
		{"denied", "", "The bank said there was no evidence that customer data was accessed.",
			[]relFeature{fDenied, fAny}, []relFeature{fAccess, fSum}},
		{"bare verb", "", "The ministry said its servers were compromised over the weekend.",
			[]relFeature{fBare, fIncident}, []relFeature{fAny}},
		{"victim hit", "", "The shipping firm was hit by a cyberattack on Tuesday. Its website was hacked.",
			[]relFeature{fIncident, fHack}, nil},
		{"victim response", "", "The retailer notified affected customers and apologised for the disruption.",
			[]relFeature{fNotify}, nil},
		{"theft of anything", "", "The intruders stole an unreleased film from the studio's servers.",
			[]relFeature{fSteal, fBare}, []relFeature{fTheft, fAny}},
		{"money is not data", "", "Fraudsters stole funds from customers whose passwords they had guessed.",
			[]relFeature{fSteal, fBare}, []relFeature{fTheft, fAny}},
		{"for sale", "", "The stolen card numbers were offered for sale on a dark web market.",
			[]relFeature{fSale, fTheft, fData}, nil},
		{"attackers", "", "Cybercriminals and other attackers moved on to new targets.",
			[]relFeature{fActor}, []relFeature{fAny}},
		{"vulnerability and patch", "", "A critical vulnerability in the mail client was disclosed. The vendor shipped a security update.",
			[]relFeature{fVuln, fPatch}, []relFeature{fAny}},
		{"scam campaign", "", "A new phishing scam sends fake invoices to small businesses.",
			[]relFeature{fScam}, []relFeature{fAny}},
		{"ransom", "", "The ransomware encrypted the council's files and demanded bitcoin for decryption.",
			[]relFeature{fRansom}, []relFeature{fAny, fAccess}},
		{"ransom locks, data noun", "", "Staff could not access the encrypted files.",
			[]relFeature{fRansom}, []relFeature{fAccess, fAny}},
		{"trend", "", "Attacks on small firms rose 40 percent last year, a survey of managers found.",
			[]relFeature{fTrend}, nil},
		{"malware", "", "The trojan spreads through a botnet of infected routers.",
			[]relFeature{fMalware}, nil},
		{"headline breach", "Parking app leaks drivers' details", "The company apologised.",
			[]relFeature{fHeadBreach, fAny}, []relFeature{fHeadScam, fHeadHacked}},
		{"headline hacked", "Regional airline hit by cyberattack", "Flights were delayed.",
			[]relFeature{fHeadHacked}, []relFeature{fHeadBreach}},
		{"headline scam", "Beware of fake parcel texts", "Do not click the links.",
			[]relFeature{fHeadScam}, nil},
		{"headline explainer", "Why ransomware is on the rise", "Experts weighed in.",
			[]relFeature{fHeadExplain}, nil},
		{"headline count", "Forum says 2.5 million accounts affected", "Members were told.",
			[]relFeature{fHeadCount}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if tt.title != "" {
				text = tt.title + "\n\n" + tt.text
			}
			x := relevanceFeatures(newDoc(text, tt.title))
			for _, f := range tt.on {
				if x[f] == 0 {
					t.Errorf("%s = 0, want > 0", relFeatureNames[f])
				}
			}
			for _, f := range tt.off {
				if x[f] != 0 {
					t.Errorf("%s = %v, want 0", relFeatureNames[f], x[f])
				}
			}
		})
	}
}

// A headline given as the title and repeated as the first line of the text
// counts once, as a headline, not as a body sentence.
func TestRelevanceHeadlineNotBody(t *testing.T) {
	title := "Hackers stole records of 9,000 patients"
	x := relevanceFeatures(newDoc(title+"\n\nThe hospital said the matter was in hand.", title))
	if x[fTheft] != 0 || x[fEarly] != 0 {
		t.Errorf("headline counted as body: theft %v early %v", x[fTheft], x[fEarly])
	}
	if x[fHeadBreach] != 1 || x[fHeadCount] != 1 {
		t.Errorf("headline cues missing: breach %v count %v", x[fHeadBreach], x[fHeadCount])
	}
}

// Whole synthetic news stories of the kinds that are and are not breaches.
func TestRelevanceNewsKinds(t *testing.T) {
	tests := []struct {
		name, title, text string
		want              bool
	}{
		{"hacked organisation", "Hackers leak staff files of a regional college",
			"The college said attackers broke into its network and stole personnel records of 3,400 employees. " +
				"The files were later posted online. The college has notified affected staff and the police.", true},
		{"cyberattack on a named victim", "Port authority hit by cyberattack",
			"The port authority said its systems were compromised on Sunday and that personal data of some workers may have been accessed. " +
				"An investigation is under way.", true},
		{"patch notes", "Vendor patches critical flaws in VPN appliance",
			"The vendor fixed three vulnerabilities, one of them rated critical, in its VPN appliance. " +
				"The flaw could allow a remote attacker to run code. Customers should update to the latest version. " +
				"Researchers who reported the bug received a bounty.", false},
		{"scam warning", "Beware of fake tax refund emails",
			"A phishing scam is sending fake refund notices. The emails ask you to enter your bank details on a spoofed page. " +
				"If you receive one, delete it and report it.", false},
		{"ransomware trend", "Why ransomware attacks are on the rise",
			"Ransomware attacks rose 30 percent this year, according to a survey of IT managers. " +
				"The malware encrypts files and demands bitcoin for decryption. Experts say backups remain the best defence.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, score := relevance(newDoc(tt.title+"\n\n"+tt.text, tt.title))
			if got != tt.want {
				t.Errorf("is_breach = %v (relevance %.3f, %v), want %v", got, score,
					relevanceContributions(newDoc(tt.title+"\n\n"+tt.text, tt.title)), tt.want)
			}
		})
	}
}

// BenchmarkRelevance: the relevance rule alone on prepared articles (the
// keyword pass and sentence split are not counted): a 5 KB synthetic breach
// story, and the development texts in ../shared when present.
func BenchmarkRelevance(b *testing.B) {
	b.Run("synthetic-5KB", func(b *testing.B) {
		text := syntheticArticle()
		d := newDoc(text, "")
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			relevance(d)
		}
	})
	texts := loadDevTexts(b)
	if len(texts) == 0 {
		return
	}
	docs := make([]*doc, len(texts))
	size := 0
	for i, t := range texts {
		docs[i] = newDoc(t, "")
		size += len(t)
	}
	b.Run("dev", func(b *testing.B) {
		b.SetBytes(int64(size / len(docs)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			relevance(docs[i%len(docs)])
		}
	})
}

func TestForEachWord(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"hackers stole the data", []string{"hackers", "stole", "the", "data"}},
		{"don't click: a zero-day e-mail", []string{"don't", "click", "zero-day", "e-mail"}},
		{"the hackers' 'tools' -- and--more", []string{"the", "hackers", "tools", "and--more"}},
		{"mp3 files, 40,000 users, w-2 forms", []string{"files", "users", "forms"}},
		{"café owners", []string{"owners"}},
		{"the company’s users", []string{"the", "company", "users"}},
		{"", nil},
		{"— 😀 a i", nil},
	}
	for _, tt := range tests {
		var got []string
		forEachWord(tt.in, func(start, end int) { got = append(got, tt.in[start:end]) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("forEachWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The fitted lexicon: sorted, unique, each entry one word as forEachWord
// reads it, and no word weighty enough to decide an article by itself.
func TestRelevanceLexicon(t *testing.T) {
	if len(relWords) == 0 {
		t.Fatal("empty lexicon")
	}
	shape := regexp.MustCompile(`^[a-z][a-z'-]*[a-z]$`)
	for i, w := range relWords {
		if i > 0 && relWords[i-1].word >= w.word {
			t.Errorf("lexicon not sorted or not unique at %q", w.word)
		}
		if !shape.MatchString(w.word) {
			t.Errorf("lexicon word %q is not a word", w.word)
		}
		var got []string
		forEachWord(w.word, func(start, end int) { got = append(got, w.word[start:end]) })
		if !slices.Equal(got, []string{w.word}) {
			t.Errorf("forEachWord(%q) = %q", w.word, got)
		}
		if math.IsNaN(w.weight) || math.Abs(w.weight) >= 1 {
			t.Errorf("lexicon word %q weighs %v", w.word, w.weight)
		}
	}
}

// A lexicon word adds its weight once, wherever it is (headline or text)
// and however often it is repeated.
func TestRelevanceWordsCountOnce(t *testing.T) {
	var w relWord
	for _, c := range relWords {
		if math.Abs(c.weight) > math.Abs(w.weight) && relevanceCueMasks[c.word] == 0 && breachRoles[c.word] == 0 {
			w = c
		}
	}
	key := "word:" + w.word
	base := "The council met on Thursday."
	once := relevanceContributions(newDoc(base+" "+w.word+".", ""))
	many := relevanceContributions(newDoc(base+strings.Repeat(" "+w.word, 5)+".", ""))
	inTitle := relevanceContributions(newDoc(base, strings.ToUpper(w.word[:1])+w.word[1:]+" news"))
	without := relevanceContributions(newDoc(base, ""))
	for name, c := range map[string]map[string]float64{"once": once, "five times": many, "in the headline": inTitle} {
		if c[key] != w.weight {
			t.Errorf("%s: %s contributes %v, want %v", name, key, c[key], w.weight)
		}
	}
	if _, ok := without[key]; ok {
		t.Errorf("%s contributes without the word", key)
	}
	_, s1 := relevance(newDoc(base+" "+w.word+".", ""))
	_, s5 := relevance(newDoc(base+strings.Repeat(" "+w.word, 5)+".", ""))
	if s1 != s5 {
		t.Errorf("relevance changed with repeats of %q: %v vs %v", w.word, s1, s5)
	}
}
