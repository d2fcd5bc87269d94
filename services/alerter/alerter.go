package alerter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/match"
)

// Stage returns the alerter stage: bw.incidents.* in, bw.alerts.<id> out.
func Stage() pipeline.Stage {
	return pipeline.Stage{Name: bus.StageAlerter, Run: func(ctx context.Context, d pipeline.Deps) error {
		ix, err := OpenIndex(ctx, d.JS, d.Logger)
		if err != nil {
			return err
		}
		defer ix.Close()
		a, err := New(ctx, d.JS, d.Store, ix, d.Logger)
		if err != nil {
			return err
		}
		if d.Metrics != nil {
			a.Recorder = d.Metrics
			ix.SetRecorder(d.Metrics)
		}
		return bus.Consume(ctx, d.JS, bus.ConsumerOptions{Stage: bus.StageAlerter, Logger: d.Logger, Observer: d.Observer}, a.Handle)
	}}
}

// IncidentGetter is the part of the store the alerter reads.
type IncidentGetter interface {
	GetIncident(ctx context.Context, id string) (*store.Incident, store.Version, error)
}

// Recorder counts what the alerter and the webhooks do; the process's
// metrics implement it.
type Recorder interface {
	AlertPublished(kind string)
	WebhookAttempt(result string)
	Subscriptions(n int)
}

type nopRecorder struct{}

func (nopRecorder) AlertPublished(string) {}
func (nopRecorder) WebhookAttempt(string) {}
func (nopRecorder) Subscriptions(int)     {}

// Alerter matches incident events against subscriptions and publishes one
// alert per (subscription, incident, revision).
type Alerter struct {
	// Recorder counts published alerts (default: none).
	Recorder Recorder

	store IncidentGetter
	index *Index
	pub   *bus.Publisher
	sent  jetstream.KeyValue
	log   *slog.Logger
}

// New returns an alerter over the process's store and subscription index.
func New(ctx context.Context, js jetstream.JetStream, st IncidentGetter, ix *Index, log *slog.Logger) (*Alerter, error) {
	sent, err := js.KeyValue(ctx, bus.BucketAlerted)
	if err != nil {
		return nil, fmt.Errorf("alerted bucket: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Alerter{Recorder: nopRecorder{}, store: st, index: ix, pub: bus.NewPublisher(js), sent: sent, log: log}, nil
}

// deliveryConcurrency bounds the alerts of one event published at once.
const deliveryConcurrency = 16

// Handle processes one bw.incidents.* message.
func (a *Alerter) Handle(ctx context.Context, m *bus.Message) error {
	var ev bwv1.IncidentEvent
	if err := decodeEvent(m.Data, &ev); err != nil {
		return bus.Permanentf("decode incident event: %w", err)
	}
	id, rev := ev.GetIncident().GetId(), ev.GetIncident().GetRevision()
	if id == "" || rev < 1 || ev.GetKind() == bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UNSPECIFIED {
		return bus.Permanentf("incident event without incident id, revision or kind")
	}
	// Match the incident as search sees it: the stored document, which is
	// this revision or a later one (never older: the indexer announces
	// only after the store confirmed the write).
	inc, _, err := a.store.GetIncident(ctx, id)
	if err != nil {
		return fmt.Errorf("read incident %s: %w", id, err)
	}
	if inc.Revision < rev {
		return fmt.Errorf("incident %s: the store has revision %d, the event %d", id, inc.Revision, rev)
	}
	if err := a.index.Sync(ctx); err != nil {
		return err
	}
	subs := a.index.Matching(inc, ev.GetKind() == bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(deliveryConcurrency)
	for _, s := range subs {
		g.Go(func() error { return a.deliver(gctx, s, &ev) })
	}
	return g.Wait()
}

// decodeEvent reads an incident event as the indexer publishes it
// (protojson), or in the binary form earlier versions published.
func decodeEvent(data []byte, ev *bwv1.IncidentEvent) error {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, ev)
	}
	return proto.Unmarshal(data, ev)
}

// Matching returns the subscriptions to alert about inc: those whose query
// matches it and, for an update, that asked for updates.
func (ix *Index) Matching(inc *store.Incident, update bool) []*Subscription {
	doc := match.NewDoc(inc)
	var out []*Subscription
	for _, c := range ix.snapshot() {
		if update && !c.sub.Updates {
			continue
		}
		if c.query.Match(doc) {
			out = append(out, c.sub)
		}
	}
	return out
}

// AlertID is the deterministic id of (subscription, incident, revision).
func AlertID(subscriptionID, incidentID string, revision int64) string {
	sum := sha256.Sum256([]byte(subscriptionID + "\x00" + incidentID + "@" + strconv.FormatInt(revision, 10)))
	return hex.EncodeToString(sum[:16])
}

// MarshalAlert renders an alert as the public JSON of bw.alerts.*:
// protojson with the proto field names, so jq filters read like the schema.
func MarshalAlert(a *bwv1.Alert) ([]byte, error) {
	return protojson.MarshalOptions{UseProtoNames: true}.Marshal(a)
}

// deliver publishes the alert of ev for s unless it was published before.
// The alerted bucket remembers every alert for good; the stream's
// duplicate window covers a crash between the publish and that record.
func (a *Alerter) deliver(ctx context.Context, s *Subscription, ev *bwv1.IncidentEvent) error {
	inc := ev.GetIncident()
	id := AlertID(s.ID, inc.GetId(), inc.GetRevision())
	_, err := a.sent.Get(ctx, id)
	switch {
	case err == nil:
		return nil // delivered before: a replayed event
	case !errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("alert %s: read delivery record: %w", id, err)
	}
	alert := &bwv1.Alert{
		AlertId: id, SubscriptionId: s.ID, SubscriptionName: s.Name, Kind: ev.GetKind(),
		Incident: inc, Changes: ev.GetChanges(), EventId: ev.GetEventId(), OccurredAt: ev.GetOccurredAt(),
	}
	data, err := MarshalAlert(alert)
	if err != nil {
		return bus.Permanentf("encode alert: %w", err)
	}
	hdr := nats.Header{}
	hdr.Set("Content-Type", "application/json")
	ack, err := a.pub.Publish(ctx, logSubject(s.ID), "alert:"+id, data, hdr)
	if err != nil {
		return err
	}
	if _, err := a.sent.Put(ctx, id, []byte(strconv.FormatUint(ack.Sequence, 10))); err != nil {
		return fmt.Errorf("alert %s: record delivery: %w", id, err)
	}
	kind := "new"
	if ev.GetKind() == bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED {
		kind = "updated"
	}
	if !ack.Duplicate {
		a.Recorder.AlertPublished(kind)
	}
	a.log.Debug("alert published", "subscription", s.ID, "incident", inc.GetId(), "revision", inc.GetRevision())
	return nil
}
