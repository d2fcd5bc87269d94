package bleve

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// writeOldIndex makes an incidents index as an older breachwire would
// have: a mapping that indexes nothing this version searches, and no
// mapping version recorded.
func writeOldIndex(t *testing.T, path string) map[string]int64 {
	t.Helper()
	im := mapping.NewIndexMapping()
	doc := mapping.NewDocumentStaticMapping()
	stored := mapping.NewTextFieldMapping()
	stored.Index, stored.Store = false, true
	doc.AddFieldMappingsAt(fJSON, stored)
	seq := mapping.NewNumericFieldMapping()
	seq.Index, seq.Store = false, true
	doc.AddFieldMappingsAt(fSeq, seq)
	im.DefaultMapping = doc
	idx, err := blevesearch.New(path, im)
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[string]int64{}
	for i, inc := range storetest.Incidents() {
		d, err := incidentDoc(inc, int64(i+5))
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.Index(inc.ID, d); err != nil {
			t.Fatal(err)
		}
		seqs[inc.ID] = int64(i + 5)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// An index made with an older mapping is rebuilt at Open: every incident
// is searchable and counted by the fields added since, and keeps its
// version.
func TestOpenRebuildsAnIndexOfAnOlderMapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		crash bool // a rebuild stopped between its renames: only .old is left
	}{{"old mapping", false}, {"rebuild interrupted", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "incidents.bleve")
			seqs := writeOldIndex(t, path)
			if tc.crash {
				if err := os.Rename(path, path+".old"); err != nil {
					t.Fatal(err)
				}
			}
			var logs bytes.Buffer
			s, err := Open(dir, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !strings.Contains(logs.String(), "rebuilding the incidents index") || !strings.Contains(logs.String(), "incidents=12") {
				t.Errorf("the rebuild was not logged: %s", logs.String())
			}
			res, err := s.Search(t.Context(), query.Request{Query: must(t, "source:official"), Size: 20})
			if err != nil || len(res.Incidents) != 1 || res.Incidents[0].ID != "inc-06" {
				t.Fatalf("source:official after the rebuild: %v %+v", err, res)
			}
			f, err := s.Facets(t.Context(), query.Request{Query: query.All{}})
			if err != nil || !slices.Equal(f.Jurisdiction, []store.Bucket{{Key: "GB", Count: 6}, {Key: "US", Count: 4}, {Key: "CH", Count: 1}, {Key: "IE", Count: 1}}) {
				t.Fatalf("jurisdiction facet after the rebuild: %v %v", err, f)
			}
			_, v, err := s.GetIncident(t.Context(), "inc-04")
			if err != nil || v.SeqNo != seqs["inc-04"] {
				t.Errorf("inc-04 version %+v (%v), want seq %d", v, err, seqs["inc-04"])
			}
			for _, left := range []string{path + ".old", path + ".rebuild"} {
				if _, err := os.Stat(left); !os.IsNotExist(err) {
					t.Errorf("%s left behind (%v)", left, err)
				}
			}
		})
	}
}

// A current index is not rebuilt.
func TestOpenKeepsACurrentIndex(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIncident(t.Context(), storetest.Incidents()[0], store.Version{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, "incidents.bleve", "index_meta.json")
	before, err := os.Stat(meta)
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := os.Stat(meta)
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the index was rebuilt: %v %v → %v", err, before.ModTime(), after.ModTime())
	}
}

func must(t *testing.T, q string) query.Node {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
