package indexer

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/store"
)

// Batches. HandleBatch places a batch's extractions in order, each
// against the incidents as the earlier ones of the batch left them (in
// memory), with the candidates of the whole batch read in one search. It
// then writes the changed incidents in one batch write, the articles in
// another, and announces. An item whose incident write conflicts (another
// indexer wrote it, or created the id first) is placed again alone with
// fresh reads, as Handle does; any other failure is that item's own.

// batchItem is one message of a batch.
type batchItem struct {
	x        *bwv1.Extraction
	incident string         // the incident it went to ("" for none)
	changes  []store.Change // to announce once durable
	announce *store.Incident
	alone    bool // place again through Handle
	err      error
}

// held is an incident the batch read or changed.
type held struct {
	inc    *store.Incident
	expect store.Version // the version it was read at (zero: new)
	dirty  bool
}

// HandleBatch processes bw.extractions messages together; see Batches.
func (h *Handler) HandleBatch(ctx context.Context, ms []*bus.Message) []error {
	items := make([]*batchItem, len(ms))
	var keys []string
	for i, m := range ms {
		it := &batchItem{}
		items[i] = it
		var x bwv1.Extraction
		if err := proto.Unmarshal(m.Data, &x); err != nil {
			it.err = bus.Permanentf("decode extraction: %w", err)
			continue
		}
		if x.GetArticleId() == "" || x.GetArticle() == nil {
			it.err = bus.Permanentf("extraction without its article")
			continue
		}
		it.x = &x
		if isIncident(&x) {
			for _, k := range append(orgKeys(x.GetOrganisation().GetName(), x.GetOrganisation().GetAliases()), variantStems(&x)...) {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	}
	b := &batchRun{h: h, mem: map[string]*held{}}
	if err := b.prefetch(ctx, keys, items); err != nil {
		return failAll(items, err)
	}
	for _, it := range items {
		if it.x != nil && isIncident(it.x) && it.err == nil {
			b.place(ctx, it)
		}
	}
	b.writeIncidents(ctx, items)
	for _, it := range items {
		if it.alone && it.err == nil {
			it.err = h.handle(ctx, it.x)
		}
	}
	b.writeArticles(ctx, items)
	for _, it := range items {
		if it.x != nil && !it.alone && it.err == nil && it.announce != nil {
			it.err = announce(ctx, h.Pub, it.announce, it.changes)
		}
	}
	errs := make([]error, len(items))
	for i, it := range items {
		errs[i] = it.err
	}
	return errs
}

func isIncident(x *bwv1.Extraction) bool {
	return x.GetIsBreach() && x.GetOrganisation().GetName() != ""
}

func failAll(items []*batchItem, err error) []error {
	errs := make([]error, len(items))
	for i, it := range items {
		errs[i] = it.err
		if errs[i] == nil {
			errs[i] = err
		}
	}
	return errs
}

type batchRun struct {
	h   *Handler
	mem map[string]*held
	// found are the incidents the batch's one search returned for keys.
	found []*store.Incident
	keys  []string
	// stored are the batch's articles stored before (a replay, a
	// reprocessing), read at once for their curators' pins.
	stored map[string]*store.Article
	// byWords are the name index's answers for the batch's names, read
	// at the start of the batch like found.
	byWords map[string]wordsAnswer
}

type wordsAnswer struct {
	found []*store.Incident
	total int64
}

// prefetchWords asks the name index for every name of the batch at once,
// a few requests in flight: they do not depend on each other, and one
// after another they would be most of a batch's time on a search engine.
func (b *batchRun) prefetchWords(ctx context.Context, items []*batchItem) error {
	var wordSets [][]string
	seen := map[string]bool{}
	for _, it := range items {
		if it.x == nil || !isIncident(it.x) {
			continue
		}
		if w := variantWords(it.x); len(w) > 0 && !seen[strings.Join(w, " ")] {
			seen[strings.Join(w, " ")] = true
			wordSets = append(wordSets, w)
		}
	}
	answers := make([]wordsAnswer, len(wordSets))
	errs := make([]error, len(wordSets))
	base := storeNames(b.h.Store)
	sem := make(chan struct{}, prefetchInFlight)
	var wg sync.WaitGroup
	for i, w := range wordSets {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			found, total, err := base.byWords(ctx, w, variantMaxFound+1)
			answers[i], errs[i] = wordsAnswer{found, total}, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return storeErr("find incidents by name", err)
	}
	b.byWords = make(map[string]wordsAnswer, len(wordSets))
	for i, w := range wordSets {
		b.byWords[strings.Join(w, " ")] = answers[i]
	}
	return nil
}

// prefetchInFlight bounds the batch's concurrent name searches.
const prefetchInFlight = 8

// prefetched is the store's name index answering from the batch's
// prefetched name searches where it can.
func (b *batchRun) prefetched() nameIndex {
	ix := storeNames(b.h.Store)
	storeWords := ix.byWords
	ix.byWords = func(ctx context.Context, words []string, limit int) ([]*store.Incident, int64, error) {
		if a, ok := b.byWords[strings.Join(words, " ")]; ok && limit == variantMaxFound+1 {
			return a.found, a.total, nil
		}
		return storeWords(ctx, words, limit)
	}
	return ix
}

// prefetch reads the candidates of the whole batch in one search, and its
// articles stored before in one read.
func (b *batchRun) prefetch(ctx context.Context, keys []string, items []*batchItem) error {
	var ids []string
	for _, it := range items {
		if it.x != nil && isIncident(it.x) {
			ids = append(ids, it.x.GetArticleId())
		}
	}
	stored, err := b.h.Store.GetArticles(ctx, ids)
	if err != nil {
		return storeErr("read articles", err)
	}
	b.stored = stored
	if err := b.prefetchWords(ctx, items); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	found, err := b.h.Store.IncidentsByOrganisation(ctx, keys)
	if err != nil {
		return storeErr("find incidents", err)
	}
	b.found, b.keys = found, keys
	return nil
}

// names is the batch's view of the name index: the prefetched search for
// the batch's keys, the recent writes and the batch's own changes.
func (b *batchRun) names() nameIndex {
	ix := b.h.recent().names(b.prefetched(), b.changed)
	storeKeys := ix.byKeys
	ix.byKeys = func(ctx context.Context, keys []string) ([]*store.Incident, error) {
		if slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(b.keys, k) }) {
			return storeKeys(ctx, keys)
		}
		var found []*store.Incident
		for _, inc := range b.found {
			if hasKey(inc, keys) {
				found = append(found, inc)
			}
		}
		match := func(inc *store.Incident) bool { return hasKey(inc, keys) }
		newer := append(b.h.recent().withKeys(keys), b.changedMatching(match)...)
		return overlay(found, newer, match), nil
	}
	return ix
}

