package safehttp

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how far into a page a <meta charset> is looked for.
// Browsers stop at 1024 bytes; real pages put long scripts and styles first.
const metaScanLimit = 64 << 10

var utf8BOM = []byte("\xef\xbb\xbf")

// DecodeHTML returns body as UTF-8. The charset comes from, in order: a byte
// order mark, the Content-Type header, a <meta> in the head (searched beyond
// the first 1024 bytes), then a guess: UTF-8 when the bytes are (almost all)
// valid UTF-8, else Windows-1252 (what browsers use for unlabelled Western
// pages, and what "iso-8859-1" means on the web). It also returns the
// charset name used. Bytes invalid in that charset become U+FFFD, so the
// output is always valid UTF-8.
func DecodeHTML(body []byte, contentType string) ([]byte, string, error) {
	enc, name := DetectCharset(body, contentType)
	return decodeWith(body, enc, name)
}

// DecodeText is DecodeHTML for documents without HTML markup (feeds, plain
// text): a BOM, the Content-Type header, then the XML declaration decide;
// otherwise the same guess. An XML declaration naming another encoding is
// rewritten to say utf-8, so an XML parser reading the output does not
// decode it a second time.
func DecodeText(body []byte, contentType string) ([]byte, string, error) {
	enc, name := bomEncoding(body)
	if enc == nil {
		enc, name = headerEncoding(contentType)
	}
	if enc == nil {
		enc, name = xmlDeclEncoding(body)
	}
	if enc == nil {
		enc, name = fallbackEncoding(body)
	}
	out, name, err := decodeWith(body, enc, name)
	if err != nil {
		return nil, name, err
	}
	if m := xmlDeclRE.FindSubmatchIndex(out[:min(len(out), xmlDeclLimit)]); m != nil && !strings.EqualFold(string(out[m[2]:m[3]]), "utf-8") {
		out = append(out[:m[2]:m[2]], append([]byte("utf-8"), out[m[3]:]...)...)
	}
	return out, name, nil
}

func decodeWith(body []byte, enc encoding.Encoding, name string) ([]byte, string, error) {
	if name == "utf-8" {
		body = bytes.TrimPrefix(body, utf8BOM)
		if utf8.Valid(body) {
			return body, name, nil
		}
		// Invalid sequences become U+FFFD rather than failing the page.
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, err
	}
	if !utf8.Valid(out) { // decoders replace bad input; this is a backstop
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, name, nil
}

// DetectCharset picks the encoding of an HTML document (see DecodeHTML).
func DetectCharset(body []byte, contentType string) (encoding.Encoding, string) {
	if enc, name := bomEncoding(body); enc != nil {
		return enc, name
	}
	if enc, name := headerEncoding(contentType); enc != nil {
		return enc, name
	}
	if enc, name := metaEncoding(body); enc != nil {
		return enc, name
	}
	return fallbackEncoding(body)
}

func bomEncoding(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	return nil, ""
}

// headerEncoding reads the charset parameter of a Content-Type value.
// Servers send duplicated or badly quoted parameters that mime.ParseMediaType
// rejects, so this uses the browsers' lenient extraction instead.
func headerEncoding(contentType string) (encoding.Encoding, string) {
	return lookup(charsetParam(contentType))
}

// charsetParam implements WHATWG "extract a character encoding from a meta
// element": the value after the first "charset", an optional run of
// spaces, and "=", quoted or up to a space or semicolon.
func charsetParam(s string) string {
	for {
		i := indexASCIIFold(s, "charset")
		if i < 0 {
			return ""
		}
		s = s[i+len("charset"):]
		rest := strings.TrimLeft(s, " \t\n\f\r")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n\f\r")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				return ""
			}
			return rest[1 : end+1]
		}
		if end := strings.IndexAny(rest, " \t\n\f\r;"); end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
}

// indexASCIIFold is strings.Index ignoring ASCII case. strings.ToLower
// would not do: it can change the length of non-ASCII text, and the index
// must point into the original.
func indexASCIIFold(s, lowerSubstr string) int {
	for i := 0; i+len(lowerSubstr) <= len(s); i++ {
		match := true
		for j := 0; j < len(lowerSubstr); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerSubstr[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// lookup resolves a label with the WHATWG table, so "iso-8859-1" and
// "latin1" mean Windows-1252 as they do in browsers.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, ""
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, ""
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, ""
	}
	if strings.HasPrefix(name, "utf-16") {
		// Without a BOM the byte order is a guess; take the label's word.
		return unicode.UTF16(utf16Order(name), unicode.IgnoreBOM), name
	}
	return enc, name
}

func utf16Order(name string) unicode.Endianness {
	if name == "utf-16be" {
		return unicode.BigEndian
	}
	return unicode.LittleEndian
}

// inDocumentLabel applies the rule for labels found inside the document
// (meta, XML declaration): if we could read the label as ASCII, the
// document is not UTF-16, and x-user-defined means Windows-1252.
func inDocumentLabel(label string) (encoding.Encoding, string) {
	enc, name := lookup(label)
	switch {
	case strings.HasPrefix(name, "utf-16"):
		return unicode.UTF8, "utf-8"
	case name == "x-user-defined":
		return charmap.Windows1252, "windows-1252"
	}
	return enc, name
}

// metaEncoding looks for <meta charset> or <meta http-equiv=content-type>
// before the body starts, within metaScanLimit bytes. The tokenizer skips
// script and style contents, so a "<meta" inside them does not count.
func metaEncoding(b []byte) (encoding.Encoding, string) {
	if len(b) > metaScanLimit {
		b = b[:metaScanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return nil, ""
			case "meta":
				var charset, httpEquiv, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch strings.ToLower(string(k)) {
					case "charset":
						charset = string(v)
					case "http-equiv":
						httpEquiv = strings.ToLower(string(v))
					case "content":
						content = string(v)
					}
				}
				if enc, n := inDocumentLabel(charset); enc != nil {
					return enc, n
				}
				if httpEquiv == "content-type" {
					if enc, n := inDocumentLabel(charsetParam(content)); enc != nil {
						return enc, n
					}
				}
			}
		}
	}
}

// xmlDeclRE finds the encoding in an XML declaration at the very start;
// submatch 1 is the label.
var xmlDeclRE = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// xmlDeclLimit bounds the search: a declaration is a short first line.
const xmlDeclLimit = 1024

func xmlDeclEncoding(b []byte) (encoding.Encoding, string) {
	b = b[:min(len(b), xmlDeclLimit)]
	m := xmlDeclRE.FindSubmatch(b)
	if m == nil {
		return nil, ""
	}
	return inDocumentLabel(string(m[1]))
}

// fallbackEncoding guesses for unlabelled documents. Windows-1252 text is
// almost never valid UTF-8 (an "é" is a lone 0xE9), while UTF-8 pages often
// carry a stray invalid byte or two from a pasted snippet: so a document
// whose valid multi-byte characters clearly outnumber its invalid bytes is
// UTF-8 with a few U+FFFD, rather than all mojibake.
func fallbackEncoding(b []byte) (encoding.Encoding, string) {
	if utf8.Valid(b) {
		return unicode.UTF8, "utf-8"
	}
	multi, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			multi++
		}
		i += size
	}
	if multi >= 4*invalid {
		return unicode.UTF8, "utf-8"
	}
	return charmap.Windows1252, "windows-1252"
}
