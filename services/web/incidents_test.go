package web_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/web"
)

// An unknown count ("a number of customers") has no number in the API: the
// incident keeps its qualifier and has no value, never a 0; searches and
// facets over records leave it out.
func TestIncidentsAPIUnknownCount(t *testing.T) {
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	at := time.Date(2022, 2, 14, 0, 0, 0, 0, time.UTC)
	for _, inc := range []*store.Incident{
		{ID: "api-known", Records: &store.Records{Value: new(int64(640)), Qualifier: "exact", Unit: "patients", Basis: "single"}},
		{ID: "api-unknown", Records: &store.Records{Qualifier: "unknown", Unit: "patients", Basis: "single"}},
		{ID: "api-stray", Records: &store.Records{Value: new(int64(0)), Qualifier: "unknown", Unit: "patients", Basis: "single"}},
		{ID: "api-none"},
	} {
		inc.Organisation, inc.FirstReported = store.Organisation{Name: "Fenwick Dental " + inc.ID}, at
		if _, err := st.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
	}
	h := web.NewHandler(web.Options{Incidents: st})

	for _, tc := range []struct {
		id        string
		records   bool // a records object
		value     any  // its value; nil: absent
		qualifier string
	}{
		{"api-known", true, 640.0, "exact"},
		{"api-unknown", true, nil, "unknown"},
		{"api-stray", true, nil, "unknown"},
		{"api-none", false, nil, ""},
	} {
		t.Run(tc.id, func(t *testing.T) {
			code, body := do(t, h, "GET", "/api/v1/incidents/"+tc.id, "", "")
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			var inc struct {
				Records map[string]any `json:"records"`
			}
			if err := json.Unmarshal([]byte(body), &inc); err != nil {
				t.Fatal(err)
			}
			if (inc.Records != nil) != tc.records {
				t.Fatalf("records %v, want an object: %v", inc.Records, tc.records)
			}
			if v, ok := inc.Records["value"]; v != tc.value || ok && v == nil {
				t.Errorf("value %v (present %v), want %v", v, ok, tc.value)
			}
			if tc.records && inc.Records["qualifier"] != tc.qualifier {
				t.Errorf("qualifier %v, want %s", inc.Records["qualifier"], tc.qualifier)
			}
		})
	}

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"records:>=0", []string{"api-known"}},
		{"records:0", nil},
		{"NOT records:>=0", []string{"api-none", "api-stray", "api-unknown"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			code, body := do(t, h, "GET", "/api/v1/incidents?q="+url.QueryEscape(tc.q), "", "")
			var res store.Result
			if err := json.Unmarshal([]byte(body), &res); code != 200 || err != nil {
				t.Fatalf("%d %v %s", code, err, body)
			}
			var got []string
			for _, inc := range res.Incidents {
				got = append(got, inc.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
		})
	}

	code, body := do(t, h, "GET", "/api/v1/facets", "", "")
	var f store.FacetCounts
	if err := json.Unmarshal([]byte(body), &f); code != 200 || err != nil {
		t.Fatalf("facets: %d %v %s", code, err, body)
	}
	if want := []store.Bucket{{Key: "1-999", Count: 1}}; !slices.Equal(f.RecordsRange, want) {
		t.Errorf("records buckets %v, want %v", f.RecordsRange, want)
	}
}

// The served OpenAPI document says that records.value may be missing.
func TestOpenAPIRecordsValueIsOptional(t *testing.T) {
	code, body := do(t, web.NewHandler(web.Options{}), "GET", "/api/v1/openapi.yaml", "", "")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	type schema struct {
		Type       any               `yaml:"type"`
		Required   []string          `yaml:"required"`
		Properties map[string]schema `yaml:"properties"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]schema `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	records := doc.Components.Schemas["Incident"].Properties["records"]
	value, ok := records.Properties["value"]
	types, _ := value.Type.([]any)
	if !ok || slices.Contains(records.Required, "value") || !slices.Contains(types, any("null")) || !slices.Contains(types, any("integer")) {
		t.Errorf("records.value is %+v (required %v), want an optional, nullable integer", value, records.Required)
	}
}
