package elastic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// catchUpMargin widens Migrate's catch-up window: documents ingested up to
// this long before the reindex began are copied again, so that clock skew
// between writers and the migrating process loses nothing (copying a document
// twice is harmless: the second copy overwrites the first).
const catchUpMargin = 5 * time.Minute

// Migrate moves incidents and articles onto new versioned indices built from
// the current templates, while writers keep writing:
//
//  1. put the templates; create <alias>-v(N+1);
//  2. reindex vN into it (op_type create, conflicts proceed) while writes
//     still go to vN;
//  3. block writes on vN (writers back off and retry: see retryBlocked) and
//     refresh it;
//  4. catch up: reindex again the documents of vN ingested since step 2
//     began (event.ingested, minus catchUpMargin), overwriting their copies,
//     so every write to vN is in v(N+1);
//  5. swap the alias in one _aliases call (remove vN, add v(N+1) as write
//     index). Blocked creates then go to v(N+1); blocked updates carry a
//     version of vN and fail with ErrConflict, so their writers re-read.
//
// vN is left in place, read-only, for inspection or rollback; delete it when
// satisfied. If a step fails before the swap, vN is unblocked again.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.putTemplates(ctx); err != nil {
		return err
	}
	for _, kind := range []string{kindIncidents, kindArticles} {
		if err := s.migrate(ctx, kind); err != nil {
			return fmt.Errorf("elastic: migrate %s: %w", kind, err)
		}
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, kind string) (err error) {
	cur, err := s.aliasTarget(ctx, kind)
	if err != nil {
		return err
	}
	gen := s.generation(kind, cur)
	if gen == 0 {
		return fmt.Errorf("alias %s points at %s, not a versioned index", s.alias(kind), cur)
	}
	next := s.index(kind, gen+1)
	if err := s.createIndex(ctx, kind, gen+1, false); err != nil {
		return err
	}
	log := s.log.With("from", cur, "to", next)
	start := s.now()
	if err := s.reindex(ctx, cur, next, nil, "create"); err != nil {
		return err
	}
	log.Info("migrate: reindexed", "took", time.Since(start))

	// The _block API (unlike the index.blocks.write setting) also waits for
	// writes in flight on the index to finish, so the catch-up sees them.
	if err := s.call(ctx, http.MethodPut, "/"+cur+"/_block/write", nil, nil, nil); err != nil {
		return fmt.Errorf("block writes on %s: %w", cur, err)
	}
	defer func() {
		if err != nil {
			// Let writers go on with the old index.
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if uerr := s.unblockWrites(uctx, cur); uerr != nil {
				err = errors.Join(err, fmt.Errorf("unblock %s: %w", cur, uerr))
			}
		}
	}()
	if err := s.call(ctx, http.MethodPost, "/"+cur+"/_refresh", nil, nil, nil); err != nil {
		return fmt.Errorf("refresh %s: %w", cur, err)
	}
	since := obj{"range": obj{"event.ingested": obj{"gte": ms(start.Add(-catchUpMargin))}}}
	if err := s.reindex(ctx, cur, next, since, "index"); err != nil {
		return err
	}
	swap := obj{"actions": []any{
		obj{"remove": obj{"index": cur, "alias": s.alias(kind)}},
		obj{"add": obj{"index": next, "alias": s.alias(kind), "is_write_index": true}},
	}}
	if err := s.call(ctx, http.MethodPost, "/_aliases", nil, swap, nil); err != nil {
		return fmt.Errorf("swap alias %s: %w", s.alias(kind), err)
	}
	log.Info("migrate: alias swapped", "alias", s.alias(kind), "took", time.Since(start))
	return nil
}

// reindex copies the documents of from matching q (nil: all) into to and
// refreshes to.
func (s *Store) reindex(ctx context.Context, from, to string, q obj, opType string) error {
	source := obj{"index": from, "size": 1000}
	if q != nil {
		source["query"] = q
	}
	body := obj{"conflicts": "proceed", "source": source, "dest": obj{"index": to, "op_type": opType}}
	var ans struct {
		Total    int64 `json:"total"`
		Created  int64 `json:"created"`
		Updated  int64 `json:"updated"`
		Failures []any `json:"failures"`
	}
	params := url.Values{"wait_for_completion": {"true"}, "refresh": {"true"}}
	if err := s.call(ctx, http.MethodPost, "/_reindex", params, body, &ans); err != nil {
		return fmt.Errorf("reindex %s to %s: %w", from, to, err)
	}
	if len(ans.Failures) > 0 {
		return fmt.Errorf("reindex %s to %s: %d failures, first: %v", from, to, len(ans.Failures), ans.Failures[0])
	}
	s.log.Debug("reindexed", "from", from, "to", to, "total", ans.Total, "created", ans.Created, "updated", ans.Updated)
	return nil
}

func (s *Store) unblockWrites(ctx context.Context, index string) error {
	body := obj{"index": obj{"blocks": obj{"write": false}}}
	if err := s.call(ctx, http.MethodPut, "/"+index+"/_settings", nil, body, nil); err != nil {
		return fmt.Errorf("unblock writes on %s: %w", index, err)
	}
	return nil
}
