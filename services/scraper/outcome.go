package scraper

import (
	"errors"
	"fmt"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/extract"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

// outcome is why an article holds the feed's text instead of its page's:
// a status for metrics and the stored article, and a note for people.
type outcome struct {
	status bwv1.FetchStatus
	note   string
}

func failed(status bwv1.FetchStatus, format string, args ...any) outcome {
	return outcome{status: status, note: fmt.Sprintf(format, args...)}
}

// cause is the end of a safehttp error, from its sentinel on: the URL and
// the hops before it are on the article already.
func cause(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "safehttp: "); i >= 0 {
		msg = msg[i+len("safehttp: "):]
	}
	return shorten(msg)
}

// fetchOutcome names a failed fetch (robots.txt or the page).
func fetchOutcome(err error) outcome {
	switch {
	case errors.Is(err, safehttp.ErrBlockedAddress):
		return failed(bwv1.FetchStatus_FETCH_STATUS_BLOCKED_ADDRESS, "%s", cause(err))
	case errors.Is(err, safehttp.ErrBodyTooLarge):
		return failed(bwv1.FetchStatus_FETCH_STATUS_TOO_LARGE, "%s", cause(err))
	case errors.Is(err, safehttp.ErrTooManyRedirects):
		return failed(bwv1.FetchStatus_FETCH_STATUS_REDIRECT_LOOP, "%s", cause(err))
	case errors.Is(err, safehttp.ErrTimeout):
		return failed(bwv1.FetchStatus_FETCH_STATUS_TIMEOUT, "%s", cause(err))
	case errors.Is(err, safehttp.ErrInvalidURL):
		return failed(bwv1.FetchStatus_FETCH_STATUS_NO_LINK, "%s", cause(err))
	case errors.Is(err, safehttp.ErrRobotsUnavailable):
		return failed(bwv1.FetchStatus_FETCH_STATUS_ROBOTS_UNAVAILABLE, "%s", cause(err))
	}
	return failed(bwv1.FetchStatus_FETCH_STATUS_FAILED, "fetch failed: %s", shorten(err.Error()))
}

// extractOutcome names a failed extraction.
func extractOutcome(err error) outcome {
	switch {
	case errors.Is(err, extract.ErrNoContent):
		return failed(bwv1.FetchStatus_FETCH_STATUS_NO_MAIN_TEXT, "no main text on the page")
	case errors.Is(err, extract.ErrBudgetExceeded):
		return failed(bwv1.FetchStatus_FETCH_STATUS_EXTRACTION_BUDGET_EXCEEDED, "%s", shorten(err.Error()))
	case errors.Is(err, extract.ErrTooLarge):
		return failed(bwv1.FetchStatus_FETCH_STATUS_TOO_LARGE, "%s", shorten(err.Error()))
	case errors.Is(err, extract.ErrNotHTML):
		return failed(bwv1.FetchStatus_FETCH_STATUS_NOT_HTML, "%s", shorten(err.Error()))
	}
	return failed(bwv1.FetchStatus_FETCH_STATUS_FAILED, "extraction failed: %s", shorten(err.Error()))
}
