// Package fetchstatus names what became of an article's page, in the words
// the stored article, the API, exports and metrics use.
package fetchstatus

import (
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Name is the status in lower case without its prefix ("too_large",
// "extraction_budget_exceeded"); "" when unspecified.
func Name(s bwv1.FetchStatus) string {
	if s == bwv1.FetchStatus_FETCH_STATUS_UNSPECIFIED {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(s.String(), "FETCH_STATUS_"))
}

// Method values: where an article's text came from.
const (
	FullText    = "full_text"    // the page's main text
	FeedSummary = "feed_summary" // the feed item's own content or summary
	PlainText   = "plain_text"   // a text given as it is (classify, imports)
	Notice      = "notice"       // a row of a regulator's breach list
)

// Method says whether the article's text is the page's own or the feed's
// summary of it; "" when unspecified.
func Method(m bwv1.ExtractionMethod) string {
	switch m {
	case bwv1.ExtractionMethod_EXTRACTION_METHOD_TRAFILATURA, bwv1.ExtractionMethod_EXTRACTION_METHOD_FALLBACK_DOM:
		return FullText
	case bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT:
		return FeedSummary
	case bwv1.ExtractionMethod_EXTRACTION_METHOD_PLAIN_TEXT:
		return PlainText
	case bwv1.ExtractionMethod_EXTRACTION_METHOD_NOTICE:
		return Notice
	}
	return ""
}
