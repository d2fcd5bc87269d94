package bus_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/natsd"
)

const childEnv = "BW_BUS_TEST_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(dir)
		return
	}
	goleak.VerifyTestMain(m)
}

// testLimits make redelivery quick enough for tests.
func testLimits() bus.Limits {
	l := bus.DefaultLimits()
	l.MaxBytes = 64 << 20
	l.MaxMsgs = 100_000
	l.AckWait = 2 * time.Second
	l.MaxDeliver = 4
	l.SeenTTL = time.Hour
	return l
}

type env struct {
	srv *natsd.Embedded
	nc  *nats.Conn
	js  jetstream.JetStream
	pub *bus.Publisher
	dir string
}

func startEnv(t *testing.T, dir string) *env {
	t.Helper()
	srv, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Connect("test")
	if err != nil {
		srv.Shutdown()
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Declare(t.Context(), js, bus.DefaultTopology(testLimits())); err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, nc: nc, js: js, pub: bus.NewPublisher(js), dir: dir}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.nc != nil {
		e.nc.Close()
		e.srv.Shutdown()
		e.nc = nil
	}
}

func (e *env) publish(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		id := "m" + strconv.Itoa(i)
		if _, err := e.pub.Publish(t.Context(), bus.SubjectDiscovered, id, []byte(id), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) streamMsgs(t *testing.T, name string) uint64 {
	t.Helper()
	s, err := e.js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// counter is an Observer that counts.
type counter struct {
	mu                                      sync.Mutex
	processed, failed, redelivered, dlq, pf int
	handled, batches                        int
}

func (c *counter) Handled(string, time.Duration) { c.mu.Lock(); c.handled++; c.mu.Unlock() }
func (c *counter) Batched(string, int)           { c.mu.Lock(); c.batches++; c.mu.Unlock() }

func (c *counter) Processed(string)   { c.mu.Lock(); c.processed++; c.mu.Unlock() }
func (c *counter) Redelivered(string) { c.mu.Lock(); c.redelivered++; c.mu.Unlock() }
func (c *counter) DeadLettered(string) {
	c.mu.Lock()
	c.dlq++
	c.mu.Unlock()
}
func (c *counter) Failed(_ string, permanent bool) {
	c.mu.Lock()
	c.failed++
	if permanent {
		c.pf++
	}
	c.mu.Unlock()
}

// consume runs the runtime in the background; stop cancels it and waits.
func consume(t *testing.T, e *env, obs bus.Observer, h bus.Handler, tweak ...func(*bus.ConsumerOptions)) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts := bus.ConsumerOptions{
		Stage:        bus.StageScraper,
		Observer:     obs,
		Backoff:      func(uint64) time.Duration { return 50 * time.Millisecond },
		FetchWait:    500 * time.Millisecond,
		DrainTimeout: 5 * time.Second,
	}
	for _, f := range tweak {
		f(&opts)
	}
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, e.js, opts, h)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("consume returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTransientFailureIsRedeliveredThenProcessedOnce(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 1)
	var mu sync.Mutex
	calls, successes := 0, 0
	obs := &counter{}
	stop := consume(t, e, obs, func(ctx context.Context, m *bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if m.Deliveries < 3 {
			return errors.New("store briefly unavailable")
		}
		successes++
		return nil
	})
	waitFor(t, "success", func() bool { mu.Lock(); defer mu.Unlock(); return successes == 1 })
	waitFor(t, "ack", func() bool { return e.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop()
	if calls != 3 || successes != 1 {
		t.Fatalf("calls=%d successes=%d, want 3 and 1", calls, successes)
	}
	if obs.processed != 1 || obs.failed != 2 || obs.redelivered != 2 || obs.dlq != 0 || obs.handled != 3 {
		t.Fatalf("observer %+v", obs)
	}
	if n := e.streamMsgs(t, bus.StreamDLQ); n != 0 {
		t.Fatalf("dlq has %d messages", n)
	}
}

func TestPermanentFailureIsDeadLetteredAndNotRedelivered(t *testing.T) {
	e := startEnv(t, t.TempDir())
	if _, err := e.pub.Publish(t.Context(), bus.SubjectDiscovered, "bad-1", []byte("not a protobuf"),
		nats.Header{"Bw-Feed": []string{"example"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	calls := 0
	obs := &counter{}
	stop := consume(t, e, obs, func(ctx context.Context, m *bus.Message) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return bus.Permanentf("decode article: unexpected EOF")
	})
	waitFor(t, "dead letter", func() bool { return e.streamMsgs(t, bus.StreamDLQ) == 1 })
	// Longer than AckWait: a message that was not terminated would be back by now.
	time.Sleep(testLimits().AckWait + 500*time.Millisecond)
	stop()
	if calls != 1 {
		t.Fatalf("handler called %d times, want 1", calls)
	}
	if n := e.streamMsgs(t, bus.StreamDiscovered); n != 0 {
		t.Fatalf("source stream still holds %d messages", n)
	}
	dls, err := bus.NewDLQ(e.js).List(t.Context(), bus.StageScraper, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 {
		t.Fatalf("got %d dead letters", len(dls))
	}
	dl := dls[0]
	if string(dl.Data) != "not a protobuf" || dl.Subject != bus.SubjectDiscovered || dl.Stream != bus.StreamDiscovered ||
		dl.Deliveries != 1 || !dl.Permanent || dl.MsgID != "bad-1" || dl.Header.Get("Bw-Feed") != "example" {
		t.Fatalf("dead letter %+v", dl)
	}
	if want := "permanent: decode article: unexpected EOF"; dl.Error != want {
		t.Fatalf("error %q, want %q", dl.Error, want)
	}
	if obs.dlq != 1 || obs.pf != 1 || obs.processed != 0 {
		t.Fatalf("observer %+v", obs)
	}
}

// A failure that says when to come back (Retry-After) is not redelivered
// sooner, even when the backoff is shorter; what it asks is capped.
func TestRetryAfterDelaysRedelivery(t *testing.T) {
	for _, tc := range []struct {
		name       string
		after, cap time.Duration
		atLeast    time.Duration
	}{
		{"honoured", time.Second, 0, time.Second},
		{"capped", time.Hour, 300 * time.Millisecond, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEnv(t, t.TempDir())
			e.publish(t, 1)
			var mu sync.Mutex
			var at []time.Time
			var maxDeliveries uint64
			stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
				mu.Lock()
				defer mu.Unlock()
				at = append(at, time.Now())
				maxDeliveries = m.MaxDeliveries
				if m.Deliveries == 1 {
					return bus.RetryAfter(errors.New("upstream 429"), tc.after)
				}
				return nil
			}, func(o *bus.ConsumerOptions) { o.MaxRetryAfter = tc.cap })
			waitFor(t, "second delivery", func() bool { mu.Lock(); defer mu.Unlock(); return len(at) == 2 })
			stop()
			if gap := at[1].Sub(at[0]); gap < tc.atLeast {
				t.Errorf("redelivered after %v, asked for %v (cap %v)", gap, tc.after, tc.cap)
			}
			if maxDeliveries != uint64(testLimits().MaxDeliver) {
				t.Errorf("MaxDeliveries = %d, want %d", maxDeliveries, testLimits().MaxDeliver)
			}
		})
	}
}

func TestRetriesExhaustedAreDeadLettered(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 1)
	var mu sync.Mutex
	calls := 0
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return errors.New("upstream 503")
	})
	waitFor(t, "dead letter", func() bool { return e.streamMsgs(t, bus.StreamDLQ) == 1 })
	stop()
	if calls != testLimits().MaxDeliver {
		t.Fatalf("handler called %d times, want MaxDeliver=%d", calls, testLimits().MaxDeliver)
	}
	dls, err := bus.NewDLQ(e.js).List(t.Context(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].Permanent || dls[0].Deliveries != uint64(testLimits().MaxDeliver) || dls[0].Error != "upstream 503" {
		t.Fatalf("dead letters %+v", dls)
	}
}

func TestHandlerPanicIsDeadLettered(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 1)
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		var p *bus.Message
		_ = p.Data // nil dereference
		return nil
	})
	waitFor(t, "dead letter", func() bool { return e.streamMsgs(t, bus.StreamDLQ) == 1 })
	stop()
	dls, err := bus.NewDLQ(e.js).List(t.Context(), bus.StageScraper, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || !dls[0].Permanent {
		t.Fatalf("dead letters %+v", dls)
	}
}

