package classifier

import (
	"math"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The JSON shape `breachwire classify` prints: snake_case, closed vocabularies
// as lower-case words, money in major units, null where nothing was found.

// EvidenceJSON is a sentence and its byte offsets in the article text.
type EvidenceJSON struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// OrganisationJSON is the breached organisation.
type OrganisationJSON struct {
	Name       string        `json:"name"`
	Aliases    []string      `json:"aliases"`
	Sector     string        `json:"sector,omitempty"`
	Country    string        `json:"country,omitempty"`
	Evidence   *EvidenceJSON `json:"evidence"`
	Confidence float64       `json:"confidence"`
}

// RecordsJSON is the number of records of this incident. Value is null
// when the count is unknown ("a number of customers"): the qualifier says
// a count was mentioned, and there is no number to print.
type RecordsJSON struct {
	Value      *int64        `json:"value"`
	ValueMax   int64         `json:"value_max,omitempty"`
	Qualifier  string        `json:"qualifier"`
	Unit       string        `json:"unit"`
	Kind       string        `json:"kind"`
	Text       string        `json:"text"`
	Evidence   *EvidenceJSON `json:"evidence"`
	Confidence float64       `json:"confidence"`
}

// CauseJSON is the cause, from the closed list.
type CauseJSON struct {
	Primary      string        `json:"primary"`
	Contributing []string      `json:"contributing"`
	Evidence     *EvidenceJSON `json:"evidence"`
	Confidence   float64       `json:"confidence"`
}

// RegulatorActionJSON is one thing a regulator did.
type RegulatorActionJSON struct {
	Regulator  string        `json:"regulator"`
	Action     string        `json:"action"`
	Amount     *float64      `json:"amount"`
	Currency   string        `json:"currency,omitempty"`
	Stage      string        `json:"stage,omitempty"`
	Date       string        `json:"date,omitempty"`
	Evidence   *EvidenceJSON `json:"evidence"`
	Confidence float64       `json:"confidence"`
}

// TimingJSON is a notification timing ("within 72 hours").
type TimingJSON struct {
	Text     string        `json:"text"`
	Hours    int64         `json:"hours,omitempty"`
	Audience string        `json:"audience,omitempty"`
	Evidence *EvidenceJSON `json:"evidence"`
}

// DataTypeJSON is one kind of data exposed.
type DataTypeJSON struct {
	Type     string        `json:"type"`
	Evidence *EvidenceJSON `json:"evidence"`
}

// DateJSON is a (partial) date with its evidence.
type DateJSON struct {
	Date     string        `json:"date"`
	Evidence *EvidenceJSON `json:"evidence"`
}

// MentionedJSON is another incident the article only mentions.
type MentionedJSON struct {
	Organisation string        `json:"organisation"`
	Year         int32         `json:"year,omitempty"`
	Description  string        `json:"description,omitempty"`
	Records      int64         `json:"records,omitempty"`
	Evidence     *EvidenceJSON `json:"evidence"`
}

// ResultJSON is one classified input.
type ResultJSON struct {
	Source              string                `json:"source"`
	IsBreach            bool                  `json:"is_breach"`
	Relevance           float64               `json:"relevance"`
	ExtractorVersion    string                `json:"extractor_version"`
	Organisation        *OrganisationJSON     `json:"organisation"`
	Records             *RecordsJSON          `json:"records"`
	Cause               *CauseJSON            `json:"cause"`
	RegulatorActions    []RegulatorActionJSON `json:"regulator_actions"`
	NotificationTimings []TimingJSON          `json:"notification_timings"`
	DataTypes           []DataTypeJSON        `json:"data_types"`
	IncidentDate        *DateJSON             `json:"incident_date"`
	DisclosureDate      *DateJSON             `json:"disclosure_date"`
	Jurisdiction        string                `json:"jurisdiction,omitempty"`
	MentionedIncidents  []MentionedJSON       `json:"mentioned_incidents"`
	Error               string                `json:"error,omitempty"`
}

// EnumWord turns CAUSE_SOFTWARE_BUG_UPGRADE into software_bug_upgrade; the
// zero (unspecified) value becomes "".
func EnumWord(e protoreflect.Enum) string {
	if e == nil || e.Number() == 0 {
		return ""
	}
	name := string(e.Descriptor().Values().ByNumber(e.Number()).Name())
	prefix := string(e.Descriptor().Values().ByNumber(0).Name())
	prefix = strings.TrimSuffix(prefix, "UNSPECIFIED")
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}

// KnownCount is a RecordsFact's number, and false when it has none. The
// wire carries value 0 for an unknown count ("a handful of customers");
// that 0 is a placeholder, not a count, so nothing may show or sum it.
func KnownCount(r *bwv1.RecordsFact) (int64, bool) {
	if r == nil || r.GetQualifier() == bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN {
		return 0, false
	}
	return r.GetValue(), true
}

func evidence(e *bwv1.Evidence) *EvidenceJSON {
	if e == nil {
		return nil
	}
	return &EvidenceJSON{Text: e.GetText(), Start: int(e.GetStart()), End: int(e.GetEnd())}
}

// currencyExponent is the number of minor-unit digits of a currency.
func currencyExponent(code string) int {
	switch strings.ToUpper(code) {
	case "JPY", "KRW", "ISK", "CLP", "VND", "HUF":
		return 0 // HUF has minor units on paper; fines are whole forints
	}
	return 2
}

// MajorAmount converts minor units back to a number of currency units.
func MajorAmount(minor int64, currency string) float64 {
	return float64(minor) / math.Pow10(currencyExponent(currency))
}

// MinorAmount converts currency units to minor units, rounding.
func MinorAmount(major float64, currency string) int64 {
	return int64(math.Round(major * math.Pow10(currencyExponent(currency))))
}

// Render turns an Extraction into the CLI's JSON shape.
func Render(source string, x *bwv1.Extraction) ResultJSON {
	r := ResultJSON{
		Source: source, IsBreach: x.GetIsBreach(), Relevance: x.GetRelevance(), ExtractorVersion: x.GetExtractorVersion(),
		RegulatorActions: []RegulatorActionJSON{}, NotificationTimings: []TimingJSON{}, DataTypes: []DataTypeJSON{},
		MentionedIncidents: []MentionedJSON{},
	}
	if o := x.GetOrganisation(); o != nil && o.GetName() != "" {
		r.Organisation = &OrganisationJSON{Name: o.GetName(), Aliases: append([]string{}, o.GetAliases()...), Sector: o.GetSector(),
			Country: o.GetCountry(), Evidence: evidence(o.GetEvidence()), Confidence: o.GetConfidence()}
	}
	if rec := x.GetRecords(); rec != nil {
		r.Records = &RecordsJSON{Qualifier: EnumWord(rec.GetQualifier()),
			Unit: EnumWord(rec.GetUnit()), Kind: EnumWord(rec.GetKind()), Text: rec.GetText(), Evidence: evidence(rec.GetEvidence()),
			Confidence: rec.GetConfidence()}
		if n, ok := KnownCount(rec); ok {
			r.Records.Value, r.Records.ValueMax = &n, rec.GetValueMax()
		}
	}
	if c := x.GetCause(); c != nil && c.GetPrimary() != bwv1.Cause_CAUSE_UNSPECIFIED {
		cj := &CauseJSON{Primary: EnumWord(c.GetPrimary()), Contributing: []string{}, Evidence: evidence(c.GetEvidence()), Confidence: c.GetConfidence()}
		for _, k := range c.GetContributing() {
			cj.Contributing = append(cj.Contributing, EnumWord(k))
		}
		r.Cause = cj
	}
	for _, a := range x.GetRegulatorActions() {
		aj := RegulatorActionJSON{Regulator: a.GetRegulator(), Action: EnumWord(a.GetAction()), Currency: a.GetCurrency(),
			Stage: EnumWord(a.GetStage()), Date: a.GetDate(), Evidence: evidence(a.GetEvidence()), Confidence: a.GetConfidence()}
		if a.AmountMinor != nil {
			v := MajorAmount(a.GetAmountMinor(), a.GetCurrency())
			aj.Amount = &v
		}
		r.RegulatorActions = append(r.RegulatorActions, aj)
	}
	for _, t := range x.GetNotificationTimings() {
		r.NotificationTimings = append(r.NotificationTimings, TimingJSON{Text: t.GetText(), Hours: t.GetHours(),
			Audience: EnumWord(t.GetAudience()), Evidence: evidence(t.GetEvidence())})
	}
	for _, d := range x.GetDataTypes() {
		r.DataTypes = append(r.DataTypes, DataTypeJSON{Type: EnumWord(d.GetDataType()), Evidence: evidence(d.GetEvidence())})
	}
	if d := x.GetIncidentDate(); d != nil && d.GetDate() != "" {
		r.IncidentDate = &DateJSON{Date: d.GetDate(), Evidence: evidence(d.GetEvidence())}
	}
	if d := x.GetDisclosureDate(); d != nil && d.GetDate() != "" {
		r.DisclosureDate = &DateJSON{Date: d.GetDate(), Evidence: evidence(d.GetEvidence())}
	}
	r.Jurisdiction = x.GetJurisdiction().GetCountry()
	for _, m := range x.GetMentionedIncidents() {
		r.MentionedIncidents = append(r.MentionedIncidents, MentionedJSON{Organisation: m.GetOrganisation(), Year: m.GetYear(),
			Description: m.GetDescription(), Records: m.GetRecords(), Evidence: evidence(m.GetEvidence())})
	}
	return r
}
