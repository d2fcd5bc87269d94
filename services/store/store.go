// Package store is where incidents and articles live: one Store interface,
// implemented by store/bleve (embedded, the default) and store/elastic
// (Elasticsearch 8 or OpenSearch 2), and one conformance suite
// (store/storetest) that both must pass.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/breachwire/breachwire/services/store/query"
)

// Errors every backend returns (wrapped) so callers can act on them.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: the document changed since it was read (optimistic
	// concurrency), or a create found it already there.
	ErrConflict = errors.New("version conflict")
	// ErrRejected: the backend refused the document itself (mapping);
	// retrying will not help.
	ErrRejected = errors.New("document rejected")
)

// Version is a backend's optimistic-concurrency token for one document.
// The zero Version means "the document must not exist yet".
type Version struct {
	SeqNo       int64 `json:"seq_no"`
	PrimaryTerm int64 `json:"primary_term"`
}

// IsZero reports whether v is the create-only version.
func (v Version) IsZero() bool { return v == Version{} }

// Store holds incidents and articles and searches them. Implementations are
// safe for concurrent use; a write has returned only when it is durable.
type Store interface {
	// GetIncident returns an incident and its version, or ErrNotFound.
	GetIncident(ctx context.Context, id string) (*Incident, Version, error)
	// IncidentsByOrganisation returns the incidents whose organisation key
	// (normalised name or alias) is one of keys.
	IncidentsByOrganisation(ctx context.Context, keys []string) ([]*Incident, error)
	// PutIncident writes inc if the stored version is still expect (zero:
	// only if absent) and returns the new version; ErrConflict otherwise.
	PutIncident(ctx context.Context, inc *Incident, expect Version) (Version, error)
	// DeleteIncident removes an incident if its stored version is still
	// expect: ErrNotFound when there is none, ErrConflict when it changed.
	// Curation deletes the incidents it merges into another.
	DeleteIncident(ctx context.Context, id string, expect Version) error
	// PutArticle stores an article (idempotent: same id, same document).
	PutArticle(ctx context.Context, a *Article) error
	// PutIncidents is PutIncident for many incidents in one write (the
	// indexer's batch path): expect[i] is incs[i]'s version. It returns the
	// new versions and one error per incident (ErrConflict, ErrRejected or
	// retryable); the error is for the call as a whole. Each item stands
	// alone: one conflict fails no other.
	PutIncidents(ctx context.Context, incs []*Incident, expect []Version) ([]Version, []error, error)
	// PutArticles is PutArticle for many articles in one write, with one
	// error per article.
	//
	// Batch writes are durable when they return and GetIncident and
	// GetArticle read them at once, but a search (Search, Facets,
	// IncidentsByOrganisation) may see them only after the index's refresh
	// interval: the batch writer keeps its recent writes itself. The single
	// writes above are searchable when they return.
	PutArticles(ctx context.Context, arts []*Article) ([]error, error)
	// GetArticle returns an article, or ErrNotFound.
	GetArticle(ctx context.Context, id string) (*Article, error)
	// GetArticles returns the stored articles among ids, by id; an id not
	// stored is absent. It reads the latest writes, as GetArticle does.
	GetArticles(ctx context.Context, ids []string) (map[string]*Article, error)
	// Search runs a query over incidents.
	Search(ctx context.Context, q query.Request) (*Result, error)
	// Facets counts the incidents matching q by cause, regulator, action,
	// month of first report, record-count bucket, jurisdiction and source
	// kind.
	Facets(ctx context.Context, q query.Request) (*FacetCounts, error)
	// Ping reports whether the store can serve (readiness).
	Ping(ctx context.Context) error
	Close() error
}

