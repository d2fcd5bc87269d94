package elastic

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"

	"github.com/breachwire/breachwire/services/store"
)

// fakeStore is a Store talking to handler, without Open's templates.
func fakeStore(t *testing.T, handler http.HandlerFunc) *Store {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: []string{srv.URL}, Transport: FlavorOpenSearch.Transport(nil), DisableRetry: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Store{es: es, prefix: "bw", log: slog.New(slog.DiscardHandler), now: time.Now}
}

// TestPutArticlesItemResults checks the item-level handling of _bulk: 429
// retried (only that item), 409 written, 400 mapping error rejected, and
// refresh=wait_for on every request.
func TestPutArticlesItemResults(t *testing.T) {
	var mu sync.Mutex
	var calls [][]string // ids per _bulk call
	s := fakeStore(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_bulk" || r.URL.Query().Has("refresh") { // batch writes do not wait for a refresh
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		var ids []string
		sc := bufio.NewScanner(r.Body)
		for line := 0; sc.Scan(); line++ {
			if line%2 == 1 {
				continue
			}
			var meta map[string]struct {
				Index string `json:"_index"`
				ID    string `json:"_id"`
			}
			if err := json.Unmarshal(sc.Bytes(), &meta); err != nil {
				t.Error(err)
			}
			ids = append(ids, meta["index"].ID)
		}
		mu.Lock()
		calls = append(calls, ids)
		first := len(calls) == 1
		mu.Unlock()
		var items []string
		for _, id := range ids {
			switch {
			case id == "busy" && first:
				items = append(items, `{"index":{"_index":"bw-articles-v1","_id":"busy","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}}`)
			case id == "dup":
				items = append(items, `{"index":{"_index":"bw-articles-v1","_id":"dup","status":409,"error":{"type":"version_conflict_engine_exception","reason":"exists"}}}`)
			case id == "bad":
				items = append(items, `{"index":{"_index":"bw-articles-v1","_id":"bad","status":400,"error":{"type":"document_parsing_exception","reason":"strict"}}}`)
			default:
				items = append(items, `{"index":{"_index":"bw-articles-v1","_id":"`+id+`","status":201,"_seq_no":1,"_primary_term":1}}`)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"took":1,"errors":true,"items":[`+strings.Join(items, ",")+`]}`)
	})
	arts := []*store.Article{{ID: "ok"}, {ID: "busy"}, {ID: "dup"}, {ID: "bad"}, {}}
	errs, err := s.PutArticles(t.Context(), arts)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, nil, nil, store.ErrRejected, store.ErrRejected} {
		if want == nil && errs[i] != nil || want != nil && !errors.Is(errs[i], want) {
			t.Errorf("article %d: %v, want %v", i, errs[i], want)
		}
	}
	if errors.Is(errs[3], store.ErrConflict) {
		t.Errorf("a rejected document is not a conflict: %v", errs[3])
	}
	if len(calls) != 2 || strings.Join(calls[1], ",") != "busy" {
		t.Errorf("bulk calls %v, want the 429 item alone retried", calls)
	}
}
