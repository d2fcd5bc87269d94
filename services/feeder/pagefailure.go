package feeder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// PageFailure is the last page of a feed whose main text could not be
// read, as the scraper recorded it: the article then holds the feed's own
// text. `feeds status` shows it beside the feed's own health, so a feed
// that polls fine but whose pages all fail is told from a healthy one.
type PageFailure struct {
	URL    string    `json:"url"`
	Status string    `json:"status"` // a fetch status: too_large, timeout, ...
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

const pageFailurePrefix = "pagefail."

// SavePageFailure records pf as the last page failure of the feed at
// feedURL, in the feed bucket kv.
func SavePageFailure(ctx context.Context, kv jetstream.KeyValue, feedURL string, pf PageFailure) error {
	b, err := json.Marshal(pf)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, pageFailurePrefix+FeedID(feedURL), b); err != nil {
		return fmt.Errorf("save page failure of feed %s: %w", FeedID(feedURL), err)
	}
	return nil
}

// lastPageFailure is the feed's recorded page failure, nil when none (or
// when the record cannot be read: it is advice, not state).
func (r *Registry) lastPageFailure(ctx context.Context, id string) (*PageFailure, error) {
	e, err := r.kv.Get(ctx, pageFailurePrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("page failure of feed %s: %w", id, err)
	}
	var pf PageFailure
	if json.Unmarshal(e.Value(), &pf) != nil {
		return nil, nil
	}
	return &pf, nil
}