func TestDuplicatePublishIsDropped(t *testing.T) {
	e := startEnv(t, t.TempDir())
	first, err := e.pub.Publish(t.Context(), bus.SubjectArticles, "article-42", []byte("v1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.pub.Publish(t.Context(), bus.SubjectArticles, "article-42", []byte("v1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || !second.Duplicate || second.Sequence != first.Sequence {
		t.Fatalf("first %+v second %+v", first, second)
	}
	if n := e.streamMsgs(t, bus.StreamArticles); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
	if _, err := e.pub.Publish(t.Context(), bus.SubjectArticles, "", []byte("v1"), nil); !errors.Is(err, bus.ErrNoMsgID) {
		t.Fatalf("publish without id: %v", err)
	}
}

func TestShutdownMidStreamLosesNothing(t *testing.T) {
	e := startEnv(t, t.TempDir())
	const total = 1000
	e.publish(t, total)
	var mu sync.Mutex
	processed := map[string]int{}
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		time.Sleep(time.Millisecond)
		mu.Lock()
		processed[string(m.Data)]++
		mu.Unlock()
		return nil
	})
	waitFor(t, "some progress", func() bool { mu.Lock(); defer mu.Unlock(); return len(processed) >= 100 })
	stop()

	mu.Lock()
	done := len(processed)
	mu.Unlock()
	if done >= total {
		t.Fatalf("all %d processed before shutdown; the test did not interrupt anything", done)
	}
	// What was not processed must still be in the (work-queue) stream.
	s, err := e.js.Stream(t.Context(), bus.StreamDiscovered)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	remaining := map[string]bool{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		raw, err := s.GetMsg(t.Context(), seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		remaining[string(raw.Data)] = true
	}
	for i := range total {
		id := "m" + strconv.Itoa(i)
		n := processed[id]
		if n == 0 && !remaining[id] {
			t.Errorf("%s was neither processed nor left in the stream", id)
		}
		if n > 0 && remaining[id] {
			t.Errorf("%s was processed but is still in the stream (ack lost)", id)
		}
	}
	if len(remaining)+done != total {
		t.Fatalf("processed %d + remaining %d != %d", done, len(remaining), total)
	}
	// The rest is processed by the next run.
	stop2 := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		mu.Lock()
		processed[string(m.Data)]++
		mu.Unlock()
		return nil
	})
	waitFor(t, "the rest", func() bool { mu.Lock(); defer mu.Unlock(); return len(processed) == total })
	stop2()
}

