// Package limits is the one set of caps on what breachwire reads from the
// outside. `run` (feeder and scraper) and `extract` use these numbers, and
// the README's "Limits" table repeats them; change both together.
//
// The page budget comes from the article-body evaluation's 181 real news
// pages (largest: 1.5 MB of HTML, 1,596 elements, 56 KB of visible text)
// and from go-trafilatura's cost, which grows faster than linearly with the
// number of elements and with the amount of text: 10,000 short paragraphs
// take about 2 s and 140 MB of heap, 48,500 about 27 s and 900 MB.
package limits

import "time"

const (
	// FeedBytes caps a feed document, after decompression.
	FeedBytes = 16 << 20
	// FeedBodyTimeout bounds the read of a whole feed document.
	FeedBodyTimeout = 60 * time.Second

	// PageBytes caps a page, after decompression (and a file given to
	// `extract`): five times the largest page of the evaluation set.
	PageBytes = 8 << 20
	// PageBodyTimeout bounds the read of a whole page, however steadily the
	// server trickles it.
	PageBodyTimeout = 20 * time.Second

	// PageElements caps the element nodes of a page's parsed tree: six times
	// the largest page of the evaluation set.
	PageElements = 10_000
	// PageDepth caps the nesting of a page's tree (x/net/html itself
	// refuses more than 512 open elements).
	PageDepth = 1_000
	// PageTextBytes caps the text of a page outside scripts and styles:
	// eighteen times the largest page of the evaluation set.
	PageTextBytes = 1 << 20
	// ExtractTimeout bounds the main-text extraction of one page.
	ExtractTimeout = 10 * time.Second
)
