package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/web"
)

// exportIncidents are synthetic incidents with every kind of records: a
// number, an unknown count (as the indexer writes it, and with a stray 0
// beside the qualifier), and none.
func exportIncidents() []*store.Incident {
	at := time.Date(2023, 7, 3, 0, 0, 0, 0, time.UTC)
	inc := func(id string, r *store.Records) *store.Incident {
		return &store.Incident{ID: id, Organisation: store.Organisation{Name: "Kestrel Logistics " + id}, Records: r,
			Cause: store.Cause{Primary: "hacking"}, FirstReported: at}
	}
	return []*store.Incident{
		inc("exp-known", &store.Records{Value: new(int64(7300)), Qualifier: "approximate", Unit: "customers", Basis: "single",
			Reported: []store.ReportedValue{{Value: 7300, ArticleURL: "https://news.example.test/k"}}}),
		inc("exp-unknown", &store.Records{Qualifier: "unknown", Unit: "customers", Basis: "single"}),
		inc("exp-stray", &store.Records{Value: new(int64(0)), Qualifier: "unknown", Unit: "customers", Basis: "single"}),
		inc("exp-none", nil),
	}
}

// An unknown count exports as an empty records cell (CSV) and without a
// value (JSONL), read from the data directory or through a running
// instance's API.
func TestExportUnknownCount(t *testing.T) {
	data := t.TempDir()
	st, err := bleve.Open(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range exportIncidents() {
		if _, err := st.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// want: the records and records_qualifier cells, and the JSONL value
	// (nil: absent).
	want := map[string]struct {
		records, qualifier string
		value              any
	}{
		"exp-known":   {"7300", "approximate", 7300.0},
		"exp-unknown": {"", "unknown", nil},
		"exp-stray":   {"", "unknown", nil},
		"exp-none":    {"", "", nil},
	}
	check := func(t *testing.T, envv map[string]string) {
		out, errOut, code := runCLI(t, envv, "export", "--format", "csv")
		if code != 0 {
			t.Fatalf("export csv: exit %d: %s", code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != len(want)+1 {
			t.Fatalf("csv (%v):\n%s", err, out)
		}
		col := func(name string) int { return slices.Index(rows[0], name) }
		for _, row := range rows[1:] {
			w := want[row[col("id")]]
			if row[col("records")] != w.records || row[col("records_qualifier")] != w.qualifier {
				t.Errorf("csv %s: records %q qualifier %q, want %q %q", row[col("id")], row[col("records")], row[col("records_qualifier")], w.records, w.qualifier)
			}
		}
		out, errOut, code = runCLI(t, envv, "export", "--format", "jsonl")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != len(want) {
			t.Fatalf("export jsonl: exit %d, %d lines: %s %s", code, len(lines), out, errOut)
		}
		for _, line := range lines {
			var inc struct {
				ID      string         `json:"id"`
				Records map[string]any `json:"records"`
			}
			if err := json.Unmarshal([]byte(line), &inc); err != nil {
				t.Fatal(err)
			}
			w := want[inc.ID]
			if v, ok := inc.Records["value"]; v != w.value || ok && v == nil {
				t.Errorf("jsonl %s: value %v (present %v), want %v", inc.ID, v, ok, w.value)
			}
			if inc.Records != nil && inc.Records["qualifier"] != w.qualifier {
				t.Errorf("jsonl %s: qualifier %v, want %q", inc.ID, inc.Records["qualifier"], w.qualifier)
			}
		}
		out, _, code = runCLI(t, envv, "search", "--size", "10")
		table := strings.Split(strings.TrimSpace(out), "\n")
		at := strings.Index(table[0], "RECORDS")
		if code != 0 || at < 0 || len(table) != len(want)+1 {
			t.Fatalf("search: exit %d:\n%s", code, out)
		}
		for _, row := range table[1:] {
			id, cell := strings.Fields(row)[0], strings.Fields(row[at:])[0]
			if w := cmp.Or(want[id].records, "-"); cell != w {
				t.Errorf("search %s: records %q, want %q", id, cell, w)
			}
		}
	}
	t.Run("data directory", func(t *testing.T) {
		check(t, map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_HTTP": freeAddr(t)})
	})
	t.Run("api", func(t *testing.T) {
		st, err := bleve.Open(filepath.Join(data, "index"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		srv := httptest.NewServer(web.NewHandler(web.Options{Incidents: st}))
		defer srv.Close()
		check(t, map[string]string{"BREACHWIRE_SERVER": srv.URL, "BREACHWIRE_DATA": t.TempDir()})
	})
}
