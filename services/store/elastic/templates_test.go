package elastic

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite deploy/elasticsearch/ from templates/")

// deployDir holds the copies operators apply by hand; templates/ is the
// canonical, embedded version (go:embed cannot reach outside the package).
var deployDir = filepath.Join("..", "..", "..", "deploy", "elasticsearch")

// TestDeployTemplates checks that deploy/elasticsearch/ is exactly what the
// store puts at start (go test -update rewrites it).
func TestDeployTemplates(t *testing.T) {
	files, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("%d templates, want 5", len(files))
	}
	for name, want := range files {
		if !json.Valid(want) {
			t.Errorf("%s: invalid JSON", name)
		}
		path := filepath.Join(deployDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (go test -update writes it)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from templates/%s (go test -update rewrites it)", path, name)
		}
	}
	entries, err := os.ReadDir(deployDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && filepath.Ext(e.Name()) == ".json" {
			t.Errorf("%s: not a template of the store (remove it or add it to templates/)", filepath.Join(deployDir, e.Name()))
		}
	}
}