func (b *batchRun) changed() []*store.Incident {
	return b.changedMatching(func(*store.Incident) bool { return true })
}

func (b *batchRun) changedMatching(match func(*store.Incident) bool) []*store.Incident {
	var out []*store.Incident
	for _, hd := range b.mem {
		if match(hd.inc) {
			out = append(out, hd.inc)
		}
	}
	slices.SortFunc(out, func(a, c *store.Incident) int { return cmp.Compare(a.ID, c.ID) })
	return out
}

// get reads an incident for a merge: the batch's copy, the recent write,
// or the store (by id, which never lags).
func (b *batchRun) get(ctx context.Context, id string) (*held, error) {
	if hd, ok := b.mem[id]; ok {
		return hd, nil
	}
	if inc, v, ok := b.h.recent().get(id); ok {
		hd := &held{inc: inc, expect: v}
		b.mem[id] = hd
		return hd, nil
	}
	inc, v, err := b.h.Store.GetIncident(ctx, id)
	if err != nil {
		return nil, err
	}
	hd := &held{inc: inc, expect: v}
	b.mem[id] = hd
	return hd, nil
}

// place merges one extraction in memory, or leaves it to be placed alone.
func (b *batchRun) place(ctx context.Context, it *batchItem) {
	x := it.x
	var pin string
	if a := b.stored[x.GetArticleId()]; a != nil {
		p, err := b.h.pinnedStored(ctx, a)
		if err != nil {
			it.err = err
			return
		}
		pin = p
	}
	if pin != "" {
		// Rare (a curator moved the article): Handle's path keeps it there.
		it.alone = true
		return
	}
	names := b.names()
	keys := orgKeys(x.GetOrganisation().GetName(), x.GetOrganisation().GetAliases())
	cands, err := names.byKeys(ctx, keys)
	if err != nil {
		it.err = storeErr("find incidents", err)
		return
	}
	variants, err := variantCandidates(ctx, names, x, cands)
	if err != nil {
		it.err = storeErr("find incidents by name", err)
		return
	}
	existing, id, decision := pickIncident(cands, variants, x)
	var hd *held
	switch {
	case existing != nil:
		if hd, err = b.get(ctx, id); err != nil {
			it.err = storeErr("read incident", err)
			return
		}
	case b.mem[id] != nil:
		// The id is the batch's, for an incident the search did not offer.
		it.alone = true
		return
	default:
		if inc, _, ok := b.h.recent().get(id); ok && inc != nil {
			it.alone = true // a recent write under this id: Handle scores it
			return
		}
		hd = &held{} // new; a create of an id another indexer took conflicts
	}
	merged, changed, changes := Merge(hd.inc, id, x)
	changed = recordMatch(merged, x.GetArticleId(), decision) || changed
	it.incident = id
	if !changed {
		// Already merged (a replay): announce again if this article made
		// the current revision, the first announcement may have failed.
		if merged.RevisionArticle == x.GetArticleId() {
			it.announce, it.changes = merged, merged.Changes
		}
		return
	}
	hd.inc, hd.dirty = merged, true
	b.mem[id] = hd
	if len(changes) > 0 {
		it.announce, it.changes = merged, changes
	}
}

