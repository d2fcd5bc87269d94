package rules

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestRelevanceFeatureDump writes the relevance features of the labelled
// news in ../shared (never in the repository) for scripts/fit-relevance. It
// runs only when RELEVANCE_FEATURE_DUMP names the output file.
func TestRelevanceFeatureDump(t *testing.T) {
	out := os.Getenv("RELEVANCE_FEATURE_DUMP")
	if out == "" {
		t.Skip("RELEVANCE_FEATURE_DUMP not set")
	}
	in := os.Getenv("RELEVANCE_FEATURE_INPUT")
	if in == "" {
		in = filepath.Join(devTexts, "relevance_dev.jsonl")
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	enc := json.NewEncoder(w)
	if err := enc.Encode(relFeatureNames); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var item struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			Text     string `json:"text"`
			IsBreach bool   `json:"is_breach"`
		}
		if err := json.Unmarshal(sc.Bytes(), &item); err != nil {
			t.Fatal(err)
		}
		// The same text the eval gives `breachwire classify`: headline, blank
		// line, body; the headline is the title.
		text, title := item.Text, ""
		if item.Title != "" {
			text = item.Title + "\n\n" + item.Text
			title = item.Title
		}
		x := relevanceFeatures(newDoc(text, title))
		if err := enc.Encode(map[string]any{"id": item.ID, "y": item.IsBreach, "x": x[:]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
