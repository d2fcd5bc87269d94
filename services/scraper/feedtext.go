package scraper

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags end a paragraph when turning feed HTML into text.
var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "tr": true, "table": true,
	"section": true, "article": true, "pre": true, "hr": true, "figure": true, "figcaption": true,
}

// HTMLToText turns the HTML of a feed item's summary or content into plain
// text: scripts and styles dropped, one paragraph per block element,
// whitespace collapsed. Plain text passes through with whitespace collapsed.
func HTMLToText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var paras []string
	var cur strings.Builder
	flush := func() {
		if t := strings.Join(strings.Fields(cur.String()), " "); t != "" {
			paras = append(paras, t)
		}
		cur.Reset()
	}
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return strings.Join(paras, "\n\n")
		case html.TextToken:
			if skip == 0 {
				cur.Write(z.Text())
				cur.WriteByte(' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style" || n == "noscript":
				if tt == html.StartTagToken {
					skip++
				}
			case blockTags[n]:
				flush()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style" || n == "noscript":
				skip = max(skip-1, 0)
			case blockTags[n]:
				flush()
			}
		}
	}
}
