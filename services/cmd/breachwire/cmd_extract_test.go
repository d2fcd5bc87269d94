package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// extractFixtures are the extract package's own synthetic pages.
var extractFixtures = filepath.Join("..", "..", "internal", "extract", "testdata")

func extractFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(extractFixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeGzip(t *testing.T, path string, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runExtract(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), append([]string{"extract"}, args...), strings.NewReader(""), &out, &errb, func(string) string { return "" })
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestExtractCommandJSONL(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "article.html")
	if err := os.WriteFile(plain, extractFixture(t, "article.html"), 0o644); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "jsonld.html.gz")
	writeGzip(t, gz, extractFixture(t, "jsonld.html"))
	// gzip is recognised by its magic bytes, not by the name.
	disguised := filepath.Join(dir, "saved-page")
	writeGzip(t, disguised, extractFixture(t, "windows-1252.html"))

	stdout, stderr, code := runExtract(t, "--format", "jsonl", plain, gz, disguised)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %d:\n%s", len(lines), stdout)
	}
	wantKeys := []string{"byline", "canonical_url", "charset", "language", "method", "published_at",
		"site_name", "source", "text", "title", "url"}
	var docs []map[string]any
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("line %d keys = %v, want %v", i+1, keys, wantKeys)
		}
		docs = append(docs, m)
	}

	checks := []struct {
		doc        map[string]any
		key        string
		want       any
		isContains bool
	}{
		{docs[0], "source", plain, false},
		{docs[0], "title", "Glenmoor Building Society admits records of 48,000 members exposed", false},
		{docs[0], "byline", "Harriet Quill", false},
		{docs[0], "published_at", "2025-03-14T09:30:00Z", false},
		{docs[0], "language", "en", false},
		{docs[0], "site_name", "The Ledger Post", false},
		{docs[0], "method", "trafilatura", false},
		{docs[0], "url", "", false}, // a relative canonical link and no page URL
		{docs[0], "text", "within 72 hours of discovering it", true},
		{docs[1], "source", gz, false},
		{docs[1], "url", "https://northgate.example/news/swiftbox-ransomware", false},
		{docs[1], "canonical_url", "https://northgate.example/news/swiftbox-ransomware", false},
		{docs[1], "published_at", "2024-11-02T15:45:00Z", false},
		{docs[1], "byline", "Tomasz Brennan", false},
		{docs[2], "source", disguised, false},
		{docs[2], "published_at", nil, false},
		{docs[2], "charset", "windows-1252", false},
		{docs[2], "text", "fined €250,000", true},
	}
	for _, c := range checks {
		got := c.doc[c.key]
		if c.isContains {
			if s, _ := got.(string); !strings.Contains(s, c.want.(string)) {
				t.Errorf("%v: %s lacks %q", c.doc["source"], c.key, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%v: %s = %#v, want %#v", c.doc["source"], c.key, got, c.want)
		}
	}
	// Text and HTML-looking characters are written as they are.
	if strings.Contains(lines[2], `\u0026`) || !strings.Contains(lines[2], "Brontë & Co") {
		t.Errorf("output escapes text: %s", lines[2])
	}
}

func TestExtractCommandJSONDefault(t *testing.T) {
	page := filepath.Join(extractFixtures, "jsonld.html")
	stdout, stderr, code := runExtract(t, page, page)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// One indented object per input, readable as a JSON stream (as jq does).
	dec := json.NewDecoder(strings.NewReader(stdout))
	n := 0
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m["source"] != page {
			t.Errorf("source = %v", m["source"])
		}
		n++
	}
	if n != 2 {
		t.Errorf("got %d objects, want 2", n)
	}
	if !strings.HasPrefix(stdout, "{\n  \"source\"") {
		t.Errorf("not indented:\n%s", stdout[:min(len(stdout), 80)])
	}
}

