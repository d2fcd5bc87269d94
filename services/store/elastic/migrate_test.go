package elastic

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

func migrationIncident(id string) *store.Incident {
	return &store.Incident{
		ID:            id,
		Organisation:  store.Organisation{Name: "Org " + id, Keys: []string{"org " + id}},
		Cause:         store.Cause{Primary: "unknown"},
		FirstReported: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// TestMigrateWhileWriting migrates while one writer creates incidents and
// articles and another updates one incident read-modify-write: afterwards
// every id is there exactly once and no update was lost.
func TestMigrateWhileWriting(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	for i := range 50 {
		if _, err := s.PutIncident(ctx, migrationIncident(fmt.Sprintf("pre-%03d", i)), store.Version{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PutIncident(ctx, migrationIncident("counter"), store.Version{}); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var created []string
	var updates int64
	var writeErr error
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		writeErr = errors.Join(writeErr, err)
	}
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("during-%04d", i)
			if _, err := s.PutIncident(ctx, migrationIncident(id), store.Version{}); err != nil {
				fail(fmt.Errorf("create %s: %w", id, err))
				return
			}
			if err := s.PutArticle(ctx, &store.Article{ID: id, URL: "https://example.com/" + id, Title: id}); err != nil {
				fail(fmt.Errorf("article %s: %w", id, err))
				return
			}
			mu.Lock()
			created = append(created, id)
			mu.Unlock()
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			inc, v, err := s.GetIncident(ctx, "counter")
			if err != nil {
				fail(err)
				return
			}
			inc.Revision++
			if _, err := s.PutIncident(ctx, inc, v); errors.Is(err, store.ErrConflict) {
				continue
			} else if err != nil {
				fail(fmt.Errorf("update counter: %w", err))
				return
			}
			mu.Lock()
			updates++
			mu.Unlock()
		}
	})

	time.Sleep(500 * time.Millisecond)
	migrateErr := s.Migrate(ctx)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if migrateErr != nil {
		t.Fatal(migrateErr)
	}
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	for _, kind := range []string{kindIncidents, kindArticles} {
		if got, err := s.aliasTarget(ctx, kind); err != nil || got != s.index(kind, 2) {
			t.Fatalf("alias %s -> %s, %v; want %s", s.alias(kind), got, err, s.index(kind, 2))
		}
	}

	want := map[string]bool{"counter": true}
	for i := range 50 {
		want[fmt.Sprintf("pre-%03d", i)] = true
	}
	for _, id := range created {
		want[id] = true
	}
	seen := map[string]int{}
	req := query.Request{Sort: query.Sort{Field: query.FieldFirstReported}, Size: query.MaxSize}
	var total int64
	for {
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		total = res.Total
		for _, inc := range res.Incidents {
			seen[inc.ID]++
		}
		if res.NextCursor == "" {
			break
		}
		req.Cursor = res.NextCursor
	}
	if total != int64(len(want)) {
		t.Errorf("total %d, want %d", total, len(want))
	}
	for id, n := range seen {
		if n != 1 || !want[id] {
			t.Errorf("%s seen %d times (expected: %v)", id, n, want[id])
		}
	}
	for id := range want {
		if seen[id] == 0 {
			t.Errorf("%s lost", id)
		}
	}
	for _, id := range created {
		if _, err := s.GetArticle(ctx, id); err != nil {
			t.Errorf("article: %v", err)
		}
	}
	counter, _, err := s.GetIncident(ctx, "counter")
	if err != nil {
		t.Fatal(err)
	}
	if counter.Revision != updates {
		t.Errorf("counter revision %d after %d successful updates: lost updates", counter.Revision, updates)
	}
	t.Logf("%d incidents created and %d updates made during the migration", len(created), updates)

	// A second migration works on from v2.
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.aliasTarget(ctx, kindIncidents); got != s.index(kindIncidents, 3) {
		t.Errorf("after second migration the alias points at %s", got)
	}
}
