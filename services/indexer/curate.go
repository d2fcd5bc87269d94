package indexer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/store"
)

// ErrCuration is a curation request that cannot be applied as asked (too
// few incidents, an article the incident does not hold, no reason given):
// the caller's to correct, not a store failure.
var ErrCuration = errors.New("curation refused")

// curationAttempts bounds re-reads when indexers write the same incidents.
const curationAttempts = 8

// Curator applies people's corrections to the indexer's decisions: incidents
// that are one breach are merged, articles that tell of another breach are
// split off. Each correction is a revision of the incidents it touches,
// recorded with who made it and why (store.Curation); it pins the articles
// involved, so that reprocessing them keeps the correction; and it is
// announced on bw.incidents.* like any material change.
//
// The incidents are rebuilt from their articles' stored extractions with
// the indexer's own Merge, so a curated incident holds exactly what it
// would hold had the indexer put those articles together.
type Curator struct {
	Store store.Store
	Pub   *bus.Publisher
	Now   func() time.Time // nil: time.Now
}

// Request says who corrects and why; both are required.
type Request struct {
	By  string `json:"by"`
	Why string `json:"why"`
}

func (r Request) check() error {
	if strings.TrimSpace(r.By) == "" || strings.TrimSpace(r.Why) == "" {
		return fmt.Errorf("%w: say who curates and why (by, why)", ErrCuration)
	}
	return nil
}

func (c *Curator) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

