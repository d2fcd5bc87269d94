package classifier_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// handleNotice runs one notice article through the stage and returns its
// extraction.
func handleNotice(t *testing.T, n *testenv.NATS, art *bwv1.Article) *bwv1.Extraction {
	t.Helper()
	h := &classifier.Handler{X: rules.New(), Pub: n.Pub}
	data, _ := proto.Marshal(art)
	if err := h.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1}); err != nil {
		t.Fatal(err)
	}
	msgs := n.Messages(t, bus.StreamExtractions)
	var x bwv1.Extraction
	if err := proto.Unmarshal(msgs[len(msgs)-1].Data, &x); err != nil {
		t.Fatal(err)
	}
	return &x
}

// A notification row's facts are its columns, each citing the row; the
// text is not read for them (it names another count and cause on purpose).
func TestNoticeFactsComeFromTheColumns(t *testing.T) {
	n := testenv.StartNATS(t)
	text := "Date Reported: 03/18/2025; Organization Name: Tidewater Orthodontics; Date of Breach: 02/10/2025; " +
		"Number of Washingtonians Affected: 3,120; Information Compromised: Name (a stolen laptop held 90,000 records)"
	x := handleNotice(t, n, &bwv1.Article{Id: "wa1", Url: "https://wa.example.test/letters/A1.pdf", Text: text, ContentHash: "ab",
		ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_NOTICE,
		Notice: &bwv1.Notice{Parser: "wa-ag", Regulator: "Washington AG", Country: "US", Organisation: "Tidewater Orthodontics",
			BreachDates: []string{"2025-02-10"}, Reported: "2025-03-18", Affected: 3120, AffectedKnown: true, AffectedResidentsOnly: true,
			Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED}})
	if x.GetExtractorVersion() != classifier.NoticeVersion || !x.GetIsBreach() || x.GetOrganisation().GetName() != "Tidewater Orthodontics" {
		t.Fatalf("extraction %v", x)
	}
	r := x.GetRecords()
	if r.GetValue() != 3120 || r.GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_LEAST || r.GetEvidence().GetText() != text {
		t.Errorf("records %v", r)
	}
	if x.GetCause() != nil {
		t.Errorf("the row gives no cause, yet %v", x.GetCause())
	}
	acts := x.GetRegulatorActions()
	if len(acts) != 1 || acts[0].GetRegulator() != "Washington AG" || acts[0].GetDate() != "2025-03-18" ||
		acts[0].GetAction() != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED {
		t.Errorf("actions %v", acts)
	}
	if x.GetIncidentDate().GetDate() != "2025-02-10" || x.GetDisclosureDate().GetDate() != "2025-03-18" || x.GetJurisdiction().GetCountry() != "US" {
		t.Errorf("dates %v %v jurisdiction %v", x.GetIncidentDate(), x.GetDisclosureDate(), x.GetJurisdiction())
	}
	if x.GetArticle().GetNotice().GetParser() != "wa-ag" {
		t.Error("the article's notice was not kept")
	}
}

// An enforcement list's row is a breach only when its text is about one
// (the relevance model, or a cause the rules find in it): a fine for
// nuisance calls is not one; its amount still comes from the column.
func TestEnforcementRowIsABreachOnlyWhenItIsAboutOne(t *testing.T) {
	n := testenv.StartNATS(t)
	amount := int64(12_000_000)
	fine := func(id, text string) *bwv1.Extraction {
		return handleNotice(t, n, &bwv1.Article{Id: id, Url: "https://ico.example.test/" + id, Text: text, ContentHash: id,
			ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_NOTICE,
			Notice: &bwv1.Notice{Parser: "ico", Regulator: "ICO", Country: "GB", Organisation: "Example Org", Reported: "2025-05-01",
				Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY, AmountMinor: &amount, Currency: "GBP"}})
	}
	breach := fine("b1", "Monetary penalties; Marrowgate Housing Association; 1 May 2025; The ICO fined Marrowgate Housing Association £120,000 after "+
		"hackers stole the personal data of 14,000 tenants, including bank details, from a server that had not been patched.")
	short := fine("s1", "Organisation: Harbourline Dental Group; Date: 26 March 2025; Action: Monetary penalties; Summary: We have fined "+
		"Harbourline Dental Group £3.07 million for failing to protect patients' records from a ransomware attack.")
	if !short.GetIsBreach() || short.GetCause().GetPrimary() != bwv1.Cause_CAUSE_MALWARE_RANSOMWARE {
		t.Errorf("a one-line ransomware fine: is_breach %v (relevance %.2f), cause %v", short.GetIsBreach(), short.GetRelevance(), short.GetCause())
	}
	calls := fine("c1", "Monetary penalties; Brisk Leads Ltd; 1 May 2025; The ICO fined Brisk Leads Ltd £120,000 for making 300,000 "+
		"unsolicited marketing calls to people registered with the Telephone Preference Service.")
	if !breach.GetIsBreach() || calls.GetIsBreach() {
		t.Errorf("is_breach: data theft %v (%.2f), marketing calls %v (%.2f)", breach.GetIsBreach(), breach.GetRelevance(),
			calls.GetIsBreach(), calls.GetRelevance())
	}
	for _, x := range []*bwv1.Extraction{breach, calls} {
		acts := x.GetRegulatorActions()
		if len(acts) != 1 || acts[0].GetAmountMinor() != amount || acts[0].GetCurrency() != "GBP" || x.GetOrganisation().GetName() != "Example Org" {
			t.Errorf("%s: actions %v organisation %v", x.GetArticleId(), acts, x.GetOrganisation())
		}
	}
}
