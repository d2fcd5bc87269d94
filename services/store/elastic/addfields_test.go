package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// A live index made before a field was added to the mapping (here
// breachwire.incident.source_kind) gets the field when a newer store
// opens it: writing an incident that has it is not refused by the strict
// mapping, and a search on it finds the incident.
func TestOpenAddsNewFieldsToALiveIndex(t *testing.T) {
	cfg := testConfig(t)
	files, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	var component struct {
		Template map[string]any `json:"template"`
	}
	if err := json.Unmarshal(files["incidents-mappings.component.json"], &component); err != nil {
		t.Fatal(err)
	}
	props := component.Template["mappings"].(map[string]any)["properties"].(map[string]any)
	incident := props["breachwire"].(map[string]any)["properties"].(map[string]any)["incident"].(map[string]any)["properties"].(map[string]any)
	delete(incident, "source_kind")
	body := component.Template
	alias := cfg.IndexPrefix + "-" + kindIncidents
	body["aliases"] = map[string]any{alias: map[string]any{"is_write_index": true}}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, cfg.URL+"/"+alias+"-v1", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("create the old index: %d", resp.StatusCode)
	}

	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.drop(ctx)
		s.Close()
	})
	inc := &store.Incident{ID: "official-1", Organisation: store.Organisation{Name: "Saltmarsh Clinic", Keys: []string{"saltmarsh clinic"}},
		Cause: store.Cause{Primary: "hacking"}, FirstReported: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Sources: []store.Source{{ArticleID: "n1", URL: "https://ag.example/n1", Official: true}}}
	if _, err := s.PutIncident(t.Context(), inc, store.Version{}); err != nil {
		t.Fatalf("an incident with the new field was refused: %v", err)
	}
	q, _ := query.Parse("source:official")
	res, err := s.Search(t.Context(), query.Request{Query: q, Size: 10})
	if err != nil || len(res.Incidents) != 1 {
		t.Fatalf("source:official: %v %+v", err, res)
	}
}
