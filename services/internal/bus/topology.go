package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Subjects of the pipeline.
const (
	SubjectDiscovered       = "bw.discovered"
	SubjectArticles         = "bw.articles"
	SubjectExtractions      = "bw.extractions"
	SubjectIncidentsNew     = "bw.incidents.new"
	SubjectIncidentsUpdated = "bw.incidents.updated"
	SubjectIncidentsAll     = "bw.incidents.>"
	SubjectDLQPrefix        = "bw.dlq."
	SubjectAlertsPrefix     = "bw.alerts."
	// SubjectAlertLogPrefix is where the alerter stores alerts (stream
	// ALERTS); the stream republishes each stored alert once on
	// bw.alerts.<id>, so a publish that JetStream drops as a duplicate never
	// reaches a subscriber twice.
	SubjectAlertLogPrefix = "bw.alertlog."
)

// Stream names.
const (
	StreamDiscovered  = "DISCOVERED"
	StreamArticles    = "ARTICLES"
	StreamExtractions = "EXTRACTIONS"
	StreamIncidents   = "INCIDENTS"
	StreamDLQ         = "DLQ"
	StreamAlerts      = "ALERTS"
)

// Stage names; each consuming stage owns one durable consumer of the same name.
const (
	StageFeeder     = "feeder"
	StageScraper    = "scraper"
	StageClassifier = "classifier"
	StageIndexer    = "indexer"
	StageAlerter    = "alerter"
	// StageWebhooks delivers alerts to subscribers' webhooks.
	StageWebhooks = "webhooks"
)

// KV bucket names.
const (
	BucketSeen          = "bw_seen"
	BucketFeeds         = "bw_feeds"
	BucketSubscriptions = "bw_subscriptions"
	BucketAlerted       = "bw_alerted"
)

// ConsumerDecl is a durable pull consumer bound to a stream.
type ConsumerDecl struct {
	Stream string
	Config jetstream.ConsumerConfig
}

// Topology is everything Declare creates.
type Topology struct {
	Streams   []jetstream.StreamConfig
	Consumers []ConsumerDecl
	Buckets   []jetstream.KeyValueConfig
}

// Limits bound every stream; when a stream is full, publishers get an error
// (DiscardNew) instead of the server silently dropping old messages.
type Limits struct {
	MaxBytes   int64         // per stream
	MaxMsgs    int64         // per stream
	Duplicates time.Duration // Nats-Msg-Id dedupe window
	MaxDeliver int           // deliveries before a message is dead-lettered
	AckWait    time.Duration // redelivery after a silent (crashed) consumer; live handlers send in-progress every AckWait/3
	SeenTTL    time.Duration // how long dedupe keys live in the seen-set
	Replicas   int
}

// DefaultLimits suit a single node on a laptop.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:   8 << 30,
		MaxMsgs:    5_000_000,
		Duplicates: 10 * time.Minute,
		MaxDeliver: 8,
		AckWait:    6 * time.Second, // a kill -9 is redelivered within seconds
		SeenTTL:    180 * 24 * time.Hour,
		Replicas:   1,
	}
}

// StageConsumers maps consuming stages to the stream they read.
var StageConsumers = map[string]string{
	StageScraper:    StreamDiscovered,
	StageClassifier: StreamArticles,
	StageIndexer:    StreamExtractions,
	StageAlerter:    StreamIncidents,
	StageWebhooks:   StreamAlerts,
}

// DefaultTopology is the design's topology with the given limits.
func DefaultTopology(l Limits) Topology {
	stream := func(name string, subjects []string, retention jetstream.RetentionPolicy) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name:       name,
			Subjects:   subjects,
			Retention:  retention,
			Discard:    jetstream.DiscardNew,
			MaxBytes:   l.MaxBytes,
			MaxMsgs:    l.MaxMsgs,
			Duplicates: l.Duplicates,
			Storage:    jetstream.FileStorage,
			Replicas:   l.Replicas,
		}
	}
	alerts := stream(StreamAlerts, []string{SubjectAlertLogPrefix + ">"}, jetstream.LimitsPolicy)
	alerts.RePublish = &jetstream.RePublish{Source: SubjectAlertLogPrefix + ">", Destination: SubjectAlertsPrefix + ">"}
	t := Topology{
		Streams: []jetstream.StreamConfig{
			stream(StreamDiscovered, []string{SubjectDiscovered}, jetstream.WorkQueuePolicy),
			stream(StreamArticles, []string{SubjectArticles}, jetstream.LimitsPolicy),
			stream(StreamExtractions, []string{SubjectExtractions}, jetstream.WorkQueuePolicy),
			stream(StreamIncidents, []string{SubjectIncidentsAll}, jetstream.LimitsPolicy),
			stream(StreamDLQ, []string{SubjectDLQPrefix + ">"}, jetstream.LimitsPolicy),
			alerts,
		},
		Buckets: []jetstream.KeyValueConfig{
			{Bucket: BucketSeen, TTL: l.SeenTTL, Storage: jetstream.FileStorage, Replicas: l.Replicas, Description: "dedupe keys of discovered items"},
			{Bucket: BucketFeeds, History: 1, Storage: jetstream.FileStorage, Replicas: l.Replicas, Description: "feed poll state and health"},
			{Bucket: BucketSubscriptions, History: 1, Storage: jetstream.FileStorage, Replicas: l.Replicas, Description: "alert subscriptions"},
			{Bucket: BucketAlerted, History: 1, Storage: jetstream.FileStorage, Replicas: l.Replicas, Description: "alerts published, per (subscription, incident, revision)"},
		},
	}
	for _, stage := range sortedKeys(StageConsumers) {
		t.Consumers = append(t.Consumers, ConsumerDecl{
			Stream: StageConsumers[stage],
			Config: jetstream.ConsumerConfig{
				Durable:       stage,
				Description:   "breachwire " + stage + " stage",
				AckPolicy:     jetstream.AckExplicitPolicy,
				AckWait:       l.AckWait,
				MaxDeliver:    l.MaxDeliver,
				MaxAckPending: 1000,
				DeliverPolicy: jetstream.DeliverAllPolicy,
			},
		})
	}
	return t
}

// Declare creates or updates every stream, consumer and bucket; running it again
// with the same topology changes nothing.
func Declare(ctx context.Context, js jetstream.JetStream, t Topology) error {
	for _, sc := range t.Streams {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("declare stream %s: %w", sc.Name, err)
		}
	}
	for _, c := range t.Consumers {
		if _, err := js.CreateOrUpdateConsumer(ctx, c.Stream, c.Config); err != nil {
			return fmt.Errorf("declare consumer %s on %s: %w", c.Config.Durable, c.Stream, err)
		}
	}
	for _, kv := range t.Buckets {
		if _, err := js.CreateOrUpdateKeyValue(ctx, kv); err != nil {
			return fmt.Errorf("declare kv bucket %s: %w", kv.Bucket, err)
		}
	}
	return nil
}
