// Package scraper is the second stage: it fetches each discovered page
// (robots.txt permitting), extracts its main text and metadata, and
// publishes an Article on bw.articles; when the page cannot be had, it
// publishes the feed's own content instead, marked as such.
package scraper

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/canonurl"
	"github.com/breachwire/breachwire/services/internal/extract"
	"github.com/breachwire/breachwire/services/internal/fetchstatus"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

const (
	// fetchAttempts is how many deliveries a page gets before the feed's
	// own content is used instead; below the consumer's MaxDeliver so the
	// item is published rather than dead-lettered.
	fetchAttempts = 3
	// maxTextBytes keeps an Article well inside NATS's 1 MiB message limit.
	maxTextBytes = 512 << 10
	pageAccept   = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
	// minPageWords: below this, page text loses to a longer feed text.
	minPageWords = 40
)

// Stage returns the scraper stage.
func Stage() pipeline.Stage {
	return pipeline.Stage{Name: bus.StageScraper, Run: func(ctx context.Context, d pipeline.Deps) error {
		feeds, err := d.JS.KeyValue(ctx, bus.BucketFeeds)
		if err != nil {
			return fmt.Errorf("feed bucket: %w", err)
		}
		s := New(cmp.Or(d.Pages, d.HTTP), d.Publisher, d.Logger)
		s.feeds = feeds
		if d.Metrics != nil {
			s.obs = d.Metrics
		}
		return bus.Consume(ctx, d.JS, bus.ConsumerOptions{Stage: bus.StageScraper, Logger: d.Logger, Observer: d.Observer}, s.Handle)
	}}
}

// Observer counts what became of each page; metrics implement it.
type Observer interface {
	// PageFetched counts one article's final outcome: feed is the feed's
	// id (feeder.FeedID), status a fetchstatus.Name.
	PageFetched(feed, status string)
}

// Scraper turns discovered items into articles.
type Scraper struct {
	client *safehttp.Client
	pub    *bus.Publisher
	log    *slog.Logger
	now    func() time.Time
	obs    Observer // nil counts nothing
	// feeds is the feed bucket, where each feed's last page failure is
	// kept for `feeds status`; nil keeps none.
	feeds jetstream.KeyValue
}

// New returns a scraper that fetches with client and publishes with pub.
func New(client *safehttp.Client, pub *bus.Publisher, log *slog.Logger) *Scraper {
	return &Scraper{client: client, pub: pub, log: log, now: time.Now}
}

// Handle processes one bw.discovered message.
func (s *Scraper) Handle(ctx context.Context, m *bus.Message) error {
	var item bwv1.DiscoveredItem
	if err := proto.Unmarshal(m.Data, &item); err != nil {
		return bus.Permanentf("decode discovered item: %w", err)
	}
	if item.GetIdentity() == "" || (item.GetUrl() == "" && item.GetTitle() == "" && item.GetSummary() == "" && item.GetContent() == "") {
		return bus.Permanentf("discovered item has no identity or nothing to publish")
	}
	if item.GetNotice() != nil {
		// A regulator's list row: the feeder read it; there is no page.
		return s.publish(ctx, fromNotice(&item, s.now()))
	}
	art, err := s.Article(ctx, &item, m.Deliveries >= fetchAttempts)
	if err != nil {
		if ctx.Err() == nil {
			s.log.InfoContext(ctx, "page fetch failed, will retry", "url", item.GetUrl(), "feed", item.GetFeedUrl(),
				"attempt", m.Deliveries, "err", err)
		}
		return err
	}
	if err := s.publish(ctx, art); err != nil {
		return err
	}
	// Once published: a publish that fails is retried, and counting before
	// it would count the page twice.
	s.report(ctx, &item, art)
	return nil
}

func (s *Scraper) publish(ctx context.Context, art *bwv1.Article) error {
	data, err := proto.Marshal(art)
	if err != nil {
		return bus.Permanentf("encode article: %w", err)
	}
	id := "art:" + art.Id + ":" + art.ContentHash[:16]
	_, err = s.pub.Publish(ctx, bus.SubjectArticles, id, data, nil)
	return err
}

