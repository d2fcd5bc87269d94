package extract

import (
	"context"
	"errors"
	"fmt"
	nurl "net/url"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/sync/semaphore"

	"github.com/breachwire/breachwire/services/internal/limits"
)

// ErrBudgetExceeded means the page is over the extraction's work budget: too
// many elements, too deep, too much text, or an extraction that ran out of
// time. The page is not read; the scraper falls back to the feed's text.
var ErrBudgetExceeded = errors.New("extraction budget exceeded")

// Budget bounds the work of one extraction. The parse itself is linear in
// the page's bytes (capped by MaxInputBytes); what comes after it is not,
// so the tree is measured before the extractors see it.
type Budget struct {
	MaxInputBytes int           // bytes of raw HTML
	MaxElements   int           // element nodes in the parsed tree
	MaxDepth      int           // nesting of nodes
	MaxTextBytes  int           // text outside scripts, styles and templates
	Timeout       time.Duration // the extractors' run on one page
}

// DefaultBudget is the budget of package limits, shared by `run` and `extract`.
var DefaultBudget = Budget{
	MaxInputBytes: limits.PageBytes,
	MaxElements:   limits.PageElements,
	MaxDepth:      limits.PageDepth,
	MaxTextBytes:  limits.PageTextBytes,
	Timeout:       limits.ExtractTimeout,
}

func (b Budget) orDefault() Budget {
	if b == (Budget{}) {
		return DefaultBudget
	}
	return b
}

// inFlight weighs the extractions running in the process, so that however
// many pages arrive at once, at most two extractions of the largest size
// the default budget allows hold memory at the same time. A page weighs its
// element count or its share of the text budget, whichever is more; a news
// page weighs about a tenth of the largest. An extraction that runs out of
// time cannot be stopped (the extractors take no context): it keeps its
// weight until it ends, so abandoned runs cannot pile up either.
var inFlight = semaphore.NewWeighted(2 * limits.PageElements)

// treeSize is what the budget measures.
type treeSize struct{ elements, depth, text int }

// weight is the tree's claim on inFlight.
func (s treeSize) weight() int64 {
	w := max(s.elements, s.text/(limits.PageTextBytes/limits.PageElements), 1)
	return int64(min(w, 2*limits.PageElements))
}

// measure walks the tree without recursion (it may be deep), stopping at
// the first limit passed.
func (b Budget) measure(root *html.Node) (treeSize, error) {
	var s treeSize
	depth := 0
	skip := 0 // inside <script>, <style>, <template>, <noscript>
	for n := root; n != nil; {
		switch n.Type {
		case html.ElementNode:
			if s.elements++; s.elements > b.MaxElements {
				return s, fmt.Errorf("%w: more than %d elements", ErrBudgetExceeded, b.MaxElements)
			}
		case html.TextNode:
			if skip == 0 {
				if s.text += len(n.Data); s.text > b.MaxTextBytes {
					return s, fmt.Errorf("%w: more than %d bytes of text", ErrBudgetExceeded, b.MaxTextBytes)
				}
			}
		}
		if n.FirstChild != nil {
			if depth++; depth > b.MaxDepth {
				return s, fmt.Errorf("%w: elements nested more than %d deep", ErrBudgetExceeded, b.MaxDepth)
			}
			s.depth = max(s.depth, depth)
			if nonText(n) {
				skip++
			}
			n = n.FirstChild
			continue
		}
		for n != nil && n.NextSibling == nil {
			n = n.Parent
			if n != nil {
				depth--
				if nonText(n) {
					skip--
				}
			}
		}
		if n != nil {
			n = n.NextSibling
		}
	}
	return s, nil
}

func nonText(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Noscript:
		return true
	}
	return false
}

// runBudgeted runs the extractors on root under the budget's time limit,
// holding the tree's weight in inFlight while they run.
func (x Extractor) runBudgeted(ctx context.Context, root *html.Node, base *nurl.URL, size treeSize, b Budget) (trafilaturaResult, error) {
	w := size.weight()
	if err := inFlight.Acquire(ctx, w); err != nil {
		return trafilaturaResult{}, err
	}
	type outcome struct {
		res trafilaturaResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer inFlight.Release(w)
		res, err := x.run(root, base)
		done <- outcome{res, err}
	}()
	timer := time.NewTimer(b.Timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		return o.res, o.err
	case <-timer.C:
		return trafilaturaResult{}, fmt.Errorf("%w: extraction took more than %s", ErrBudgetExceeded, b.Timeout)
	case <-ctx.Done():
		return trafilaturaResult{}, ctx.Err()
	}
}
