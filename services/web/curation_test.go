package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/web"
)

// breachStory is an extraction of one article about a made-up clinic.
func breachStory(id string, year int, published time.Time) *bwv1.Extraction {
	return &bwv1.Extraction{
		ArticleId: id, ExtractorVersion: "rules/test", IsBreach: true,
		Organisation: &bwv1.OrganisationFact{Name: "Larchmere Eye Clinic"},
		Cause:        &bwv1.CauseFact{Primary: bwv1.Cause_CAUSE_HACKING},
		IncidentDate: &bwv1.DateFact{Date: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")},
		Records:      &bwv1.RecordsFact{Value: 900, Qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT, Unit: bwv1.RecordsUnit_RECORDS_UNIT_PATIENTS},
		Article:      &bwv1.Article{Id: id, Url: "https://news.example.test/" + id, Title: "Story " + id, PublishedAt: timestamppb.New(published)},
	}
}

func TestCurationAPI(t *testing.T) {
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	n := testenv.StartNATS(t)
	ix := &indexer.Handler{Store: st, Pub: n.Pub}
	at := time.Date(2023, 4, 3, 0, 0, 0, 0, time.UTC)
	for i, x := range []*bwv1.Extraction{breachStory("api-c1", 2023, at), breachStory("api-c2", 2022, at.AddDate(0, 0, 2)), breachStory("api-c3", 2023, at.AddDate(0, 0, 4))} {
		b, _ := proto.Marshal(x)
		if err := ix.Handle(t.Context(), &bus.Message{Data: b, Deliveries: 1}); err != nil {
			t.Fatalf("index %d: %v", i, err)
		}
	}
	incOf := func(article string) string {
		a, err := st.GetArticle(t.Context(), article)
		if err != nil {
			t.Fatal(err)
		}
		return a.IncidentID
	}
	first, second := incOf("api-c1"), incOf("api-c2")
	if first == second || incOf("api-c3") != first {
		t.Fatalf("fixture: %s %s %s", first, second, incOf("api-c3"))
	}
	const token = "curator-token"
	h := web.NewHandler(web.Options{Incidents: st, Curation: &indexer.Curator{Store: st, Pub: n.Pub}, AdminToken: token})

	mergeBody := `{"ids":["` + first + `","` + second + `"],"by":"carol","why":"one breach, misdated by one outlet"}`
	for _, tc := range []struct {
		name, path, token, body string
		code                    int
		says                    string
	}{
		{"no token", "/api/v1/incidents/merge", "", mergeBody, 401, "admin token"},
		{"unknown field", "/api/v1/incidents/merge", token, `{"ids":["a","b"],"who":"x"}`, 400, "unknown field"},
		{"one id", "/api/v1/incidents/merge", token, `{"ids":["` + first + `"],"by":"c","why":"w"}`, 400, "two or more"},
		{"no reason", "/api/v1/incidents/merge", token, `{"ids":["` + first + `","` + second + `"],"by":"c"}`, 400, "who curates and why"},
		{"missing incident", "/api/v1/incidents/merge", token, `{"ids":["` + first + `","inc-nope"],"by":"c","why":"w"}`, 404, "inc-nope"},
		{"split of a foreign article", "/api/v1/incidents/" + first + "/split", token, `{"articles":["api-c2"],"by":"c","why":"w"}`, 400, "does not hold"},
	} {
		if code, body := do(t, h, "POST", tc.path, tc.token, tc.body); code != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, code, body, tc.code, tc.says)
		}
	}

	code, body := do(t, h, "POST", "/api/v1/incidents/merge", token, mergeBody)
	var merged web.CurationResult
	if err := json.Unmarshal([]byte(body), &merged); code != 200 || err != nil || merged.Incident == nil {
		t.Fatalf("merge: %d %v %s", code, err, body)
	}
	if len(merged.Incident.Sources) != 3 || len(merged.Incident.Curation) != 1 || merged.Incident.Curation[0].By != "carol" {
		t.Errorf("merged incident %+v", merged.Incident)
	}
	if code, _ := do(t, h, "GET", "/api/v1/incidents/"+second, "", ""); code != 404 {
		t.Errorf("merged-away incident: %d, want 404", code)
	}

	code, body = do(t, h, "POST", "/api/v1/incidents/"+first+"/split", token, `{"articles":["api-c3"],"by":"dan","why":"c3 is a later, separate breach"}`)
	var split web.CurationResult
	if err := json.Unmarshal([]byte(body), &split); code != 200 || err != nil || split.Split == nil {
		t.Fatalf("split: %d %v %s", code, err, body)
	}
	if len(split.Incident.Sources) != 2 || len(split.Split.Sources) != 1 || split.Split.Sources[0].ArticleID != "api-c3" {
		t.Errorf("split: rest %d sources, new %+v", len(split.Incident.Sources), split.Split.Sources)
	}
	if got := incOf("api-c3"); got != split.Split.ID {
		t.Errorf("api-c3 points at %s, want %s", got, split.Split.ID)
	}
	// The article API does not serve the indexer's binary copy.
	if _, body := do(t, h, "GET", "/api/v1/articles/api-c3", "", ""); strings.Contains(body, "extraction_proto") {
		t.Errorf("article API serves extraction_proto")
	}
}

// notReadyCuration is what a process answers before its store is open.
type notReadyCuration struct{}

func (notReadyCuration) Merge(context.Context, []string, indexer.Request) (*store.Incident, error) {
	return nil, web.ErrNotReady
}

func (notReadyCuration) Split(context.Context, string, []string, indexer.Request) (*store.Incident, *store.Incident, error) {
	return nil, nil, web.ErrNotReady
}

func TestCurationAPIBeforeTheStoreIsOpen(t *testing.T) {
	h := web.NewHandler(web.Options{Curation: notReadyCuration{}, AdminToken: "t"})
	if code, _ := do(t, h, "POST", "/api/v1/incidents/merge", "t", `{"ids":["a","b"],"by":"c","why":"w"}`); code != 503 {
		t.Errorf("merge before the store is open: %d, want 503", code)
	}
}
