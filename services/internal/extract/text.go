package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Breaks between pieces of text, weakest first.
const (
	noBreak = iota
	space
	lineBreak
	paragraphBreak
)

// renderText turns extracted content into plain text: whitespace collapsed,
// one blank line between paragraphs, a newline for <br>, list items and
// table rows. Inline elements separate words too: go-trafilatura trims the
// whitespace around them ("for<b>Larry</b>"), so a space is the better guess.
func renderText(root *html.Node) string {
	if root == nil {
		return ""
	}
	var (
		b       strings.Builder
		pending = noBreak
		// soft: the pending space only stands for an element boundary, not
		// for whitespace in the text, so it is dropped before punctuation.
		soft  bool
		inPre = 0
	)
	want := func(brk int, isSoft bool) {
		switch {
		case brk > pending:
			pending, soft = brk, isSoft
		case brk == pending && !isSoft:
			soft = false
		}
	}
	write := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			switch pending {
			case space:
				if !soft || !strings.ContainsRune(",.;:!?)]}’”%", []rune(s)[0]) {
					b.WriteByte(' ')
				}
			case lineBreak:
				b.WriteByte('\n')
			case paragraphBreak:
				b.WriteString("\n\n")
			}
		}
		pending, soft = noBreak, false
		b.WriteString(s)
	}

	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if inPre > 0 {
				lines := strings.Split(strings.Trim(n.Data, "\n"), "\n")
				for i, l := range lines {
					if i > 0 {
						want(lineBreak, false)
					}
					write(strings.TrimRightFunc(l, unicode.IsSpace))
				}
				return
			}
			t := n.Data
			if t == "" {
				return
			}
			if unicode.IsSpace(rune(t[0])) {
				want(space, false)
			}
			fields := strings.Fields(t)
			for i, f := range fields {
				if i > 0 {
					want(space, false)
				}
				write(f)
			}
			if len(fields) > 0 && unicode.IsSpace(rune(t[len(t)-1])) {
				want(space, false)
			}
			return
		case html.ElementNode:
		case html.DocumentNode:
		default:
			return
		}
		a := tagAtom(n)
		brk := breakAround(n, a)
		switch a {
		case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Svg, atom.Math:
			want(space, true)
			return
		case atom.Br:
			want(lineBreak, false)
			return
		case atom.Pre:
			inPre++
			defer func() { inPre-- }()
		}
		want(brk, true)
		// The tree was measured to be at most its budget's MaxDepth deep before extraction.
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		want(brk, true)
	}
	visit(root)
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// breakAround is the break an element puts before and after its content.
func breakAround(n *html.Node, a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Pre, atom.Table, atom.Ul, atom.Ol, atom.Dl,
		atom.Figure, atom.Hr, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Aside, atom.Main, atom.Details, atom.Address:
		return paragraphBreak
	case atom.Div, atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Figcaption, atom.Caption,
		atom.Summary, atom.Form, atom.Fieldset, atom.Legend, atom.Nav, atom.Center:
		return lineBreak
	case atom.Td, atom.Th:
		return space
	}
	// go-trafilatura's output uses a few non-HTML tags of its own.
	switch n.Data {
	case "head", "quote", "list":
		return paragraphBreak
	case "item", "row", "lb":
		return lineBreak
	case "cell":
		return space
	}
	return space
}

// tagAtom is n's tag as an atom. go-trafilatura builds elements without
// setting DataAtom, so the name decides.
func tagAtom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 {
		return n.DataAtom
	}
	return atom.Lookup([]byte(strings.ToLower(n.Data)))
}