func TestExtractCommandFailuresDoNotStopTheRest(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.html")
	if err := os.WriteFile(good, extractFixture(t, "article.html"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, "image.html")
	if err := os.WriteFile(binary, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...), 0o644); err != nil {
		t.Fatal(err)
	}
	// 24 MiB of zeros squeeze into a gzip file of about 24 KB; reading stops
	// at the page cap (limits.PageBytes, 8 MiB).
	bomb := filepath.Join(dir, "bomb.html.gz")
	{
		f, err := os.Create(bomb)
		if err != nil {
			t.Fatal(err)
		}
		zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
		zero := make([]byte, 1<<20)
		for range 24 {
			zw.Write(zero)
		}
		zw.Close()
		f.Close()
	}
	truncated := filepath.Join(dir, "truncated.gz")
	{
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(extractFixture(t, "article.html"))
		zw.Close()
		if err := os.WriteFile(truncated, buf.Bytes()[:buf.Len()/2], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing.html")
	link := "http://127.0.0.1:9/story" // loopback: refused without --allow-private-networks

	inputs := []string{empty, good, binary, bomb, truncated, missing, link, good}
	stdout, stderr, code := runExtract(t, append([]string{"--format", "jsonl"}, inputs...)...)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if n := strings.Count(stdout, "\n"); n != 2 {
		t.Errorf("want the 2 good pages on stdout, got %d lines:\n%s", n, stdout)
	}
	errLines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	wantErrs := []struct{ input, says string }{
		{empty, "empty"},
		{binary, "not an HTML page"},
		{bomb, "over 8 MiB"},
		{truncated, "gunzip"},
		{missing, "no such file"},
		{link, "non-public address"},
	}
	if len(errLines) != len(wantErrs)+1 {
		t.Fatalf("want %d stderr lines, got:\n%s", len(wantErrs)+1, stderr)
	}
	for i, w := range wantErrs {
		line := errLines[i]
		if !strings.HasPrefix(line, "breachwire: extract "+w.input+": ") || !strings.Contains(line, w.says) {
			t.Errorf("stderr line %d = %q, want it to name %s and say %q", i+1, line, w.input, w.says)
		}
	}
	if last := errLines[len(errLines)-1]; last != "breachwire: extract: 6 of 8 inputs failed" {
		t.Errorf("last stderr line = %q", last)
	}
}

func TestExtractCommandUsage(t *testing.T) {
	page := filepath.Join(extractFixtures, "article.html")
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{nil, 2, "needs at least one FILE or URL"},
		{[]string{"--format", "xml", page}, 2, `--format "xml"`},
		{[]string{"--nope", page}, 2, "flag provided but not defined: -nope"},
		{[]string{"-h"}, 0, ""},
	}
	for _, tt := range tests {
		stdout, stderr, code := runExtract(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr)
		}
		if !strings.Contains(stderr, tt.inStderr) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, stderr, tt.inStderr)
		}
		if tt.code == 0 && !strings.Contains(stdout, "usage: breachwire extract") {
			t.Errorf("%v: no usage on stdout: %q", tt.args, stdout)
		}
	}
}

func TestExtractCommandFlagsAfterInputs(t *testing.T) {
	page := filepath.Join(extractFixtures, "jsonld.html")
	stdout, stderr, code := runExtract(t, page, "--format", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSONL: %v", err)
		}
		lines++
	}
	if lines != 1 {
		t.Errorf("got %d lines, want 1", lines)
	}
	// After "--" a name that looks like a flag is an input.
	_, stderr, code = runExtract(t, "--", "--format")
	if code != 1 || !strings.Contains(stderr, "extract --format: open --format") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestExtractCommandFetchesURLs(t *testing.T) {
	page := extractFixture(t, "article.html")
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/news/story", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	stdout, stderr, code := runExtract(t, "--format", "jsonl", "--allow-private-networks", srv.URL+"/news/story", srv.URL+"/private/x", srv.URL+"/missing")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (two inputs fail): %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["source"] != srv.URL+"/news/story" || !strings.Contains(got["text"].(string), " ") || got["title"] == "" {
		t.Fatalf("fetched page result %v", got)
	}
	if !strings.Contains(stderr, "robots.txt disallows") || !strings.Contains(stderr, "HTTP 404") {
		t.Fatalf("stderr %q", stderr)
	}
}
