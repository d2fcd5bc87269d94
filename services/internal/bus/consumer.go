package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Message is what a stage's handler receives.
type Message struct {
	Subject    string
	Data       []byte
	Header     nats.Header
	Deliveries uint64 // 1 on first delivery
	// MaxDeliveries is the consumer's MaxDeliver (0: no limit).
	MaxDeliveries uint64
	StreamSeq     uint64
	Published     time.Time
}

// LastDelivery reports whether this is the consumer's last allowed delivery
// of the message: a failure now is dead-lettered, not retried.
func (m *Message) LastDelivery() bool {
	return m.MaxDeliveries > 0 && m.Deliveries >= m.MaxDeliveries
}

// Handler processes one message. Returning nil acks it; an error wrapped with
// Permanent dead-letters it; any other error retries it with backoff until the
// consumer's MaxDeliver, after which it is dead-lettered too.
type Handler func(ctx context.Context, m *Message) error

// Observer counts what the runtime does; metrics implement it.
type Observer interface {
	Processed(stage string)
	Failed(stage string, permanent bool)
	Redelivered(stage string)
	DeadLettered(stage string)
	// Handled is how long one call of the handler took, whatever its result.
	Handled(stage string, d time.Duration)
	// Batched is the size of one batch a batch handler took.
	Batched(stage string, n int)
}

// ConsumerOptions configure Consume.
type ConsumerOptions struct {
	Stage       string // also the durable consumer's name
	Stream      string // defaults to StageConsumers[Stage]
	Batch       int    // messages per pull (default 16); Consume pulls no more than its free handler slots
	Concurrency int    // handlers running at once (default 4)
	// Backoff is the redelivery delay after the n-th failed delivery.
	Backoff func(deliveries uint64) time.Duration
	// MaxRetryAfter caps the delay a RetryAfterError may ask for (default
	// one hour); a shorter request than the backoff is ignored.
	MaxRetryAfter time.Duration
	// DrainTimeout bounds how long in-flight handlers may run after shutdown
	// starts; handlers still running then see their context canceled and
	// their messages are nak'ed for prompt redelivery.
	DrainTimeout time.Duration
	FetchWait    time.Duration // longest wait of one pull request (default 5s)
	// BatchWait is how long ConsumeBatches waits, after a batch's first
	// message, for more (up to Batch) before it hands the batch over
	// (default 50ms).
	BatchWait time.Duration
	Logger    *slog.Logger
	Observer  Observer
}

func (o *ConsumerOptions) defaults() error {
	if !validToken(o.Stage) {
		return fmt.Errorf("consumer: invalid stage name %q", o.Stage)
	}
	if o.Stream == "" {
		o.Stream = StageConsumers[o.Stage]
		if o.Stream == "" {
			return fmt.Errorf("consumer: stage %q has no stream", o.Stage)
		}
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Backoff == nil {
		o.Backoff = ExponentialBackoff(time.Second, 5*time.Minute)
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = time.Hour
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 10 * time.Second
	}
	if o.FetchWait <= 0 {
		o.FetchWait = 5 * time.Second
	}
	if o.BatchWait <= 0 {
		o.BatchWait = 50 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return nil
}

// ExponentialBackoff doubles the delay with every delivery, from base up to
// max, with ±20% jitter so that retries of a burst spread out.
func ExponentialBackoff(base, ceiling time.Duration) func(uint64) time.Duration {
	return func(n uint64) time.Duration {
		d := base
		for i := uint64(1); i < n && d < ceiling; i++ {
			d *= 2
		}
		d = min(d, ceiling)
		jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
		return max(d+jitter, 0)
	}
}

// Consume runs handler over the stage's durable pull consumer until ctx is
// canceled, then stops pulling, lets in-flight handlers finish (up to
// DrainTimeout), naks what it did not start, and returns nil.
func Consume(ctx context.Context, js jetstream.JetStream, opts ConsumerOptions, handler Handler) error {
	r, cons, err := openRunner(ctx, js, opts)
	if err != nil {
		return err
	}
	opts = r.opts // with its defaults
	r.handler = handler

	workCtx, finish := r.workContext(ctx)
	defer finish()

	var watchWG sync.WaitGroup
	watchWG.Go(func() { r.watchMaxDeliveries(ctx) })

	// A message is pulled only when a handler slot is free for it: one that
	// waited behind the others would use up its ack wait before it began,
	// and be redelivered to another worker while it sits here.
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		free := reserve(ctx, sem, min(opts.Batch, opts.Concurrency))
		if free == 0 {
			break
		}
		fctx, cancel := context.WithTimeout(ctx, opts.FetchWait)
		batch, err := cons.Fetch(free, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			release(sem, free)
			if ctx.Err() != nil {
				break
			}
			r.log.Warn("pull failed", "err", err)
			sleepCtx(ctx, time.Second)
			continue
		}
		for msg := range batch.Messages() {
			if ctx.Err() != nil {
				// Shutdown began before this message was started: give it back.
				_ = msg.Nak()
				continue
			}
			free--
			wg.Go(func() {
				defer func() { <-sem }()
				r.process(workCtx, msg)
			})
		}
		cancel()
		release(sem, free)
		if err := batch.Error(); err != nil && ctx.Err() == nil &&
			!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
			r.log.Warn("pull ended with error", "err", err)
			sleepCtx(ctx, time.Second)
		}
	}
	wg.Wait()
	finish()
	watchWG.Wait()
	return nil
}

