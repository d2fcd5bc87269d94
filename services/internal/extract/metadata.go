package extract

import (
	"cmp"
	nurl "net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// markup is the metadata a page declares in its markup, read before the
// extractor runs (go-trafilatura does not report these the way we need them).
type markup struct {
	canonical string // absolute http(s) URL
	siteName  string
	language  string // ISO 639 primary subtag
}

func readMarkup(root *html.Node, base *nurl.URL) markup {
	var (
		m                    markup
		linkCanonical, ogURL string
		contentLanguage      string
	)
	walk(root, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Html:
			if m.language == "" {
				m.language = normalizeLanguage(cmp.Or(attr(n, "lang"), attr(n, "xml:lang")))
			}
		case atom.Link:
			if linkCanonical == "" && hasToken(attr(n, "rel"), "canonical") {
				linkCanonical = resolve(base, attr(n, "href"))
			}
		case atom.Meta:
			key := strings.ToLower(cmp.Or(attr(n, "property"), attr(n, "name")))
			content := attr(n, "content")
			switch key {
			case "og:url":
				if ogURL == "" {
					ogURL = resolve(base, content)
				}
			case "og:site_name":
				if m.siteName == "" {
					m.siteName = clean(content)
				}
			}
			if strings.EqualFold(attr(n, "http-equiv"), "content-language") && contentLanguage == "" {
				// The header form may list several languages; the first is the main one.
				first, _, _ := strings.Cut(content, ",")
				contentLanguage = normalizeLanguage(first)
			}
		case atom.Script, atom.Style, atom.Template, atom.Svg:
			return false
		}
		return true
	})
	m.canonical = cmp.Or(linkCanonical, ogURL)
	m.language = cmp.Or(m.language, contentLanguage)
	return m
}

// walk visits the tree depth-first without recursion; visit returns false
// to skip a node's children.
func walk(root *html.Node, visit func(*html.Node) bool) {
	n := root
	for n != nil {
		if visit(n) && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != root && n.NextSibling == nil {
			n = n.Parent
		}
		if n == root {
			return
		}
		n = n.NextSibling
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

// resolve makes ref absolute against base and keeps it only if it is an
// http(s) URL with a host: a canonical URL is an address to fetch and compare.
func resolve(base *nurl.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 4096 {
		return ""
	}
	u, err := nurl.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// normalizeLanguage reduces a language tag ("en-GB", "pt_BR", "EN") to its
// lowercase primary subtag, or "" when it is not one.
func normalizeLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	primary, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	if len(primary) < 2 || len(primary) > 3 {
		return ""
	}
	primary = strings.ToLower(primary)
	for _, r := range primary {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return primary
}
