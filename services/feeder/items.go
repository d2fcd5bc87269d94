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
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/canonurl"
	"github.com/breachwire/breachwire/services/internal/config"
)

// Bounds on what one item may carry: NATS messages are limited to 1 MiB.
const (
	maxFieldBytes = 256 << 10
	maxTitleBytes = 2 << 10
)

// seenRecord is what the seen-set keeps of an item's last published version.
type seenRecord struct {
	Title string `json:"title"`
	// Hash is a notice row's text hash: a row whose count or dates change
	// is an update even when its title is the same.
	Hash      string    `json:"hash,omitempty"`
	URL       string    `json:"url"`
	FirstSeen time.Time `json:"first_seen"`
}

// candidate is a parsed item with its identity.
type candidate struct {
	item      *gofeed.Item
	identity  string
	canonical string
	link      string
	hash      string
	published time.Time
	notice    *bwv1.Notice // a regulator's list row (kind notices)
}

func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// candidates gives every item its identity: the GUID, unless the feed
// reuses one GUID for different links; else the canonical URL; else a hash
// of its content. Oldest first, so downstream sees them in order.
func candidates(feed *gofeed.Feed, base *url.URL, match []string) []candidate {
	guidLinks := map[string]map[string]bool{}
	out := make([]candidate, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		c := candidate{item: it}
		c.link = strings.TrimSpace(it.Link)
		if c.link == "" && len(it.Links) > 0 {
			c.link = strings.TrimSpace(it.Links[0])
		}
		if c.link != "" {
			if canon, err := canonurl.Canonical(c.link, base); err == nil {
				c.canonical = canon
				if u, err := base.Parse(c.link); err == nil {
					c.link = u.String()
				}
			} else {
				c.link = ""
			}
		}
		c.hash = hashHex(it.Title, c.canonical, it.Description, it.Content)
		switch {
		case it.PublishedParsed != nil:
			c.published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			c.published = *it.UpdatedParsed
		}
		if !matches(it, match) {
			continue
		}
		if g := strings.TrimSpace(it.GUID); g != "" {
			if guidLinks[g] == nil {
				guidLinks[g] = map[string]bool{}
			}
			guidLinks[g][c.canonical] = true
		}
		out = append(out, c)
	}
	for i := range out {
		c := &out[i]
		g := strings.TrimSpace(c.item.GUID)
		switch {
		case g != "" && len(guidLinks[g]) == 1:
			c.identity = "guid:" + g
		case c.canonical != "":
			c.identity = "url:" + c.canonical
		default:
			c.identity = "hash:" + c.hash
		}
	}
	// Publish oldest first. Feeds list newest first, so without dates on
	// every item the feed's own order is reversed.
	if slices.ContainsFunc(out, func(c candidate) bool { return c.published.IsZero() }) {
		slices.Reverse(out)
	} else {
		slices.SortStableFunc(out, func(a, b candidate) int { return a.published.Compare(b.published) })
	}
	return out
}

