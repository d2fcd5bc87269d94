package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/fetchstatus"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/store"
)

// maxConflicts bounds read-merge-write retries when other indexers win.
const maxConflicts = 10

// Stage returns the indexer stage; it writes to the process's store.
func Stage() pipeline.Stage {
	return pipeline.Stage{Name: bus.StageIndexer, Run: func(ctx context.Context, d pipeline.Deps) error {
		h := &Handler{Store: d.Store, Pub: d.Publisher, Log: d.Logger}
		if d.Metrics != nil {
			h.Metrics = d.Metrics
		}
		opts := bus.ConsumerOptions{Stage: bus.StageIndexer, Logger: d.Logger, Observer: d.Observer}
		if d.Config != nil {
			opts.Batch, opts.BatchWait = d.Config.IndexBatch, d.Config.IndexBatchWait
		}
		return bus.ConsumeBatches(ctx, d.JS, opts, h.HandleBatch)
	}}
}

// Handler stores one extraction: its article always, and for a breach its
// incident, then announces material changes. The message is acked (by
// returning nil) only after the store confirmed every write.
type Handler struct {
	Store store.Store
	Pub   *bus.Publisher
	Log   *slog.Logger
	// Metrics counts the items of batch writes the store refused (may be nil).
	Metrics interface{ BulkItemFailed(kind, reason string) }

	recentOnce sync.Once
	recentW    *recentWrites
}

// recent are the incidents this handler wrote lately (recent.go).
func (h *Handler) recent() *recentWrites {
	h.recentOnce.Do(func() { h.recentW = newRecentWrites() })
	return h.recentW
}

// Handle processes one bw.extractions message.
func (h *Handler) Handle(ctx context.Context, m *bus.Message) error {
	var x bwv1.Extraction
	if err := proto.Unmarshal(m.Data, &x); err != nil {
		return bus.Permanentf("decode extraction: %w", err)
	}
	if x.GetArticleId() == "" || x.GetArticle() == nil {
		return bus.Permanentf("extraction without its article")
	}
	return h.handle(ctx, &x)
}

// handle stores one decoded extraction: its incident, then its article.
func (h *Handler) handle(ctx context.Context, x *bwv1.Extraction) error {
	var incidentID string
	if isIncident(x) {
		inc, err := h.mergeIncident(ctx, x)
		if err != nil {
			return err
		}
		incidentID = inc.ID
	}
	if err := h.Store.PutArticle(ctx, articleOf(x, incidentID)); err != nil {
		return storeErr("store article", err)
	}
	return nil
}

func storeErr(what string, err error) error {
	if errors.Is(err, store.ErrRejected) {
		return bus.Permanentf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// backoff waits before another attempt after a conflict: exponential with
// jitter, at most a second.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(5<<attempt)*time.Millisecond + time.Duration(rand.Int64N(int64(5*time.Millisecond)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(d, time.Second)):
		return nil
	}
}

