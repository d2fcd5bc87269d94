package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	nurl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/breachwire/breachwire/services/internal/limits"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.html-result.json golden files")

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractMetadata(t *testing.T) {
	tests := []struct {
		fixture, contentType, pageURL string
		want                          Document // Text is not compared here
	}{{
		fixture: "article.html",
		pageURL: "https://ledgerpost.example/business/2025/03/14/glenmoor-members-exposed?utm_source=feed",
		want: Document{
			URL:          "https://ledgerpost.example/business/2025/03/14/glenmoor-members-exposed?utm_source=feed",
			CanonicalURL: "https://ledgerpost.example/business/2025/03/14/glenmoor-members-exposed?ref=rss",
			Title:        "Glenmoor Building Society admits records of 48,000 members exposed",
			Byline:       "Harriet Quill",
			SiteName:     "The Ledger Post",
			Language:     "en",
			PublishedAt:  time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
			Method:       MethodTrafilatura,
			Charset:      "utf-8",
		},
	}, {
		// Without a page URL the relative canonical link cannot be resolved.
		fixture: "article.html",
		want: Document{
			Title:       "Glenmoor Building Society admits records of 48,000 members exposed",
			Byline:      "Harriet Quill",
			SiteName:    "The Ledger Post",
			Language:    "en",
			PublishedAt: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
			Method:      MethodTrafilatura,
			Charset:     "utf-8",
		},
	}, {
		// JSON-LD byline and date, og:url as the canonical URL, no lang
		// attribute (the language is detected from the text).
		fixture: "jsonld.html",
		want: Document{
			URL:          "https://northgate.example/news/swiftbox-ransomware",
			CanonicalURL: "https://northgate.example/news/swiftbox-ransomware",
			Title:        "Parcel firm Swiftbox confirms ransomware attack",
			Byline:       "Tomasz Brennan",
			SiteName:     "Northgate Tech Review",
			Language:     "en",
			PublishedAt:  time.Date(2024, 11, 2, 15, 45, 0, 0, time.UTC),
			Method:       MethodTrafilatura,
			Charset:      "utf-8",
		},
	}, {
		fixture: "windows-1252.html",
		want: Document{
			Title:    "Café chain Brontë & Co fined €250,000 over card skimming",
			Language: "en",
			Method:   MethodTrafilatura,
			Charset:  "windows-1252",
		},
	}, {
		// A header charset wins over sniffing.
		fixture:     "windows-1252.html",
		contentType: "text/html; charset=ISO-8859-1",
		want: Document{
			Title:    "Café chain Brontë & Co fined €250,000 over card skimming",
			Language: "en",
			Method:   MethodTrafilatura,
			Charset:  "windows-1252",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.fixture+" "+tt.pageURL+tt.contentType, func(t *testing.T) {
			d, err := FromHTML(readFixture(t, tt.fixture), tt.contentType, tt.pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if d.Text == "" {
				t.Error("no text")
			}
			got := *d
			got.Text = ""
			if !got.PublishedAt.Equal(tt.want.PublishedAt) {
				t.Errorf("PublishedAt = %v, want %v", got.PublishedAt, tt.want.PublishedAt)
			}
			got.PublishedAt, tt.want.PublishedAt = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestExtractDropsBoilerplate(t *testing.T) {
	d, err := FromHTML(readFixture(t, "article.html"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Glenmoor Building Society has told 48,000 of its members",
		"within 72 hours of discovering it",
		"two years of free credit monitoring",
		"Regulator informed", // a subheading inside the article
	} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, boilerplate := range []string{
		"Subscribe to our morning briefing", // navigation
		"Markets",
		"Copyright 2025",     // footer
		"Cookie settings",    // footer links
		"Savings rates edge", // related stories
		"tealkettle42",       // reader comments
		"helpline queue",
		"Switching off access controls",
		"dataLayer", // script
		"font-size", // style
	} {
		if strings.Contains(d.Text, boilerplate) {
			t.Errorf("text contains boilerplate %q", boilerplate)
		}
	}
	// Paragraphs stay apart.
	if !strings.Contains(d.Text, "in February.\n\nThe mutual") {
		t.Errorf("paragraphs not separated by a blank line:\n%s", d.Text)
	}
}

func TestExtractWindows1252WithoutCharset(t *testing.T) {
	raw := readFixture(t, "windows-1252.html")
	if utf8.Valid(raw) || bytes.Contains(bytes.ToLower(raw), []byte("charset")) {
		t.Fatal("fixture must be Windows-1252 without any charset declaration")
	}
	d, err := FromHTML(raw, "text/html", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"fined €250,000",
		"over the summer – a fraud",
		"“We should have checked the terminals every morning, and we did not,”",
		"the chain’s managing director",
		"naïve reliance",
		"affected cafés",
	} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, d.Text)
		}
	}
	if strings.ContainsRune(d.Text, utf8.RuneError) {
		t.Error("text contains U+FFFD")
	}
	if d.Charset != "windows-1252" {
		t.Errorf("Charset = %q", d.Charset)
	}
}

func TestExtractRefusesBadInput(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(readFixture(t, "article.html"))
	zw.Close()
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	tooMany := "<html><body>" + strings.Repeat("<p>a</p>", limits.PageElements) + "</body></html>"
	tooMuchText := "<html><body><p>" + strings.Repeat("breach ", limits.PageTextBytes/7+1) + "</p></body></html>"
	deep := "<html><body>" + strings.Repeat("<div>", 5000) + "text" + "</body></html>"

	tests := []struct {
		name    string
		raw     []byte
		pageURL string
		want    error // nil: any error
	}{
		{"empty", nil, "", ErrNoContent},
		{"whitespace", []byte(" \n\t\r\n "), "", ErrNoContent},
		{"no text", []byte("<!doctype html><html><head></head><body><div><span> </span></div></body></html>"), "", ErrNoContent},
		{"only script", []byte("<html><body><script>var a = 1;</script></body></html>"), "", ErrNoContent},
		{"png", png, "", ErrNotHTML},
		{"gzip bytes", gz.Bytes(), "", ErrNotHTML},
		{"nul bytes", bytes.Repeat([]byte{0}, 1000), "", ErrNotHTML},
		{"over the size limit", bytes.Repeat([]byte("<p>breach</p>"), limits.PageBytes/13+1), "", ErrTooLarge},
		{"too many elements", []byte(tooMany), "", ErrBudgetExceeded},
		{"too much text", []byte(tooMuchText), "", ErrBudgetExceeded},
		{"nested too deep", []byte(deep), "", nil},
		{"relative page URL", readFixture(t, "article.html"), "/news/1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := FromHTML(tt.raw, "", tt.pageURL)
			if err == nil {
				t.Fatalf("no error; got %+v", d)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestExtractorPanicBecomesError(t *testing.T) {
	// go-trafilatura dereferences a nil document: the panic must come back
	// as an error, as any panic inside the library would.
	_, err := Extractor{}.run(nil, nil)
	if err == nil {
		t.Fatal("no error")
	}
}

func TestExtractWithoutFallback(t *testing.T) {
	for _, name := range []string{"article.html", "jsonld.html", "windows-1252.html"} {
		d, err := Extractor{Fallback: false}.FromHTML(readFixture(t, name), "", "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Method != MethodTrafilatura {
			t.Errorf("%s: Method = %q", name, d.Method)
		}
		if d.Text == "" {
			t.Errorf("%s: no text", name)
		}
	}
}

// TestExtractGolden compares each fixture's whole Document with
// testdata/<fixture>-result.json; go test -run Golden -update rewrites them.
func TestExtractGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, page := range pages {
		t.Run(filepath.Base(page), func(t *testing.T) {
			d, err := FromHTML(readFixture(t, filepath.Base(page)), "", "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := page + "-result.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("result differs from %s (run with -update if the change is intended):\n%s", golden, got)
			}
		})
	}
}

func TestExtractRenderText(t *testing.T) {
	tests := []struct{ html, want string }{
		{"<p>One.</p><p>Two.</p>", "One.\n\nTwo."},
		{"<p>  spaced \n  out  </p>", "spaced out"},
		{"<p>line one<br>line two</p>", "line one\nline two"},
		{"<ul><li>first</li><li>second</li></ul><p>after</p>", "first\nsecond\n\nafter"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d"},
		// go-trafilatura trims the spaces around inline elements.
		{"<p>two for<b>Larry</b>, three for<b>Myles</b>.</p>", "two for Larry, three for Myles."},
		{"<h2>Heading</h2><p>Body</p>", "Heading\n\nBody"},
		{"<pre>keep\n  indent</pre>", "keep\n  indent"},
		{"<p>a<script>x()</script>b</p>", "a b"},
		{"", ""},
	}
	for _, tt := range tests {
		root := parseFragment(t, tt.html)
		if got := renderText(root); got != tt.want {
			t.Errorf("renderText(%q) = %q, want %q", tt.html, got, tt.want)
		}
	}
}

func TestExtractCanonicalURL(t *testing.T) {
	tests := []struct{ head, base, want string }{
		{`<link rel="canonical" href="https://a.example/x#frag">`, "", "https://a.example/x"},
		{`<link rel="Canonical" href="/x?id=1">`, "https://a.example/y/z", "https://a.example/x?id=1"},
		{`<link rel="canonical" href="/x">`, "", ""},
		{`<link rel="canonical" href="javascript:alert(1)">`, "https://a.example/", ""},
		{`<link rel="canonical" href="">` + `<meta property="og:url" content="https://a.example/og">`, "", "https://a.example/og"},
		{`<link rel="alternate canonical" href="https://a.example/both">`, "", "https://a.example/both"},
		{`<meta property="og:url" content="//cdn.example/p">`, "https://a.example/", "https://cdn.example/p"},
	}
	for _, tt := range tests {
		root := parseFragment(t, "<html><head>"+tt.head+"</head><body><p>x</p></body></html>")
		if got := readMarkup(root, mustParseURL(t, tt.base)).canonical; got != tt.want {
			t.Errorf("%s with base %q: canonical = %q, want %q", tt.head, tt.base, got, tt.want)
		}
	}
}

func TestExtractLanguage(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<html lang="en-GB">`, "en"},
		{`<html lang="pt_BR">`, "pt"},
		{`<html lang="DE">`, "de"},
		{`<html xml:lang="fr">`, "fr"},
		{`<html lang="">`, ""},
		{`<html lang="english">`, ""},
		{`<html><head><meta http-equiv="Content-Language" content="nl, en">`, "nl"},
	}
	for _, tt := range tests {
		root := parseFragment(t, tt.html+"<body><p>x</p></body></html>")
		if got := readMarkup(root, nil).language; got != tt.want {
			t.Errorf("%s: language = %q, want %q", tt.html, got, tt.want)
		}
	}
}

func parseFragment(t *testing.T, s string) *html.Node {
	t.Helper()
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func mustParseURL(t *testing.T, s string) *nurl.URL {
	t.Helper()
	if s == "" {
		return nil
	}
	u, err := nurl.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestExtractFallbackMethod: go-trafilatura drops a story body it takes
// for a teaser; go-readability keeps it, the fallback picks that, and
// Method says so.
func TestExtractFallbackMethod(t *testing.T) {
	page := `<html><head><title>Council laptop stolen</title></head><body><div class="teaser-text">
<p>The county council said on Tuesday that a laptop holding the names and home addresses of 3,400 residents had been stolen from a staff member's car.</p>
<p>The device was encrypted, the council said, but the password had been written on a note kept in the same bag, so it treats the data as exposed.</p>
<p>Residents affected are being contacted by letter this week and a helpline has been set up for questions about what was on the device.</p>
<p>A spokesperson said the theft was reported to the police the same evening and that there was no sign yet that the information had been used.</p>
<p>Opposition councillors have asked for a full report at the next meeting of the audit committee, including how many laptops staff take home.</p>
<p>The council has informed the regulator and says it is reviewing how staff carry equipment home.</p>
</div></body></html>`
	d, err := Default.FromHTML([]byte(page), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Method != MethodFallback {
		t.Errorf("Method = %q, want %q", d.Method, MethodFallback)
	}
	for _, want := range []string{"3,400 residents", "\n\nThe device was encrypted", "carry equipment home."} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, d.Text)
		}
	}
	d, err = Extractor{Fallback: false}.FromHTML([]byte(page), "", "")
	if err == nil && d.Method != MethodTrafilatura {
		t.Errorf("without fallback: Method = %q", d.Method)
	}
}
