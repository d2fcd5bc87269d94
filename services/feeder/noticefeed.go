package feeder

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/feeder/notices"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/limits"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

// A notices source is a regulator's list, not a feed: its parser reads the
// rows, and each new or changed row becomes an item carrying its Notice.
// A poll reads the first page, where lists put new rows; a backfill walks
// the pagination. Rows are identified by their parser's row ID, so a row
// that moves to page 2 is not published again.

// noticeCandidates parses body (the list's first page, fetched from page)
// and up to pages-1 pages after it into candidates, oldest first. Rows
// whose count or cause is on their own notice page are completed from it,
// when they are not in the seen-set yet.
func (f *Feeder) noticeCandidates(ctx context.Context, feed config.Feed, body []byte, page *url.URL, pages int) ([]candidate, error) {
	p, ok := notices.Lookup(feed.Parser)
	if !ok {
		return nil, fmt.Errorf("unknown notices parser %q", feed.Parser)
	}
	var rows []notices.Row
	listPages := map[string]bool{} // rows without a notice page of their own carry their list page's URL
	for n := 1; ; n++ {
		listPages[page.String()] = true
		pg, err := p.Parse(body, page)
		if err != nil {
			return nil, fmt.Errorf("page %d (%s): %w", n, page, err)
		}
		rows = append(rows, pg.Rows...)
		if n >= pages || pg.Next == "" {
			break
		}
		next, err := page.Parse(pg.Next)
		if err != nil || next.String() == page.String() {
			return nil, fmt.Errorf("page %d (%s): bad next page %q", n, page, pg.Next)
		}
		if body, page, err = f.fetchNoticePage(ctx, p, next); err != nil {
			return nil, fmt.Errorf("page %d: %w", n+1, err)
		}
	}
	cands := make([]candidate, 0, len(rows))
	for _, r := range rows {
		cands = append(cands, noticeCandidate(p, r))
	}
	if p.Detail != nil {
		prevs, err := f.seen.lookupAll(ctx, feed.URL, cands)
		if err != nil {
			return nil, err
		}
		for i := range cands {
			if prevs[i] != nil || rows[i].URL == "" || listPages[rows[i].URL] {
				continue
			}
			u, err := url.Parse(rows[i].URL)
			if err != nil {
				return nil, fmt.Errorf("notice %s: %w", rows[i].URL, err)
			}
			b, _, err := f.fetchNoticePage(ctx, p, u)
			if err != nil {
				return nil, fmt.Errorf("notice page: %w", err)
			}
			if err := p.Detail(b, &rows[i]); err != nil {
				return nil, fmt.Errorf("notice page %s: %w", rows[i].URL, err)
			}
			cands[i] = noticeCandidate(p, rows[i])
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return a.published.Compare(b.published) })
	return cands, nil
}

// getListPage fetches a page of a notices list, or a notice page, through
// the feed lane. Lists are web pages, not feeds: their sites' robots.txt
// applies.
func (f *Feeder) getListPage(ctx context.Context, u *url.URL, hdr http.Header) (*safehttp.Response, error) {
	allowed, err := f.client.RobotsAllowed(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("robots.txt for %s: %w", u.Host, err)
	}
	if !allowed {
		return nil, fmt.Errorf("robots.txt disallows %s", u)
	}
	return f.client.Get(ctx, u.String(), hdr)
}

// fetchNoticePage fetches a further page of a list, or a notice page, and
// wants it whole: unlike the first page, it carries no validators.
func (f *Feeder) fetchNoticePage(ctx context.Context, p notices.Parser, u *url.URL) ([]byte, *url.URL, error) {
	resp, err := f.getListPage(ctx, u, http.Header{"Accept": {p.Accept}})
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	final := resp.URL
	if final == nil {
		final = u
	}
	return resp.Body, final, nil
}

// readFileList reads a notices list saved to disk (file: URL), as if it
// were a response, under the feed size cap.
func readFileList(u *url.URL) (*safehttp.Response, error) {
	fh, err := os.Open(u.Path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limits.FeedBytes {
		return nil, fmt.Errorf("%s: %d bytes is more than the feed cap of %d", u.Path, fi.Size(), limits.FeedBytes)
	}
	b := make([]byte, fi.Size())
	if _, err := fh.ReadAt(b, 0); err != nil && fi.Size() > 0 {
		return nil, err
	}
	return &safehttp.Response{URL: u, StatusCode: http.StatusOK, Header: http.Header{}, Body: b}, nil
}

// noticeCandidate is a row as a candidate item: identity from the row ID,
// the row as the item's text, its reported date as the publication date.
// Its canonical URL is left empty: rows without a notice page of their
// own share the list's URL, which must not make them one item.
func noticeCandidate(p notices.Parser, r notices.Row) candidate {
	text := r.Text
	if r.DetailText != "" {
		// What the notice page added (Maine: the count and the cause). The
		// hash stays the list row's: seen rows are not read again, and
		// must not look changed for lacking it.
		text += "; " + r.DetailText
	}
	it := &gofeed.Item{Title: noticeTitle(p, r), Description: text, GUID: r.ID, Link: r.URL}
	c := candidate{item: it, identity: "notice:" + r.ID, link: r.URL, hash: hashHex(r.Text), notice: noticeProto(p, r)}
	if t, ok := p.Day(r.Reported); ok {
		c.published = t
	}
	return c
}

// noticeTitle reads "Harbourline Dental Group: breach notice to the
// Washington AG", or for an enforcement list "...: reprimand by the ICO".
func noticeTitle(p notices.Parser, r notices.Row) string {
	what := "breach notice to the " + p.Regulator
	if r.Action != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED && r.Action != bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNSPECIFIED {
		what = strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(r.Action.String(), "REGULATOR_ACTION_TYPE_")), "_", " ") + " by the " + p.Regulator
	}
	return r.Organisation + ": " + what
}

func noticeProto(p notices.Parser, r notices.Row) *bwv1.Notice {
	n := &bwv1.Notice{
		Parser: p.Name, Regulator: p.Regulator, Country: p.Country, Organisation: r.Organisation,
		BreachDates: r.BreachDates, Reported: r.Reported, Affected: r.Affected, AffectedKnown: r.AffectedKnown,
		AffectedScope: r.AffectedScope, AffectedResidentsOnly: r.AffectedResidentsOnly, Cause: r.Cause, CauseText: r.CauseText, Action: r.Action,
		Currency: r.Currency, Information: r.Information, RowId: r.ID,
	}
	if r.Currency != "" {
		n.AmountMinor = &r.AmountMinor
	}
	return n
}
