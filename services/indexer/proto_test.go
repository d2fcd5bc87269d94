package indexer

import (
	"testing"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/store"
)

// The incident on bw.incidents.* and in alerts carries what a subscriber
// reads: qualifiers, data types, the regulator's stage and quote.
func TestIncidentProtoCarriesTheFacts(t *testing.T) {
	amount := 500000.0
	at := time.Date(2011, 6, 20, 0, 0, 0, 0, time.UTC)
	inc := &store.Incident{
		ID: "inc-x", Revision: 2,
		Organisation: store.Organisation{Name: "Co-operative Life Planning", Aliases: []string{"CLP"}},
		Records: &store.Records{Value: new(int64(83000)), Qualifier: "exact", Unit: "customers", Kind: "affected", Basis: "recency",
			Reported: []store.ReportedValue{
				{Value: 82000, Qualifier: "exact", Unit: "customers", Kind: "affected", ArticleID: "a1", Quote: "82,000 customers"},
				{Value: 83000, Qualifier: "approximate", Unit: "customers", Kind: "affected", ArticleID: "a2", Quote: "about 83,000", PublishedAt: at},
			}},
		Cause:            store.Cause{Primary: "third_party", Contributing: []string{"hacking"}},
		RegulatorActions: []store.RegulatorAction{{Regulator: "ICO", Action: "monetary_penalty", Amount: &amount, Currency: "GBP", Stage: "final", ArticleID: "a2", Quote: "The ICO fined it."}},
		DataTypes:        []string{"financial", "names", "not_a_type", "names"},
		FirstReported:    at,
	}
	p := IncidentProto(inc)
	r := p.GetRecords()
	if r.GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT || r.GetUnit() != bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS ||
		r.GetKind() != bwv1.RecordsKind_RECORDS_KIND_AFFECTED || r.GetBasis() != bwv1.HeadlineBasis_HEADLINE_BASIS_RECENCY || r.GetArticleId() != "a2" {
		t.Errorf("records %v", r)
	}
	if len(r.GetReported()) != 2 || r.GetReported()[1].GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE || r.GetReported()[1].GetPublishedAt() == nil {
		t.Errorf("reported %v", r.GetReported())
	}
	if got := p.GetDataTypes(); len(got) != 2 || got[0] != bwv1.DataType_DATA_TYPE_NAMES || got[1] != bwv1.DataType_DATA_TYPE_FINANCIAL {
		t.Errorf("data types %v", got)
	}
	a := p.GetRegulatorActions()[0].GetAction()
	if a.GetAction() != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY || a.GetStage() != bwv1.RegulatorActionStage_REGULATOR_ACTION_STAGE_FINAL ||
		a.GetAmountMinor() != 50_000_000 || a.GetEvidence().GetText() != "The ICO fined it." {
		t.Errorf("regulator action %v", a)
	}
	if p.GetCause().GetPrimary() != bwv1.Cause_CAUSE_THIRD_PARTY || len(p.GetCause().GetContributing()) != 1 {
		t.Errorf("cause %v", p.GetCause())
	}
}

// A stored headline without a number goes on the wire as the proto's
// unknown count: value 0 with qualifier unknown, never a bare 0.
func TestIncidentProtoOfAnUnknownCount(t *testing.T) {
	reported := []store.ReportedValue{{Value: 300, Qualifier: "exact", ArticleID: "a1"}}
	for _, tc := range []struct {
		name string
		r    *store.Records
	}{
		{"no value", &store.Records{Qualifier: "unknown", Unit: "people", Basis: "single"}},
		{"no value, qualifier lost", &store.Records{Qualifier: "exact", Unit: "people", Basis: "single"}},
		{"a stray value", &store.Records{Value: new(int64(300)), ValueMax: 900, Qualifier: "unknown", Unit: "people", Basis: "single", Reported: reported}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := IncidentProto(&store.Incident{ID: "inc-u", Records: tc.r}).GetRecords()
			if r.GetValue() != 0 || r.GetValueMax() != 0 || r.GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN ||
				r.GetUnit() != bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE || r.GetArticleId() != "" {
				t.Errorf("records %v", r)
			}
		})
	}
}
