// Package feeder is the first stage: it polls RSS, Atom and JSON feeds like
// a good citizen and publishes each new or changed item on bw.discovered.
package feeder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
)

// FeedID is the stable key of a feed: a hash of its URL.
func FeedID(feedURL string) string {
	sum := sha256.Sum256([]byte(feedURL))
	return hex.EncodeToString(sum[:8])
}

const (
	defPrefix   = "def."
	statePrefix = "state."
)

// Registry holds the feeds to poll: those from configuration and those
// added at run time (kept in the bw_feeds KV bucket), with their state.
type Registry struct {
	kv         jetstream.KeyValue
	configured []config.Feed
}

// OpenRegistry opens the registry on the feeds bucket.
func OpenRegistry(ctx context.Context, js jetstream.JetStream, configured []config.Feed) (*Registry, error) {
	kv, err := js.KeyValue(ctx, bus.BucketFeeds)
	if err != nil {
		return nil, fmt.Errorf("feeds bucket: %w", err)
	}
	return &Registry{kv: kv, configured: configured}, nil
}

// Entry is a feed with where it is defined.
type Entry struct {
	Feed   config.Feed `json:"feed"`
	ID     string      `json:"id"`
	Source string      `json:"source"` // "config" or "added"
}

// ErrConfigured is returned when removing a feed defined in configuration.
var ErrConfigured = errors.New("feed is defined in the configuration; remove it there")

// ErrUnknownFeed is returned for a feed the registry does not hold.
var ErrUnknownFeed = errors.New("no such feed")

// Feeds lists configured feeds, then added ones, without duplicates.
func (r *Registry) Feeds(ctx context.Context) ([]Entry, error) {
	var out []Entry
	seen := map[string]bool{}
	for _, f := range r.configured {
		f = withDefaults(f)
		out = append(out, Entry{Feed: f, ID: FeedID(f.URL), Source: "config"})
		seen[f.URL] = true
	}
	keys, err := r.kv.ListKeysFiltered(ctx, defPrefix+">")
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	var added []Entry
	for k := range keys.Keys() {
		e, err := r.kv.Get(ctx, k)
		if err != nil {
			continue // removed meanwhile
		}
		var f config.Feed
		if err := json.Unmarshal(e.Value(), &f); err != nil || seen[f.URL] {
			continue
		}
		f = withDefaults(f)
		added = append(added, Entry{Feed: f, ID: FeedID(f.URL), Source: "added"})
	}
	slices.SortFunc(added, func(a, b Entry) int { return strings.Compare(a.Feed.Name, b.Feed.Name) })
	return append(out, added...), nil
}

// Add stores a feed; adding one that exists is an error.
func (r *Registry) Add(ctx context.Context, f config.Feed) (Entry, error) {
	if err := config.ValidateFeed(f); err != nil {
		return Entry{}, err
	}
	f = withDefaults(f)
	for _, c := range r.configured {
		if c.URL == f.URL {
			return Entry{}, fmt.Errorf("feed %s is already in the configuration", f.URL)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return Entry{}, err
	}
	id := FeedID(f.URL)
	if _, err := r.kv.Create(ctx, defPrefix+id, b); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return Entry{}, fmt.Errorf("feed %s is already added", f.URL)
		}
		return Entry{}, fmt.Errorf("add feed: %w", err)
	}
	return Entry{Feed: f, ID: id, Source: "added"}, nil
}

// Remove deletes an added feed, by URL or id, and its state.
func (r *Registry) Remove(ctx context.Context, urlOrID string) (Entry, error) {
	e, err := r.find(ctx, urlOrID)
	if err != nil {
		return Entry{}, err
	}
	if e.Source == "config" {
		return Entry{}, fmt.Errorf("%s: %w", e.Feed.URL, ErrConfigured)
	}
	if err := r.kv.Purge(ctx, defPrefix+e.ID); err != nil {
		return Entry{}, fmt.Errorf("remove feed: %w", err)
	}
	_ = r.kv.Purge(ctx, statePrefix+e.ID)
	_ = r.kv.Purge(ctx, pageFailurePrefix+e.ID)
	return e, nil
}

// find returns the feed with this URL or id, or ErrUnknownFeed.
func (r *Registry) find(ctx context.Context, urlOrID string) (Entry, error) {
	feeds, err := r.Feeds(ctx)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range feeds {
		if e.Feed.URL == urlOrID || e.ID == urlOrID {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("%s: %w", urlOrID, ErrUnknownFeed)
}

// Changes signals (coalesced) every feed added or removed, and every
// backfill asked for, by this process or another, until ctx ends. A watch
// that ends (the connection was lost) is opened again; an error means the
// first could not be opened.
func (r *Registry) Changes(ctx context.Context) (<-chan struct{}, error) {
	watched := []string{defPrefix + ">", backfillPrefix + ">"}
	w, err := r.kv.WatchFiltered(ctx, watched, jetstream.UpdatesOnly())
	if err != nil {
		return nil, fmt.Errorf("watch feeds: %w", err)
	}
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default: // one pending signal is enough
		}
	}
	go func() {
		for {
			for ended := false; !ended; {
				select {
				case <-ctx.Done():
					_ = w.Stop()
					return
				case e, ok := <-w.Updates():
					ended = !ok
					if e != nil {
						signal()
					}
				}
			}
			// Reopened, the watch cannot tell what changed while it was
			// down: list the feeds again once it is back.
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				if w, err = r.kv.WatchFiltered(ctx, watched, jetstream.UpdatesOnly()); err == nil {
					signal()
					break
				}
			}
		}
	}()
	return out, nil
}

// LoadState returns the stored state of a feed, or a fresh one.
func (r *Registry) LoadState(ctx context.Context, id string) (*State, error) {
	e, err := r.kv.Get(ctx, statePrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return &State{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feed state %s: %w", id, err)
	}
	var st State
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		// A state we cannot read is replaced, not fatal: the seen-set
		// still prevents republishing items.
		return &State{}, nil
	}
	return &st, nil
}

// SaveState stores the state of a feed.
func (r *Registry) SaveState(ctx context.Context, id string, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := r.kv.Put(ctx, statePrefix+id, b); err != nil {
		return fmt.Errorf("save feed state %s: %w", id, err)
	}
	return nil
}

// Status is the health of one feed.
type Status struct {
	Entry
	State
	ItemsLast7Days int    `json:"items_last_7_days"`
	Health         string `json:"health"` // new, ok, rate_limited, failing, silent
	// LastPageFailure is the last of the feed's pages that could not be
	// read (its article holds the feed's text instead); nil when none.
	LastPageFailure *PageFailure `json:"last_page_failure,omitempty"`
}

// Statuses returns the health of every feed.
func (r *Registry) Statuses(ctx context.Context, now time.Time) ([]Status, error) {
	feeds, err := r.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(feeds))
	for _, e := range feeds {
		st, err := r.LoadState(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		pf, err := r.lastPageFailure(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Status{Entry: e, State: *st, ItemsLast7Days: st.itemsSince(now.Add(-7 * 24 * time.Hour)),
			Health: st.health(e.Feed, now), LastPageFailure: pf})
	}
	return out, nil
}

func withDefaults(f config.Feed) config.Feed {
	if f.Name == "" {
		if u, err := url.Parse(f.URL); err == nil {
			f.Name = u.Host
		}
	}
	if f.Kind == "" {
		f.Kind = "news"
	}
	return f
}