// mergeIncident reads the candidate incidents, merges, and writes with
// optimistic concurrency, retrying when another indexer wrote first. An
// article a curator placed in an incident goes back to it, whatever its
// extraction now matches.
func (h *Handler) mergeIncident(ctx context.Context, x *bwv1.Extraction) (*store.Incident, error) {
	keys := orgKeys(x.GetOrganisation().GetName(), x.GetOrganisation().GetAliases())
	pin, err := h.pinned(ctx, x.GetArticleId())
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		var (
			existing *store.Incident
			id       string
			decision *store.Match
			version  store.Version
		)
		if pin != "" {
			existing, version, err = h.Store.GetIncident(ctx, pin)
			switch {
			case err == nil:
				id = pin
			case errors.Is(err, store.ErrNotFound): // merged away since: match afresh
				existing, pin = nil, ""
			default:
				return nil, storeErr("read incident", err)
			}
		}
		if pin == "" {
			names := h.recent().names(storeNames(h.Store), nil)
			cands, err := names.byKeys(ctx, keys)
			if err != nil {
				return nil, storeErr("find incidents", err)
			}
			variants, err := variantCandidates(ctx, names, x, cands)
			if err != nil {
				return nil, storeErr("find incidents by name", err)
			}
			existing, id, decision = pickIncident(cands, variants, x)
			if existing != nil {
				// Read the document itself for its version: search results may lag.
				existing, version, err = h.Store.GetIncident(ctx, id)
				if err != nil {
					return nil, storeErr("read incident", err)
				}
			} else if got, v, err := h.Store.GetIncident(ctx, id); err == nil {
				// Created meanwhile under the same id, by another indexer, for
				// this event or another of the organisation's that year: score
				// it like any candidate rather than merge into it blindly.
				if s, _ := matchScore(got, x); s <= matchThreshold {
					if attempt >= maxConflicts {
						// Retryable: by the next delivery the search will
						// return it as a candidate, and another id is taken.
						return nil, fmt.Errorf("incident %s, created meanwhile, is another event and not yet searchable", id)
					}
					if err := backoff(ctx, attempt); err != nil {
						return nil, err
					}
					continue
				}
				existing, version = got, v
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, storeErr("read incident", err)
			}
		}
		merged, changed, changes := Merge(existing, id, x)
		changed = recordMatch(merged, x.GetArticleId(), decision) || changed
		if !changed {
			// Already merged (a replay). Announce again if this article made
			// the current revision: the first announcement may have failed.
			if merged.RevisionArticle == x.GetArticleId() {
				return merged, announce(ctx, h.Pub, merged, merged.Changes)
			}
			return merged, nil
		}
		nv, err := h.Store.PutIncident(ctx, merged, version)
		if errors.Is(err, store.ErrConflict) {
			h.recent().forget(id)
		}
		if errors.Is(err, store.ErrConflict) && attempt < maxConflicts {
			// Another indexer wrote first; its write may take a moment to
			// be readable. Back off with jitter, then read again.
			if err := backoff(ctx, attempt); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, storeErr("write incident", err)
		}
		h.recent().put(merged, nv)
		if len(changes) > 0 {
			return merged, announce(ctx, h.Pub, merged, changes)
		}
		return merged, nil
	}
}

// pinned is the incident a curator placed the article in, or "".
func (h *Handler) pinned(ctx context.Context, articleID string) (string, error) {
	a, err := h.Store.GetArticle(ctx, articleID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", storeErr("read article", err)
	}
	return h.pinnedStored(ctx, a)
}

// pinnedStored is pinned for the stored article a.
func (h *Handler) pinnedStored(ctx context.Context, a *store.Article) (string, error) {
	articleID := a.ID
	if a.IncidentID == "" {
		return "", nil
	}
	inc, _, err := h.Store.GetIncident(ctx, a.IncidentID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", storeErr("read incident", err)
	}
	if slices.Contains(inc.Pinned, articleID) {
		return inc.ID, nil
	}
	return "", nil
}

// announce publishes bw.incidents.new or .updated with a message id per
// (incident, revision), so repeats are stored once.
func announce(ctx context.Context, pub *bus.Publisher, inc *store.Incident, changes []store.Change) error {
	kind, subject := bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED, bus.SubjectIncidentsUpdated
	if inc.Revision == 1 {
		kind, subject = bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_NEW, bus.SubjectIncidentsNew
	}
	ev := &bwv1.IncidentEvent{
		EventId:    inc.ID + "@" + strconv.FormatInt(inc.Revision, 10),
		Kind:       kind,
		Incident:   IncidentProto(inc),
		OccurredAt: timestamppb.New(inc.LastUpdated),
	}
	for _, c := range changes {
		ev.Changes = append(ev.Changes, &bwv1.Change{Field: c.Field, Kind: changeKind(c.Kind), OldValue: c.OldValue, NewValue: c.NewValue, ArticleId: c.ArticleID})
	}
	// JSON (protojson, proto field names): journalists may read
	// bw.incidents.> with `nats sub` and jq, as they read their alerts.
	data, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(ev)
	if err != nil {
		return bus.Permanentf("encode incident event: %w", err)
	}
	hdr := nats.Header{}
	hdr.Set("Content-Type", "application/json")
	_, err = pub.Publish(ctx, subject, "incident:"+ev.EventId, data, hdr)
	return err
}

