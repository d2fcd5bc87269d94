package extract

import (
	nurl "net/url"

	"github.com/go-shiori/dom"
	"github.com/go-shiori/go-readability"
	distiller "github.com/markusmobius/go-domdistiller"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// fallbackCandidates runs the two extractors go-trafilatura compares its own
// result with. Handing them over ourselves (instead of letting the library
// run them) is what lets FromHTML tell which extractor produced the text: the
// library returns the chosen candidate's node itself.
func fallbackCandidates(root *html.Node, base *nurl.URL) *trafilatura.FallbackCandidates {
	// A nil candidate would make the library run that extractor again; an
	// empty element is never chosen.
	c := &trafilatura.FallbackCandidates{
		Readability: dom.CreateElement("div"),
		Distiller:   dom.CreateElement("div"),
	}
	if art, err := readability.FromDocument(root, base); err == nil && art.Node != nil {
		c.Readability = art.Node
	}
	// Apply modifies the tree it is given.
	res, err := distiller.Apply(dom.Clone(root, true), &distiller.Options{OriginalURL: base, SkipPagination: true})
	if err == nil && res != nil && res.Node != nil {
		c.Distiller = res.Node
	}
	return c
}
