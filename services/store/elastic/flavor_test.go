package elastic

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// fakeOpenSearch answers like an OpenSearch 2.19 node where it matters to the
// adapter: no X-Elastic-Product header ever, 406 for Elasticsearch's versioned
// media types in Content-Type, and OpenSearch's own root info.
type fakeOpenSearch struct {
	mu   sync.Mutex
	seen []http.Header // request headers, in order
}

func (f *fakeOpenSearch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Header.Clone())
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	body, _ := io.ReadAll(r.Body)
	if ct := r.Header.Get("Content-Type"); len(body) > 0 && strings.Contains(ct, "vnd.elasticsearch") {
		w.WriteHeader(http.StatusNotAcceptable)
		fmt.Fprintf(w, `{"error":"Content-Type header [%s] is not supported","status":406}`, ct)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		io.WriteString(w, `{"name":"n","cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.1"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`)
	case r.Method == http.MethodPut && r.URL.Path == "/idx":
		io.WriteString(w, `{"acknowledged":true,"shards_acknowledged":true,"index":"idx"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/_bulk":
		io.WriteString(w, `{"took":1,"errors":false,"items":[{"index":{"_index":"idx","_id":"1","_version":1,"result":"created","_seq_no":0,"_primary_term":1,"status":201}}]}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"no handler found","status":404}`)
	}
}

func (f *fakeOpenSearch) last() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[len(f.seen)-1]
}

func TestOpenSearchTransportWithFakeOpenSearch(t *testing.T) {
	fake := &fakeOpenSearch{}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)

	t.Run("the v8 client refuses a server without the product header", func(t *testing.T) {
		es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := es.Info()
		if err == nil {
			res.Body.Close()
			t.Fatal("Info() succeeded against a server without X-Elastic-Product; the adapter would be unnecessary")
		}
		if !strings.Contains(err.Error(), "not Elasticsearch") {
			t.Fatalf("Info() error = %v, want the client's unknown-product error", err)
		}
	})

	t.Run("without the adapter, compatibility media types get 406", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/idx", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/vnd.elasticsearch+json;compatible-with=8")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotAcceptable {
			t.Fatalf("status = %d, want 406", res.StatusCode)
		}
	})

	t.Run("with the adapter the product check passes", func(t *testing.T) {
		es, err := elasticsearch.NewClient(elasticsearch.Config{
			Addresses: []string{srv.URL},
			Transport: FlavorOpenSearch.Transport(nil),
		})
		if err != nil {
			t.Fatal(err)
		}
		info := want(t, http.StatusOK)(es.Info())
		if got := dig(info, "version", "distribution"); got != "opensearch" {
			t.Fatalf("version.distribution = %v, want opensearch (the adapter must not rewrite bodies)", got)
		}
	})

	t.Run("with the adapter versioned media types become plain ones", func(t *testing.T) {
		es, err := elasticsearch.NewClient(elasticsearch.Config{
			Addresses:               []string{srv.URL},
			Transport:               OpenSearchTransport(nil),
			EnableCompatibilityMode: true, // esapi then sends application/vnd.elasticsearch+json;compatible-with=8
		})
		if err != nil {
			t.Fatal(err)
		}
		want(t, http.StatusOK)(es.Indices.Create("idx", es.Indices.Create.WithBody(strings.NewReader(`{}`))))
		h := fake.last()
		if h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
			t.Fatalf("server saw Content-Type %q, Accept %q; want application/json for both", h.Get("Content-Type"), h.Get("Accept"))
		}

		// The typed API always sends versioned types; its _bulk sends x-ndjson.
		tc, err := elasticsearch.NewTypedClient(elasticsearch.Config{Addresses: []string{srv.URL}, Transport: OpenSearchTransport(nil)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := tc.Bulk().Raw(strings.NewReader("{\"index\":{\"_index\":\"idx\",\"_id\":\"1\"}}\n{\"a\":1}\n")).Do(context.Background())
		if err != nil {
			t.Fatalf("typed Bulk: %v", err)
		}
		if res.Errors || len(res.Items) != 1 {
			t.Fatalf("typed Bulk response = %+v", res)
		}
		h = fake.last()
		if h.Get("Content-Type") != "application/x-ndjson" || h.Get("Accept") != "application/json" {
			t.Fatalf("server saw Content-Type %q, Accept %q; want application/x-ndjson and application/json", h.Get("Content-Type"), h.Get("Accept"))
		}
	})
}

func TestOpenSearchTransportLeavesOtherTrafficAlone(t *testing.T) {
	var sawCT string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawCT = r.Header.Get("Content-Type")
		w.Header().Set("X-Elastic-Product", "SomethingElse")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_bulk", strings.NewReader("{}\n"))
	req.Header.Set("Content-Type", "application/x-ndjson")
	res, err := OpenSearchTransport(nil).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if sawCT != "application/x-ndjson" {
		t.Errorf("plain Content-Type changed to %q", sawCT)
	}
	if got := res.Header.Get("X-Elastic-Product"); got != "SomethingElse" {
		t.Errorf("an existing X-Elastic-Product was replaced by %q", got)
	}

	// The caller's request is never modified (http.RoundTripper contract).
	vnd := "application/vnd.elasticsearch+json;compatible-with=8"
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/_search", strings.NewReader("{}"))
	req.Header.Set("Content-Type", vnd)
	req.Header.Set("Accept", vnd)
	res, err = OpenSearchTransport(nil).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if sawCT != "application/json" {
		t.Errorf("server saw Content-Type %q, want application/json", sawCT)
	}
	if req.Header.Get("Content-Type") != vnd || req.Header.Get("Accept") != vnd {
		t.Errorf("the caller's request headers were modified: %v", req.Header)
	}
}

func TestPlainMediaTypes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"application/vnd.elasticsearch+json;compatible-with=8", "application/json"},
		{"application/vnd.elasticsearch+json; compatible-with=8", "application/json"},
		{"application/vnd.elasticsearch+x-ndjson;compatible-with=8", "application/x-ndjson"},
		{"application/vnd.elasticsearch+json;compatible-with=8;charset=UTF-8", "application/json; charset=UTF-8"},
		{"application/vnd.elasticsearch+json;compatible-with=8, text/plain;q=0.5", "application/json, text/plain;q=0.5"},
		{"application/json", "application/json"},
		{"application/x-ndjson", "application/x-ndjson"},
		{"", ""},
	} {
		if got, _ := plainMediaTypes(tc.in); got != tc.want {
			t.Errorf("plainMediaTypes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseFlavor(t *testing.T) {
	for in, want := range map[string]Flavor{"": FlavorElasticsearch, "elasticsearch": FlavorElasticsearch, "OpenSearch": FlavorOpenSearch, " opensearch ": FlavorOpenSearch} {
		if got, err := ParseFlavor(in); err != nil || got != want {
			t.Errorf("ParseFlavor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseFlavor("solr"); err == nil {
		t.Error("ParseFlavor(solr) succeeded")
	}
}

// TestSearchEngine runs the requests the Elasticsearch store depends on against
// the real engine at BREACHWIRE_TEST_ES_URL (OpenSearch from scripts/search-node,
// or Elasticsearch 8): index template, versioned index behind an alias, _bulk
// with per-item results, get, optimistic concurrency, search with sort,
// search_after and aggregations. The flavor is read from GET /.
func TestSearchEngine(t *testing.T) {
	url := os.Getenv("BREACHWIRE_TEST_ES_URL")
	if url == "" {
		t.Skip("BREACHWIRE_TEST_ES_URL is not set; start a node with `scripts/search-node start` and set BREACHWIRE_TEST_ES_URL=$(scripts/search-node url) to run this test")
	}
	flavor := detectFlavor(t, url)
	t.Logf("engine at %s: %s", url, flavor)

	if flavor == FlavorOpenSearch {
		bare, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{url}})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := bare.Info(); err == nil {
			res.Body.Close()
			t.Fatal("the v8 client accepted OpenSearch without the adapter")
		}
	}

	// Compatibility mode on, so that every request carries Elasticsearch 8's
	// versioned media types: Elasticsearch understands them natively, OpenSearch
	// only through the adapter.
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses:               []string{url},
		Transport:               flavor.Transport(nil),
		EnableCompatibilityMode: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)

	prefix := "bwtest-" + randomHex(t)
	alias, v1, tmpl := prefix+"-incidents", prefix+"-incidents-v1", prefix+"-incidents"
	t.Cleanup(func() {
		ctx := context.Background()
		if res, err := es.Indices.Delete([]string{prefix + "-*"}, es.Indices.Delete.WithContext(ctx)); err == nil {
			res.Body.Close()
		}
		if res, err := es.Indices.DeleteIndexTemplate(tmpl, es.Indices.DeleteIndexTemplate.WithContext(ctx)); err == nil {
			res.Body.Close()
		}
	})

	// Composable index template, ECS-aligned, strict.
	template := `{
	  "index_patterns": ["` + prefix + `-incidents-v*"],
	  "priority": 500,
	  "version": 1,
	  "_meta": {"owner": "breachwire tests"},
	  "template": {
	    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
	    "mappings": {
	      "dynamic": "strict",
	      "properties": {
	        "@timestamp": {"type": "date"},
	        "organization": {"properties": {"name": {"type": "keyword", "fields": {"text": {"type": "text"}}}}},
	        "breachwire": {"properties": {
	          "id": {"type": "keyword"},
	          "revision": {"type": "long"},
	          "cause": {"type": "keyword"},
	          "records": {"type": "long"},
	          "fine_gbp": {"type": "scaled_float", "scaling_factor": 100}
	        }}
	      }
	    }
	  }
	}`
	want(t, http.StatusOK)(es.Indices.PutIndexTemplate(tmpl, strings.NewReader(template), es.Indices.PutIndexTemplate.WithContext(ctx)))

	// Versioned index created bare (the template supplies the mapping), then the alias.
	want(t, http.StatusOK)(es.Indices.Create(v1, es.Indices.Create.WithContext(ctx)))
	mapping := want(t, http.StatusOK)(es.Indices.GetMapping(es.Indices.GetMapping.WithIndex(v1), es.Indices.GetMapping.WithContext(ctx)))
	if got := dig(mapping, v1, "mappings", "dynamic"); got != "strict" {
		t.Fatalf("%s mappings.dynamic = %v, want strict from the index template", v1, got)
	}
	aliases := `{"actions":[{"add":{"index":"` + v1 + `","alias":"` + alias + `","is_write_index":true}}]}`
	want(t, http.StatusOK)(es.Indices.UpdateAliases(strings.NewReader(aliases), es.Indices.UpdateAliases.WithContext(ctx)))

	// _bulk through the alias, deterministic ids, per-item results.
	docs := []struct {
		id, org, cause, ts string
		records            int
	}{
		{"inc-plusnet-2018", "Plusnet", "software_bug_upgrade", "2018-06-01T00:00:00Z", 2000},
		{"inc-colp-2011", "Co-operative Life Planning", "misdirected_mail", "2011-03-15T00:00:00Z", 82000},
		{"inc-mumsnet-2019", "Mumsnet", "software_bug_upgrade", "2019-02-05T00:00:00Z", 4000},
	}
	var nd bytes.Buffer
	for _, d := range docs {
		fmt.Fprintf(&nd, `{"create":{"_id":%q}}`+"\n", d.id)
		fmt.Fprintf(&nd, `{"@timestamp":%q,"organization":{"name":%q},"breachwire":{"id":%q,"revision":1,"cause":%q,"records":%d,"fine_gbp":0}}`+"\n",
			d.ts, d.org, d.id, d.cause, d.records)
	}
	bulk := want(t, http.StatusOK)(es.Bulk(bytes.NewReader(nd.Bytes()), es.Bulk.WithIndex(alias), es.Bulk.WithRefresh("wait_for"), es.Bulk.WithContext(ctx)))
	if bulk["errors"] != false {
		t.Fatalf("bulk errors = %v: %v", bulk["errors"], bulk["items"])
	}
	items := bulk["items"].([]any)
	if len(items) != len(docs) {
		t.Fatalf("bulk returned %d items, want %d", len(items), len(docs))
	}
	for i, it := range items {
		r := it.(map[string]any)["create"].(map[string]any)
		if r["status"] != 201.0 || r["result"] != "created" || r["_id"] != docs[i].id || r["_index"] != v1 {
			t.Errorf("bulk item %d = %v, want 201 created %s in %s", i, r, docs[i].id, v1)
		}
		if _, ok := r["_seq_no"].(float64); !ok {
			t.Errorf("bulk item %d has no _seq_no: %v", i, r)
		}
		if _, ok := r["_primary_term"].(float64); !ok {
			t.Errorf("bulk item %d has no _primary_term: %v", i, r)
		}
	}

	// Item-level failures: a replayed create is 409, a field outside the strict mapping 400.
	nd.Reset()
	fmt.Fprintf(&nd, `{"create":{"_id":%q}}`+"\n"+`{"breachwire":{"id":%q}}`+"\n", docs[0].id, docs[0].id)
	nd.WriteString(`{"index":{"_id":"inc-bad"}}` + "\n" + `{"breachwire":{"id":"inc-bad","unmapped":1}}` + "\n")
	bulk = want(t, http.StatusOK)(es.Bulk(bytes.NewReader(nd.Bytes()), es.Bulk.WithIndex(alias), es.Bulk.WithContext(ctx)))
	if bulk["errors"] != true {
		t.Fatalf("bulk with a conflict and a rejected document: errors = %v", bulk["errors"])
	}
	items = bulk["items"].([]any)
	conflict := items[0].(map[string]any)["create"].(map[string]any)
	rejected := items[1].(map[string]any)["index"].(map[string]any)
	if conflict["status"] != 409.0 || dig(conflict, "error", "type") != "version_conflict_engine_exception" {
		t.Errorf("replayed create = %v, want 409 version_conflict_engine_exception", conflict)
	}
	if rejected["status"] != 400.0 || dig(rejected, "error", "type") != "strict_dynamic_mapping_exception" {
		t.Errorf("unmapped field = %v, want 400 strict_dynamic_mapping_exception", rejected)
	}

	// Get by id through the alias.
	doc := want(t, http.StatusOK)(es.Get(alias, docs[1].id, es.Get.WithContext(ctx)))
	if doc["found"] != true || dig(doc, "_source", "organization", "name") != docs[1].org {
		t.Fatalf("get %s = %v", docs[1].id, doc)
	}
	seqNo, primaryTerm := int(doc["_seq_no"].(float64)), int(doc["_primary_term"].(float64))

	// Optimistic concurrency: the current seq_no wins, the same one again is stale.
	update := `{"doc":{"breachwire":{"revision":2,"records":83000}}}`
	upd := want(t, http.StatusOK)(es.Update(alias, docs[1].id, strings.NewReader(update),
		es.Update.WithIfSeqNo(seqNo), es.Update.WithIfPrimaryTerm(primaryTerm), es.Update.WithRefresh("wait_for"), es.Update.WithContext(ctx)))
	if upd["result"] != "updated" || upd["_seq_no"].(float64) <= float64(seqNo) {
		t.Fatalf("update with current seq_no = %v", upd)
	}
	stale := want(t, http.StatusConflict)(es.Update(alias, docs[1].id, strings.NewReader(update),
		es.Update.WithIfSeqNo(seqNo), es.Update.WithIfPrimaryTerm(primaryTerm), es.Update.WithContext(ctx)))
	if dig(stale, "error", "type") != "version_conflict_engine_exception" {
		t.Fatalf("update with stale seq_no = %v, want version_conflict_engine_exception", stale)
	}

	// Search: filter, sort with a keyword tiebreaker, search_after, aggregations.
	query := func(after string) string {
		q := `{
		  "size": 2,
		  "query": {"bool": {"filter": [{"range": {"breachwire.records": {"gt": 1000}}}]}},
		  "sort": [{"breachwire.records": "desc"}, {"breachwire.id": "asc"}],
		  "aggs": {
		    "cause": {"terms": {"field": "breachwire.cause"}},
		    "month": {"date_histogram": {"field": "@timestamp", "calendar_interval": "month", "min_doc_count": 1}},
		    "records": {"range": {"field": "breachwire.records", "ranges": [{"to": 10000}, {"from": 10000}]}}
		  }`
		if after != "" {
			q += `, "search_after": ` + after
		}
		return q + "}"
	}
	page1 := want(t, http.StatusOK)(es.Search(es.Search.WithIndex(alias), es.Search.WithBody(strings.NewReader(query(""))), es.Search.WithContext(ctx)))
	if got := dig(page1, "hits", "total", "value"); got != 3.0 {
		t.Fatalf("hits.total.value = %v, want 3", got)
	}
	hits := dig(page1, "hits", "hits").([]any)
	if ids := hitIDs(hits); strings.Join(ids, ",") != "inc-colp-2011,inc-mumsnet-2019" {
		t.Fatalf("page 1 = %v, want inc-colp-2011 (83000 after the update), inc-mumsnet-2019", ids)
	}
	causes := map[string]float64{}
	for _, b := range dig(page1, "aggregations", "cause", "buckets").([]any) {
		b := b.(map[string]any)
		causes[b["key"].(string)] = b["doc_count"].(float64)
	}
	if causes["software_bug_upgrade"] != 2 || causes["misdirected_mail"] != 1 || len(causes) != 2 {
		t.Errorf("terms aggregation = %v, want software_bug_upgrade:2 misdirected_mail:1", causes)
	}
	if months := dig(page1, "aggregations", "month", "buckets").([]any); len(months) != 3 {
		t.Errorf("date_histogram has %d non-empty months, want 3: %v", len(months), months)
	}
	ranges := dig(page1, "aggregations", "records", "buckets").([]any)
	if len(ranges) != 2 || ranges[0].(map[string]any)["doc_count"] != 2.0 || ranges[1].(map[string]any)["doc_count"] != 1.0 {
		t.Errorf("range aggregation = %v, want 2 below 10000 and 1 above", ranges)
	}
	lastSort, _ := json.Marshal(hits[len(hits)-1].(map[string]any)["sort"])
	page2 := want(t, http.StatusOK)(es.Search(es.Search.WithIndex(alias), es.Search.WithBody(strings.NewReader(query(string(lastSort)))), es.Search.WithContext(ctx)))
	if ids := hitIDs(dig(page2, "hits", "hits").([]any)); strings.Join(ids, ",") != "inc-plusnet-2018" {
		t.Fatalf("page 2 (search_after %s) = %v, want inc-plusnet-2018", lastSort, ids)
	}
}

// detectFlavor reads GET / with plain net/http (the v8 client would refuse OpenSearch).
func detectFlavor(t *testing.T, url string) Flavor {
	t.Helper()
	res, err := http.Get(strings.TrimRight(url, "/") + "/")
	if err != nil {
		t.Fatalf("BREACHWIRE_TEST_ES_URL=%s: %v", url, err)
	}
	defer res.Body.Close()
	var info map[string]any
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		t.Fatalf("GET %s/: %v", url, err)
	}
	if dig(info, "version", "distribution") == "opensearch" {
		return FlavorOpenSearch
	}
	return FlavorElasticsearch
}

// want checks an esapi response's status and returns its JSON body:
// want(t, http.StatusOK)(es.Info()).
func want(t *testing.T, status int) func(res *esapi.Response, err error) map[string]any {
	t.Helper()
	return func(res *esapi.Response, err error) map[string]any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != status {
			t.Fatalf("status %d, want %d: %s", res.StatusCode, status, body)
		}
		var out map[string]any
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
		return out
	}
}

// dig walks nested JSON objects; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func hitIDs(hits []any) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i], _ = h.(map[string]any)["_id"].(string)
	}
	return ids
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