func TestUnackedMessageIsRedeliveredAfterProcessKill(t *testing.T) {
	dir := t.TempDir()
	e := startEnv(t, dir)
	// The shipped ack wait, not the tests' short one: the promise is that
	// a killed worker's message is back within 10 s.
	for _, c := range bus.DefaultTopology(bus.DefaultLimits()).Consumers {
		if c.Config.Durable == bus.StageScraper {
			if _, err := e.js.CreateOrUpdateConsumer(t.Context(), c.Stream, c.Config); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.publish(t, 1)
	e.close() // the child process needs the store to itself

	marker := filepath.Join(dir, "received")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "child to receive the message", func() bool { _, err := os.Stat(marker); return err == nil })
	// Held past the ack wait by heartbeats, it must not come back while the
	// child lives.
	time.Sleep(bus.DefaultLimits().AckWait + time.Second)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no ack, no nak, no shutdown
		t.Fatal(err)
	}
	killed := time.Now()
	_ = cmd.Wait()

	e2 := startEnv(t, dir)
	got := make(chan *bus.Message, 10)
	stop := consume(t, e2, nil, func(ctx context.Context, m *bus.Message) error {
		got <- m
		return nil
	})
	select {
	case m := <-got:
		if string(m.Data) != "m0" {
			t.Fatalf("redelivered %q", m.Data)
		}
		if m.Deliveries != 2 {
			t.Fatalf("delivery %d: the heartbeats did not hold the message while the child lived", m.Deliveries)
		}
		t.Logf("redelivered %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	case <-time.After(time.Until(killed.Add(10 * time.Second))):
		t.Fatal("message was not redelivered within 10 s of the kill")
	}
	waitFor(t, "ack", func() bool { return e2.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop()
	if len(got) != 0 {
		t.Fatalf("processed more than once: %d extra", len(got))
	}
}

// runChild takes the message and never answers, until it is killed.
func runChild(dir string) {
	srv, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	nc, err := srv.Connect("child")
	if err != nil {
		os.Exit(3)
	}
	js, _ := jetstream.New(nc)
	_ = bus.Consume(context.Background(), js, bus.ConsumerOptions{Stage: bus.StageScraper}, func(ctx context.Context, m *bus.Message) error {
		_ = os.WriteFile(filepath.Join(dir, "received"), m.Data, 0o600)
		select {} // killed here
	})
}

// TestMessagesWaitingForASlotKeepTheirAckWait pulls only what a free
// handler can start: with one slow handler, messages behind it must not
// time out and be delivered twice while they wait.
func TestMessagesWaitingForASlotKeepTheirAckWait(t *testing.T) {
	e := startEnv(t, t.TempDir())
	_, err := e.js.CreateOrUpdateConsumer(t.Context(), bus.StreamDiscovered, jetstream.ConsumerConfig{
		Durable: bus.StageScraper, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 300 * time.Millisecond, MaxDeliver: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	const total = 6
	e.publish(t, total)
	var (
		mu         sync.Mutex
		deliveries = map[string][]uint64{}
	)
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		time.Sleep(200 * time.Millisecond) // longer, in sum, than the ack wait
		mu.Lock()
		deliveries[string(m.Data)] = append(deliveries[string(m.Data)], m.Deliveries)
		mu.Unlock()
		return nil
	}, func(o *bus.ConsumerOptions) { o.Concurrency, o.Batch = 1, 16 })
	waitFor(t, "all handled", func() bool { return e.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(deliveries) != total {
		t.Fatalf("handled %d of %d: %v", len(deliveries), total, deliveries)
	}
	for id, d := range deliveries {
		if len(d) != 1 || d[0] != 1 {
			t.Errorf("%s delivered %v: it waited out its ack wait before a handler began", id, d)
		}
	}
}

func TestMessagePastMaxDeliverWithoutAnswerIsDeadLettered(t *testing.T) {
	e := startEnv(t, t.TempDir())
	// A consumer that takes messages and never answers (like a crashing worker).
	_, err := e.js.CreateOrUpdateConsumer(t.Context(), bus.StreamDiscovered, jetstream.ConsumerConfig{
		Durable: bus.StageScraper, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 300 * time.Millisecond, MaxDeliver: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The runtime watches advisories while it consumes; its handler never runs
	// because the silent fetcher below takes the message first.
	cons, err := e.js.Consumer(t.Context(), bus.StreamDiscovered, bus.StageScraper)
	if err != nil {
		t.Fatal(err)
	}
	e.publish(t, 1)
	for range 2 {
		b, err := cons.Fetch(1, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for range b.Messages() { // taken, not acked
		}
	}
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		t.Errorf("handler should not see a message past MaxDeliver")
		return nil
	})
	_ = stop
	// The advisory for the stuck message fires when the server next tries to
	// deliver it, after the runtime has subscribed.
	waitFor(t, "dead letter", func() bool { return e.streamMsgs(t, bus.StreamDLQ) == 1 })
	waitFor(t, "removal from work queue", func() bool { return e.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop()
	dls, err := bus.NewDLQ(e.js).List(t.Context(), bus.StageScraper, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || string(dls[0].Data) != "m0" || dls[0].Deliveries != 2 {
		t.Fatalf("dead letters %+v", dls)
	}
}

func TestDeclareIsIdempotent(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 3)
	for range 2 {
		if err := bus.Declare(t.Context(), e.js, bus.DefaultTopology(testLimits())); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.streamMsgs(t, bus.StreamDiscovered); n != 3 {
		t.Fatalf("redeclaring changed the stream: %d messages", n)
	}
	for _, s := range bus.DefaultTopology(testLimits()).Streams {
		st, err := e.js.Stream(t.Context(), s.Name)
		if err != nil {
			t.Fatal(err)
		}
		if st.CachedInfo().Config.Discard != jetstream.DiscardNew {
			t.Errorf("stream %s does not discard new", s.Name)
		}
	}
	for stage, stream := range bus.StageConsumers {
		c, err := e.js.Consumer(t.Context(), stream, stage)
		if err != nil {
			t.Fatal(err)
		}
		if cfg := c.CachedInfo().Config; cfg.MaxDeliver != testLimits().MaxDeliver || cfg.AckPolicy != jetstream.AckExplicitPolicy {
			t.Errorf("consumer %s: %+v", stage, cfg)
		}
	}
}

func TestFullStreamRefusesNewMessages(t *testing.T) {
	e := startEnv(t, t.TempDir())
	l := testLimits()
	l.MaxMsgs = 2
	if err := bus.Declare(t.Context(), e.js, bus.DefaultTopology(l)); err != nil {
		t.Fatal(err)
	}
	e.publish(t, 2)
	_, err := e.pub.Publish(t.Context(), bus.SubjectDiscovered, "overflow", []byte("x"), nil)
	if err == nil {
		t.Fatal("publish into a full stream succeeded")
	}
	if n := e.streamMsgs(t, bus.StreamDiscovered); n != 2 {
		t.Fatalf("stream holds %d, want the 2 accepted messages", n)
	}
}

func TestDLQReplayAndPurge(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 3)
	var mu sync.Mutex
	healed := false
	seen := map[string]int{}
	stop := consume(t, e, nil, func(ctx context.Context, m *bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if !healed {
			return bus.Permanentf("bad input")
		}
		seen[string(m.Data)]++
		return nil
	})
	waitFor(t, "three dead letters", func() bool { return e.streamMsgs(t, bus.StreamDLQ) == 3 })
	dlq := bus.NewDLQ(e.js)
	all, err := dlq.List(t.Context(), bus.StageScraper, 10)
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %v %d", err, len(all))
	}
	mu.Lock()
	healed = true
	mu.Unlock()
	n, err := dlq.Replay(t.Context(), bus.StageScraper, []uint64{all[0].Seq})
	if err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	// Handlers run concurrently, so the first dead letter is any of the three.
	replayed := string(all[0].Data)
	waitFor(t, "replayed message", func() bool { mu.Lock(); defer mu.Unlock(); return seen[replayed] == 1 })
	if got := e.streamMsgs(t, bus.StreamDLQ); got != 2 {
		t.Fatalf("dlq holds %d after replaying one, want 2", got)
	}
	if _, err := dlq.Replay(t.Context(), bus.StageClassifier, []uint64{all[1].Seq}); err == nil {
		t.Fatal("replaying a scraper entry as classifier succeeded")
	}
	purged, err := dlq.Purge(t.Context(), bus.StageScraper)
	if err != nil || purged != 2 {
		t.Fatalf("purge: %d %v", purged, err)
	}
	if got := e.streamMsgs(t, bus.StreamDLQ); got != 0 {
		t.Fatalf("dlq holds %d after purge", got)
	}
	if _, err := dlq.List(t.Context(), "a.b", 1); err == nil {
		t.Fatal("listing an invalid stage name succeeded")
	}
	stop()
}
