package indexer

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/breachwire/breachwire/services/internal/orgname"
	"github.com/breachwire/breachwire/services/store"
)

// Recent writes. Batch writes do not wait for the index to refresh, so for
// a refresh interval a search does not find what the last batches wrote;
// the indexer keeps those incidents and answers its own candidate searches
// from them too (read-your-writes). Another indexer's writes it cannot
// see are caught by the store: a create of a taken id, or an update of a
// changed incident, is a conflict, and the item is placed again with
// fresh reads.
const (
	// recentKeep outlasts a search index's refresh interval (1 s by
	// default) several times over.
	recentKeep = 30 * time.Second
	// recentMax bounds the memory the recent writes hold.
	recentMax = 20_000
)

// recentWrites are the incidents this process wrote lately, each with
// the version its write returned, indexed by organisation key and name
// word.
type recentWrites struct {
	mu     sync.Mutex
	byID   map[string]recentEntry
	byKey  map[string]map[string]bool // organisation key → ids
	byWord map[string]map[string]bool // word of a name or alias → ids
	swept  time.Time
	now    func() time.Time
}

type recentEntry struct {
	inc   *store.Incident
	v     store.Version
	at    time.Time
	words []string
}

func newRecentWrites() *recentWrites {
	return &recentWrites{byID: map[string]recentEntry{}, byKey: map[string]map[string]bool{},
		byWord: map[string]map[string]bool{}, now: time.Now}
}

// put keeps inc, written at version v, unless a later state is kept.
func (r *recentWrites) put(inc *store.Incident, v store.Version) {
	words := nameWords(inc)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.swept) > recentKeep/4 || len(r.byID) >= recentMax {
		r.sweep(now)
	}
	if e, ok := r.byID[inc.ID]; ok && laterState(e.inc, inc) {
		return
	}
	r.drop(inc.ID)
	r.byID[inc.ID] = recentEntry{inc: inc, v: v, at: now, words: words}
	for _, k := range inc.Organisation.Keys {
		add(r.byKey, k, inc.ID)
	}
	for _, w := range words {
		add(r.byWord, w, inc.ID)
	}
}

func add(index map[string]map[string]bool, k, id string) {
	if index[k] == nil {
		index[k] = map[string]bool{}
	}
	index[k][id] = true
}

func remove(index map[string]map[string]bool, k, id string) {
	delete(index[k], id)
	if len(index[k]) == 0 {
		delete(index, k)
	}
}

// drop removes an entry and its index entries; r.mu must be held.
func (r *recentWrites) drop(id string) {
	e, ok := r.byID[id]
	if !ok {
		return
	}
	for _, k := range e.inc.Organisation.Keys {
		remove(r.byKey, k, id)
	}
	for _, w := range e.words {
		remove(r.byWord, w, id)
	}
	delete(r.byID, id)
}

// sweep drops what is older than recentKeep, and the oldest entries while
// there are too many; r.mu must be held.
func (r *recentWrites) sweep(now time.Time) {
	r.swept = now
	for id, e := range r.byID {
		if now.Sub(e.at) > recentKeep {
			r.drop(id)
		}
	}
	if over := len(r.byID) - recentMax*3/4; over > 0 {
		ids := make([]string, 0, len(r.byID))
		for id := range r.byID {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int { return r.byID[a].at.Compare(r.byID[b].at) })
		for _, id := range ids[:over] {
			r.drop(id)
		}
	}
}

// forget drops an incident that another writer changed or removed.
func (r *recentWrites) forget(id string) {
	r.mu.Lock()
	r.drop(id)
	r.mu.Unlock()
}

func (r *recentWrites) get(id string) (*store.Incident, store.Version, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.byID[id]
	if !ok || r.now().Sub(e.at) > recentKeep {
		return nil, store.Version{}, false
	}
	return e.inc, e.v, true
}

