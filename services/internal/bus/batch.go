package bus

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// BatchHandler processes messages together and returns one result per
// message, each meaning what a Handler's result means: nil acks that
// message, a Permanent error dead-letters it, any other retries it. One
// message's failure is its own: the others are acked or retried by theirs.
type BatchHandler func(ctx context.Context, ms []*Message) []error

// ConsumeBatches is Consume for a batch handler: it pulls up to opts.Batch
// messages, waiting at most opts.BatchWait after the first for the rest,
// hands them over together, and settles each message by its own result.
// One batch runs at a time (opts.Concurrency is ignored); several
// processes share the durable consumer to scale out. A handler that
// panics has its batch handled again one message at a time, so that only
// the message that panics is dead-lettered.
func ConsumeBatches(ctx context.Context, js jetstream.JetStream, opts ConsumerOptions, handler BatchHandler) error {
	r, cons, err := openRunner(ctx, js, opts)
	if err != nil {
		return err
	}
	workCtx, finish := r.workContext(ctx)
	defer finish()
	var watchWG sync.WaitGroup
	watchWG.Go(func() { r.watchMaxDeliveries(ctx) })

	for ctx.Err() == nil {
		msgs := r.gather(ctx, cons)
		if ctx.Err() != nil {
			for _, msg := range msgs {
				_ = msg.Nak() // shutdown began before the batch started: give it back
			}
			break
		}
		if len(msgs) > 0 {
			r.processBatch(workCtx, msgs, handler)
		}
	}
	finish()
	watchWG.Wait()
	return nil
}

// gather pulls one batch: the first message waits up to FetchWait, the
// rest up to BatchWait after it.
func (r *runner) gather(ctx context.Context, cons jetstream.Consumer) []jetstream.Msg {
	fctx, cancel := context.WithTimeout(ctx, r.opts.FetchWait)
	defer cancel()
	first, err := cons.Fetch(1, jetstream.FetchContext(fctx))
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("pull failed", "err", err)
			sleepCtx(ctx, time.Second)
		}
		return nil
	}
	var msgs []jetstream.Msg
	for msg := range first.Messages() {
		msgs = append(msgs, msg)
	}
	if err := first.Error(); err != nil && ctx.Err() == nil &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
		r.log.Warn("pull ended with error", "err", err)
		sleepCtx(ctx, time.Second)
	}
	if len(msgs) == 0 || r.opts.Batch <= 1 {
		return msgs
	}
	rest, err := cons.Fetch(r.opts.Batch-1, jetstream.FetchMaxWait(r.opts.BatchWait))
	if err != nil {
		return msgs
	}
	for msg := range rest.Messages() {
		msgs = append(msgs, msg)
	}
	return msgs
}

func (r *runner) processBatch(ctx context.Context, msgs []jetstream.Msg, handler BatchHandler) {
	var (
		ms  []*Message
		raw []jetstream.Msg
	)
	for _, msg := range msgs {
		if m, ok := r.message(msg); ok {
			ms, raw = append(ms, m), append(raw, msg)
		}
	}
	if len(ms) == 0 {
		return
	}
	r.opts.Observer.Batched(r.opts.Stage, len(ms))
	stopBeat := r.heartbeat(raw)
	began := time.Now()
	errs, panicked := r.callBatch(ctx, ms, handler)
	if panicked != nil && len(ms) > 1 {
		r.log.Error("batch handler panicked; handling the batch one message at a time", "messages", len(ms), "err", panicked)
		errs = make([]error, len(ms))
		for i, m := range ms {
			one, p := r.callBatch(ctx, []*Message{m}, handler)
			if p != nil {
				errs[i] = p
			} else {
				errs[i] = one[0]
			}
		}
	} else if panicked != nil {
		errs = []error{panicked}
	}
	elapsed := time.Since(began)
	stopBeat()
	for i, m := range ms {
		r.opts.Observer.Handled(r.opts.Stage, elapsed)
		r.settle(ctx, raw[i], m, errs[i])
	}
}

// callBatch runs the handler; a panic, or a result of the wrong length,
// comes back as a permanent error.
func (r *runner) callBatch(ctx context.Context, ms []*Message, handler BatchHandler) (errs []error, panicked error) {
	defer func() {
		if p := recover(); p != nil {
			errs, panicked = nil, Permanentf("handler panic: %v\n%s", p, debug.Stack())
		}
	}()
	errs = handler(ctx, ms)
	if len(errs) != len(ms) {
		panic(fmt.Sprintf("batch handler returned %d results for %d messages", len(errs), len(ms)))
	}
	return errs, nil
}