// writeIncidents writes the changed incidents in one batch write and
// settles the items placed in them.
func (b *batchRun) writeIncidents(ctx context.Context, items []*batchItem) {
	var (
		incs   []*store.Incident
		expect []store.Version
	)
	for _, id := range sortedKeys(b.mem) {
		if hd := b.mem[id]; hd.dirty {
			incs, expect = append(incs, hd.inc), append(expect, hd.expect)
		}
	}
	if len(incs) == 0 {
		return
	}
	versions, errs, err := b.h.Store.PutIncidents(ctx, incs, expect)
	if err != nil {
		err = storeErr("write incidents", err)
		for _, it := range items {
			if it.incident != "" && b.mem[it.incident] != nil && b.mem[it.incident].dirty && it.err == nil {
				it.err = err
			}
		}
		for _, inc := range incs {
			b.h.recent().forget(inc.ID)
		}
		return
	}
	failed := map[string]error{}
	for i, inc := range incs {
		switch e := errs[i]; {
		case e == nil:
			b.h.recent().put(inc, versions[i])
		case errors.Is(e, store.ErrConflict):
			b.h.recent().forget(inc.ID)
			failed[inc.ID] = e
			b.countFailure("incident", "conflict")
		default:
			failed[inc.ID] = e
			reason := "error"
			if errors.Is(e, store.ErrRejected) {
				reason = "rejected"
			}
			b.countFailure("incident", reason)
			b.h.logWarn("incident write failed", "incident", inc.ID, "err", e)
		}
	}
	for _, it := range items {
		e, ok := failed[it.incident]
		if !ok || it.err != nil {
			continue
		}
		if errors.Is(e, store.ErrConflict) {
			it.alone, it.announce, it.changes = true, nil, nil
			continue
		}
		it.err = storeErr("write incident", e)
	}
}

// writeArticles stores the articles of the items that are settled so far
// (those placed alone have stored theirs).
func (b *batchRun) writeArticles(ctx context.Context, items []*batchItem) {
	var (
		arts []*store.Article
		idx  []int
	)
	for i, it := range items {
		if it.x != nil && it.err == nil && !it.alone {
			arts, idx = append(arts, articleOf(it.x, it.incident)), append(idx, i)
		}
	}
	if len(arts) == 0 {
		return
	}
	errs, err := b.h.Store.PutArticles(ctx, arts)
	if err != nil {
		err = storeErr("store articles", err)
		for _, i := range idx {
			items[i].err = err
		}
		return
	}
	for k, i := range idx {
		if e := errs[k]; e != nil {
			reason := "error"
			if errors.Is(e, store.ErrRejected) {
				reason = "rejected"
			}
			b.countFailure("article", reason)
			items[i].err = storeErr("store article", e)
		}
	}
}

func (b *batchRun) countFailure(kind, reason string) {
	if b.h.Metrics != nil {
		b.h.Metrics.BulkItemFailed(kind, reason)
	}
}

func (h *Handler) logWarn(msg string, args ...any) {
	if h.Log != nil {
		h.Log.Warn(msg, args...)
	}
}

func sortedKeys(m map[string]*held) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