func matches(it *gofeed.Item, match []string) bool {
	if len(match) == 0 {
		return true
	}
	hay := strings.ToLower(it.Title + "\n" + it.Description + "\n" + it.Content)
	for _, m := range match {
		if strings.Contains(hay, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

// seenSet is the dedupe memory: keys per item identity and per canonical
// URL (so a feed that changes GUIDs does not repeat its items), with a TTL.
type seenSet struct{ kv jetstream.KeyValue }

func seenKey(kind, feedURL, v string) string { return kind + "." + hashHex(feedURL, v)[:40] }

func (s seenSet) lookup(ctx context.Context, feedURL string, c candidate) (*seenRecord, error) {
	keys := []string{seenKey("i", feedURL, c.identity)}
	if c.canonical != "" {
		keys = append(keys, seenKey("u", feedURL, c.canonical))
	}
	for _, k := range keys {
		e, err := s.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("seen-set: %w", err)
		}
		var rec seenRecord
		if json.Unmarshal(e.Value(), &rec) == nil {
			return &rec, nil
		}
	}
	return nil, nil
}

// lookupAll reads the seen-set for every candidate, several at a time.
func (s seenSet) lookupAll(ctx context.Context, feedURL string, cands []candidate) ([]*seenRecord, error) {
	out := make([]*seenRecord, len(cands))
	errs := make([]error, len(cands))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, c := range cands {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], errs[i] = s.lookup(ctx, feedURL, c)
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// rememberMsgs are the seen-set writes for an item, as KV puts on the
// bucket's subjects ($KV.<bucket>.<key> is the KV wire format), so that a
// large feed is written in one pipelined batch.
func (s seenSet) rememberMsgs(feedURL string, c candidate, rec seenRecord) []bus.Outgoing {
	b, _ := json.Marshal(rec)
	keys := []string{seenKey("i", feedURL, c.identity)}
	if c.canonical != "" {
		keys = append(keys, seenKey("u", feedURL, c.canonical))
	}
	out := make([]bus.Outgoing, 0, len(keys))
	for _, k := range keys {
		out = append(out, bus.Outgoing{Subject: "$KV." + bus.BucketSeen + "." + k, MsgID: "seen:" + k + ":" + hashHex(string(b))[:16], Data: b})
	}
	return out
}

// publishItems publishes new and changed items and returns how many of each.
// Items are marked seen only after every publish was acknowledged, so a
// crash in between repeats them (at least once), never loses them.
func (f *Feeder) publishItems(ctx context.Context, feed config.Feed, cands []candidate, now time.Time) (newItems, updates int, err error) {
	prevs, err := f.seen.lookupAll(ctx, feed.URL, cands)
	if err != nil {
		return 0, 0, err
	}
	var msgs, marks []bus.Outgoing
	batch := map[string]bool{} // identities and URLs already taken in this poll
	for i, c := range cands {
		if batch[c.identity] || (c.canonical != "" && batch["url:"+c.canonical]) {
			continue
		}
		batch[c.identity] = true
		if c.canonical != "" {
			batch["url:"+c.canonical] = true
		}
		prev := prevs[i]
		title := bus.Clip(strings.TrimSpace(c.item.Title), maxTitleBytes)
		update := false
		if prev != nil {
			if prev.Title == title && (c.canonical == "" || prev.URL == c.canonical) && (c.notice == nil || prev.Hash == c.hash) {
				continue
			}
			update = true
		}
		msg := &bwv1.DiscoveredItem{
			Identity:     c.identity,
			FeedUrl:      feed.URL,
			FeedName:     feed.Name,
			FeedTags:     append([]string{feed.Kind}, feed.Tags...),
			Guid:         bus.Clip(c.item.GUID, maxTitleBytes),
			Url:          c.link,
			CanonicalUrl: c.canonical,
			Title:        title,
			Author:       authors(c.item),
			Summary:      bus.Clip(c.item.Description, maxFieldBytes),
			Content:      bus.Clip(c.item.Content, maxFieldBytes),
			DiscoveredAt: timestamppb.New(now),
			Update:       update,
			ContentHash:  c.hash,
			Notice:       c.notice,
		}
		if c.notice != nil {
			msg.CanonicalUrl = c.link
		}
		if !c.published.IsZero() {
			msg.PublishedAt = timestamppb.New(c.published)
		}
		if c.item.UpdatedParsed != nil {
			msg.UpdatedAt = timestamppb.New(*c.item.UpdatedParsed)
		}
		data, err := proto.Marshal(msg)
		if err != nil {
			return 0, 0, err
		}
		msgs = append(msgs, bus.Outgoing{
			Subject: bus.SubjectDiscovered,
			MsgID:   "disc:" + hashHex(feed.URL, c.identity, title, c.canonical)[:40],
			Data:    data,
		})
		first := now
		if prev != nil {
			first = prev.FirstSeen
		}
		rec := seenRecord{Title: title, URL: c.canonical, FirstSeen: first}
		if c.notice != nil {
			rec.Hash = c.hash
		}
		marks = append(marks, f.seen.rememberMsgs(feed.URL, c, rec)...)
		if update {
			updates++
		} else {
			newItems++
		}
	}
	if err := f.pub.PublishBatch(ctx, msgs); err != nil {
		return 0, 0, err
	}
	if err := f.pub.PublishBatch(ctx, marks); err != nil {
		return 0, 0, fmt.Errorf("seen-set: %w", err)
	}
	return newItems, updates, nil
}

func authors(it *gofeed.Item) string {
	var names []string
	for _, a := range it.Authors {
		if a != nil && a.Name != "" {
			names = append(names, a.Name)
		}
	}
	return bus.Clip(strings.Join(names, ", "), maxTitleBytes)
}