// Article builds the article for an item. With lastTry false, a failure
// that may heal (timeout, 5xx, 429) is returned as an error so the message
// is retried; with lastTry true, or for failures that will not heal, the
// feed's own content is used.
func (s *Scraper) Article(ctx context.Context, item *bwv1.DiscoveredItem, lastTry bool) (*bwv1.Article, error) {
	if item.GetUrl() == "" {
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_NO_LINK, "item has no link")), nil
	}
	u, err := url.Parse(item.GetUrl())
	if err != nil {
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_NO_LINK, "bad link: %s", shorten(err.Error()))), nil
	}
	allowed, err := s.client.RobotsAllowed(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if safehttp.Retryable(err) && !lastTry {
			return nil, fmt.Errorf("robots.txt for %s: %w", u.Host, err)
		}
		if !safehttp.Retryable(err) {
			return s.fromFeed(item, fetchOutcome(err)), nil
		}
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_ROBOTS_UNAVAILABLE, "robots.txt unavailable: %s", shorten(err.Error()))), nil
	}
	if !allowed {
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_ROBOTS_DISALLOWED, "robots.txt disallows")), nil
	}
	resp, err := s.client.Get(ctx, item.GetUrl(), http.Header{"Accept": {pageAccept}})
	if err != nil {
		if safehttp.Retryable(err) && !lastTry && ctx.Err() == nil {
			return nil, fmt.Errorf("fetch page: %w", err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return s.fromFeed(item, fetchOutcome(err)), nil
	}
	if resp.StatusCode/100 != 2 {
		if safehttp.RetryableStatus(resp.StatusCode) && !lastTry {
			return nil, fmt.Errorf("fetch page %s: HTTP %d", item.GetUrl(), resp.StatusCode)
		}
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_HTTP_ERROR, "HTTP %d", resp.StatusCode)), nil
	}
	final := item.GetUrl()
	if resp.URL != nil {
		final = resp.URL.String()
	}
	doc, err := extract.Default.Extract(ctx, resp.Body, resp.ContentType(), final)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return s.fromFeed(item, extractOutcome(err)), nil
	}
	// A page that yields less than the feed's own text was not really
	// read (a consent wall, a script-only page, navigation only).
	if words := len(strings.Fields(doc.Text)); words < minPageWords && len(doc.Text) < len(feedText(item)) {
		return s.fromFeed(item, failed(bwv1.FetchStatus_FETCH_STATUS_NO_MAIN_TEXT, "page text shorter than the feed's own")), nil
	}
	canonical := firstCanonical(doc.CanonicalURL, final, item.GetCanonicalUrl(), item.GetUrl())
	art := &bwv1.Article{
		Id:               articleID(canonical),
		Url:              item.GetUrl(),
		CanonicalUrl:     canonical,
		Outlet:           outlet(doc.SiteName, canonical),
		SiteName:         doc.SiteName,
		Title:            firstNonEmpty(doc.Title, item.GetTitle()),
		Byline:           firstNonEmpty(doc.Byline, item.GetAuthor()),
		FetchedAt:        timestamppb.New(s.now()),
		Language:         doc.Language,
		Text:             bus.Clip(doc.Text, maxTextBytes),
		Feed:             item.GetFeedUrl(),
		FeedTags:         item.GetFeedTags(),
		ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_TRAFILATURA,
		Guid:             item.GetGuid(),
		Update:           item.GetUpdate(),
		FetchStatus:      bwv1.FetchStatus_FETCH_STATUS_OK,
	}
	if doc.Method != "trafilatura" {
		art.ExtractionMethod = bwv1.ExtractionMethod_EXTRACTION_METHOD_FALLBACK_DOM
	}
	// The feed's date is metadata the publisher set for this item; a page
	// date may have been guessed from dates in the text.
	if item.GetPublishedAt() != nil {
		art.PublishedAt = item.GetPublishedAt()
	} else if !doc.PublishedAt.IsZero() {
		art.PublishedAt = timestamppb.New(doc.PublishedAt)
	}
	art.ContentHash = sha256Hex(art.Text)
	return art, nil
}

// fromFeed builds the article from the feed item alone, saying why.
func (s *Scraper) fromFeed(item *bwv1.DiscoveredItem, why outcome) *bwv1.Article {
	text := feedText(item)
	if text == "" {
		text = item.GetTitle()
	}
	canonical := firstCanonical(item.GetCanonicalUrl(), item.GetUrl())
	id := articleID(canonical)
	if canonical == "" {
		id = sha256Hex("item:" + item.GetFeedUrl() + "\x00" + item.GetIdentity())
	}
	return &bwv1.Article{
		Id:               id,
		Url:              item.GetUrl(),
		CanonicalUrl:     canonical,
		Outlet:           outlet("", firstNonEmpty(canonical, item.GetFeedUrl())),
		Title:            item.GetTitle(),
		Byline:           item.GetAuthor(),
		PublishedAt:      item.GetPublishedAt(),
		FetchedAt:        timestamppb.New(s.now()),
		Text:             bus.Clip(text, maxTextBytes),
		Feed:             item.GetFeedUrl(),
		FeedTags:         item.GetFeedTags(),
		ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_FEED_CONTENT,
		ContentHash:      sha256Hex(text),
		Guid:             item.GetGuid(),
		FetchNote:        why.note,
		FetchStatus:      why.status,
		Update:           item.GetUpdate(),
	}
}

// report counts the article's outcome and, when its page could not be
// read, says so in a warning and in the feed's last page failure.
func (s *Scraper) report(ctx context.Context, item *bwv1.DiscoveredItem, art *bwv1.Article) {
	status := fetchstatus.Name(art.GetFetchStatus())
	feedID := ""
	if item.GetFeedUrl() != "" {
		feedID = feeder.FeedID(item.GetFeedUrl())
	}
	if s.obs != nil {
		s.obs.PageFetched(feedID, status)
	}
	if art.GetFetchStatus() == bwv1.FetchStatus_FETCH_STATUS_OK {
		return
	}
	s.log.WarnContext(ctx, "page not read, using the feed's text", "url", item.GetUrl(), "feed", item.GetFeedUrl(),
		"fetch_status", status, "note", art.GetFetchNote())
	if s.feeds == nil || item.GetFeedUrl() == "" {
		return
	}
	pf := feeder.PageFailure{URL: item.GetUrl(), Status: status, Note: art.GetFetchNote(), At: s.now().UTC()}
	if err := feeder.SavePageFailure(ctx, s.feeds, item.GetFeedUrl(), pf); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "cannot record the page failure", "feed", item.GetFeedUrl(), "err", err)
	}
}

// feedText is the item's own content, else its summary, as plain text.
func feedText(item *bwv1.DiscoveredItem) string {
	if t := HTMLToText(item.GetContent()); t != "" {
		return t
	}
	return HTMLToText(item.GetSummary())
}

func shorten(s string) string {
	if len(s) > 200 {
		return bus.Clip(s, 200) + "…"
	}
	return s
}

// firstCanonical returns the first candidate that canonicalises.
func firstCanonical(cands ...string) string {
	for _, c := range cands {
		if c == "" {
			continue
		}
		if canon, err := canonurl.Canonical(c, nil); err == nil {
			return canon
		}
	}
	return ""
}

func articleID(canonical string) string { return sha256Hex(canonical) }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func outlet(siteName, rawURL string) string {
	if siteName != "" {
		return siteName
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
