package safehttp

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestDecodeHTMLGolden decodes each testdata/charset/*.html served without
// a Content-Type charset and compares with NAME.html-result: the charset
// detected on the first line, then the UTF-8 text.
func TestDecodeHTMLGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/charset/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			out, name, err := DecodeHTML(in, "text/html")
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(out) {
				t.Error("output is not valid UTF-8")
			}
			got := append([]byte("charset: "+name+"\n"), out...)
			golden := file + "-result"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestDecodeHTML(t *testing.T) {
	cp1252 := "<p>\x93Caf\xe9\x94 \x96 it\x92s \x80 5</p>"
	script := "<script>" + strings.Repeat("var a = 1; ", 500) + "</script>"
	tests := []struct {
		name        string
		body        string
		contentType string
		wantText    string // substring of the output
		wantCharset string
	}{
		{name: "windows-1252 without header", body: cp1252, contentType: "text/html",
			wantText: "“Café” – it’s € 5", wantCharset: "windows-1252"},
		{name: "windows-1252 no content type at all", body: cp1252,
			wantText: "“Café”", wantCharset: "windows-1252"},
		{name: "ISO-8859-1 label means windows-1252", body: cp1252, contentType: "text/html; charset=ISO-8859-1",
			wantText: "“Café” – it’s €", wantCharset: "windows-1252"},
		{name: "latin1 label", body: "caf\xe9", contentType: "text/html; charset=latin1",
			wantText: "café", wantCharset: "windows-1252"},
		{name: "quoted header charset", body: "caf\xe9", contentType: `text/html; charset="windows-1252"`,
			wantText: "café", wantCharset: "windows-1252"},
		{name: "duplicate header params", body: "caf\xe9", contentType: "text/html; charset=windows-1252; charset=windows-1252",
			wantText: "café", wantCharset: "windows-1252"},
		{name: "header wins over meta", body: `<meta charset="windows-1252"><p>café</p>`, contentType: "text/html; charset=utf-8",
			wantText: "café", wantCharset: "utf-8"},
		{name: "meta after 5 KB of script", body: "<html><head>" + script + "<meta charset=\"iso-8859-2\"></head><body>Za\xbf\xf3\xb3\xe6",
			wantText: "Zażółć", wantCharset: "iso-8859-2"},
		{name: "meta http-equiv", body: `<meta http-equiv="content-type" content="text/html;charset=iso-8859-15"><p>` + "\xa4",
			wantText: "€", wantCharset: "iso-8859-15"},
		{name: "meta utf-16 means utf-8", body: `<meta charset="utf-16"><p>café</p>`,
			wantText: "café", wantCharset: "utf-8"},
		{name: "unknown meta label falls back", body: `<meta charset="klingon"><p>caf` + "\xe9",
			wantText: "café", wantCharset: "windows-1252"},
		{name: "utf-8 BOM wins over header", body: "\xef\xbb\xbfcafé", contentType: "text/html; charset=windows-1252",
			wantText: "café", wantCharset: "utf-8"},
		{name: "utf-16le BOM", body: "\xff\xfec\x00a\x00f\x00\xe9\x00",
			wantText: "café", wantCharset: "utf-16le"},
		{name: "utf-16be BOM", body: "\xfe\xff\x00c\x00a\x00f\x00\xe9",
			wantText: "café", wantCharset: "utf-16be"},
		{name: "utf-16le by header", body: "c\x00a\x00f\x00\xe9\x00", contentType: "text/html; charset=utf-16le",
			wantText: "café", wantCharset: "utf-16le"},
		{name: "invalid utf-8 under utf-8 header is replaced", body: "caf\xc3 ok \xff", contentType: "text/html; charset=utf-8",
			wantText: "caf\uFFFD ok \uFFFD", wantCharset: "utf-8"},
		{name: "mostly utf-8 with a stray byte", body: strings.Repeat("Résumé “ok” ", 5) + "\x92",
			wantText: "Résumé “ok”", wantCharset: "utf-8"},
		{name: "plain ascii", body: "<p>hello</p>", wantText: "hello", wantCharset: "utf-8"},
		{name: "empty", body: "", wantText: "", wantCharset: "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, name, err := DecodeHTML([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.wantCharset {
				t.Errorf("charset %q, want %q", name, tt.wantCharset)
			}
			if !strings.Contains(string(out), tt.wantText) {
				t.Errorf("output %q does not contain %q", out, tt.wantText)
			}
			if !utf8.Valid(out) {
				t.Errorf("output %q is not valid UTF-8", out)
			}
			if _, detected := DetectCharset([]byte(tt.body), tt.contentType); detected != name {
				t.Errorf("DetectCharset says %q, DecodeHTML used %q", detected, name)
			}
		})
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		want        string
		wantCharset string
	}{
		{name: "xml declaration", body: `<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Caf` + "\xe9</title></rss>",
			contentType: "application/rss+xml",
			want:        `<?xml version="1.0" encoding="utf-8"?><rss><title>Café</title></rss>`, wantCharset: "windows-1252"},
		{name: "single-quoted declaration", body: `<?xml version='1.0' encoding='windows-1251'?><t>` + "\xc4\xe0</t>",
			want: `<?xml version='1.0' encoding='utf-8'?><t>Да</t>`, wantCharset: "windows-1251"},
		{name: "header wins over declaration", body: `<?xml version="1.0" encoding="ISO-8859-1"?><t>café</t>`,
			contentType: "application/xml; charset=utf-8",
			want:        `<?xml version="1.0" encoding="utf-8"?><t>café</t>`, wantCharset: "utf-8"},
		{name: "utf-8 declaration untouched", body: `<?xml version="1.0" encoding="UTF-8"?><t>café</t>`,
			want: `<?xml version="1.0" encoding="UTF-8"?><t>café</t>`, wantCharset: "utf-8"},
		{name: "no declaration, windows-1252 guessed", body: "\x93quoted\x94",
			want: "“quoted”", wantCharset: "windows-1252"},
		{name: "meta is not read in text", body: `<meta charset="koi8-r">café`,
			want: `<meta charset="koi8-r">café`, wantCharset: "utf-8"},
		{name: "BOM", body: "\xef\xbb\xbf<t/>", want: "<t/>", wantCharset: "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, name, err := DecodeText([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want || name != tt.wantCharset {
				t.Errorf("got %q (%s), want %q (%s)", out, name, tt.want, tt.wantCharset)
			}
		})
	}
}

func TestCharsetParam(t *testing.T) {
	tests := map[string]string{
		"text/html; charset=utf-8":             "utf-8",
		"text/html;charset=UTF-8":              "UTF-8",
		`text/html; charset="windows-1252"`:    "windows-1252",
		"text/html; charset='koi8-r'; q=1":     "koi8-r",
		"text/html; CHARSET = iso-8859-1 ":     "iso-8859-1",
		"text/html; charsetx; charset=latin1":  "latin1",
		"text/html":                            "",
		"text/html; charset=":                  "",
		`text/html; charset="unterminated`:     "",
		"":                                     "",
		"text/html; charset=utf-8;charset=x":   "utf-8",
		"text/html; foo=bar;charset=gbk extra": "gbk",
	}
	for in, want := range tests {
		if got := charsetParam(in); got != want {
			t.Errorf("charsetParam(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResponseHTMLText(t *testing.T) {
	page, err := os.ReadFile("testdata/charset/windows-1252-no-charset.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	})
	c := newTestClient(t, Options{})
	resp, err := c.Get(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	text, name, err := resp.HTMLText()
	if err != nil {
		t.Fatal(err)
	}
	if name != "windows-1252" || !strings.Contains(string(text), "The café’s operator said “no card data” was taken — fines up to €20m.") {
		t.Errorf("got %s: %s", name, text)
	}
}

func FuzzDecodeHTML(f *testing.F) {
	files, _ := filepath.Glob("testdata/charset/*.html")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, "text/html")
		}
	}
	f.Add([]byte("caf\xe9"), "text/html; charset=utf-16le")
	f.Add([]byte("\xff\xfe\x00"), "")
	f.Add([]byte(`<meta charset="iso-2022-jp">`+"\x1b$B"), "")
	f.Add([]byte(`<?xml version="1.0" encoding="shift_jis"?>`+"\x82"), "text/xml")
	f.Add([]byte("\x81\x30"), "text/html; charset=gb18030")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for name, decode := range map[string]func([]byte, string) ([]byte, string, error){
			"DecodeHTML": DecodeHTML, "DecodeText": DecodeText,
		} {
			out, charset, err := decode(body, contentType)
			if err != nil {
				continue // a clear error is acceptable; a panic or bad output is not
			}
			if !utf8.Valid(out) {
				t.Errorf("%s(%q, %q) via %s: invalid UTF-8 %q", name, body, contentType, charset, out)
			}
		}
	})
}
