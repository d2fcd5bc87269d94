package elastic

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Flavor is the search engine behind the store's URL, chosen by the operator
// with --search-flavor. The store always speaks the Elasticsearch 8 REST API
// through go-elasticsearch v8; the flavor only decides whether the HTTP
// exchanges go through OpenSearchTransport.
type Flavor string

const (
	// FlavorElasticsearch is Elasticsearch 8: the client talks to it unchanged.
	FlavorElasticsearch Flavor = "elasticsearch"
	// FlavorOpenSearch is OpenSearch 2.x (tested with 2.19.1): requests and
	// responses go through OpenSearchTransport.
	FlavorOpenSearch Flavor = "opensearch"
)

// ParseFlavor reads a --search-flavor value; the empty string means Elasticsearch.
func ParseFlavor(s string) (Flavor, error) {
	switch Flavor(strings.ToLower(strings.TrimSpace(s))) {
	case "", FlavorElasticsearch:
		return FlavorElasticsearch, nil
	case FlavorOpenSearch:
		return FlavorOpenSearch, nil
	}
	return "", fmt.Errorf("unknown search flavor %q (want %q or %q)", s, FlavorElasticsearch, FlavorOpenSearch)
}

// Transport returns the http.RoundTripper to put in the client's
// elasticsearch.Config.Transport: base itself for Elasticsearch, base wrapped by
// OpenSearchTransport for OpenSearch. A nil base means http.DefaultTransport.
func (f Flavor) Transport(base http.RoundTripper) http.RoundTripper {
	if f == FlavorOpenSearch {
		return OpenSearchTransport(base)
	}
	if base == nil {
		return http.DefaultTransport
	}
	return base
}

// OpenSearchTransport wraps base (nil means http.DefaultTransport) so that
// go-elasticsearch v8 can talk to an OpenSearch 2.x node. It bridges exactly two
// things, both in HTTP headers, and never touches a URL or a body:
//
//  1. Requests: Elasticsearch 8's versioned media types are rewritten to the
//     plain ones in the Content-Type and Accept headers:
//     application/vnd.elasticsearch+json;compatible-with=8 becomes
//     application/json, and application/vnd.elasticsearch+x-ndjson;compatible-with=8
//     (the typed API's ndjson endpoints, e.g. _bulk) becomes application/x-ndjson; generally
//     "vnd.elasticsearch+" is dropped from the subtype together with the
//     compatible-with parameter. The client sends these types from the typed API,
//     and from the esapi API when EnableCompatibilityMode or
//     ELASTIC_CLIENT_APIVERSIONING=true is set. OpenSearch answers 406 Not
//     Acceptable to such a Content-Type (it ignores Accept today, which is
//     rewritten anyway so the request asks for what it gets). Requests with
//     plain media types, as esapi sends by default, pass unchanged.
//
//  2. Responses: "X-Elastic-Product: Elasticsearch" is added when the response
//     has no X-Elastic-Product header. go-elasticsearch v8 checks that header on
//     the first 2xx response and otherwise fails every call with "the client
//     noticed that the server is not Elasticsearch". The adapter cannot tell an
//     OpenSearch node from any other server, so it is used only when the operator
//     explicitly chose FlavorOpenSearch.
//
// Not bridged, because nothing needs it: go-elasticsearch v8 (checked with
// v8.19.7) makes no GET / request of its own and never reads the server's
// version; its product check is only the header above. So OpenSearch's root
// info (version 2.x, distribution "opensearch", its own tagline) is left as it
// is. The x-elastic-client-meta request header is left too; OpenSearch ignores it.
//
// Not bridged, because they are real API differences the store has to avoid or
// handle itself: point-in-time
// (POST /<index>/_pit in Elasticsearch, POST /<index>/_search/point_in_time on
// OpenSearch), the _shard_doc sort tiebreaker (Elasticsearch only), sorting or
// aggregating on _id (refused by Elasticsearch 8, allowed by OpenSearch), the
// index-template fields allow_auto_create and ignore_missing_component_templates
// (Elasticsearch only: OpenSearch rejects the template), and field types that
// exist in only one of them (flattened and version in Elasticsearch, flat_object
// in OpenSearch).
func OpenSearchTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &openSearchTransport{base: base}
}

type openSearchTransport struct {
	base http.RoundTripper
}

func (t *openSearchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ct, accept := req.Header.Get("Content-Type"), req.Header.Values("Accept")
	newCT, ctChanged := plainMediaTypes(ct)
	newAccept, acceptChanged := make([]string, len(accept)), false
	for i, a := range accept {
		var changed bool
		newAccept[i], changed = plainMediaTypes(a)
		acceptChanged = acceptChanged || changed
	}
	if ctChanged || acceptChanged {
		// A RoundTripper must not modify the caller's request: change a copy.
		r := *req
		r.Header = req.Header.Clone()
		if ctChanged {
			r.Header.Set("Content-Type", newCT)
		}
		if acceptChanged {
			r.Header["Accept"] = newAccept
		}
		req = &r
	}

	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if res.Header == nil {
		res.Header = make(http.Header)
	}
	if res.Header.Get("X-Elastic-Product") == "" {
		res.Header.Set("X-Elastic-Product", "Elasticsearch")
	}
	return res, nil
}

// vndPrefix marks Elasticsearch's versioned media types,
// e.g. application/vnd.elasticsearch+json;compatible-with=8.
const vndPrefix = "vnd.elasticsearch+"

// plainMediaTypes rewrites each Elasticsearch versioned media type in a header
// value (possibly a comma-separated list) to its plain form, keeping the other
// parameters (e.g. charset, q). It reports whether anything changed.
func plainMediaTypes(value string) (string, bool) {
	if !strings.Contains(strings.ToLower(value), vndPrefix) {
		return value, false
	}
	parts := strings.Split(value, ",")
	changed := false
	for i, part := range parts {
		parts[i] = strings.TrimSpace(part)
		mt, params, err := mime.ParseMediaType(parts[i])
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok || !strings.HasPrefix(sub, vndPrefix) {
			continue
		}
		delete(params, "compatible-with")
		parts[i] = mime.FormatMediaType(typ+"/"+strings.TrimPrefix(sub, vndPrefix), params)
		changed = true
	}
	if !changed {
		return value, false
	}
	return strings.Join(parts, ", "), true
}
