package rules

import (
	"slices"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Synthetic sentences for every category and the traps between them.
func TestCause(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		primary      bwv1.Cause
		contributing []bwv1.Cause // must be among the contributing causes
		evidence     string       // substring of the evidence sentence
	}{
		{"botched upgrade", "During an upgrade of its billing system, some customers could see other customers' addresses. " +
			"The firm said the software upgrade had been tested.", cBug, nil, "upgrade"},
		{"coding error beats wrong address", "Letters were mailed to the wrong address. A coding error had shifted the address column.",
			cBug, nil, "coding error"},
		{"contractor hacked", "A file repaired by the insurer's software contractor was later hacked into on the contractor's server. " +
			"The contractor had copied the data without authorisation.", cThird, []bwv1.Cause{cHacking}, "contractor"},
		{"unauthorized third party is an attacker", "An unauthorized third party gained access to the booking website and viewed guest names.",
			cHacking, nil, "unauthorized third party"},
		{"forensic vendor is not the cause", "Hackers broke into the network. The company hired third-party forensic experts to investigate.",
			cHacking, nil, "Hackers"},
		{"laptop stolen", "An unencrypted laptop holding patient files was stolen from a nurse's car.", cDevice, nil, "laptop"},
		{"computer systems are not a device", "Information was stolen from the company's computer systems by hackers.", cHacking, nil, "hackers"},
		{"paper disposal", "Boxes of paper records were thrown away in a dumpster during an office move.", cPaper, nil, "dumpster"},
		{"phishing", "An employee replied to a phishing email and the attacker then read the mailbox.", cPhishing, nil, "phishing"},
		{"ransomware", "Ransomware encrypted the clinic's servers after the attackers copied patient data.", cMalware, nil, "Ransomware"},
		{"open bucket", "A misconfigured storage bucket left 20,000 invoices publicly accessible.", cExposure, nil, "misconfigured"},
		{"insider", "A former clerk accessed customer accounts without a business need and sold the details.", cInsider, nil, "business need"},
		{"employee pair", "An employee inappropriately used customer card numbers to shop online.", cInsider, nil, "inappropriately"},
		{"no cause given", "The retailer disclosed a data breach on Friday.", cUnknown, nil, "data breach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, "")
			got := ruleCause(d, causeCueScores(d))
			if got == nil {
				t.Fatalf("no cause, want %v", tt.primary)
			}
			if got.GetPrimary() != tt.primary {
				t.Errorf("primary %v, want %v (contributing %v)", got.GetPrimary(), tt.primary, got.GetContributing())
			}
			for _, c := range tt.contributing {
				if !slices.Contains(got.GetContributing(), c) {
					t.Errorf("contributing %v, want %v among them", got.GetContributing(), c)
				}
			}
			if slices.Contains(got.GetContributing(), got.GetPrimary()) {
				t.Errorf("primary %v repeated among contributing", got.GetPrimary())
			}
			ev := got.GetEvidence()
			if ev == nil || tt.text[ev.GetStart():ev.GetEnd()] != ev.GetText() {
				t.Fatalf("evidence %+v does not slice the text", ev)
			}
			if !containsFold(ev.GetText(), tt.evidence) {
				t.Errorf("evidence %q, want a sentence with %q", ev.GetText(), tt.evidence)
			}
			if c := got.GetConfidence(); c <= 0 || c > 1 {
				t.Errorf("confidence %v outside (0, 1]", c)
			}
		})
	}
}

func TestCauseNone(t *testing.T) {
	d := newDoc("The council approved a new budget for road repairs.", "")
	if c := ruleCause(d, causeCueScores(d)); c != nil {
		t.Errorf("rules: cause %v for a text about no breach", c)
	}
	if c := causeModel(d, causeCueScores(d), false); c != nil {
		t.Errorf("model: cause %v for a text about no breach", c)
	}
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	ls, lsub := asciiLower(s), asciiLower(sub)
	for i := 0; i+len(lsub) <= len(ls); i++ {
		if ls[i:i+len(lsub)] == lsub {
			return i
		}
	}
	return -1
}
