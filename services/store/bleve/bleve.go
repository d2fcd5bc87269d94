// Package bleve is the embedded store: incidents and articles in two Bleve
// indexes on local disk, searched with the same query syntax as Elasticsearch.
//
// Bleve has no versions and no multi-process coordination: one process owns
// the directory (a second Open waits for the file lock, then fails). Versions
// are a per-incident counter kept in the stored document; a store-wide lock
// makes PutIncident's compare-and-set atomic within the process. Writes from
// concurrent callers are grouped into one Bleve batch (group commit), and
// each call returns only after its batch is persisted to disk.
package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/breachwire/breachwire/services/store"
)

// primaryTerm is the fixed PrimaryTerm of every version this store hands out
// (Elasticsearch's changes on failover; a single Bleve process has none).
const primaryTerm = 1

// Store is the Bleve store. It is safe for concurrent use in one process.
type Store struct {
	incidents blevesearch.Index
	articles  blevesearch.Index

	mu   sync.Mutex       // guards seqs and the pending batch
	seqs map[string]int64 // incident id → version counter, as reserved by writes (negated: deleted)
	pend *batch           // writes waiting for the committer, nil if none

	kick   chan struct{} // wakes the committer
	closed chan struct{}
	done   chan struct{} // closed when the committer has exited
	once   sync.Once
	// closeErr is the result of the one real Close; later calls return it
	// (Bleve's own Close panics when called twice).
	closeOnce sync.Once
	closeErr  error
}

// batch is one group commit: the writes of every caller that arrived while
// the previous batch was being written.
type batch struct {
	incidents *blevesearch.Batch
	articles  *blevesearch.Batch
	ids       []string      // incident ids whose reserved seq is in this batch
	err       error         // set before done is closed
	done      chan struct{} // closed when the batch is on disk (or failed)
}

// Option configures Open.
type Option func(*options)

type options struct{ log *slog.Logger }

// WithLogger logs what Open does at length, such as rebuilding an index
// made with an older mapping.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// Open opens (or creates) the store under dir, which must be writable.
func Open(dir string, opts ...Option) (*Store, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("bleve store: %w", err)
	}
	im, err := incidentMapping()
	if err != nil {
		return nil, fmt.Errorf("bleve store: mapping: %w", err)
	}
	incidents, err := openIncidents(filepath.Join(dir, "incidents.bleve"), im, o.log)
	if err != nil {
		return nil, err
	}
	articles, _, err := openIndex(filepath.Join(dir, "articles.bleve"), articleMapping())
	if err != nil {
		_ = incidents.Close()
		return nil, err
	}
	s := &Store{
		incidents: incidents,
		articles:  articles,
		seqs:      map[string]int64{},
		kick:      make(chan struct{}, 1),
		closed:    make(chan struct{}),
		done:      make(chan struct{}),
	}
	go s.commit()
	return s, nil
}

// runtimeConfig bounds the wait for another process holding the index,
// and suits a write-heavy index: the persister naps persisterNap between
// persists, so the indexer's group commits that arrive meanwhile are
// written as one segment, and the merger has fewer, larger segments to
// merge (1,000 articles through `run`: about 213 articles/s against 179
// without; 100 ms gave no more and delays each write). It is a new map
// each time: scorch writes its path into the map it is given.
func runtimeConfig() map[string]any {
	return map[string]any{
		"bolt_timeout":           "5s",
		"scorchPersisterOptions": map[string]any{"PersisterNapTimeMSec": persisterNap.Milliseconds(), "PersisterNapUnderNumFiles": 1000},
	}
}

const persisterNap = 20 * time.Millisecond

// openIndex opens the index at path, or creates it with m (created true).
func openIndex(path string, m mapping.IndexMapping) (idx blevesearch.Index, created bool, err error) {
	idx, err = blevesearch.OpenUsing(path, runtimeConfig())
	if errors.Is(err, blevesearch.ErrorIndexPathDoesNotExist) {
		created = true
		idx, err = blevesearch.NewUsing(path, m, blevesearch.Config.DefaultIndexType, blevesearch.Config.DefaultKVStore, runtimeConfig())
	}
	if err != nil {
		return nil, false, fmt.Errorf("bleve store: open %s: %w", path, err)
	}
	return idx, created, nil
}

// Close waits for pending writes and closes the indexes; calling it again
// returns the first call's result.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.closed) })
	<-s.done
	s.closeOnce.Do(func() { s.closeErr = errors.Join(s.incidents.Close(), s.articles.Close()) })
	return s.closeErr
}

// Ping reports whether the indexes answer.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.closed:
		return errors.New("bleve store: closed")
	default:
	}
	if _, err := s.incidents.DocCount(); err != nil {
		return fmt.Errorf("bleve store: %w", err)
	}
	return nil
}

