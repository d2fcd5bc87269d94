package elastic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// testConfig is the node the integration tests use: BREACHWIRE_TEST_ES_URL
// (an OpenSearch node from scripts/search-node, or Elasticsearch 8 with
// BREACHWIRE_TEST_ES_FLAVOR=elasticsearch), else ELASTICSEARCH_URL (a real
// Elasticsearch 8, e.g. `docker compose up elasticsearch`).
func testConfig(t testing.TB) Config {
	t.Helper()
	u, flavorName := os.Getenv("BREACHWIRE_TEST_ES_URL"), os.Getenv("BREACHWIRE_TEST_ES_FLAVOR")
	if u == "" && os.Getenv("ELASTICSEARCH_URL") != "" {
		u, flavorName = os.Getenv("ELASTICSEARCH_URL"), "elasticsearch"
	}
	if u == "" {
		t.Skip("BREACHWIRE_TEST_ES_URL is not set: start a node with " +
			"`BREACHWIRE_TEST_ES_URL=$(scripts/search-node start --port 0)` to run the Elasticsearch store tests")
	}
	flavor, err := ParseFlavor(flavorName)
	if flavorName == "" {
		flavor = FlavorOpenSearch // scripts/search-node runs OpenSearch
	}
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	return Config{URL: u, Flavor: flavor, IndexPrefix: "bwtest-" + hex.EncodeToString(b), RefreshInterval: "50ms"}
}

// openTest opens a store on a fresh prefix and removes its indices and
// templates when the test ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	cfg := testConfig(t)
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.drop(ctx); err != nil {
			t.Logf("cleanup %s: %v", cfg.IndexPrefix, err)
		}
		s.Close()
	})
	return s
}

// drop deletes everything the store's prefix owns (tests only).
func (s *Store) drop(ctx context.Context) error {
	var errs []error
	for _, kind := range []string{kindIncidents, kindArticles} {
		errs = append(errs, ignore404(s.call(ctx, http.MethodDelete, "/"+s.alias(kind)+"-v*", nil, nil, nil)))
		errs = append(errs, ignore404(s.call(ctx, http.MethodDelete, "/_index_template/"+s.alias(kind), nil, nil, nil)))
	}
	for _, name := range []string{"settings", "incidents-mappings", "articles-mappings"} {
		errs = append(errs, ignore404(s.call(ctx, http.MethodDelete, "/_component_template/"+s.prefix+"-"+name, nil, nil, nil)))
	}
	return errors.Join(errs...)
}

func ignore404(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil
	}
	return err
}

func TestSmoke(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	// Open again on the same prefix: idempotent.
	if _, err := Open(ctx, s.cfg); err != nil {
		t.Fatal(err)
	}
	inc := &store.Incident{
		ID: "inc-1", Organisation: store.Organisation{Name: "Co-operative Life Planning", Keys: []string{"cooperative life planning"}},
		Records:          &store.Records{Value: new(int64(82000)), Reported: []store.ReportedValue{{Value: 82000, Quote: "82,000 customers"}}},
		Cause:            store.Cause{Primary: "software_bug_upgrade"},
		RegulatorActions: []store.RegulatorAction{{Regulator: "HHS OCR", Action: "monetary_penalty"}},
		FirstReported:    time.Date(2011, 5, 3, 0, 0, 0, 0, time.UTC),
	}
	v, err := s.PutIncident(ctx, inc, store.Version{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIncident(ctx, inc, store.Version{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second create: %v, want ErrConflict", err)
	}
	got, gv, err := s.GetIncident(ctx, "inc-1")
	if err != nil || gv != v || got.Organisation.Name != inc.Organisation.Name {
		t.Fatalf("get: %v %v %+v", err, gv, got)
	}
	v2, err := s.PutIncident(ctx, inc, v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIncident(ctx, inc, v); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	_ = v2
	for _, qs := range []string{"organisation:co-operative", `regulator:"hhs ocr"`, "records:>1000", "first_reported:2011-05", "82,000", `"life planning"`} {
		n, err := query.Parse(qs)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, query.Request{Query: n})
		if err != nil {
			t.Fatal(qs, err)
		}
		if res.Total != 1 {
			t.Errorf("%s: total %d", qs, res.Total)
		}
	}
	f, err := s.Facets(ctx, query.Request{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("facets %+v", f)
	if _, _, err := s.GetIncident(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

// TestConformance runs the suite every backend passes.
func TestConformance(t *testing.T) {
	testConfig(t) // skips without a node
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}