// changeKind is the enum of a store.Change kind; "new" has none (0).
func changeKind(k string) bwv1.ChangeKind {
	return bwv1.ChangeKind(enumNumber(bwv1.ChangeKind(0).Descriptor(), k))
}

// IncidentProto is the incident as it travels on bw.incidents.* and in
// alerts: everything a subscriber needs to read it without the store.
func IncidentProto(inc *store.Incident) *bwv1.Incident {
	p := &bwv1.Incident{
		Id: inc.ID, Revision: inc.Revision,
		Organisation:      &bwv1.Organisation{Name: inc.Organisation.Name, Aliases: inc.Organisation.Aliases},
		Jurisdiction:      inc.Jurisdiction,
		ExtractorVersions: inc.ExtractorVersions,
		Cause:             &bwv1.IncidentCause{Primary: causeEnum(inc.Cause.Primary)},
	}
	for _, c := range inc.Cause.Contributing {
		p.Cause.Contributing = append(p.Cause.Contributing, causeEnum(c))
	}
	if !inc.FirstReported.IsZero() {
		p.FirstReported = timestamppb.New(inc.FirstReported)
	}
	if !inc.LastUpdated.IsZero() {
		p.LastUpdated = timestamppb.New(inc.LastUpdated)
	}
	for _, d := range inc.DataTypes {
		if v := bwv1.DataType(enumNumber(bwv1.DataType(0).Descriptor(), d)); v != 0 && !slices.Contains(p.DataTypes, v) {
			p.DataTypes = append(p.DataTypes, v)
		}
	}
	slices.Sort(p.DataTypes)
	if r := inc.Records; r != nil {
		p.Records = &bwv1.IncidentRecords{
			Qualifier: bwv1.RecordsQualifier(enumNumber(bwv1.RecordsQualifier(0).Descriptor(), r.Qualifier)),
			Unit:      bwv1.RecordsUnit(enumNumber(bwv1.RecordsUnit(0).Descriptor(), r.Unit)),
			Kind:      bwv1.RecordsKind(enumNumber(bwv1.RecordsKind(0).Descriptor(), r.Kind)),
			Basis:     headlineBasis(r.Basis)}
		n, known := r.Count()
		if known {
			p.Records.Value, p.Records.ValueMax = n, r.ValueMax
		} else {
			// The wire's unknown count: value 0 with the qualifier that
			// tells a reader the 0 is not a number.
			p.Records.Qualifier = bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN
		}
		for _, v := range r.Reported {
			rv := &bwv1.ReportedValue{Value: v.Value, ArticleId: v.ArticleID, ArticleUrl: v.ArticleURL, Quote: v.Quote,
				Qualifier: bwv1.RecordsQualifier(enumNumber(bwv1.RecordsQualifier(0).Descriptor(), v.Qualifier)),
				Unit:      bwv1.RecordsUnit(enumNumber(bwv1.RecordsUnit(0).Descriptor(), v.Unit)),
				Kind:      bwv1.RecordsKind(enumNumber(bwv1.RecordsKind(0).Descriptor(), v.Kind))}
			if !v.PublishedAt.IsZero() {
				rv.PublishedAt = timestamppb.New(v.PublishedAt)
			}
			if known && v.Value == n && p.Records.ArticleId == "" {
				p.Records.ArticleId = v.ArticleID
			}
			p.Records.Reported = append(p.Records.Reported, rv)
		}
	}
	for _, a := range inc.RegulatorActions {
		ra := &bwv1.RegulatorAction{Regulator: a.Regulator, Currency: a.Currency, Date: a.Date,
			Action: bwv1.RegulatorActionType(enumNumber(bwv1.RegulatorActionType(0).Descriptor(), a.Action)),
			Stage:  bwv1.RegulatorActionStage(enumNumber(bwv1.RegulatorActionStage(0).Descriptor(), a.Stage))}
		if a.Quote != "" {
			ra.Evidence = &bwv1.Evidence{Text: a.Quote}
		}
		if a.Amount != nil {
			v := classifier.MinorAmount(*a.Amount, a.Currency)
			ra.AmountMinor = &v
		}
		p.RegulatorActions = append(p.RegulatorActions, &bwv1.IncidentRegulatorAction{Action: ra, ArticleId: a.ArticleID, ArticleUrl: a.ArticleURL})
	}
	for _, s := range inc.Sources {
		src := &bwv1.Source{ArticleId: s.ArticleID, Url: s.URL, Title: s.Title, Outlet: s.Outlet}
		if !s.PublishedAt.IsZero() {
			src.PublishedAt = timestamppb.New(s.PublishedAt)
		}
		p.Sources = append(p.Sources, src)
	}
	return p
}