// Result is one page of incidents.
type Result struct {
	Total      int64       `json:"total"`
	Incidents  []*Incident `json:"incidents"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// FacetCounts are the facets of a query.
type FacetCounts struct {
	Cause        []Bucket `json:"cause"`
	Regulator    []Bucket `json:"regulator"`
	Action       []Bucket `json:"regulator_action"`
	Month        []Bucket `json:"month"`         // YYYY-MM of first_reported
	RecordsRange []Bucket `json:"records_range"` // see RecordBuckets
	Jurisdiction []Bucket `json:"jurisdiction"`  // ISO country code, as stored
	SourceKind   []Bucket `json:"source_kind"`   // news, official
}

// Bucket is one facet value and its count.
type Bucket struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// RecordBuckets are the record-count ranges facets use: [from, to).
var RecordBuckets = []struct {
	Key      string
	From, To int64 // To 0: unbounded
}{
	{"1-999", 1, 1000},
	{"1k-10k", 1000, 10_000},
	{"10k-100k", 10_000, 100_000},
	{"100k-1m", 100_000, 1_000_000},
	{"1m-10m", 1_000_000, 10_000_000},
	{"10m+", 10_000_000, 0},
}

// Incident is one breach event, merged from every article about it.
type Incident struct {
	ID                string            `json:"id"`
	Revision          int64             `json:"revision"`
	Organisation      Organisation      `json:"organisation"`
	Records           *Records          `json:"records"`
	Cause             Cause             `json:"cause"`
	RegulatorActions  []RegulatorAction `json:"regulator_actions"`
	DataTypes         []string          `json:"data_types"`
	Year              int               `json:"year,omitempty"` // year of the incident (or of its first report)
	Jurisdiction      string            `json:"jurisdiction,omitempty"`
	FirstReported     time.Time         `json:"first_reported"`
	LastUpdated       time.Time         `json:"last_updated"`
	Sources           []Source          `json:"sources"`
	ExtractorVersions []string          `json:"extractor_versions,omitempty"`
	// RevisionArticle is the article whose extraction made the current
	// revision; a replay of it re-announces the revision (at least once).
	RevisionArticle string `json:"revision_article,omitempty"`
	// Changes are the material changes of the current revision.
	Changes []Change `json:"changes,omitempty"`
	// Pinned are the articles a curator placed in this incident: the
	// indexer keeps them here when they are processed again, whatever
	// their new extraction would match.
	Pinned []string `json:"pinned,omitempty"`
	// Curation is every revision people made (merge, split), oldest first.
	Curation []Curation `json:"curation,omitempty"`
	// History is the incident's revisions, oldest first: what changed and
	// from which article (at most MaxHistory; older ones are dropped,
	// except the first, which says how the incident began).
	History []Revision `json:"history,omitempty"`
}

// MaxHistory bounds an incident's History.
const MaxHistory = 100

// Revision is one revision of an incident: its material changes and the
// article (or curator's action) that made them.
type Revision struct {
	Revision   int64     `json:"revision"`
	ArticleID  string    `json:"article_id,omitempty"`
	ArticleURL string    `json:"article_url,omitempty"`
	At         time.Time `json:"at,omitzero"` // the article's publication, or the curator's action
	Changes    []Change  `json:"changes"`
}

// AddRevision appends the incident's current revision and changes to its
// History, keeping the first revision and the latest MaxHistory-1.
func (inc *Incident) AddRevision(r Revision) {
	inc.History = append(inc.History, r)
	if n := len(inc.History); n > MaxHistory {
		inc.History = append(inc.History[:1], inc.History[n-MaxHistory+1:]...)
	}
}

// Curation is one revision a person made: who, why, when, and what moved.
type Curation struct {
	Revision int64     `json:"revision"`
	Action   string    `json:"action"` // merge or split
	By       string    `json:"by"`
	Why      string    `json:"why"`
	At       time.Time `json:"at"`
	// Incidents: for a merge, the incidents merged into this one; for a
	// split, the incident the articles left and the one they went to.
	Incidents []string `json:"incidents"`
	// Articles are the articles that moved.
	Articles []string `json:"articles"`
}

// Change is one material change of an incident.
type Change struct {
	Kind      string `json:"kind"` // new, count_revised, regulator_action_added, fine_announced, cause_changed, merged, split
	Field     string `json:"field"`
	OldValue  string `json:"old_value,omitempty"`
	NewValue  string `json:"new_value,omitempty"`
	ArticleID string `json:"article_id"` // empty for a curator's change
}

// Organisation is the breached organisation.
type Organisation struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	// Keys are the normalised name and aliases incidents are matched by.
	Keys []string `json:"keys,omitempty"`
}

// Records is the headline count and every count reported. Value is nil
// when the count is unknown ("a number of customers"): such a count is not
// a number, and a 0 would be summed and averaged as one.
type Records struct {
	Value     *int64 `json:"value,omitempty"`
	ValueMax  int64  `json:"value_max,omitempty"`
	Qualifier string `json:"qualifier"`
	Unit      string `json:"unit"`
	Kind      string `json:"kind"`
	// Basis says why the headline is this value: official, agreement,
	// recency or single (see the indexer's documented rule).
	Basis    string          `json:"basis"`
	Reported []ReportedValue `json:"reported"`
}

// Count is the headline number, and false when there is none: no records,
// or a count whose qualifier is unknown. Whatever shows or indexes the
// number asks Count, so an unknown count never becomes a 0.
func (r *Records) Count() (int64, bool) {
	if r == nil || r.Value == nil || r.Qualifier == "unknown" {
		return 0, false
	}
	return *r.Value, true
}

// MarshalJSON writes value only when Count has one, so that the API, the
// export and the stored documents agree with the indexed number.
func (r Records) MarshalJSON() ([]byte, error) {
	type plain Records // the fields, without this method
	p := plain(r)
	if _, ok := r.Count(); !ok {
		p.Value, p.ValueMax = nil, 0
	}
	return json.Marshal(p)
}

// ReportedValue is one count as one article reported it.
type ReportedValue struct {
	Value       int64     `json:"value"`
	Qualifier   string    `json:"qualifier,omitempty"`
	Unit        string    `json:"unit,omitempty"`
	Kind        string    `json:"kind,omitempty"`
	ArticleID   string    `json:"article_id"`
	ArticleURL  string    `json:"article_url"`
	Quote       string    `json:"quote"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Official    bool      `json:"official,omitempty"` // from a regulator or the organisation itself
}

