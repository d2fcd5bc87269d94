package feeder

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/breachwire/breachwire/services/feeder/notices"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

// Observer receives the feeder's per-feed counts; metrics implement it.
type Observer interface {
	FeedPolled(feed, result string)
	FeedItems(feed string, newItems, updates int)
	FeedHealth(feed string, consecutiveFailures int, silent bool, lastSuccess time.Time)
	// NoticeLayoutError counts a notices list whose page is not shaped as
	// its parser expects (a missing column, no rows).
	NoticeLayoutError(feed string)
}

// Poll results, as counted by the Observer.
const (
	resultChanged     = "changed"
	resultUnchanged   = "unchanged"
	resultNotModified = "not_modified"
	resultRateLimited = "rate_limited"
	resultError       = "error"
)

const (
	fullFetchEvery    = 24 * time.Hour // an unconditional fetch at least this often
	fullFetchPolls    = 12             // ... or after this many conditional polls
	maxBackoff        = 24 * time.Hour
	maxServerFloor    = 24 * time.Hour // cap on Retry-After, max-age and <ttl>
	pollConcurrency   = 8
	registryRecheck   = 30 * time.Second
	feedAcceptHeader  = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
	maxFeedBytesParse = 32 << 20
)

// Stage returns the feeder stage.
func Stage() pipeline.Stage {
	return pipeline.Stage{Name: bus.StageFeeder, Run: func(ctx context.Context, d pipeline.Deps) error {
		f, err := New(ctx, d)
		if err != nil {
			return err
		}
		return f.Run(ctx)
	}}
}

// Feeder polls feeds and publishes their items.
type Feeder struct {
	reg    *Registry
	seen   seenSet
	pub    *bus.Publisher
	client *safehttp.Client
	obs    Observer
	log    *slog.Logger
	defMin time.Duration
	defMax time.Duration
	now    func() time.Time
	// recheck is how often the feed list is read again when no change is
	// signalled (0: registryRecheck); adds and removes wake the loop at once.
	recheck time.Duration
}

// New builds a feeder from the process's dependencies.
func New(ctx context.Context, d pipeline.Deps) (*Feeder, error) {
	reg, err := OpenRegistry(ctx, d.JS, d.Config.Feeds)
	if err != nil {
		return nil, err
	}
	seenKV, err := d.JS.KeyValue(ctx, bus.BucketSeen)
	if err != nil {
		return nil, fmt.Errorf("seen bucket: %w", err)
	}
	var obs Observer = nopObserver{}
	if d.Metrics != nil {
		obs = d.Metrics
	}
	return &Feeder{
		reg: reg, seen: seenSet{kv: seenKV}, pub: d.Publisher, client: d.HTTP, obs: obs,
		log: d.Logger, defMin: d.Config.FeedMinInterval, defMax: d.Config.FeedMaxInterval, now: time.Now,
	}, nil
}

