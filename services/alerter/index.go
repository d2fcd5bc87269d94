package alerter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/store/match"
	"github.com/breachwire/breachwire/services/store/query"
)

// compiled is a subscription with its query ready to match.
type compiled struct {
	sub   *Subscription
	query *match.Query
}

// Index is the alerter's live view of every subscription, queries compiled
// once, kept current by watching the subscriptions bucket.
type Index struct {
	kv  jetstream.KeyValue
	log *slog.Logger

	mu      sync.RWMutex
	byID    map[string]*compiled
	list    []*compiled // sorted by id; replaced, never modified in place
	applied uint64      // highest bucket revision applied
	changed chan struct{}

	stop func()
	done chan struct{}
	err  error

	recorder Recorder // told the number of subscriptions; may be nil
}

// OpenIndex loads every subscription and follows changes until Close.
func OpenIndex(ctx context.Context, js jetstream.JetStream, log *slog.Logger) (*Index, error) {
	reg, err := OpenRegistry(ctx, js)
	if err != nil {
		return nil, err
	}
	return openIndex(ctx, reg.kv, log)
}

func openIndex(ctx context.Context, kv jetstream.KeyValue, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Everything up to the bucket's last sequence now is in the watcher's
	// initial values, even when that message itself was purged since.
	initial, err := lastSeq(ctx, kv)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w, err := kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("watch subscriptions: %w", err)
	}
	ix := &Index{kv: kv, log: log, byID: map[string]*compiled{}, changed: make(chan struct{}), done: make(chan struct{})}
	ix.stop = func() { cancel(); _ = w.Stop() }
	go ix.follow(wctx, w, initial)
	if err := ix.Sync(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// Close stops following the bucket.
func (ix *Index) Close() {
	ix.stop()
	<-ix.done
}

func (ix *Index) follow(ctx context.Context, w jetstream.KeyWatcher, initial uint64) {
	defer close(ix.done)
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				ix.mu.Lock()
				ix.err = errors.New("subscriptions watch ended")
				ix.notifyLocked()
				ix.mu.Unlock()
				return
			}
			if e == nil { // end of the initial values
				ix.mu.Lock()
				ix.applied = max(ix.applied, initial)
				ix.notifyLocked()
				ix.mu.Unlock()
				continue
			}
			ix.apply(e)
		}
	}
}

// apply takes one bucket entry into the index.
func (ix *Index) apply(e jetstream.KeyValueEntry) {
	var c *compiled
	id, isSub := strings.CutPrefix(e.Key(), subPrefix)
	if isSub && e.Operation() == jetstream.KeyValuePut {
		s, err := decodeSubscription(e.Value())
		if err == nil {
			c, err = compile(s)
		}
		if err != nil {
			// A subscription stored by an older or newer version: keep
			// going without it, loudly.
			ix.log.Error("subscription not usable, skipped", "id", id, "err", err)
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if isSub {
		_, had := ix.byID[id]
		switch {
		case c != nil:
			ix.byID[id] = c
			ix.list = rebuild(ix.byID)
		case had:
			delete(ix.byID, id)
			ix.list = rebuild(ix.byID)
		}
	}
	ix.applied = max(ix.applied, e.Revision())
	ix.notifyLocked()
	if ix.recorder != nil {
		ix.recorder.Subscriptions(len(ix.byID))
	}
}

func (ix *Index) notifyLocked() {
	close(ix.changed)
	ix.changed = make(chan struct{})
}

func rebuild(m map[string]*compiled) []*compiled {
	out := make([]*compiled, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *compiled) int { return strings.Compare(a.sub.ID, b.sub.ID) })
	return out
}

func compile(s *Subscription) (*compiled, error) {
	n, err := query.Parse(s.Query)
	if err != nil {
		return nil, err
	}
	q, err := match.Compile(n)
	if err != nil {
		return nil, err
	}
	return &compiled{sub: s, query: q}, nil
}

// Sync waits until the index holds every change the bucket had when Sync
// was called, so a subscription created before an event is matched by it.
func (ix *Index) Sync(ctx context.Context) error {
	want, err := lastSeq(ctx, ix.kv)
	if err != nil {
		return err
	}
	for {
		ix.mu.RLock()
		applied, changed, werr := ix.applied, ix.changed, ix.err
		ix.mu.RUnlock()
		if werr != nil {
			return werr
		}
		if applied >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("subscriptions not loaded: %w", ctx.Err())
		case <-changed:
		}
	}
}

// snapshot returns the subscriptions as of now; callers must not modify it.
func (ix *Index) snapshot() []*compiled {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.list
}

// Get returns a subscription by id.
func (ix *Index) Get(id string) (*Subscription, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	c, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return c.sub, true
}

// Len is how many subscriptions the index holds.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byID)
}

// lastSeq is the sequence of the bucket's latest change.
func lastSeq(ctx context.Context, kv jetstream.KeyValue) (uint64, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("subscriptions status: %w", err)
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok {
		return 0, fmt.Errorf("subscriptions status: unexpected %T", st)
	}
	return bs.StreamInfo().State.LastSeq, nil
}