// enumNumber is the value of enum d named by the lower-case word the store
// keeps (software_bug_upgrade → CAUSE_SOFTWARE_BUG_UPGRADE); 0 when unknown.
func enumNumber(d protoreflect.EnumDescriptor, word string) protoreflect.EnumNumber {
	if word == "" {
		return 0
	}
	prefix := strings.TrimSuffix(string(d.Values().ByNumber(0).Name()), "UNSPECIFIED")
	if v := d.Values().ByName(protoreflect.Name(prefix + upper(word))); v != nil {
		return v.Number()
	}
	return 0
}

func headlineBasis(b string) bwv1.HeadlineBasis {
	switch b {
	case "single":
		return bwv1.HeadlineBasis_HEADLINE_BASIS_SINGLE_SOURCE
	case "official":
		return bwv1.HeadlineBasis_HEADLINE_BASIS_OFFICIAL_SOURCE
	case "agreement":
		return bwv1.HeadlineBasis_HEADLINE_BASIS_AGREEMENT
	case "recency":
		return bwv1.HeadlineBasis_HEADLINE_BASIS_RECENCY
	}
	return bwv1.HeadlineBasis_HEADLINE_BASIS_UNSPECIFIED
}

func causeEnum(w string) bwv1.Cause {
	return bwv1.Cause(enumNumber(bwv1.Cause(0).Descriptor(), w))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// articleOf is the stored form of the extraction's article.
func articleOf(x *bwv1.Extraction, incidentID string) *store.Article {
	a := x.GetArticle()
	out := &store.Article{
		ID: x.GetArticleId(), URL: a.GetUrl(), CanonicalURL: a.GetCanonicalUrl(), Title: a.GetTitle(), Outlet: a.GetOutlet(),
		Byline: a.GetByline(), Language: a.GetLanguage(), Text: a.GetText(), Feed: a.GetFeed(),
		ExtractionMethod: fetchstatus.Method(a.GetExtractionMethod()), FetchStatus: fetchstatus.Name(a.GetFetchStatus()), FetchNote: a.GetFetchNote(),
		IsBreach: x.GetIsBreach(), Relevance: x.GetRelevance(), ExtractorVersion: x.GetExtractorVersion(), IncidentID: incidentID,
	}
	if a.GetPublishedAt() != nil {
		out.PublishedAt = a.GetPublishedAt().AsTime().UTC()
	}
	if a.GetFetchedAt() != nil {
		out.FetchedAt = a.GetFetchedAt().AsTime().UTC()
	}
	if b, err := json.Marshal(classifier.Render(out.ID, x)); err == nil {
		out.Extraction = string(b)
	}
	// The text is the article's own field; the extraction keeps the rest.
	text := a.GetText()
	a.Text = ""
	out.ExtractionProto, _ = proto.Marshal(x)
	a.Text = text
	return out
}