// reserve waits for one free handler slot and takes up to n-1 more that
// are free now; it returns how many it took (0 once ctx is done).
func reserve(ctx context.Context, sem chan struct{}, n int) int {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	took := 1
	for took < n {
		select {
		case sem <- struct{}{}:
			took++
		default:
			return took
		}
	}
	return took
}

// release gives back n reserved slots that no message used.
func release(sem chan struct{}, n int) {
	for range n {
		<-sem
	}
}

// workContext is the context handlers run on: it outlives ctx by
// DrainTimeout so that in-flight work can finish after intake stops. finish
// ends it (calling it again does nothing).
func (r *runner) workContext(ctx context.Context) (context.Context, func()) {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	drained := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-drained:
			return
		}
		t := time.NewTimer(r.opts.DrainTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			cancelWork()
		case <-drained:
		}
	}()
	var once sync.Once
	return workCtx, func() { once.Do(func() { close(drained); cancelWork() }) }
}

// openRunner completes opts and finds the stage's durable consumer.
func openRunner(ctx context.Context, js jetstream.JetStream, opts ConsumerOptions) (*runner, jetstream.Consumer, error) {
	if err := opts.defaults(); err != nil {
		return nil, nil, err
	}
	cons, err := js.Consumer(ctx, opts.Stream, opts.Stage)
	if err != nil {
		return nil, nil, fmt.Errorf("consumer %s on %s: %w", opts.Stage, opts.Stream, err)
	}
	return newRunner(js, cons, opts), cons, nil
}

func newRunner(js jetstream.JetStream, cons jetstream.Consumer, opts ConsumerOptions) *runner {
	info := cons.CachedInfo()
	return &runner{
		js:         js,
		pub:        NewPublisher(js),
		opts:       opts,
		maxDeliver: info.Config.MaxDeliver,
		ackWait:    info.Config.AckWait,
		log:        opts.Logger.With("stage", opts.Stage),
	}
}

type runner struct {
	js         jetstream.JetStream
	pub        *Publisher
	opts       ConsumerOptions
	handler    Handler
	maxDeliver int
	ackWait    time.Duration
	log        *slog.Logger
}

func (r *runner) process(ctx context.Context, msg jetstream.Msg) {
	m, ok := r.message(msg)
	if !ok {
		return
	}
	stopBeat := r.heartbeat([]jetstream.Msg{msg})
	began := time.Now()
	err := r.call(ctx, m)
	r.opts.Observer.Handled(r.opts.Stage, time.Since(began))
	stopBeat()
	r.settle(ctx, msg, m, err)
}

