package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/extract"
)

const classifyUsage = `usage: breachwire classify [--format json|jsonl] FILE...|-

Extracts the breach facts of each article the way the classifier stage does:
whether it is about a breach, the organisation breached, the number of
records, the cause, the regulator's actions, data types, dates and other
incidents it only mentions, each with the sentence that supports it and its
byte offsets in the article text. A count mentioned without a number ("a
handful of customers") has qualifier "unknown" and value null, never 0.

A FILE (or - for standard input) is plain text or HTML (plain or gzip); HTML
goes through the scraper's main-text extraction first. In plain text, a short
first line without a full stop is taken as the headline.

  --format json    one indented object per input (default)
  --format jsonl   one compact object per line

An input that cannot be read or classified is reported on stderr and as an
object with "error"; the others are still processed, and the exit status is 1.
`

func cmdClassify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("breachwire classify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "json", "json or jsonl")
	inputs, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, classifyUsage)
			return err
		}
		return &config.UsageError{Err: err}
	}
	if *format != "json" && *format != "jsonl" {
		return &config.UsageError{Err: fmt.Errorf("--format %q: want json or jsonl", *format)}
	}
	if len(inputs) == 0 {
		return &config.UsageError{Err: errors.New("classify needs at least one FILE or -")}
	}
	x := rules.New()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if *format == "json" {
		enc.SetIndent("", "  ")
	}
	failed := 0
	for _, in := range inputs {
		res, err := classifyInput(ctx, x, in, e.stdin)
		if err != nil {
			failed++
			fmt.Fprintf(e.stderr, "breachwire: classify %s: %v\n", in, err)
			res = classifier.ResultJSON{Source: in, Error: err.Error(), ExtractorVersion: x.Version()}
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(inputs))
	}
	return nil
}

func classifyInput(ctx context.Context, x classifier.Extractor, in string, stdin io.Reader) (classifier.ResultJSON, error) {
	var raw []byte
	var err error
	if in == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, classifier.MaxTextBytes+1))
	} else {
		raw, err = readPage(in)
	}
	if err != nil {
		return classifier.ResultJSON{}, err
	}
	input, err := articleInput(raw)
	if err != nil {
		return classifier.ResultJSON{}, err
	}
	ex, err := x.Extract(ctx, input)
	if err != nil {
		return classifier.ResultJSON{}, err
	}
	return classifier.Render(in, ex), nil
}

// articleInput turns a file's bytes into classifier input: HTML through the
// main-text extraction, plain text as it is.
func articleInput(raw []byte) (classifier.Input, error) {
	if len(raw) > classifier.MaxTextBytes {
		return classifier.Input{}, fmt.Errorf("%w: over %d MiB", classifier.ErrTooLarge, classifier.MaxTextBytes>>20)
	}
	if looksHTML(raw) {
		doc, err := extract.FromHTML(raw, "", "")
		if err != nil {
			return classifier.Input{}, err
		}
		return classifier.Input{Text: doc.Text, Title: doc.Title, URL: doc.CanonicalURL, Published: doc.PublishedAt}, nil
	}
	if !utf8.Valid(raw) {
		if bytes.IndexByte(raw, 0) >= 0 {
			return classifier.Input{}, classifier.ErrBinary
		}
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	text := strings.TrimPrefix(string(raw), "\uFEFF")
	title := ""
	if first, _, ok := strings.Cut(text, "\n"); ok {
		first = strings.TrimSpace(first)
		if len(first) > 0 && len(first) < 200 && !strings.HasSuffix(first, ".") {
			title = first
		}
	}
	return classifier.Input{Text: text, Title: title}, nil
}

// looksHTML: markup at the start, or an html/body/p element early on.
func looksHTML(raw []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(raw[:min(len(raw), 4096)]))
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) {
		return true
	}
	for _, tag := range []string{"<html", "<body", "<head", "<article", "<p>", "<div"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}
