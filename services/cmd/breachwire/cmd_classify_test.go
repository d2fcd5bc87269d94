package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/classifier/rules"
)

// A synthetic article written for this test.
const classifyStory = `Regional bus operator exposes passenger details

Northline Buses said a misconfigured storage bucket exposed the names and e-mail addresses of 12,400 passengers.
The company told the Information Commissioner's Office within 72 hours.`

func runClassify(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), append([]string{"classify"}, args...), strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), exitCode(err, &errb)
}

func TestClassifyCommandShapeAndInputs(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "story.txt")
	html := filepath.Join(dir, "story.html")
	gz := filepath.Join(dir, "story.html.gz")
	binary := filepath.Join(dir, "blob.bin")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(plain, []byte(classifyStory), 0o600))
	page := "<!DOCTYPE html><html><head><title>Bus operator exposes passenger details</title></head><body><article><p>" +
		strings.ReplaceAll(classifyStory, "\n", "</p><p>") + "</p></article></body></html>"
	must(os.WriteFile(html, []byte(page), 0o600))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(page))
	must(zw.Close())
	must(os.WriteFile(gz, buf.Bytes(), 0o600))
	must(os.WriteFile(binary, []byte("\x00\x00\x00\x01\x02\x03\x04\x00\x00\x00\x00\x00"), 0o600))

	out, stderr, code := runClassify(t, classifyStory, "--format", "jsonl", plain, html, gz, "-", binary, filepath.Join(dir, "missing.txt"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (two inputs fail); stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d output lines, want one per input:\n%s", len(lines), out)
	}
	want := []string{"source", "is_breach", "relevance", "extractor_version", "organisation", "records", "cause",
		"regulator_actions", "data_types", "mentioned_incidents"}
	for i, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if i >= 4 {
			if obj["error"] == nil {
				t.Errorf("line %d: failing input without error field: %s", i, line)
			}
			continue
		}
		for _, k := range want {
			if _, ok := obj[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i, k, line)
			}
		}
		if obj["extractor_version"] != rules.Version {
			t.Errorf("line %d: extractor_version %v", i, obj["extractor_version"])
		}
		if _, ok := obj["regulator_actions"].([]any); !ok {
			t.Errorf("line %d: regulator_actions is not an array", i)
		}
	}
	if !strings.Contains(stderr, "blob.bin: input is binary") || !strings.Contains(stderr, "missing.txt") {
		t.Errorf("stderr %q", stderr)
	}
	// The same story through every input path gives the same facts.
	var a, b map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &a)
	_ = json.Unmarshal([]byte(lines[3]), &b)
	delete(a, "source")
	delete(b, "source")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("file and stdin differ:\n%s\n%s", ja, jb)
	}
	if _, _, code := runClassify(t, "", "--format", "xml", plain); code != 2 {
		t.Errorf("bad format: exit %d", code)
	}
	if _, _, code := runClassify(t, ""); code != 2 {
		t.Errorf("no input: exit %d", code)
	}
}

// A synthetic article whose only count is vague: the output keeps the
// qualifier and prints "value": null, not 0.
func TestClassifyUnknownCountIsNull(t *testing.T) {
	const story = `Ferry booking site leaks traveller details

Harbourline Ferries said a misconfigured server exposed the booking records of a handful of customers.
The company has informed the regulator.`
	for _, format := range []string{"json", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runClassify(t, story, "--format", format, "-")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var res struct {
				Records map[string]any `json:"records"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			if res.Records["qualifier"] != "unknown" {
				t.Fatalf("records %v, want the unknown count of %q", res.Records, "a handful of customers")
			}
			if v, ok := res.Records["value"]; !ok || v != nil {
				t.Errorf("value %v (present %v), want null", v, ok)
			}
			if _, ok := res.Records["value_max"]; ok {
				t.Errorf("value_max %v beside an unknown count", res.Records["value_max"])
			}
		})
	}
}
