package safehttp

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how far into a page a <meta charset> is looked for.
// Browsers stop at 1024 bytes; real pages put long scripts and styles first.
const metaScanLimit = 64 << 10

// DecodeHTML returns body as UTF-8. The charset comes from, in order: a byte
// order mark, the Content-Type header, a <meta> in the head (searched beyond
// the first 1024 bytes), then UTF-8 if the bytes are valid UTF-8, else
// Windows-1252 (what browsers use for unlabelled Western pages, and what
// "iso-8859-1" means on the web). It also returns the charset name used.
func DecodeHTML(body []byte, contentType string) ([]byte, string, error) {
	enc, name := DetectCharset(body, contentType)
	return decodeWith(body, enc, name)
}

// DecodeText is DecodeHTML for documents without HTML markup (feeds, plain text):
// the header, a BOM and the XML declaration decide; otherwise UTF-8 or Windows-1252.
func DecodeText(body []byte, contentType string) ([]byte, string, error) {
	if enc, name := bomEncoding(body); enc != nil {
		return decodeWith(body, enc, name)
	}
	if enc, name := headerEncoding(contentType); enc != nil {
		return decodeWith(body, enc, name)
	}
	enc, name := fallbackEncoding(body)
	return decodeWith(body, enc, name)
}

func decodeWith(body []byte, enc encoding.Encoding, name string) ([]byte, string, error) {
	if name == "utf-8" {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
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
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	return nil, ""
}

func headerEncoding(contentType string) (encoding.Encoding, string) {
	if contentType == "" {
		return nil, ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, ""
	}
	return lookup(params["charset"])
}

func lookup(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(strings.Trim(label, `"'`))
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
	// A page served as UTF-16 but labelled in a meta is really ASCII-compatible.
	if strings.HasPrefix(name, "utf-16") {
		return unicode.UTF8, "utf-8"
	}
	return enc, name
}

// metaEncoding looks for <meta charset> or <meta http-equiv=content-type>
// before the body starts, within metaScanLimit bytes.
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
				if enc, n := lookup(charset); enc != nil {
					return enc, n
				}
				if httpEquiv == "content-type" {
					if enc, n := headerEncoding(content); enc != nil {
						return enc, n
					}
				}
			}
		}
	}
}

func fallbackEncoding(b []byte) (encoding.Encoding, string) {
	if utf8.Valid(b) {
		return unicode.UTF8, "utf-8"
	}
	enc, _ := htmlindex.Get("windows-1252")
	return enc, "windows-1252"
}
