package feeder

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/config"
)

// A backfill walks a notices list's pagination once, for its history. It is
// asked for in the feeds bucket (backfill.<feed id> = pages), where the
// feeder, watching the bucket, sees it at once and runs it as the feed's
// next poll, then deletes the request.
const backfillPrefix = "backfill."

// MaxBackfillPages bounds one backfill.
const MaxBackfillPages = 1000

// ErrNotNotices is returned when backfilling a feed that is not a list.
var ErrNotNotices = errors.New("only a notices source (kind notices) has pages to backfill")

// RequestBackfill asks the feeder to walk up to pages pages of the notices
// list urlOrID names.
func (r *Registry) RequestBackfill(ctx context.Context, urlOrID string, pages int) (Entry, error) {
	if pages < 1 || pages > MaxBackfillPages {
		return Entry{}, fmt.Errorf("pages %d: want 1 to %d", pages, MaxBackfillPages)
	}
	e, err := r.find(ctx, urlOrID)
	if err != nil {
		return Entry{}, err
	}
	if e.Feed.Kind != config.KindNotices {
		return Entry{}, ErrNotNotices
	}
	if _, err := r.kv.Put(ctx, backfillPrefix+e.ID, []byte(strconv.Itoa(pages))); err != nil {
		return Entry{}, fmt.Errorf("request backfill: %w", err)
	}
	return e, nil
}

// Backfills are the pending backfill requests, by feed id.
func (r *Registry) Backfills(ctx context.Context) (map[string]int, error) {
	lister, err := r.kv.ListKeysFiltered(ctx, backfillPrefix+">")
	if err != nil {
		return nil, err
	}
	defer lister.Stop()
	out := map[string]int{}
	for k := range lister.Keys() {
		e, err := r.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return out, err
		}
		if n, err := strconv.Atoi(string(e.Value())); err == nil && n > 0 {
			out[strings.TrimPrefix(k, backfillPrefix)] = min(n, MaxBackfillPages)
		}
	}
	return out, nil
}

func (r *Registry) clearBackfill(ctx context.Context, id string) error {
	return r.kv.Delete(ctx, backfillPrefix+id)
}