// commit writes pending batches until Close; the last batch is written
// before it returns.
func (s *Store) commit() {
	defer close(s.done)
	for {
		select {
		case <-s.kick:
		case <-s.closed:
			s.flush()
			return
		}
		s.flush()
	}
}

func (s *Store) flush() {
	s.mu.Lock()
	b := s.pend
	s.pend = nil
	s.mu.Unlock()
	if b == nil {
		return
	}
	if b.incidents.Size() > 0 {
		b.err = s.incidents.Batch(b.incidents)
	}
	if b.err == nil && b.articles.Size() > 0 {
		b.err = s.articles.Batch(b.articles)
	}
	if b.err != nil {
		// The reserved versions never reached the index: read them again.
		s.mu.Lock()
		for _, id := range b.ids {
			delete(s.seqs, id)
		}
		s.mu.Unlock()
		b.err = fmt.Errorf("bleve store: write: %w", b.err)
	}
	close(b.done)
}

// pending returns the batch being gathered; s.mu must be held.
func (s *Store) pending() (*batch, error) {
	select {
	case <-s.closed:
		return nil, errors.New("bleve store: closed")
	default:
	}
	if s.pend == nil {
		s.pend = &batch{incidents: s.incidents.NewBatch(), articles: s.articles.NewBatch(), done: make(chan struct{})}
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return s.pend, nil
}

// GetIncident returns an incident and its version.
func (s *Store) GetIncident(ctx context.Context, id string) (*store.Incident, store.Version, error) {
	inc, seq, err := s.getIncident(id)
	if err != nil {
		return nil, store.Version{}, err
	}
	return inc, store.Version{SeqNo: seq, PrimaryTerm: primaryTerm}, nil
}

func (s *Store) getIncident(id string) (*store.Incident, int64, error) {
	raw, seq, err := getStored(s.incidents, id)
	if err != nil {
		return nil, 0, fmt.Errorf("incident %s: %w", id, err)
	}
	var inc store.Incident
	if err := json.Unmarshal([]byte(raw), &inc); err != nil {
		return nil, 0, fmt.Errorf("incident %s: %w", id, err)
	}
	return &inc, seq, nil
}

// getStored reads the stored JSON (and version counter) of a document.
func getStored(idx blevesearch.Index, id string) (string, int64, error) {
	req := blevesearch.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fJSON, fSeq}
	res, err := idx.Search(req)
	if err != nil {
		return "", 0, err
	}
	if len(res.Hits) == 0 {
		return "", 0, store.ErrNotFound
	}
	return storedFields(res.Hits[0].Fields)
}

func storedFields(f map[string]any) (string, int64, error) {
	raw, ok := f[fJSON].(string)
	if !ok {
		return "", 0, errors.New("stored document has no JSON")
	}
	seq, _ := f[fSeq].(float64)
	return raw, int64(seq), nil
}

// PutIncident writes inc if its stored version is still expect.
func (s *Store) PutIncident(ctx context.Context, inc *store.Incident, expect store.Version) (store.Version, error) {
	vs, errs, err := s.PutIncidents(ctx, []*store.Incident{inc}, []store.Version{expect})
	if err != nil {
		return store.Version{}, err
	}
	return vs[0], errs[0]
}