// message is the handler's view of msg; false for a message without
// JetStream metadata (nothing to redeliver, nothing to ack).
func (r *runner) message(msg jetstream.Msg) (*Message, bool) {
	meta, err := msg.Metadata()
	if err != nil {
		r.log.Error("message without jetstream metadata", "err", err)
		return nil, false
	}
	m := &Message{
		Subject:    msg.Subject(),
		Data:       msg.Data(),
		Header:     msg.Headers(),
		Deliveries: meta.NumDelivered,
		StreamSeq:  meta.Sequence.Stream,
		Published:  meta.Timestamp,
	}
	if r.maxDeliver > 0 {
		m.MaxDeliveries = uint64(r.maxDeliver)
	}
	if m.Deliveries > 1 {
		r.opts.Observer.Redelivered(r.opts.Stage)
	}
	return m, true
}

// settle acks, retries or dead-letters msg by its handler's result.
func (r *runner) settle(ctx context.Context, msg jetstream.Msg, m *Message, err error) {
	ackCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		if aerr := msg.DoubleAck(ackCtx); aerr != nil {
			// The effect is durable; the redelivery that follows is absorbed
			// by the handler's idempotency.
			r.log.Warn("ack not confirmed", "seq", m.StreamSeq, "err", aerr)
		}
		r.opts.Observer.Processed(r.opts.Stage)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		// Shutdown cut the handler short: hand the message back now.
		_ = msg.Nak()
	case IsPermanent(err) || m.LastDelivery():
		r.opts.Observer.Failed(r.opts.Stage, IsPermanent(err))
		r.deadLetter(ackCtx, msg, m, err)
	default:
		r.opts.Observer.Failed(r.opts.Stage, false)
		delay := r.retryDelay(m.Deliveries, err)
		r.log.Warn("handler failed, will retry", "seq", m.StreamSeq, "deliveries", m.Deliveries, "retry_in", delay, "err", err)
		if nerr := msg.NakWithDelay(delay); nerr != nil {
			r.log.Warn("nak failed", "seq", m.StreamSeq, "err", nerr)
		}
	}
}

// retryDelay is the backoff after the n-th failed delivery, or longer when
// err carries a Retry-After (capped at MaxRetryAfter).
func (r *runner) retryDelay(n uint64, err error) time.Duration {
	delay := r.opts.Backoff(n)
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		delay = max(delay, min(ra.After, r.opts.MaxRetryAfter))
	}
	return delay
}

// call runs the handler, turning a panic into a permanent error.
func (r *runner) call(ctx context.Context, m *Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanentf("handler panic: %v\n%s", p, debug.Stack())
		}
	}()
	return r.handler(ctx, m)
}

// heartbeat tells the server the messages are still being worked on, so a
// slow handler is not redelivered to another worker behind its back.
func (r *runner) heartbeat(msgs []jetstream.Msg) (stop func()) {
	if r.ackWait <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(r.ackWait/3, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, msg := range msgs {
					_ = msg.InProgress()
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func (r *runner) deadLetter(ctx context.Context, msg jetstream.Msg, m *Message, cause error) {
	dl := DeadLetter{
		Stage:      r.opts.Stage,
		Stream:     r.opts.Stream,
		StreamSeq:  m.StreamSeq,
		Subject:    m.Subject,
		Deliveries: m.Deliveries,
		Permanent:  IsPermanent(cause),
		Error:      cause.Error(),
		Data:       m.Data,
		Header:     m.Header,
	}
	if err := publishDeadLetter(ctx, r.pub, dl); err != nil {
		// Keep the message where it is rather than lose it.
		r.log.Error("dead-letter publish failed, message kept for retry", "seq", m.StreamSeq, "err", err)
		_ = msg.NakWithDelay(r.opts.Backoff(m.Deliveries))
		return
	}
	if err := msg.TermWithReason("dead-lettered"); err != nil {
		r.log.Warn("term failed", "seq", m.StreamSeq, "err", err)
	}
	r.opts.Observer.DeadLettered(r.opts.Stage)
	r.log.Error("message dead-lettered", "seq", m.StreamSeq, "deliveries", m.Deliveries, "err", cause)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

type nopObserver struct{}

func (nopObserver) Processed(string)    {}
func (nopObserver) Failed(string, bool) {}
func (nopObserver) Redelivered(string)  {}
func (nopObserver) DeadLettered(string) {}

func (nopObserver) Handled(string, time.Duration) {}
func (nopObserver) Batched(string, int)           {}
