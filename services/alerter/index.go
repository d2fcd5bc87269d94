package alerter

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

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
	// While a watch delivers its initial values they go to staging, which
	// replaces byID at their end: a (re)load never shows a partial set.
	staging       map[string]*compiled
	stagedApplied uint64
	watcher       jetstream.KeyWatcher

	stop func()
	done chan struct{}

	recorder Recorder // told the number of subscriptions; may be nil
}

// rewatchDelay is the pause before watching again after a watch ended.
var rewatchDelay = time.Second

// syncTimeout bounds Sync: an index that cannot catch up (NATS away) makes
// the event fail and be retried, rather than hold it.
const syncTimeout = 30 * time.Second

// SetRecorder reports the number of subscriptions to r, now and on every change.
func (ix *Index) SetRecorder(r Recorder) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.recorder = r
	r.Subscriptions(len(ix.byID))
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
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ix := &Index{kv: kv, log: log, byID: map[string]*compiled{}, changed: make(chan struct{}), done: make(chan struct{}), stop: cancel}
	w, initial, err := ix.watch(wctx)
	if err != nil {
		cancel()
		return nil, err
	}
	go ix.follow(wctx, w, initial)
	if err := ix.Sync(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// watch starts a watch of the whole bucket; its initial values hold
// everything up to the returned sequence, even when that message itself
// was purged since.
func (ix *Index) watch(ctx context.Context) (jetstream.KeyWatcher, uint64, error) {
	initial, err := lastSeq(ctx, ix.kv)
	if err != nil {
		return nil, 0, err
	}
	w, err := ix.kv.WatchAll(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("watch subscriptions: %w", err)
	}
	ix.mu.Lock()
	ix.staging, ix.stagedApplied, ix.watcher = map[string]*compiled{}, 0, w
	ix.mu.Unlock()
	return w, initial, nil
}

// Close stops following the bucket.
func (ix *Index) Close() {
	ix.stop()
	<-ix.done
}

// follow applies the bucket's changes until ctx ends, watching again (and
// reloading every subscription) when a watch ends under it.
func (ix *Index) follow(ctx context.Context, w jetstream.KeyWatcher, initial uint64) {
	defer close(ix.done)
	for {
		ix.drain(ctx, w, initial)
		_ = w.Stop()
		if ctx.Err() != nil {
			return
		}
		ix.log.Warn("subscriptions watch ended; watching again")
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(rewatchDelay):
			}
			var err error
			if w, initial, err = ix.watch(ctx); err == nil {
				break
			}
			ix.log.Warn("subscriptions watch failed, will retry", "err", err)
		}
	}
}

// drain applies one watch's entries until it ends or ctx does.
func (ix *Index) drain(ctx context.Context, w jetstream.KeyWatcher, initial uint64) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				ix.loaded(initial)
				continue
			}
			ix.apply(e)
		}
	}
}

// loaded ends the initial values of a watch: the staged set goes live.
func (ix *Index) loaded(initial uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.staging == nil {
		return
	}
	ix.byID, ix.staging = ix.staging, nil
	ix.list = rebuild(ix.byID)
	ix.applied = max(ix.applied, ix.stagedApplied, initial)
	ix.changedLocked()
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
	if ix.staging != nil {
		if isSub {
			if c != nil {
				ix.staging[id] = c
			} else {
				delete(ix.staging, id)
			}
		}
		ix.stagedApplied = max(ix.stagedApplied, e.Revision())
		return
	}
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
	ix.changedLocked()
}

// changedLocked wakes Sync and reports the count; ix.mu is held.
func (ix *Index) changedLocked() {
	close(ix.changed)
	ix.changed = make(chan struct{})
	if ix.recorder != nil {
		ix.recorder.Subscriptions(len(ix.byID))
	}
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
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	want, err := lastSeq(ctx, ix.kv)
	if err != nil {
		return err
	}
	for {
		ix.mu.RLock()
		applied, changed := ix.applied, ix.changed
		ix.mu.RUnlock()
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
