package extract

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzFromHTML: whatever the bytes, FromHTML returns (no panic, no hang on
// small inputs) either an error or a document whose strings are valid UTF-8.
func FuzzFromHTML(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	for _, s := range []string{
		"",
		"<",
		"<html><body><p>short</p>",
		"<p>" + string([]byte{0xff, 0xfe, 0x80}) + "</p>",
		"\xef\xbb\xbf<html><body><article><p>BOM page with enough words to count as text for once.</p></article>",
		"\xfe\xff\x00<\x00p\x00>",
		`<html lang="x"><head><link rel=canonical href="http://[::1]:namedport"><meta property=og:url content="%zz"></head>`,
		`<script type="application/ld+json">{"@type":"NewsArticle","articleBody":"` + "word " + `","author":[{"name":1}]}</script>`,
		"<table><tr><td><table><tr><td>nested</td></tr></table></td></tr></table>",
		"<svg><foreignObject><p>inside svg</p></foreignObject></svg>",
		"<pre>\n\n\n</pre><br><br><hr>",
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte("<p>caf\xe9 \x93quoted\x94</p>"), "text/html; charset=windows-1252")
	f.Add([]byte("<p>x</p>"), "text/html; charset=bogus")
	f.Add([]byte("<p>x</p>"), "text/html; charset=utf-16le")

	f.Fuzz(func(t *testing.T, raw []byte, contentType string) {
		d, err := FromHTML(raw, contentType, "https://example.com/a/b")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if d.Text == "" {
			t.Fatal("a document without text and without an error")
		}
		for name, s := range map[string]string{
			"URL": d.URL, "CanonicalURL": d.CanonicalURL, "Title": d.Title, "Byline": d.Byline,
			"SiteName": d.SiteName, "Language": d.Language, "Text": d.Text, "Charset": d.Charset,
		} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
		}
	})
}
