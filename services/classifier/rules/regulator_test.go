package rules

import (
	"fmt"
	"strings"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

// act renders an action as "regulator action [amount currency] [stage]".
func act(a *bwv1.RegulatorAction) string {
	s := a.GetRegulator() + " " + classifier.EnumWord(a.GetAction())
	if a.AmountMinor != nil {
		s += fmt.Sprintf(" %g %s", classifier.MajorAmount(a.GetAmountMinor(), a.GetCurrency()), a.GetCurrency())
	}
	if st := classifier.EnumWord(a.GetStage()); st != "" && st != "final" {
		s += " " + st
	}
	return s
}

func TestRegulatorActions(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // in text order; nil for none
	}{
		{"UK DPA fine with acronym",
			"The UK data protection authority (ICO) has fined Widgetly Ltd EUR 12,500 for leaving a customer list online.",
			[]string{"ICO monetary_penalty 12500 EUR"}},
		{"adjective DPA and a conversion to euros",
			"The Polish DPA (UODO) imposed a fine of PLN 1,000,000 (EUR 220,000) on Foo Sp. z o.o. after a lost USB stick.",
			[]string{"Poland data protection authority monetary_penalty 220000 EUR"}},
		{"generic DPA resolved from an earlier sentence",
			"The Belgian DPA opened a case against a school. The DPA imposed a fine of EUR 5,000 on the school.",
			[]string{"Belgium data protection authority monetary_penalty 5000 EUR"}},
		{"country after the noun",
			"The data protection authority of Greece fined a telecoms operator EUR 150,000.",
			[]string{"Greece data protection authority monetary_penalty 150000 EUR"}},
		{"hedged fine is not a fine",
			"Under the GDPR, the company could face fines of up to €20 million from the Irish Data Protection Commission.",
			nil},
		{"hedged by a conditional",
			"Analysts would be surprised if the ICO hit the retailer with a large financial penalty.",
			nil},
		{"negated penalty",
			"The Information Commissioner's Office said a monetary penalty was not appropriate in this case.",
			[]string{"ICO no_monetary_penalty"}},
		{"avoided a fine",
			"The insurer has avoided a fine from the ICO after the breach.",
			[]string{"ICO no_monetary_penalty"}},
		{"notice of intent is proposed",
			"The ICO has issued a notice of intent to fine the airline £20 million.",
			[]string{"ICO notice_of_intent 2e+07 GBP proposed"}},
		{"faces a fine is proposed",
			"The hotel group faces a £99m fine from the ICO over the guest database breach.",
			[]string{"ICO notice_of_intent 9.9e+07 GBP proposed"}},
		{"self report and investigation",
			"The forum reported itself to the ICO on Monday. The ICO said it was making enquiries into the incident.",
			[]string{"ICO self_reported", "ICO investigating"}},
		{"informed needs the regulator as the one told",
			"Acme informed customers by email. The ICO published its annual report on Tuesday.",
			nil},
		{"own investigation is not the regulator's",
			"The ICO was notified. Based on its investigation, the company found no misuse.",
			[]string{"ICO informed"}},
		{"undertaking attributed to the regulator named earlier",
			"The ICO looked into the matter. The council cooperated. Staff were retrained. The chief executive has signed an undertaking to encrypt all laptops.",
			[]string{"ICO investigating", "ICO undertaking"}},
		{"HHS portal summary",
			"The covered entity (CE) reported that a laptop was stolen. The CE provided breach notification to HHS, affected individuals, and the media. OCR obtained assurances that the CE encrypted its devices.",
			[]string{"HHS OCR informed", "HHS OCR undertaking"}},
		{"HHS portal summary without a regulator named",
			"An employee of the covered entity lost a binder containing the protected health information of 300 patients.",
			[]string{"HHS OCR informed"}},
		{"HHS settlement with the amount in the next sentence",
			"A clinic agreed to settle potential violations with the Department of Health and Human Services. The clinic will pay $750,000 and adopt a corrective action plan.",
			[]string{"HHS OCR settlement 750000 USD"}},
		{"state attorney general",
			"The retailer notified the Texas Attorney General of the breach last week.",
			[]string{"Texas AG informed"}},
		{"a German company is not an attorney general",
			"Hackers stole files from Beispiel AG in Munich; the FBI was not involved.",
			nil},
		{"crypto ICO is not the regulator",
			"The startup raised $5 million in its ICO before hackers stole the token sale database.",
			nil},
		{"class action settlement is not a regulator's",
			"The bank agreed to a $10 million settlement of the class action while the FTC looked on.",
			nil},
		{"fine with no regulator named: DPA of the place the text points at",
			"The fine of EUR 3,000 was imposed on Primer EOOD for processing personal data without adequate measures.",
			[]string{"Bulgaria data protection authority monetary_penalty 3000 EUR"}},
		{"a DPA noun with no country anywhere takes the place the text points at",
			"The DPA imposed a fine of EUR 1,200 on Primer EOOD for sending personal data to the wrong customer.",
			[]string{"Bulgaria data protection authority monetary_penalty 1200 EUR"}},
		{"no national DPA for a US text",
			"The supervisory authority imposed a fine of EUR 1,200 on Sample Inc in Ohio for a personal data leak.",
			nil},
		{"a fine with its sum, the authority named two sentences later",
			"The fine of ca EUR 2,500 was imposed on Primer EOOD for unlawful processing of personal data. The firm had sent letters to the wrong people. Besides the fine, the Commission for Personal Data Protection ordered staff training.",
			[]string{"Bulgaria data protection authority monetary_penalty 2500 EUR"}},
		{"a criminal court's fine is not the regulator's",
			"The ICO looked into the leak. The former clerk was sentenced to a year in prison and a fine of £5,000.",
			[]string{"ICO investigating"}},
		{"a shared name takes the country of the adjective beside it",
			"The Norwegian DPA (Datatilsynet) opened an investigation into a council. The Datatilsynet imposed a fine of EUR 40,000 on the council.",
			[]string{"Norway data protection authority investigating", "Norway data protection authority monetary_penalty 40000 EUR"}},
		{"a shared name without an adjective takes the country of the text",
			"Datatilsynet imposed a fine of NOK 500,000 on a school in Bergen, Norway.",
			[]string{"Norway data protection authority monetary_penalty 500000 NOK"}},
		{"a shared name by default",
			"Datatilsynet imposed a fine of EUR 9,000 on a school.",
			[]string{"Denmark data protection authority monetary_penalty 9000 EUR"}},
		{"the euro figure in the next sentence",
			"The Swedish DPA fined a school SEK 300,000. This corresponds to about EUR 27,000.",
			[]string{"Sweden data protection authority monetary_penalty 27000 EUR"}},
		{"the euro figure after a conversion phrase",
			"The Polish DPA imposed a fine of PLN 100,000 (the equivalent of EUR 23,000) on a shop.",
			[]string{"Poland data protection authority monetary_penalty 23000 EUR"}},
		{"a sum cut by the sentence splitter after Mio.",
			"The Austrian DPA imposed a fine of 1,5 Mio. EUR on a company.",
			[]string{"Austria data protection authority monetary_penalty 1.5e+06 EUR"}},
		{"two sums that are not a conversion",
			"The Italian DPA fined Alpha S.p.A. EUR 40,000 and its supplier Beta S.r.l. EUR 20,000.",
			[]string{"Italy data protection authority monetary_penalty 40000 EUR"}},
		{"HHS portal summary with the abbreviations only",
			"A laptop with the ePHI of 600 patients was stolen. The CE notified the affected patients and the media.",
			[]string{"HHS OCR informed"}},
		{"HHS portal summary about a business associate",
			"A business associate of a clinic misplaced a box with the PHI of 90 patients.",
			[]string{"HHS OCR informed"}},
		{"notice provided to HHS",
			"The practice provided notice to HHS, affected individuals, and the media after a laptop was stolen.",
			[]string{"HHS OCR informed"}},
		{"OCR in a sentence about a breach",
			"The insurer filed a breach report with OCR after a coding error.",
			[]string{"HHS OCR informed"}},
		{"OCR as optical character recognition",
			"The scanner uses OCR to read invoices, the vendor said.",
			nil},
		{"failing to notice is not a notice",
			"The firm failed to notice the intrusion for months, according to an FTC statement.",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoc(tt.text, "")
			var got []string
			for _, a := range regulatorActions(d) {
				got = append(got, act(a))
				ev := a.GetEvidence()
				if ev == nil || tt.text[ev.Start:ev.End] != ev.Text {
					t.Errorf("evidence of %q does not slice the text: %+v", act(a), ev)
				}
				if c := a.GetConfidence(); c <= 0 || c > 1 {
					t.Errorf("confidence %v out of range", c)
				}
			}
			if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("actions\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRegulatorNames(t *testing.T) {
	tests := []struct{ text, want string }{
		{"The Spanish DPA (AEPD) has fined a gym EUR 6,000.", "Spain data protection authority"},
		{"France's CNIL fined the retailer €250,000.", "France data protection authority"},
		{"The Norwegian Datatilsynet fined the municipality NOK 2,000,000.", "Norway data protection authority"},
		{"The Danish Datatilsynet fined the region DKK 500,000.", "Denmark data protection authority"},
		{"Italy's Garante fined the hospital EUR 30,000.", "Italy data protection authority"},
		{"The Dutch DPA fined the club EUR 525,000.", "the Netherlands data protection authority"},
		{"The Hamburg data protection authority fined the retailer EUR 35,000.", "Germany data protection authority"},
		{"The Hellenic DPA (HDPA) fined the operator EUR 20,000.", "Greece data protection authority"},
		{"The Luxembourg DPA (CNPD) fined the bank EUR 1,000.", "Luxembourg data protection authority"},
		{"The CNPD fined the hospital EUR 4,000.", "Portugal data protection authority"},
		{"The CNIL (French DPA) fined the shop EUR 8,000.", "France data protection authority"},
		{"The Data Protection Authority of Baden-Wuerttemberg (LfDI) fined the club EUR 9,000.", "Germany data protection authority"},
		{"The DPA of North Rhine-Westphalia fined the clinic EUR 5,000.", "Germany data protection authority"},
		{"The HmbBfDI fined the retailer EUR 5,000.", "Germany data protection authority"},
		{"The Catalan DPA fined the council EUR 2,000.", "Spain data protection authority"},
		{"The Slovak Office for Personal Data Protection fined the shop EUR 3,000.", "Slovakia data protection authority"},
		{"The Office for Personal Data Protection fined the shop CZK 90,000.", "Czech Republic data protection authority"},
		{"The Urząd Ochrony Danych Osobowych fined the shop PLN 9,000.", "Poland data protection authority"},
		{"The Persónuvernd fined the school ISK 900,000.", "Iceland data protection authority"},
		{"The Information and Data Protection Commissioner fined the clinic EUR 900.", "Malta data protection authority"},
		{"The Slovenian Information Commissioner fined the school EUR 900.", "Slovenia data protection authority"},
		{"The Federal Trade Commission fined the app maker $5 million.", "FTC"},
		{"The New York Attorney General fined the insurer $1 million.", "New York AG"},
	}
	for _, tt := range tests {
		as := regulatorActions(newDoc(tt.text, ""))
		if len(as) == 0 || as[0].GetRegulator() != tt.want {
			var got []string
			for _, a := range as {
				got = append(got, act(a))
			}
			t.Errorf("%q: got %q, want regulator %q", tt.text, got, tt.want)
		}
	}
}

// Every authority in the national table resolves to a canonical name that
// holds the country's English name: that is how the name is read back
// (jurisdiction, evaluation by country).
func TestNationalDPAsHaveCountryNames(t *testing.T) {
	for _, a := range nationalDPAs {
		for _, code := range a.countries {
			name := dpaName(code)
			if name == "" || code != "GB" && !strings.Contains(name, countryNames[code]) {
				t.Errorf("%v: canonical name %q lacks the country", a.names, name)
			}
			if got := regulatorCountry(name); got != code {
				t.Errorf("regulatorCountry(%q) = %q, want %q", name, got, code)
			}
		}
	}
}

func TestAcronymCase(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"The LfDI fined the club EUR 9,000.", true},
		{"The LFDI fined the club EUR 9,000.", true},
		{"The lfdi fined the club EUR 9,000.", false},
		{"The Imy fined the club EUR 9,000.", false},
	}
	for _, tt := range tests {
		ms := regulatorMentions(newDoc(tt.text, ""))
		if got := len(ms) > 0; got != tt.want {
			t.Errorf("%q: mention %v, want %v", tt.text, got, tt.want)
		}
	}
}
