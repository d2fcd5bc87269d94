package breachwirev1_test

import (
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	breachwirev1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

const sentence = "The ICO fined the firm £500,000 after 83,000 customers were affected."

func sampleExtraction() *breachwirev1.Extraction {
	ev := &breachwirev1.Evidence{Text: sentence, Start: 0, End: uint32(len(sentence))}
	return &breachwirev1.Extraction{
		ArticleId:        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		ArticleUrl:       "https://news.example/clp-breach",
		ExtractorVersion: "rules/0.1.0",
		IsBreach:         true,
		Relevance:        0.93,
		Organisation: &breachwirev1.OrganisationFact{
			Name: "Co-operative Life Planning", Aliases: []string{"CLP"},
			Sector: "finance", Country: "GB", Evidence: ev, Confidence: 0.9,
		},
		Records: &breachwirev1.RecordsFact{
			Value: 83000, Qualifier: breachwirev1.RecordsQualifier_RECORDS_QUALIFIER_EXACT,
			Unit: breachwirev1.RecordsUnit_RECORDS_UNIT_CUSTOMERS, Kind: breachwirev1.RecordsKind_RECORDS_KIND_AFFECTED,
			Text: "83,000 customers", Evidence: ev, Confidence: 0.8,
		},
		Cause: &breachwirev1.CauseFact{
			Primary:      breachwirev1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE,
			Contributing: []breachwirev1.Cause{breachwirev1.Cause_CAUSE_THIRD_PARTY},
			Evidence:     ev, Confidence: 0.7,
		},
		RegulatorActions: []*breachwirev1.RegulatorAction{{
			Regulator: "ICO", Action: breachwirev1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
			AmountMinor: proto.Int64(50_000_000), Currency: "GBP",
			Stage: breachwirev1.RegulatorActionStage_REGULATOR_ACTION_STAGE_FINAL,
			Date:  "2013-03", Evidence: ev, Confidence: 0.95,
		}},
		NotificationTimings: []*breachwirev1.NotificationTiming{{
			Text: "within 72 hours", Hours: 72,
			Audience: breachwirev1.NotificationAudience_NOTIFICATION_AUDIENCE_REGULATOR,
		}},
		DataTypes: []*breachwirev1.DataTypeFact{{
			DataType: breachwirev1.DataType_DATA_TYPE_FINANCIAL, Evidence: ev, Confidence: 0.6,
		}},
		IncidentDate:   &breachwirev1.DateFact{Date: "2011"},
		DisclosureDate: &breachwirev1.DateFact{Date: "2011-10-04"},
		Jurisdiction:   &breachwirev1.JurisdictionFact{Country: "GB", Confidence: 0.9},
		MentionedIncidents: []*breachwirev1.MentionedIncident{{
			Organisation: "Mumsnet", Year: 2014, Description: "Heartbleed attack", Records: 1_500_000,
		}},
	}
}

func sampleEvent() *breachwirev1.IncidentEvent {
	published := timestamppb.New(time.Date(2013, 3, 14, 9, 30, 0, 0, time.UTC))
	return &breachwirev1.IncidentEvent{
		EventId: "inc-1@2",
		Kind:    breachwirev1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED,
		Incident: &breachwirev1.Incident{
			Id: "inc-1", Revision: 2,
			Organisation: &breachwirev1.Organisation{Name: "Co-operative Life Planning", Aliases: []string{"CLP"}},
			Records: &breachwirev1.IncidentRecords{
				Value: 83000, Qualifier: breachwirev1.RecordsQualifier_RECORDS_QUALIFIER_EXACT,
				Unit:  breachwirev1.RecordsUnit_RECORDS_UNIT_CUSTOMERS,
				Basis: breachwirev1.HeadlineBasis_HEADLINE_BASIS_OFFICIAL_SOURCE, ArticleId: "b",
				Reported: []*breachwirev1.ReportedValue{
					{Value: 82000, ArticleId: "a", ArticleUrl: "https://a.example/1", Quote: "82,000 customers", PublishedAt: published},
					{Value: 83000, ArticleId: "b", ArticleUrl: "https://b.example/2", Quote: "83,000 customers", PublishedAt: published},
				},
			},
			Cause: &breachwirev1.IncidentCause{Primary: breachwirev1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE, ArticleId: "a"},
			RegulatorActions: []*breachwirev1.IncidentRegulatorAction{{
				Action: &breachwirev1.RegulatorAction{
					Regulator: "ICO", Action: breachwirev1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
					AmountMinor: proto.Int64(50_000_000), Currency: "GBP",
				},
				ArticleId: "b", ArticleUrl: "https://b.example/2", PublishedAt: published,
			}},
			DataTypes:     []breachwirev1.DataType{breachwirev1.DataType_DATA_TYPE_NAMES, breachwirev1.DataType_DATA_TYPE_FINANCIAL},
			FirstReported: published,
			LastUpdated:   published,
			IncidentDate:  "2011",
			Sources: []*breachwirev1.Source{
				{ArticleId: "a", Url: "https://a.example/1", Title: "A", Outlet: "a.example", PublishedAt: published},
			},
			ExtractorVersions: []string{"rules/0.1.0"},
		},
		Changes: []*breachwirev1.Change{{
			Field: "records.value", Kind: breachwirev1.ChangeKind_CHANGE_KIND_COUNT_REVISED,
			OldValue: "82000", NewValue: "83000", ArticleId: "b",
		}},
		OccurredAt: published,
	}
}

func TestRoundTrip(t *testing.T) {
	for name, msg := range map[string]proto.Message{
		"extraction": sampleExtraction(),
		"event":      sampleEvent(),
	} {
		t.Run(name+"/binary", func(t *testing.T) {
			b, err := proto.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			got := msg.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(b, got); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(msg, got) {
				t.Fatalf("binary round trip differs:\n got %v\nwant %v", got, msg)
			}
		})
		t.Run(name+"/protojson", func(t *testing.T) {
			b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			got := msg.ProtoReflect().New().Interface()
			if err := protojson.Unmarshal(b, got); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(msg, got) {
				t.Fatalf("protojson round trip differs:\n got %v\nwant %v", got, msg)
			}
		})
	}
}

// TestJSONNames pins the JSON shape that jq users and the CLI see: proto
// (snake_case) field names, enum value names, 32-bit offsets as numbers and
// 64-bit integers as strings (protojson's rule for int64).
func TestJSONNames(t *testing.T) {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(sampleExtraction())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"article_id", "article_url", "extractor_version", "is_breach", "regulator_actions", "data_types", "mentioned_incidents"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
	for _, k := range []string{"articleId", "isBreach", "regulatorActions"} {
		if _, ok := m[k]; ok {
			t.Errorf("lowerCamel key %q present with UseProtoNames", k)
		}
	}
	org := m["organisation"].(map[string]any)
	ev := org["evidence"].(map[string]any)
	if ev["text"] != sentence || ev["start"] != nil || ev["end"] != float64(len(sentence)) {
		t.Errorf("evidence = %v; want text, start omitted (zero), end as a JSON number", ev)
	}
	rec := m["records"].(map[string]any)
	if rec["value"] != "83000" || rec["qualifier"] != "RECORDS_QUALIFIER_EXACT" || rec["value_max"] != nil {
		t.Errorf("records = %v", rec)
	}
	act := m["regulator_actions"].([]any)[0].(map[string]any)
	if act["amount_minor"] != "50000000" || act["currency"] != "GBP" || act["action"] != "REGULATOR_ACTION_TYPE_MONETARY_PENALTY" {
		t.Errorf("regulator action = %v", act)
	}
	if c := m["cause"].(map[string]any); c["primary"] != "CAUSE_SOFTWARE_BUG_UPGRADE" {
		t.Errorf("cause = %v", c)
	}

	// protojson also accepts the lowerCamel JSON names on input.
	var x breachwirev1.Extraction
	if err := protojson.Unmarshal([]byte(`{"articleId":"x","isBreach":true,"extractorVersion":"v"}`), &x); err != nil {
		t.Fatal(err)
	}
	if x.GetArticleId() != "x" || !x.GetIsBreach() || x.GetExtractorVersion() != "v" {
		t.Errorf("lowerCamel input not accepted: %v", &x)
	}
}

// TestEvidenceSlices checks the documented offset contract on the sample.
func TestEvidenceSlices(t *testing.T) {
	text := "Intro. " + sentence + " Outro."
	ev := &breachwirev1.Evidence{Text: sentence, Start: 7, End: uint32(7 + len(sentence))}
	if got := text[ev.GetStart():ev.GetEnd()]; got != ev.GetText() {
		t.Fatalf("text[start:end] = %q, want %q", got, ev.GetText())
	}
}

// TestAmountPresence checks that an unset amount differs from a zero one.
func TestAmountPresence(t *testing.T) {
	a := &breachwirev1.RegulatorAction{Regulator: "ICO"}
	if a.AmountMinor != nil {
		t.Fatal("amount set by default")
	}
	a.AmountMinor = proto.Int64(0)
	b, err := proto.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got breachwirev1.RegulatorAction
	if err := proto.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.AmountMinor == nil || got.GetAmountMinor() != 0 {
		t.Fatalf("explicit zero amount lost: %v", &got)
	}
}