// Cause is the incident's cause from the closed list.
type Cause struct {
	Primary      string   `json:"primary"`
	Contributing []string `json:"contributing"`
}

// RegulatorAction is one thing a regulator did, with its source.
type RegulatorAction struct {
	Regulator  string   `json:"regulator"`
	Action     string   `json:"action"`
	Amount     *float64 `json:"amount,omitempty"`
	Currency   string   `json:"currency,omitempty"`
	Stage      string   `json:"stage,omitempty"`
	Date       string   `json:"date,omitempty"`
	ArticleID  string   `json:"article_id"`
	ArticleURL string   `json:"article_url"`
	Quote      string   `json:"quote"`
}

// Source is an article that reported the incident.
type Source struct {
	ArticleID   string    `json:"article_id"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Outlet      string    `json:"outlet"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	// ExtractionMethod and FetchStatus are the article's (see Article):
	// whether the incident rests on its full text or on a feed summary.
	ExtractionMethod string `json:"extraction_method,omitempty"`
	FetchStatus      string `json:"fetch_status,omitempty"`
	// Official is true for a regulator's list row (a notice) or a
	// regulator's or filing feed: its count and cause outrank the news.
	Official bool `json:"official,omitempty"`
	// CauseQuote is the sentence the article's cause was read from.
	CauseQuote string `json:"cause_quote,omitempty"`
	// Match is why the article joined this incident (or began it), as
	// decided when it first arrived.
	Match *Match `json:"match,omitempty"`
	// What the article says of the event, for matching the next article
	// against all of them rather than against whichever came first: the
	// event's year (Dated when the article gives a date of its own, not
	// only its publication's), the cause it gives ("unknown" for none) and
	// the incident's date.
	Year  int    `json:"year,omitempty"`
	Dated bool   `json:"dated,omitempty"`
	Cause string `json:"cause,omitempty"`
	// IncidentDate is the date the article gives the incident itself
	// ("YYYY-MM-DD", "YYYY-MM" or "YYYY"), if any.
	IncidentDate string `json:"incident_date,omitempty"`
}

// Match is the indexer's decision for one article: the evidence score
// against the incident it joined, and its reasons ("same year", "count
// agrees"); for the article that began an incident, the best score any
// other incident of the organisation reached, if there was one.
type Match struct {
	Joined  bool     `json:"joined"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
}

// Article is a stored article with what the classifier made of it.
type Article struct {
	ID           string    `json:"id"`
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
	Title        string    `json:"title"`
	Outlet       string    `json:"outlet"`
	Byline       string    `json:"byline,omitempty"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	FetchedAt    time.Time `json:"fetched_at,omitzero"`
	Language     string    `json:"language,omitempty"`
	Text         string    `json:"text"`
	Feed         string    `json:"feed,omitempty"`
	// ExtractionMethod says where Text came from: "full_text" (the page's
	// main text), "feed_summary" (the feed item's own content, because the
	// page could not be read: FetchStatus says why) or "plain_text".
	ExtractionMethod string `json:"extraction_method,omitempty"`
	// FetchStatus is what became of the page: "ok", or why it was not read
	// ("too_large", "timeout", "extraction_budget_exceeded", ...); FetchNote
	// says more.
	FetchStatus      string  `json:"fetch_status,omitempty"`
	FetchNote        string  `json:"fetch_note,omitempty"`
	IsBreach         bool    `json:"is_breach"`
	Relevance        float64 `json:"relevance"`
	ExtractorVersion string  `json:"extractor_version"`
	IncidentID       string  `json:"incident_id,omitempty"`
	// Extraction is the classifier's full output as JSON (the classify
	// command's shape), kept for researchers and reprocessing.
	Extraction string `json:"extraction,omitempty"`
	// ExtractionProto is the extraction the indexer merged (binary
	// bw.v1.Extraction, its article's text left out: Text holds it), so
	// curation can rebuild an incident from its articles.
	ExtractionProto []byte `json:"extraction_proto,omitempty"`
}
