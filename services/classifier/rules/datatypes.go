package rules

import (
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Data types: the kinds of personal data the text says were exposed, each
// with the first sentence that names it. Mentions that are negated
// ("passwords were not compromised", "no financial data") or advice ("change
// your password") do not count.

type dataCue struct {
	t     bwv1.DataType
	loose bool // a common word that counts only inside a list ("name, address and ...")
}

const (
	dtNames     = bwv1.DataType_DATA_TYPE_NAMES
	dtContact   = bwv1.DataType_DATA_TYPE_CONTACT_DETAILS
	dtAddresses = bwv1.DataType_DATA_TYPE_ADDRESSES
	dtBirth     = bwv1.DataType_DATA_TYPE_DATES_OF_BIRTH
	dtFinancial = bwv1.DataType_DATA_TYPE_FINANCIAL
	dtCards     = bwv1.DataType_DATA_TYPE_PAYMENT_CARDS
	dtHealth    = bwv1.DataType_DATA_TYPE_HEALTH
	dtCreds     = bwv1.DataType_DATA_TYPE_CREDENTIALS
	dtGovIDs    = bwv1.DataType_DATA_TYPE_GOVERNMENT_IDS
	dtMessages  = bwv1.DataType_DATA_TYPE_MESSAGES
	dtIP        = bwv1.DataType_DATA_TYPE_IP_ADDRESSES
	dtOther     = bwv1.DataType_DATA_TYPE_OTHER
)

var dataCues = buildDataCues()

func buildDataCues() map[string]dataCue {
	cues := map[string]dataCue{}
	for t, ws := range map[bwv1.DataType][]string{
		dtNames: {"names", "full names", "full name", "first name", "first names", "last name", "last names",
			"surname", "surnames", "maiden name", "maiden names"},
		dtContact: {"email addresses", "email address", "e-mail addresses", "e-mail address", "phone numbers",
			"phone number", "telephone numbers", "telephone number", "mobile numbers", "mobile number",
			"mobile phone numbers", "contact details", "contact information", "contact info", "fax numbers"},
		dtAddresses: {"addresses", "home addresses", "home address", "postal addresses", "postal address",
			"mailing addresses", "mailing address", "street addresses", "physical addresses",
			"residential addresses", "residential address", "correspondence address"},
		dtBirth: {"dates of birth", "date of birth", "date of births", "birth dates", "birth date", "birthdates",
			"birthdate", "dob", "birthdays"},
		dtFinancial: {"bank account", "bank accounts", "bank account numbers", "bank account details",
			"account numbers", "sort codes", "sort code", "financial information", "financial data",
			"financial details", "financial account", "financial accounts", "banking details",
			"banking information", "routing numbers", "iban", "credit reports", "credit history", "tax returns",
			"salary", "salaries", "account balances", "payment information", "payment details",
			"billing information", "insurance contributions", "benefit payment information"},
		dtCards: {"credit card", "credit cards", "credit card numbers", "debit card", "debit cards",
			"payment card", "payment cards", "card numbers", "card data", "card details", "cvv", "cvv2",
			"card verification", "expiration dates", "expiry dates", "card information", "cardholder data"},
		dtHealth: {"health information", "medical records", "medical record", "medical information",
			"medical history", "diagnoses", "diagnosis", "treatment information", "prescription",
			"prescriptions", "clinical information", "clinical", "protected health information", "phi", "ephi",
			"health data", "medications", "lab results", "test results", "hiv status", "health insurance",
			"health records", "patient information", "patient data", "medical data", "health visit information",
			"mental health", "treatment"},
		dtCreds: {"passwords", "password", "usernames", "username", "user names", "login credentials",
			"login details", "log-in details", "credentials", "security questions", "pins", "pin numbers",
			"hashed passwords", "password hashes", "sign-in information", "access codes"},
		dtGovIDs: {"social security numbers", "social security number", "social security", "ssn", "ssns",
			"national insurance numbers", "national insurance number", "passport numbers", "passport number",
			"passport", "passports", "driver's license", "driver’s license", "drivers license",
			"driver's licence", "driving licence", "driving license", "driver's license numbers",
			"taxpayer identification", "tax id", "id numbers", "id number", "national id", "identity card",
			"identity cards", "medicare numbers", "medicare number"},
		dtMessages: {"private messages", "direct messages", "messages", "emails", "e-mails", "chat logs",
			"correspondence", "email content", "inboxes"},
		dtIP: {"ip addresses", "ip address"},
		dtOther: {"gender", "employment history", "photos", "photographs", "signatures", "signature",
			"license plate", "licence plate", "member identification numbers", "employment information",
			"education history", "criminal records", "student records", "biometric", "fingerprints",
			"location data", "policy numbers", "demographic", "w-2"},
	} {
		for _, w := range ws {
			cues[w] = dataCue{t: t}
		}
	}
	// Common words that name data only inside a list.
	cues["name"] = dataCue{t: dtNames, loose: true}
	cues["address"] = dataCue{t: dtAddresses, loose: true}
	cues["email"] = dataCue{t: dtContact, loose: true}
	cues["e-mail"] = dataCue{t: dtContact, loose: true}
	cues["age"] = dataCue{t: dtOther, loose: true}
	cues["phone"] = dataCue{t: dtContact, loose: true}
	return cues
}

var _ = register(catDataType, sortedKeys(dataCues)...)

// adviceWords mark sentences that tell readers what to do, not what leaked.
var adviceWords = []string{"recommend", "encourage", "change your", "reset", "update your", "vigilant",
	"monitor your", "never ask", "remind"}

// notMessages: "phishing emails" are the attack, not the data.
var notMessages = []string{"phishing", "fraudulent", "spam", "malicious", "suspicious", "scam", "commercial",
	"marketing", "fake", "sent"}

func dataTypes(d *doc) []*bwv1.DataTypeFact {
	hs := longestHits(hitsWithKeys(d, dataCues, map[string]bool(nil)))
	var out []*bwv1.DataTypeFact
	var seen [dtOther + 1]bool
	lastSent, advice := -1, false
	for i, h := range hs {
		cue, ok := dataCues[h.key]
		if !ok || seen[cue.t] || h.sent < 0 {
			continue
		}
		ss := d.sents[h.sent]
		sl := d.lower[ss.start:ss.end]
		if h.sent != lastSent {
			lastSent, advice = h.sent, containsAny(sl, adviceWords)
		}
		if advice {
			continue
		}
		rel, relEnd := h.start-ss.start, h.end-ss.start
		if cue.loose && (!inList(sl, rel, relEnd) || !dataNeighbour(hs, i)) {
			continue
		}
		if cue.t == dtMessages && containsAny(sl[max(0, rel-14):rel], notMessages) {
			continue
		}
		if h.key == "email" || h.key == "e-mail" {
			if strings.HasPrefix(sl[relEnd:], " account") {
				continue // "email accounts" were the way in, not the data
			}
		}
		if dataNegated(sl, rel, relEnd) {
			continue
		}
		seen[cue.t] = true
		conf := 0.8
		if cue.loose {
			conf = 0.6
		}
		out = append(out, &bwv1.DataTypeFact{DataType: cue.t, Evidence: d.evidence(h.sent), Confidence: conf})
	}
	return out
}

// inList: the word is an item of a list — a comma, "and" or "or" next to it.
func inList(sl string, s, e int) bool {
	after := strings.TrimLeft(sl[e:], " ")
	if strings.HasPrefix(after, ",") || strings.HasPrefix(after, ";") || strings.HasPrefix(after, "and ") ||
		strings.HasPrefix(after, "or ") || strings.HasPrefix(after, "/") || strings.HasPrefix(after, ")") {
		return true
	}
	before := strings.TrimRight(sl[:s], " ")
	return strings.HasSuffix(before, ",") || strings.HasSuffix(before, " and") || strings.HasSuffix(before, " or") ||
		strings.HasSuffix(before, "(")
}

// dataNegated: a negation in the same clause before the mention, or a
// negated verb right after it.
func dataNegated(sl string, s, e int) bool {
	before := sl[max(0, s-60):s]
	if k := strings.LastIndexAny(before, ";:("); k >= 0 {
		before = before[k+1:]
	}
	if k := strings.LastIndex(before, " but "); k >= 0 {
		before = before[k+4:]
	}
	if containsSpaced(before, []string{" no ", " not ", "n't ", "n’t ", " never ", " neither ", " nor ", " without ", " none "}) {
		return true
	}
	after := sl[e:min(len(sl), e+30)]
	if k := strings.IndexAny(after, ",;."); k >= 0 {
		after = after[:k]
	}
	for _, w := range []string{" not ", " weren't", " wasn't", " weren’t", " wasn’t", " remain secure", " were safe", " was safe", " unaffected"} {
		if strings.Contains(after, w) || strings.HasSuffix(after, strings.TrimRight(w, " ")) {
			return true
		}
	}
	return false
}

// dataNeighbour: another kind of data is named within a few words, so a
// loose word ("name", "email") is an item of a list of data.
func dataNeighbour(hs []hit, i int) bool {
	for j := max(0, i-3); j < min(len(hs), i+4); j++ {
		if j == i || hs[j].sent != hs[i].sent {
			continue
		}
		if hs[j].start-hs[i].end < 40 && hs[i].start-hs[j].end < 40 {
			return true
		}
	}
	return false
}
