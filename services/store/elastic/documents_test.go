package elastic

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/store"
)

// The incident document PutIncident sends has no records number when the
// count is unknown: Kibana's sums and averages over
// breachwire.incident.records must leave the incident out, not add a 0.
// No search node is needed: the request is read off a fake one.
func TestIncidentDocumentOfAnUnknownCount(t *testing.T) {
	var body []byte
	s := fakeStore(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || !strings.HasPrefix(r.URL.Path, "/bw-incidents/_doc/") {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
		}
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"_index":"bw-incidents-v1","_seq_no":1,"_primary_term":1,"result":"created"}`)
	})
	for _, tc := range []struct {
		name        string
		records     *store.Records
		wantRecords any // breachwire.incident.records; nil: absent
		wantMax     any
		wantValue   any // breachwire.document.records.value; nil: absent
	}{
		{"known", &store.Records{Value: new(int64(2500)), ValueMax: 2999, Qualifier: "range", Basis: "single"}, 2500.0, 2999.0, 2500.0},
		{"unknown", &store.Records{Qualifier: "unknown", Unit: "people", Basis: "single"}, nil, nil, nil},
		{"unknown with a stray 0", &store.Records{Value: new(int64(0)), ValueMax: 10, Qualifier: "unknown", Basis: "single"}, nil, nil, nil},
		{"none", nil, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.PutIncident(t.Context(), &store.Incident{ID: "inc-u", Records: tc.records}, store.Version{}); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Breachwire struct {
					Incident map[string]any `json:"incident"`
					Document struct {
						Records map[string]any `json:"records"`
					} `json:"document"`
				} `json:"breachwire"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			f := doc.Breachwire.Incident
			if f["records"] != tc.wantRecords || f["records_max"] != tc.wantMax {
				t.Errorf("records %v, records_max %v; want %v, %v", f["records"], f["records_max"], tc.wantRecords, tc.wantMax)
			}
			if v := doc.Breachwire.Document.Records["value"]; v != tc.wantValue {
				t.Errorf("document records.value %v, want %v", v, tc.wantValue)
			}
			if tc.records != nil && doc.Breachwire.Document.Records["qualifier"] != tc.records.Qualifier {
				t.Errorf("document records %v: the qualifier is lost", doc.Breachwire.Document.Records)
			}
		})
	}
}
