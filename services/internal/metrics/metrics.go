// Package metrics holds breachwire's Prometheus registry: per-stage counters
// fed by the consumer runtime and consumer lag read from JetStream on scrape.
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics is the process's registry and the stage counters on it.
type Metrics struct {
	Registry     *prometheus.Registry
	processed    *prometheus.CounterVec
	failed       *prometheus.CounterVec
	redelivered  *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	handleTime   *prometheus.HistogramVec
	batchSize    *prometheus.HistogramVec
	bulkFailures *prometheus.CounterVec
	feeds        *feedMetrics
	alerts       *alertMetrics
	pageFetches  *prometheus.CounterVec
}

// New returns a registry with Go and process collectors and the stage counters.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_stage_processed_total", Help: "Messages a stage handled successfully.",
		}, []string{"stage"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_stage_failed_total", Help: "Handler failures, by kind (retryable or permanent).",
		}, []string{"stage", "kind"}),
		redelivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_stage_redelivered_total", Help: "Messages received again after an earlier delivery.",
		}, []string{"stage"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_stage_dead_lettered_total", Help: "Messages sent to the dead-letter queue.",
		}, []string{"stage"}),
		handleTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "breachwire_stage_handle_seconds", Help: "Time one handler call took, whatever its result.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10), // 0.5 ms .. about 131 s
		}, []string{"stage"}),
		batchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "breachwire_stage_batch_size", Help: "Messages in one batch a batch stage (the indexer) took.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
		}, []string{"stage"}),
		bulkFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_store_bulk_item_failures_total", Help: "Items of a batch write the store refused, by document kind and reason (conflict, rejected, error).",
		}, []string{"kind", "reason"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.processed, m.failed, m.redelivered, m.deadLettered, m.handleTime, m.batchSize, m.bulkFailures,
	)
	m.feeds = newFeedMetrics(m.Registry)
	m.alerts = newAlertMetrics(m.Registry)
	m.pageFetches = newPageFetches(m.Registry)
	return m
}

// Processed implements bus.Observer.
func (m *Metrics) Processed(stage string) { m.processed.WithLabelValues(stage).Inc() }

// Failed implements bus.Observer.
func (m *Metrics) Failed(stage string, permanent bool) {
	kind := "retryable"
	if permanent {
		kind = "permanent"
	}
	m.failed.WithLabelValues(stage, kind).Inc()
}

// Redelivered implements bus.Observer.
func (m *Metrics) Redelivered(stage string) { m.redelivered.WithLabelValues(stage).Inc() }

// DeadLettered implements bus.Observer.
func (m *Metrics) DeadLettered(stage string) { m.deadLettered.WithLabelValues(stage).Inc() }

// Handled implements bus.Observer.
func (m *Metrics) Handled(stage string, d time.Duration) {
	m.handleTime.WithLabelValues(stage).Observe(d.Seconds())
}

// Batched implements bus.Observer.
func (m *Metrics) Batched(stage string, n int) {
	m.batchSize.WithLabelValues(stage).Observe(float64(n))
}

// BulkItemFailed counts one item of a batch write the store refused.
func (m *Metrics) BulkItemFailed(kind, reason string) {
	m.bulkFailures.WithLabelValues(kind, reason).Inc()
}

// ConsumerRef names a durable consumer whose lag is reported.
type ConsumerRef struct{ Stage, Stream string }

// WatchConsumers reports, on each scrape, every consumer's pending and
// unacknowledged messages, and the depth of each stage's dead-letter subject.
func (m *Metrics) WatchConsumers(js jetstream.JetStream, refs []ConsumerRef, dlqStream string, log *slog.Logger) {
	m.Registry.MustRegister(&lagCollector{js: js, refs: refs, dlqStream: dlqStream, log: log})
}

var (
	pendingDesc = prometheus.NewDesc("breachwire_consumer_pending_messages",
		"Messages in the stream not yet delivered to the stage's consumer (lag).", []string{"stage"}, nil)
	ackPendingDesc = prometheus.NewDesc("breachwire_consumer_ack_pending_messages",
		"Messages delivered to the stage and not yet acknowledged.", []string{"stage"}, nil)
	dlqDepthDesc = prometheus.NewDesc("breachwire_dlq_messages",
		"Messages currently held in the dead-letter queue, per stage.", []string{"stage"}, nil)
	upDesc = prometheus.NewDesc("breachwire_jetstream_up",
		"1 when JetStream answered the last scrape's queries.", nil, nil)
)

type lagCollector struct {
	js        jetstream.JetStream
	refs      []ConsumerRef
	dlqStream string
	log       *slog.Logger
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pendingDesc
	ch <- ackPendingDesc
	ch <- dlqDepthDesc
	ch <- upDesc
}

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	up := 1.0
	for _, r := range c.refs {
		cons, err := c.js.Consumer(ctx, r.Stream, r.Stage)
		if err != nil {
			up = 0
			continue
		}
		info, err := cons.Info(ctx)
		if err != nil {
			up = 0
			continue
		}
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(info.NumPending), r.Stage)
		ch <- prometheus.MustNewConstMetric(ackPendingDesc, prometheus.GaugeValue, float64(info.NumAckPending), r.Stage)
	}
	if s, err := c.js.Stream(ctx, c.dlqStream); err == nil {
		if info, err := s.Info(ctx, jetstream.WithSubjectFilter(">")); err == nil {
			for subj, n := range info.State.Subjects {
				ch <- prometheus.MustNewConstMetric(dlqDepthDesc, prometheus.GaugeValue, float64(n), lastToken(subj))
			}
		} else {
			up = 0
		}
	} else {
		up = 0
	}
	if up == 0 && c.log != nil {
		c.log.Debug("metrics scrape could not read jetstream state")
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up)
}

func lastToken(subject string) string {
	for i := len(subject) - 1; i >= 0; i-- {
		if subject[i] == '.' {
			return subject[i+1:]
		}
	}
	return subject
}
