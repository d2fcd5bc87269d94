package bus_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/internal/bus"
)

// consumeBatches is consume for a batch handler.
func consumeBatches(t *testing.T, e *env, obs bus.Observer, h bus.BatchHandler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts := bus.ConsumerOptions{
		Stage:        bus.StageScraper,
		Observer:     obs,
		Batch:        16,
		BatchWait:    100 * time.Millisecond,
		Backoff:      func(uint64) time.Duration { return 50 * time.Millisecond },
		FetchWait:    500 * time.Millisecond,
		DrainTimeout: 5 * time.Second,
	}
	done := make(chan error, 1)
	go func() { done <- bus.ConsumeBatches(ctx, e.js, opts, h) }()
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

// Messages come in batches, and each is settled by its own result: one
// transient failure is retried alone, one permanent failure is
// dead-lettered alone, the rest are acked once.
func TestBatchMessagesAreSettledAlone(t *testing.T) {
	e := startEnv(t, t.TempDir())
	const total = 40
	e.publish(t, total)
	var mu sync.Mutex
	calls := map[string]int{}
	var sizes []int
	obs := &counter{}
	stop := consumeBatches(t, e, obs, func(ctx context.Context, ms []*bus.Message) []error {
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(ms))
		errs := make([]error, len(ms))
		for i, m := range ms {
			id := string(m.Data)
			calls[id]++
			switch {
			case id == "m3" && m.Deliveries == 1:
				errs[i] = errors.New("store briefly unavailable")
			case id == "m7":
				errs[i] = bus.Permanentf("malformed")
			}
		}
		return errs
	})
	waitFor(t, "every message settled", func() bool {
		return e.streamMsgs(t, bus.StreamDiscovered) == 0 && e.streamMsgs(t, bus.StreamDLQ) == 1
	})
	stop()
	for i := range total {
		id := "m" + strconv.Itoa(i)
		want := 1
		if id == "m3" {
			want = 2
		}
		if calls[id] != want {
			t.Errorf("%s handled %d times, want %d", id, calls[id], want)
		}
	}
	if slices.Max(sizes) < 2 {
		t.Errorf("batch sizes %v: never more than one message", sizes)
	}
	if slices.Max(sizes) > 16 {
		t.Errorf("batch sizes %v: more than the configured 16", sizes)
	}
	if obs.batches != len(sizes) || obs.processed != total-1 || obs.dlq != 1 || obs.failed != 2 {
		t.Errorf("observer %+v for batches %v", obs, sizes)
	}
	dls, err := bus.NewDLQ(e.js).List(t.Context(), bus.StageScraper, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || string(dls[0].Data) != "m7" {
		t.Fatalf("dead letters %+v, want m7 alone", dls)
	}
}

// A batch handler that panics on one message has its batch handled one
// message at a time: only that message is dead-lettered.
func TestBatchPanicDeadLettersOnlyItsMessage(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 20)
	var mu sync.Mutex
	done := map[string]int{}
	stop := consumeBatches(t, e, nil, func(ctx context.Context, ms []*bus.Message) []error {
		for _, m := range ms {
			if string(m.Data) == "m5" {
				panic("malformed message")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, m := range ms {
			done[string(m.Data)]++
		}
		return make([]error, len(ms))
	})
	waitFor(t, "settled", func() bool {
		return e.streamMsgs(t, bus.StreamDiscovered) == 0 && e.streamMsgs(t, bus.StreamDLQ) == 1
	})
	stop()
	for i := range 20 {
		id := "m" + strconv.Itoa(i)
		if n := done[id]; (id == "m5") != (n == 0) || n > 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
	dls, err := bus.NewDLQ(e.js).List(t.Context(), bus.StageScraper, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || string(dls[0].Data) != "m5" || !dls[0].Permanent {
		t.Fatalf("dead letters %+v, want m5 alone", dls)
	}
}

// A handler returning the wrong number of results is a bug: its messages
// are handled again one at a time rather than acked blindly.
func TestBatchWrongResultCountIsNotAcked(t *testing.T) {
	e := startEnv(t, t.TempDir())
	e.publish(t, 6)
	var mu sync.Mutex
	singles := 0
	stop := consumeBatches(t, e, nil, func(ctx context.Context, ms []*bus.Message) []error {
		if len(ms) > 1 {
			return nil
		}
		mu.Lock()
		singles++
		mu.Unlock()
		return []error{nil}
	})
	waitFor(t, "settled", func() bool { return e.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop()
	if singles != 6 {
		t.Errorf("%d messages handled alone, want 6", singles)
	}
	if n := e.streamMsgs(t, bus.StreamDLQ); n != 0 {
		t.Errorf("%d dead letters", n)
	}
}

// Stopping mid-stream loses nothing: what a batch handler did not settle
// is still in the stream, and the next run takes it.
func TestBatchShutdownMidStreamLosesNothing(t *testing.T) {
	e := startEnv(t, t.TempDir())
	const total = 600
	e.publish(t, total)
	var mu sync.Mutex
	processed := map[string]int{}
	handler := func(ctx context.Context, ms []*bus.Message) []error {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for _, m := range ms {
			processed[string(m.Data)]++
		}
		return make([]error, len(ms))
	}
	stop := consumeBatches(t, e, nil, handler)
	waitFor(t, "some progress", func() bool { mu.Lock(); defer mu.Unlock(); return len(processed) >= 50 })
	stop()
	mu.Lock()
	done := len(processed)
	mu.Unlock()
	if done >= total {
		t.Fatalf("all %d processed before shutdown; the test did not interrupt anything", done)
	}
	stop2 := consumeBatches(t, e, nil, handler)
	waitFor(t, "the rest", func() bool { mu.Lock(); defer mu.Unlock(); return len(processed) == total })
	waitFor(t, "acks", func() bool { return e.streamMsgs(t, bus.StreamDiscovered) == 0 })
	stop2()
	for id, n := range processed {
		if n != 1 {
			t.Errorf("%s processed %d times", id, n)
		}
	}
}