// withKeys are the kept incidents with one of the organisation keys.
func (r *recentWrites) withKeys(keys []string) []*store.Incident {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := map[string]bool{}
	for _, k := range keys {
		for id := range r.byKey[k] {
			ids[id] = true
		}
	}
	return r.live(ids, func(*store.Incident) bool { return true })
}

// withWords are the kept incidents a name or alias of which holds every
// word.
func (r *recentWrites) withWords(words []string) []*store.Incident {
	if len(words) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live(r.byWord[words[0]], func(inc *store.Incident) bool { return hasWords(inc, words) })
}

// live are the unexpired entries of ids for which keep is true, by id;
// r.mu must be held.
func (r *recentWrites) live(ids map[string]bool, keep func(*store.Incident) bool) []*store.Incident {
	now := r.now()
	var out []*store.Incident
	for id := range ids {
		if e, ok := r.byID[id]; ok && now.Sub(e.at) <= recentKeep && keep(e.inc) {
			out = append(out, e.inc)
		}
	}
	slices.SortFunc(out, func(a, b *store.Incident) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// nameWords are the words of the incident's name and aliases.
func nameWords(inc *store.Incident) []string {
	var out []string
	for _, n := range append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...) {
		for _, w := range orgname.Words(OrgKey(n)) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// hasKey: one of the incident's organisation keys is in keys.
func hasKey(inc *store.Incident, keys []string) bool {
	return slices.ContainsFunc(inc.Organisation.Keys, func(k string) bool { return slices.Contains(keys, k) })
}

// hasWords: the incident's name or an alias holds every word.
func hasWords(inc *store.Incident, words []string) bool {
	for _, n := range append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...) {
		have := orgname.Words(OrgKey(n))
		if !slices.ContainsFunc(words, func(w string) bool { return !slices.Contains(have, w) }) {
			return true
		}
	}
	return false
}

// laterState: a is a later state of the incident than b. Every write either
// bumps the revision (a material change, a curation) or adds a source,
// so (revision, sources) only grows; the revision alone does not (a
// report that agrees adds a source and keeps the revision).
func laterState(a, b *store.Incident) bool {
	return a.Revision > b.Revision || a.Revision == b.Revision && len(a.Sources) > len(b.Sources)
}

// overlay replaces the incidents of found with the later states in newer
// (on a tie the store's stands), and adds those of newer for which match
// is true and found lacks.
func overlay(found []*store.Incident, newer []*store.Incident, match func(*store.Incident) bool) []*store.Incident {
	out := slices.Clone(found)
	for _, n := range newer {
		i := slices.IndexFunc(out, func(f *store.Incident) bool { return f.ID == n.ID })
		switch {
		case i >= 0 && laterState(n, out[i]):
			out[i] = n
		case i < 0 && match(n):
			out = append(out, n)
		}
	}
	return out
}

// names is a name index (the store's) seen through the recent writes and
// the batch's own (mem, may be nil).
func (r *recentWrites) names(base nameIndex, mem func() []*store.Incident) nameIndex {
	newer := func(out []*store.Incident, match func(*store.Incident) bool) []*store.Incident {
		if mem != nil {
			for _, m := range mem() {
				if match(m) {
					out = slices.DeleteFunc(out, func(o *store.Incident) bool { return o.ID == m.ID })
					out = append(out, m)
				}
			}
		}
		return out
	}
	return nameIndex{
		byKeys: func(ctx context.Context, keys []string) ([]*store.Incident, error) {
			found, err := base.byKeys(ctx, keys)
			if err != nil {
				return nil, err
			}
			match := func(inc *store.Incident) bool { return hasKey(inc, keys) }
			return overlay(found, newer(r.withKeys(keys), match), match), nil
		},
		byWords: func(ctx context.Context, words []string, limit int) ([]*store.Incident, int64, error) {
			found, total, err := base.byWords(ctx, words, limit)
			if err != nil {
				return nil, 0, err
			}
			match := func(inc *store.Incident) bool { return hasWords(inc, words) }
			out := overlay(found, newer(r.withWords(words), match), match)
			return out, total + int64(len(out)-len(found)), nil
		},
	}
}