// Run polls every feed when it is due until ctx is canceled.
func (f *Feeder) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	states := map[string]*State{}
	inflight := map[string]bool{}
	done := make(chan string, pollConcurrency)
	sem := make(chan struct{}, pollConcurrency)
	timer := time.NewTimer(0)
	defer timer.Stop()
	recheck := cmp.Or(f.recheck, registryRecheck)
	changes, err := f.reg.Changes(ctx)
	if err != nil {
		f.log.Warn("feeds added at run time wait for the next recheck", "recheck", recheck, "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-done:
			delete(inflight, id)
		case <-timer.C:
		case <-changes: // a feed added or removed: list them again now
		}
		now := f.now()
		wake := now.Add(recheck)
		entries, err := f.reg.Feeds(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			f.log.Warn("cannot list feeds", "err", err)
			entries = nil
			wake = now.Add(5 * time.Second)
		}
		backfills, err := f.reg.Backfills(ctx)
		if err != nil && ctx.Err() == nil {
			f.log.Warn("cannot read backfill requests", "err", err)
		}
		for _, e := range entries {
			if inflight[e.ID] {
				continue
			}
			st := states[e.ID]
			if st == nil {
				if st, err = f.reg.LoadState(ctx, e.ID); err != nil {
					f.log.Warn("cannot load feed state", "feed", e.Feed.URL, "err", err)
					continue
				}
				states[e.ID] = st
			}
			pages := backfills[e.ID]
			if pages == 0 && st.NextPoll.After(now) {
				wake = earliest(wake, st.NextPoll)
				continue
			}
			inflight[e.ID] = true
			wg.Go(func() {
				select {
				case sem <- struct{}{}:
					f.pollAndSave(ctx, e, st, pages)
					<-sem
				case <-ctx.Done():
				}
				select {
				case done <- e.ID:
				case <-ctx.Done():
				}
			})
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(time.Until(wake), 10*time.Millisecond))
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func (f *Feeder) pollAndSave(ctx context.Context, e Entry, st *State, backfill int) {
	log := f.log.With("feed", e.Feed.Name, "url", e.Feed.URL)
	res := f.poll(ctx, e.Feed, st, backfill)
	if ctx.Err() != nil {
		return // interrupted: nothing was learnt about the feed
	}
	if backfill > 0 {
		// Done or failed, the request is answered: a failure is the feed's
		// last error, and the operator asks again.
		if err := f.reg.clearBackfill(ctx, e.ID); err != nil {
			log.Warn("cannot clear the backfill request", "err", err)
		}
		log.Info("backfill done", "pages", backfill, "new", res.newItems, "updated", res.updates, "err", res.err)
	}
	f.obs.FeedPolled(e.Feed.Name, res.result)
	f.obs.FeedItems(e.Feed.Name, res.newItems, res.updates)
	if res.result == resultRateLimited {
		log.Info("feed rate limited", "until", st.RateLimitedUntil.UTC().Format(time.RFC3339), "next_poll", st.NextPoll.Format(time.RFC3339))
	}
	if res.err != nil {
		log.Warn("feed poll failed", "err", res.err, "failures", st.ConsecutiveFailures, "next_poll", st.NextPoll.Format(time.RFC3339))
	} else if res.newItems+res.updates > 0 {
		log.Info("feed polled", "new", res.newItems, "updated", res.updates, "next_poll", st.NextPoll.Format(time.RFC3339))
	}
	f.obs.FeedHealth(e.Feed.Name, st.ConsecutiveFailures, st.Silent, st.LastSuccess)
	if err := f.reg.SaveState(ctx, e.ID, st); err != nil && ctx.Err() == nil {
		log.Warn("cannot save feed state", "err", err)
	}
}

type pollResult struct {
	result            string
	newItems, updates int
	err               error
}

// fetchFeed fetches a feed, or reads a notices list saved to disk.
func (f *Feeder) fetchFeed(ctx context.Context, feed config.Feed, hdr http.Header) (*safehttp.Response, error) {
	u, err := url.Parse(feed.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "file" && feed.Kind == config.KindNotices {
		return readFileList(u)
	}
	if feed.Kind == config.KindNotices {
		if p, ok := notices.Lookup(feed.Parser); ok && p.Accept != "" {
			hdr.Set("Accept", p.Accept)
		}
		return f.getListPage(ctx, u, hdr)
	}
	return f.client.Get(ctx, feed.URL, hdr)
}

// poll fetches a feed once, publishes what is new, and schedules the next
// poll. backfill > 0 walks that many pages of a notices list, ignoring
// validators (the first page has not changed, the history is wanted).
func (f *Feeder) poll(ctx context.Context, feed config.Feed, st *State, backfill int) pollResult {
	now := f.now()
	st.LastPoll = now
	full := backfill > 0 || st.LastFull.IsZero() || now.Sub(st.LastFull) >= fullFetchEvery || st.PollsSinceFull >= fullFetchPolls
	hdr := http.Header{"Accept": {feedAcceptHeader}}
	if !full {
		if st.ETag != "" {
			hdr.Set("If-None-Match", st.ETag)
		}
		if st.LastModified != "" {
			hdr.Set("If-Modified-Since", st.LastModified)
		}
	}
	resp, err := f.fetchFeed(ctx, feed, hdr)
	if err != nil {
		return f.fail(feed, st, now, err, 0)
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		st.PollsSinceFull++
		f.succeed(feed, st, now, 0, serverFloor(resp.Header, nil))
		return pollResult{result: resultNotModified}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait, ok := safehttp.RetryAfter(resp.Header, now)
		if resp.StatusCode == http.StatusServiceUnavailable && !ok {
			return f.fail(feed, st, now, fmt.Errorf("HTTP %d", resp.StatusCode), 0)
		}
		return f.rateLimited(feed, st, now, resp.StatusCode, wait)
	case resp.StatusCode/100 != 2:
		return f.fail(feed, st, now, fmt.Errorf("HTTP %d", resp.StatusCode), 0)
	}
	if full {
		st.LastFull, st.PollsSinceFull = now, 0
	} else {
		st.PollsSinceFull++
	}
	st.ETag = resp.Header.Get("ETag")
	st.LastModified = resp.Header.Get("Last-Modified")
	bodyHash := hashHex(string(resp.Body))
	if bodyHash == st.BodyHash && backfill == 0 {
		// Same bytes as last time: a server whose validators are missing or
		// stale. Nothing to parse.
		f.succeed(feed, st, now, 0, serverFloor(resp.Header, resp.Body))
		return pollResult{result: resultUnchanged}
	}
	base := resp.URL
	if base == nil {
		base, _ = url.Parse(feed.URL)
	}
	var cands []candidate
	if feed.Kind == config.KindNotices {
		if cands, err = f.noticeCandidates(ctx, feed, resp.Body, base, max(backfill, 1)); err != nil {
			var le *notices.LayoutError
			if errors.As(err, &le) {
				f.obs.NoticeLayoutError(feed.Name)
			}
			return f.fail(feed, st, now, err, 0)
		}
	} else {
		parsed, err := parseFeed(resp.Body)
		if err != nil {
			return f.fail(feed, st, now, err, 0)
		}
		if n := dropUnexpandedEntities(parsed); n > 0 {
			f.log.Warn("feed uses XML entities it declares itself; their references were removed, not expanded",
				"feed", feed.Name, "url", feed.URL, "references", n)
		}
		cands = candidates(parsed, base, feed.Match)
	}
	newItems, updates, err := f.publishItems(ctx, feed, cands, now)
	if err != nil {
		// Keep the old body hash so the next poll processes the feed again.
		return f.fail(feed, st, now, fmt.Errorf("publish items: %w", err), 0)
	}
	st.BodyHash = bodyHash
	st.recordItems(newItems, now)
	f.succeed(feed, st, now, newItems+updates, serverFloor(resp.Header, resp.Body))
	return pollResult{result: resultChanged, newItems: newItems, updates: updates}
}

// parseFeed parses RSS, Atom or JSON Feed, turning a parser panic into an error.
func parseFeed(body []byte) (feed *gofeed.Feed, err error) {
	if len(body) > maxFeedBytesParse {
		return nil, fmt.Errorf("parse feed: %d bytes is more than %d", len(body), maxFeedBytesParse)
	}
	defer func() {
		if p := recover(); p != nil {
			feed, err = nil, fmt.Errorf("parse feed: parser panic: %v", p)
		}
	}()
	feed, err = gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	return feed, nil
}

func (f *Feeder) bounds(feed config.Feed) (time.Duration, time.Duration) {
	minI, maxI := time.Duration(feed.MinInterval), time.Duration(feed.MaxInterval)
	if minI <= 0 {
		minI = f.defMin
	}
	if maxI <= 0 {
		maxI = max(f.defMax, minI)
	}
	return minI, max(maxI, minI)
}

// succeed adapts the interval: halved when the feed yielded, grown by half
// when it did not, never below what the server asked for.
func (f *Feeder) succeed(feed config.Feed, st *State, now time.Time, yielded int, floor time.Duration) {
	minI, maxI := f.bounds(feed)
	if st.Interval <= 0 {
		st.Interval = minI
	}
	if yielded > 0 {
		st.Interval = max(minI, st.Interval/2)
	} else {
		st.Interval = min(maxI, st.Interval*3/2)
	}
	st.LastSuccess = now
	st.LastError, st.ConsecutiveFailures, st.RateLimitedUntil = "", 0, time.Time{}
	st.pruneRecent(now)
	silent := st.TotalItems > 0 && now.Sub(st.LastNewItem) > silentAfter(feed, f.defMax)
	if silent && !st.Silent {
		f.log.Warn("feed that used to yield has gone silent", "feed", feed.Name, "url", feed.URL, "last_new_item", st.LastNewItem.Format(time.RFC3339))
	}
	st.Silent = silent
	st.NextPoll = now.Add(jitter(max(st.Interval, min(floor, maxServerFloor))))
}

// fail records an error and backs off exponentially from the feed's
// minimum interval, or waits as long as the server asked.
func (f *Feeder) fail(feed config.Feed, st *State, now time.Time, err error, retryAfter time.Duration) pollResult {
	minI, _ := f.bounds(feed)
	st.ConsecutiveFailures++
	st.LastError, st.LastErrorAt = err.Error(), now
	backoff := minI
	for i := 1; i < st.ConsecutiveFailures && backoff < maxBackoff; i++ {
		backoff *= 2
	}
	backoff = min(backoff, maxBackoff)
	st.NextPoll = now.Add(jitter(max(backoff, min(retryAfter, maxServerFloor))))
	return pollResult{result: resultError, err: err}
}

// rateLimited records a 429 (or a 503 with Retry-After): the server is
// up and asks us to slow down, which is no failure of the feed. The next
// poll waits as long as asked, or twice the current interval when the
// server does not say.
func (f *Feeder) rateLimited(feed config.Feed, st *State, now time.Time, code int, retryAfter time.Duration) pollResult {
	minI, maxI := f.bounds(feed)
	st.Interval = min(maxI, max(minI, st.Interval))
	wait := retryAfter
	if wait <= 0 {
		st.Interval = min(maxI, 2*st.Interval)
		wait = st.Interval
	}
	wait = min(wait, maxServerFloor)
	st.RateLimitedUntil = now.Add(wait)
	st.LastError, st.LastErrorAt = fmt.Sprintf("HTTP %d: rate limited until %s", code, st.RateLimitedUntil.UTC().Format(time.RFC3339)), now
	st.NextPoll = now.Add(wait + wait/20) // never before the server's time
	return pollResult{result: resultRateLimited}
}

// jitter spreads polls by ±10% so feeds on one host do not move in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}

var ttlRE = regexp.MustCompile(`(?i)<ttl>\s*(\d{1,7})\s*</ttl>`)

// serverFloor is the shortest interval the server asks for: Cache-Control
// max-age, or an RSS <ttl> (minutes) near the top of the document.
func serverFloor(h http.Header, body []byte) time.Duration {
	var floor time.Duration
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(k, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				floor = max(floor, time.Duration(n)*time.Second)
			}
		}
	}
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	if m := ttlRE.FindSubmatch(body); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n > 0 {
			floor = max(floor, time.Duration(n)*time.Minute)
		}
	}
	return floor
}

type nopObserver struct{}

func (nopObserver) FeedPolled(string, string)               {}
func (nopObserver) FeedItems(string, int, int)              {}
func (nopObserver) FeedHealth(string, int, bool, time.Time) {}
func (nopObserver) NoticeLayoutError(string)                {}
