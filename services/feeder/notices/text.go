package notices

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// collapse trims s and turns every run of white space (NBSP included)
// into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// blockTags are the elements whose edges separate words: their text is
// read as lines of its own, so "<td>a<br>b</td>" reads "a b", while inline
// markup ("Harbour<b>line</b>") joins as written.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "ul": true, "ol": true, "td": true, "th": true,
	"tr": true, "dt": true, "dd": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "section": true, "article": true, "header": true, "footer": true, "time": true,
}

// textOf is the text of sel as a reader sees it: entities decoded, markup
// read as text, script and style left out, whitespace collapsed.
func textOf(sel *goquery.Selection) string { return collapse(rawText(sel)) }

// linesOf is the text of sel as the lines a reader sees: one line per
// block (paragraph, list item, cell) or <br>, each collapsed, none empty.
func linesOf(sel *goquery.Selection) []string {
	var out []string
	for _, l := range strings.Split(rawText(sel), "\n") {
		if l = collapse(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// lineBreaks turns a text node's line breaks into spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// rawText is the text of sel with a line break at every block's edges.
func rawText(sel *goquery.Selection) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(lineBreaks.Replace(n.Data)) // source line breaks are spaces in HTML
			return
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" || n.Data == "template" {
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte('\n')
		}
	}
	for _, n := range sel.Nodes {
		walk(n)
	}
	return b.String()
}

// normLabel is a header or label in the form columns are matched by:
// lower case, without a byte-order mark, parenthetical asides ("(if
// known)", the "(s)" of "Date(s)") or punctuation, words single-spaced.
// "Date(s) of Breach (if known)" and "date of breach" are the same label.
func normLabel(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return collapse(b.String())
}

// displayLabel is a header as Row.Text shows it: as the page writes it,
// less a byte-order mark, a trailing colon and a trailing "(if known)".
func displayLabel(s string) string {
	s = collapse(strings.TrimPrefix(s, "\ufeff"))
	s = strings.TrimSpace(strings.TrimSuffix(s, ":"))
	if i := strings.LastIndex(strings.ToLower(s), "(if known)"); i >= 0 && i+len("(if known)") == len(s) {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// pair is one "label: value" of a row or notice page, as displayed.
type pair struct{ label, value string }

// joinPairs writes pairs as one line, "Label: value; Label: value"; an
// empty value is written as the bare "Label:".
func joinPairs(ps []pair) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.value == "" {
			parts = append(parts, p.label+":")
			continue
		}
		parts = append(parts, p.label+": "+p.value)
	}
	return strings.Join(parts, "; ")
}

// blankValues are what lists write in a cell that has no value.
var blankValues = map[string]bool{
	"": true, "n a": true, "na": true, "none": true, "unknown": true, "not known": true, "tbd": true,
	"to be determined": true, "pending": true, "not provided": true, "not applicable": true,
}

// isBlank reports whether a cell says it has no value ("", "N/A",
// "Unknown", "TBD", "-").
func isBlank(s string) bool { return blankValues[normLabel(s)] }

// rowID is a row's identity within parser's source: the path (and query)
// of the row's own notice page when it links one, which the regulator
// keeps stable; else a digest of the facts that identify the row (never
// of a count or a cause, which the regulator may revise).
func rowID(parser string, notice *url.URL, facts ...string) string {
	if notice != nil {
		id := notice.EscapedPath()
		if notice.RawQuery != "" {
			id += "?" + notice.RawQuery
		}
		return parser + ":" + id
	}
	h := sha256.New()
	for _, f := range facts {
		h.Write([]byte(strings.ToLower(collapse(f))))
		h.Write([]byte{0x1f})
	}
	return parser + ":h:" + hex.EncodeToString(h.Sum(nil))[:24]
}

// resolveLink is href resolved against page, when it is a web address
// (http or https); nil otherwise. The fragment is dropped.
func resolveLink(page *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return nil
	}
	u, err := page.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.Fragment, u.RawFragment = "", ""
	return u
}
