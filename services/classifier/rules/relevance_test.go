package rules

import "testing"

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
