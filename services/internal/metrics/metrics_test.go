package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/metrics"
	"github.com/breachwire/breachwire/services/internal/natsd"
)

func TestStageCountersAndConsumerLag(t *testing.T) {
	srv, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect("metrics-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := bus.Declare(t.Context(), js, bus.DefaultTopology(bus.DefaultLimits())); err != nil {
		t.Fatal(err)
	}
	pub := bus.NewPublisher(js)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := pub.Publish(context.Background(), bus.SubjectDiscovered, id, []byte(id), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pub.Publish(context.Background(), "bw.dlq.scraper", "d1", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}

	m := metrics.New()
	m.WatchConsumers(js, []metrics.ConsumerRef{{Stage: bus.StageScraper, Stream: bus.StreamDiscovered}}, bus.StreamDLQ, nil)
	m.Processed("scraper")
	m.Processed("scraper")
	m.Failed("scraper", true)
	m.Failed("scraper", false)
	m.Redelivered("scraper")
	m.DeadLettered("scraper")

	want := `
# HELP breachwire_consumer_pending_messages Messages in the stream not yet delivered to the stage's consumer (lag).
# TYPE breachwire_consumer_pending_messages gauge
breachwire_consumer_pending_messages{stage="scraper"} 3
# HELP breachwire_dlq_messages Messages currently held in the dead-letter queue, per stage.
# TYPE breachwire_dlq_messages gauge
breachwire_dlq_messages{stage="scraper"} 1
# HELP breachwire_jetstream_up 1 when JetStream answered the last scrape's queries.
# TYPE breachwire_jetstream_up gauge
breachwire_jetstream_up 1
# HELP breachwire_stage_dead_lettered_total Messages sent to the dead-letter queue.
# TYPE breachwire_stage_dead_lettered_total counter
breachwire_stage_dead_lettered_total{stage="scraper"} 1
# HELP breachwire_stage_failed_total Handler failures, by kind (retryable or permanent).
# TYPE breachwire_stage_failed_total counter
breachwire_stage_failed_total{kind="permanent",stage="scraper"} 1
breachwire_stage_failed_total{kind="retryable",stage="scraper"} 1
# HELP breachwire_stage_processed_total Messages a stage handled successfully.
# TYPE breachwire_stage_processed_total counter
breachwire_stage_processed_total{stage="scraper"} 2
# HELP breachwire_stage_redelivered_total Messages received again after an earlier delivery.
# TYPE breachwire_stage_redelivered_total counter
breachwire_stage_redelivered_total{stage="scraper"} 1
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(want),
		"breachwire_consumer_pending_messages", "breachwire_dlq_messages", "breachwire_jetstream_up",
		"breachwire_stage_dead_lettered_total", "breachwire_stage_failed_total",
		"breachwire_stage_processed_total", "breachwire_stage_redelivered_total"); err != nil {
		t.Fatal(err)
	}

	// Handler time: one histogram per stage, every call observed.
	m.Handled("indexer", 3*time.Millisecond)
	m.Handled("indexer", 2*time.Second)
	if n := testutil.CollectAndCount(m.Registry, "breachwire_stage_handle_seconds"); n != 1 {
		t.Fatalf("%d handle-time series, want 1", n)
	}
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(`
# HELP breachwire_stage_handle_seconds Time one handler call took, whatever its result.
# TYPE breachwire_stage_handle_seconds histogram
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.0005"} 0
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.002"} 0
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.008"} 1
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.032"} 1
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.128"} 1
breachwire_stage_handle_seconds_bucket{stage="indexer",le="0.512"} 1
breachwire_stage_handle_seconds_bucket{stage="indexer",le="2.048"} 2
breachwire_stage_handle_seconds_bucket{stage="indexer",le="8.192"} 2
breachwire_stage_handle_seconds_bucket{stage="indexer",le="32.768"} 2
breachwire_stage_handle_seconds_bucket{stage="indexer",le="131.072"} 2
breachwire_stage_handle_seconds_bucket{stage="indexer",le="+Inf"} 2
breachwire_stage_handle_seconds_sum{stage="indexer"} 2.003
breachwire_stage_handle_seconds_count{stage="indexer"} 2
`), "breachwire_stage_handle_seconds"); err != nil {
		t.Fatal(err)
	}

	// With JetStream gone, the scrape still answers and says so.
	nc.Close()
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(`
# HELP breachwire_jetstream_up 1 when JetStream answered the last scrape's queries.
# TYPE breachwire_jetstream_up gauge
breachwire_jetstream_up 0
`), "breachwire_jetstream_up"); err != nil {
		t.Fatal(err)
	}
}
