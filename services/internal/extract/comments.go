package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// removeComments deletes reader-comment sections from the tree before
// extraction, with go-trafilatura's own rule for them (its
// REMOVE_COMMENTS_XPATH). The library means to take comments out of the
// main text itself, but in v1.12.2 it removes them from a copy of the tree
// (pruneUnwantedNodes clones), so they end up in the article text.
func removeComments(root *html.Node) {
	var doomed []*html.Node
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && isCommentSection(n) {
			doomed = append(doomed, n)
			return false
		}
		return true
	})
	for _, n := range doomed {
		n.Parent.RemoveChild(n)
	}
}

func isCommentSection(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div, atom.Ol, atom.Ul, atom.Dl, atom.Section:
	default:
		return false
	}
	id, class := attr(n, "id"), attr(n, "class")
	lid, lclass := strings.ToLower(id), strings.ToLower(class)
	// "commentary" is an opinion article, not readers' comments.
	if strings.HasPrefix(lid, "commentary") || strings.HasPrefix(lclass, "commentary") {
		return false
	}
	return strings.HasPrefix(lid, "comment") || strings.HasPrefix(lclass, "comment") ||
		strings.Contains(class, "article-comments") || strings.Contains(class, "post-comments") ||
		strings.HasPrefix(id, "comol") || strings.HasPrefix(id, "disqus_thread") ||
		strings.HasPrefix(id, "dsq-comments")
}
