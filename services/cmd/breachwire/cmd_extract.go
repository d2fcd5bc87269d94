package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/extract"
	"github.com/breachwire/breachwire/services/internal/limits"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

const extractUsage = `usage: breachwire extract [--format json|jsonl] [--fallback=false] FILE|URL...

Extracts the main text and metadata of each page, the way the scraper stage
does. A FILE is an HTML page, plain or gzip-compressed (recognised by its
first bytes, whatever its name). Each input gives one JSON object with
source, url, canonical_url, title, byline, site_name, published_at (RFC 3339
or null), language, method, charset and text, in the order given.

  --format json    one indented object per input, one after the other (default)
  --format jsonl   one compact object per line
  --fallback=false go-trafilatura alone, without comparing its text with
                   go-readability's and go-domdistiller's (twice as fast,
                   slightly worse text; see internal/extract)
  --allow-private-networks
                   allow URLs on loopback and private addresses (tests);
                   not link-local addresses or cloud metadata services
  --allow-metadata-address
                   allow URLs on link-local addresses and cloud metadata
                   services (169.254.169.254)
  --contact-url    contact URL sent in the User-Agent

A URL is fetched the way the scraper fetches: robots.txt first, then the
SSRF-safe client with its timeouts and size caps.

An input that cannot be read or extracted is reported on stderr, one line
naming it; the others are still processed, and the exit status is 1.
`

// extractResult is one line of `breachwire extract` output.
type extractResult struct {
	Source       string  `json:"source"`
	URL          string  `json:"url"`
	CanonicalURL string  `json:"canonical_url"`
	Title        string  `json:"title"`
	Byline       string  `json:"byline"`
	SiteName     string  `json:"site_name"`
	PublishedAt  *string `json:"published_at"`
	Language     string  `json:"language"`
	Method       string  `json:"method"`
	Charset      string  `json:"charset"`
	Text         string  `json:"text"`
}

func cmdExtract(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("breachwire extract", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "json", "json or jsonl")
	fallback := fs.Bool("fallback", extract.Default.Fallback, "compare with go-readability and go-domdistiller")
	allowPrivate := fs.Bool("allow-private-networks", e.getenv(config.EnvName("allow-private-networks")) == "true", "allow URLs on loopback and private addresses")
	allowMetadata := fs.Bool("allow-metadata-address", e.getenv(config.EnvName("allow-metadata-address")) == "true", "allow URLs on link-local addresses and cloud metadata services")
	contact := fs.String("contact-url", config.Default().ContactURL, "contact URL sent in the User-Agent")
	inputs, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(e.stdout, extractUsage)
			return err
		}
		return &config.UsageError{Err: fmt.Errorf("extract: %w", err)}
	}
	if *format != "json" && *format != "jsonl" {
		return &config.UsageError{Err: fmt.Errorf("extract: --format %q: want json or jsonl", *format)}
	}
	if len(inputs) == 0 {
		return &config.UsageError{Err: errors.New("extract needs at least one FILE or URL (try breachwire extract -h)")}
	}

	x := extract.Extractor{Fallback: *fallback}
	// The scraper's page lane: the same caps as `run` (package limits).
	client := safehttp.New(safehttp.Options{AllowPrivateNetworks: *allowPrivate, AllowMetadataAddress: *allowMetadata, ContactURL: *contact,
		Version: version, MaxBodyBytes: limits.PageBytes, BodyTimeout: limits.PageBodyTimeout})
	defer client.CloseIdleConnections()
	out := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if *format == "json" {
		enc.SetIndent("", "  ")
	}
	failed := 0
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		doc, err := extractInput(ctx, client, x, in)
		if err != nil {
			failed++
			// Flush first so the error lands after the results before it.
			out.Flush()
			fmt.Fprintf(e.stderr, "breachwire: extract %s: %s\n", in, strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		if err := enc.Encode(toExtractResult(in, doc)); err != nil {
			return fmt.Errorf("extract: write output: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("extract: write output: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("extract: %d of %d inputs failed", failed, len(inputs))
	}
	return nil
}

// parseInterspersed parses flags wherever they appear among the inputs
// ("extract a.html --format jsonl b.html"); after "--" everything is an input.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var inputs []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(inputs, rest...), nil
		}
		if len(rest) == 0 {
			return inputs, nil
		}
		inputs = append(inputs, rest[0])
		args = rest[1:]
	}
}

func extractInput(ctx context.Context, client *safehttp.Client, x extract.Extractor, in string) (*extract.Document, error) {
	if isURL(in) {
		return fetchAndExtract(ctx, client, x, in)
	}
	raw, err := readPage(in)
	if err != nil {
		return nil, err
	}
	return x.FromHTML(raw, "", "")
}

// fetchAndExtract fetches a page the way the scraper does (robots.txt, the
// SSRF-safe client and its caps) and extracts it.
func fetchAndExtract(ctx context.Context, client *safehttp.Client, x extract.Extractor, raw string) (*extract.Document, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	allowed, err := client.RobotsAllowed(ctx, u)
	if err != nil {
		return nil, err
	}
	if !allowed {
		return nil, errors.New("robots.txt disallows fetching this page")
	}
	resp, err := client.Get(ctx, raw, http.Header{"Accept": {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	doc, err := x.FromHTML(resp.Body, resp.ContentType(), resp.URL.String())
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// readPage reads an HTML file, decompressing it when its first bytes are the
// gzip magic number. Both the file and its decompressed content are capped
// at limits.PageBytes, so a gzip bomb stops at the cap.
func readPage(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	magic, _ := br.Peek(2)
	gzipped := bytes.Equal(magic, []byte{0x1f, 0x8b})
	if gzipped {
		zr, err := gzip.NewReader(io.LimitReader(br, limits.PageBytes+1))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	raw, err := io.ReadAll(io.LimitReader(r, limits.PageBytes+1))
	if err != nil {
		if gzipped {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		return nil, err
	}
	if len(raw) > limits.PageBytes {
		what := "file"
		if gzipped {
			what = "decompressed page"
		}
		return nil, fmt.Errorf("%w: %s over %d MiB", extract.ErrTooLarge, what, limits.PageBytes>>20)
	}
	return raw, nil
}

func toExtractResult(source string, d *extract.Document) extractResult {
	r := extractResult{
		Source:       source,
		URL:          d.URL,
		CanonicalURL: d.CanonicalURL,
		Title:        d.Title,
		Byline:       d.Byline,
		SiteName:     d.SiteName,
		Language:     d.Language,
		Method:       d.Method,
		Charset:      d.Charset,
		Text:         d.Text,
	}
	if !d.PublishedAt.IsZero() {
		s := d.PublishedAt.Format(time.RFC3339)
		r.PublishedAt = &s
	}
	return r
}