// Merge merges the incidents ids[1:] into ids[0], which keeps its id; the
// others are deleted. Merging an incident that is already merged (gone)
// is ErrNotFound; repeating a merge that completed changes nothing.
func (c *Curator) Merge(ctx context.Context, ids []string, r Request) (*store.Incident, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if len(ids) < 2 {
		return nil, fmt.Errorf("%w: merge needs two or more incident ids", ErrCuration)
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, fmt.Errorf("%w: incident %s is named twice", ErrCuration, id)
		}
	}
	for attempt := 0; ; attempt++ {
		out, err := c.merge(ctx, ids, r)
		if !errors.Is(err, store.ErrConflict) || attempt+1 >= curationAttempts {
			return out, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

func (c *Curator) merge(ctx context.Context, ids []string, r Request) (*store.Incident, error) {
	incs := make([]*store.Incident, len(ids))
	versions := make([]store.Version, len(ids))
	for i, id := range ids {
		inc, v, err := c.Store.GetIncident(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		incs[i], versions[i] = inc, v
	}
	target, others := incs[0], incs[1:]
	var moved []string
	curation := slices.Clone(target.Curation)
	for _, o := range others {
		for _, s := range o.Sources {
			if !holds(target, s.ArticleID) && !slices.Contains(moved, s.ArticleID) {
				moved = append(moved, s.ArticleID)
			}
		}
		curation = append(curation, o.Curation...)
	}
	slices.Sort(moved)
	entry := store.Curation{Action: "merge", By: r.By, Why: r.Why, At: c.now(), Incidents: ids[1:], Articles: moved}
	matches := sourceMatches(incs...)
	for _, a := range moved {
		matches[a] = &store.Match{Joined: true, Reasons: []string{fmt.Sprintf("merged into %s by %s: %s", target.ID, r.By, r.Why)}}
	}
	all := append(articleIDs(target), moved...)
	merged, err := c.rebuild(ctx, target.ID, all, matches)
	if err != nil {
		return nil, err
	}
	merged.Revision = target.Revision + 1
	entry.Revision = merged.Revision
	merged.Curation = append(curation, entry)
	slices.SortStableFunc(merged.Curation, func(a, b store.Curation) int { return a.At.Compare(b.At) })
	merged.Pinned = all
	slices.Sort(merged.Pinned)
	merged.Changes = []store.Change{{Kind: "merged", Field: "incident", OldValue: strings.Join(ids[1:], ","), NewValue: target.ID}}
	// The rebuild's revisions are not the incident's: it keeps its own.
	merged.History = slices.Clone(target.History)
	merged.AddRevision(store.Revision{Revision: merged.Revision, At: entry.At, Changes: merged.Changes})
	if _, err := c.Store.PutIncident(ctx, merged, versions[0]); err != nil {
		return nil, fmt.Errorf("merge: write %s: %w", target.ID, err)
	}
	// The merged incident holds every article now: point them at it, then
	// delete the others. A failure from here leaves both holding them; the
	// same merge again completes it.
	if err := c.point(ctx, moved, target.ID); err != nil {
		return nil, err
	}
	for i, o := range others {
		if err := c.Store.DeleteIncident(ctx, o.ID, versions[i+1]); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("merge: delete %s: %w", o.ID, err)
		}
	}
	return merged, announce(ctx, c.Pub, merged, merged.Changes)
}

// Split moves articles from incident id to an incident of their own, which
// it returns after the incident they left.
func (c *Curator) Split(ctx context.Context, id string, articles []string, r Request) (rest, split *store.Incident, err error) {
	if err := r.check(); err != nil {
		return nil, nil, err
	}
	if len(articles) == 0 {
		return nil, nil, fmt.Errorf("%w: split needs the articles that leave the incident", ErrCuration)
	}
	articles = slices.Clone(articles)
	slices.Sort(articles)
	articles = slices.Compact(articles)
	for attempt := 0; ; attempt++ {
		rest, split, err = c.split(ctx, id, articles, r)
		if !errors.Is(err, store.ErrConflict) || attempt+1 >= curationAttempts {
			return rest, split, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, nil, err
		}
	}
}

func (c *Curator) split(ctx context.Context, id string, articles []string, r Request) (*store.Incident, *store.Incident, error) {
	inc, version, err := c.Store.GetIncident(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("split: %w", err)
	}
	for _, a := range articles {
		if !holds(inc, a) {
			return nil, nil, fmt.Errorf("%w: incident %s does not hold article %s", ErrCuration, id, a)
		}
	}
	var remaining []string
	for _, a := range articleIDs(inc) {
		if !slices.Contains(articles, a) {
			remaining = append(remaining, a)
		}
	}
	if len(remaining) == 0 {
		return nil, nil, fmt.Errorf("%w: splitting every article off %s leaves nothing", ErrCuration, id)
	}
	newID := IncidentID(OrgKey(inc.Organisation.Name), inc.Year, "split\x00"+id+"\x00"+strings.Join(articles, "\x00"))
	entry := store.Curation{Action: "split", By: r.By, Why: r.Why, At: c.now(), Incidents: []string{id, newID}, Articles: articles}
	change := []store.Change{{Kind: "split", Field: "incident", OldValue: id, NewValue: newID}}
	matches := sourceMatches(inc)
	for _, a := range articles {
		matches[a] = &store.Match{Joined: true, Reasons: []string{fmt.Sprintf("split from %s by %s: %s", id, r.By, r.Why)}}
	}

	split, err := c.rebuild(ctx, newID, articles, matches)
	if err != nil {
		return nil, nil, err
	}
	split.Revision, entry.Revision = 1, 1
	split.Curation, split.Pinned, split.Changes = []store.Curation{entry}, articles, change
	split.History = []store.Revision{{Revision: 1, At: entry.At, Changes: change}}
	// Written first: should the rest fail, the articles are in both and
	// the same split again completes it.
	if _, err := c.Store.PutIncident(ctx, split, store.Version{}); errors.Is(err, store.ErrConflict) {
		// There from an earlier attempt of this split (its id says so).
		_, v, gerr := c.Store.GetIncident(ctx, newID)
		if gerr != nil {
			return nil, nil, fmt.Errorf("split: read %s: %w", newID, gerr)
		}
		if _, err := c.Store.PutIncident(ctx, split, v); err != nil {
			return nil, nil, fmt.Errorf("split: write %s: %w", newID, err)
		}
	} else if err != nil {
		return nil, nil, fmt.Errorf("split: write %s: %w", newID, err)
	}

	rest, err := c.rebuild(ctx, id, remaining, matches)
	if err != nil {
		return nil, nil, err
	}
	rest.Revision = inc.Revision + 1
	entry.Revision = rest.Revision
	rest.Curation = append(slices.Clone(inc.Curation), entry)
	rest.Pinned, rest.Changes = remaining, change
	rest.History = slices.Clone(inc.History)
	rest.AddRevision(store.Revision{Revision: rest.Revision, At: entry.At, Changes: change})
	if _, err := c.Store.PutIncident(ctx, rest, version); err != nil {
		return nil, nil, fmt.Errorf("split: write %s: %w", id, err)
	}
	if err := c.point(ctx, articles, newID); err != nil {
		return nil, nil, err
	}
	if err := announce(ctx, c.Pub, split, change); err != nil {
		return nil, nil, err
	}
	return rest, split, announce(ctx, c.Pub, rest, change)
}

// rebuild folds the stored extractions of articles, in publication order,
// into a fresh incident id, with the sources' matches given.
func (c *Curator) rebuild(ctx context.Context, id string, articles []string, matches map[string]*store.Match) (*store.Incident, error) {
	xs := make([]*bwv1.Extraction, 0, len(articles))
	for _, aid := range articles {
		a, err := c.Store.GetArticle(ctx, aid)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: article %s is not stored", ErrCuration, aid)
		}
		if err != nil {
			return nil, fmt.Errorf("read article %s: %w", aid, err)
		}
		if len(a.ExtractionProto) == 0 {
			return nil, fmt.Errorf("%w: article %s was stored without its extraction (by an older indexer); reprocess it first", ErrCuration, aid)
		}
		var x bwv1.Extraction
		if err := proto.Unmarshal(a.ExtractionProto, &x); err != nil {
			return nil, fmt.Errorf("article %s: stored extraction: %w", aid, err)
		}
		xs = append(xs, &x)
	}
	slices.SortFunc(xs, func(a, b *bwv1.Extraction) int {
		return cmp.Or(publishedAt(a).Compare(publishedAt(b)), cmp.Compare(a.GetArticleId(), b.GetArticleId()))
	})
	var inc *store.Incident
	for _, x := range xs {
		inc, _, _ = Merge(inc, id, x)
	}
	for i := range inc.Sources {
		inc.Sources[i].Match = matches[inc.Sources[i].ArticleID]
	}
	inc.RevisionArticle = ""
	return inc, nil
}

// point records on each article the incident that now holds it.
func (c *Curator) point(ctx context.Context, articles []string, incidentID string) error {
	for _, aid := range articles {
		a, err := c.Store.GetArticle(ctx, aid)
		if err != nil {
			return fmt.Errorf("read article %s: %w", aid, err)
		}
		if a.IncidentID == incidentID {
			continue
		}
		a.IncidentID = incidentID
		if err := c.Store.PutArticle(ctx, a); err != nil {
			return fmt.Errorf("write article %s: %w", aid, err)
		}
	}
	return nil
}

func holds(inc *store.Incident, articleID string) bool {
	return slices.ContainsFunc(inc.Sources, func(s store.Source) bool { return s.ArticleID == articleID })
}

func articleIDs(inc *store.Incident) []string {
	out := make([]string, 0, len(inc.Sources))
	for _, s := range inc.Sources {
		out = append(out, s.ArticleID)
	}
	return out
}

// sourceMatches are the decisions the incidents' sources carry, by article.
func sourceMatches(incs ...*store.Incident) map[string]*store.Match {
	m := map[string]*store.Match{}
	for _, inc := range incs {
		for _, s := range inc.Sources {
			if _, ok := m[s.ArticleID]; !ok {
				m[s.ArticleID] = s.Match
			}
		}
	}
	return m
}