// PutIncidents writes each incident whose stored version is still its
// expect, all in one Bleve batch.
func (s *Store) PutIncidents(ctx context.Context, incs []*store.Incident, expect []store.Version) ([]store.Version, []error, error) {
	if len(expect) != len(incs) {
		return nil, nil, fmt.Errorf("bleve store: %d versions for %d incidents", len(expect), len(incs))
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	versions, errs := make([]store.Version, len(incs)), make([]error, len(incs))
	s.mu.Lock()
	b, err := s.pending()
	if err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	queued := false
	for i, inc := range incs {
		seq, err := s.queueIncident(b, inc, expect[i])
		if err != nil {
			errs[i] = err
			continue
		}
		versions[i], queued = store.Version{SeqNo: seq, PrimaryTerm: primaryTerm}, true
	}
	s.mu.Unlock()
	if !queued {
		return versions, errs, nil
	}
	<-b.done // not ctx: once queued the write happens, and the caller must learn its version
	if b.err != nil {
		return nil, nil, b.err
	}
	return versions, errs, nil
}

// queueIncident adds inc to batch b if its stored version is still expect
// and returns the version it will have; s.mu must be held.
func (s *Store) queueIncident(b *batch, inc *store.Incident, expect store.Version) (int64, error) {
	if inc == nil || inc.ID == "" {
		return 0, fmt.Errorf("incident without id: %w", store.ErrRejected)
	}
	cur, last, err := s.current(inc.ID)
	if err != nil {
		return 0, err
	}
	var want int64
	if !expect.IsZero() {
		if expect.PrimaryTerm != primaryTerm {
			return 0, fmt.Errorf("incident %s: version %+v is not this store's: %w", inc.ID, expect, store.ErrConflict)
		}
		want = expect.SeqNo
	}
	if cur != want {
		return 0, fmt.Errorf("incident %s: stored version %d, expected %d: %w", inc.ID, cur, want, store.ErrConflict)
	}
	doc, err := incidentDoc(inc, last+1)
	if err != nil {
		return 0, fmt.Errorf("incident %s: %v: %w", inc.ID, err, store.ErrRejected)
	}
	if err := b.incidents.Index(inc.ID, doc); err != nil {
		return 0, fmt.Errorf("incident %s: %w", inc.ID, err)
	}
	s.seqs[inc.ID] = last + 1
	b.ids = append(b.ids, inc.ID)
	return last + 1, nil
}

// current is an incident's stored version counter (0: none stored) and the
// last counter handed out for its id, which a deleted incident keeps so a
// re-creation never repeats a version; s.mu must be held.
func (s *Store) current(id string) (cur, last int64, err error) {
	v, ok := s.seqs[id]
	if !ok {
		_, seq, err := s.getIncident(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			v = 0
		case err != nil:
			return 0, 0, err
		default:
			v = seq
		}
	}
	if v < 0 { // deleted: -v was its last version
		return 0, -v, nil
	}
	return v, v, nil
}

// DeleteIncident removes an incident if its stored version is still expect.
func (s *Store) DeleteIncident(ctx context.Context, id string, expect store.Version) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	cur, _, err := s.current(id)
	switch {
	case err != nil:
		s.mu.Unlock()
		return err
	case cur == 0:
		s.mu.Unlock()
		return fmt.Errorf("incident %s: %w", id, store.ErrNotFound)
	case expect.PrimaryTerm != primaryTerm || expect.SeqNo != cur:
		s.mu.Unlock()
		return fmt.Errorf("incident %s: stored version %d, expected %d: %w", id, cur, expect.SeqNo, store.ErrConflict)
	}
	b, err := s.pending()
	if err == nil {
		b.incidents.Delete(id)
	}
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("incident %s: %w", id, err)
	}
	s.seqs[id] = -cur
	b.ids = append(b.ids, id)
	s.mu.Unlock()
	<-b.done
	return b.err
}

// PutArticle stores an article, replacing one with the same id.
func (s *Store) PutArticle(ctx context.Context, a *store.Article) error {
	errs, err := s.PutArticles(ctx, []*store.Article{a})
	if err != nil {
		return err
	}
	return errs[0]
}

// PutArticles stores articles in one Bleve batch.
func (s *Store) PutArticles(ctx context.Context, arts []*store.Article) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	errs := make([]error, len(arts))
	docs := make([]map[string]any, len(arts))
	for i, a := range arts {
		if a == nil || a.ID == "" {
			errs[i] = fmt.Errorf("article without id: %w", store.ErrRejected)
			continue
		}
		raw, err := json.Marshal(a)
		if err != nil {
			errs[i] = fmt.Errorf("article %s: %v: %w", a.ID, err, store.ErrRejected)
			continue
		}
		docs[i] = map[string]any{fJSON: string(raw)}
	}
	s.mu.Lock()
	b, err := s.pending()
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	queued := false
	for i, doc := range docs {
		if doc == nil {
			continue
		}
		if err := b.articles.Index(arts[i].ID, doc); err != nil {
			errs[i] = fmt.Errorf("article %s: %w", arts[i].ID, err)
			continue
		}
		queued = true
	}
	s.mu.Unlock()
	if !queued {
		return errs, nil
	}
	<-b.done
	if b.err != nil {
		return nil, b.err
	}
	return errs, nil
}

// GetArticles returns the stored articles among ids.
func (s *Store) GetArticles(ctx context.Context, ids []string) (map[string]*store.Article, error) {
	out := make(map[string]*store.Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	req := blevesearch.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{fJSON}
	res, err := s.articles.Search(req)
	if err != nil {
		return nil, fmt.Errorf("articles: %w", err)
	}
	for _, h := range res.Hits {
		raw, _, err := storedFields(h.Fields)
		if err != nil {
			return nil, fmt.Errorf("article %s: %w", h.ID, err)
		}
		var a store.Article
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, fmt.Errorf("article %s: %w", h.ID, err)
		}
		out[h.ID] = &a
	}
	return out, nil
}

// GetArticle returns an article.
func (s *Store) GetArticle(ctx context.Context, id string) (*store.Article, error) {
	raw, _, err := getStored(s.articles, id)
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	var a store.Article
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	return &a, nil
}

var _ store.Store = (*Store)(nil)
