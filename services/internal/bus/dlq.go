package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers the runtime adds to a dead-lettered message; the original headers
// and body are kept unchanged beside them.
const (
	HeaderDLQStage      = "Bw-Dlq-Stage"
	HeaderDLQError      = "Bw-Dlq-Error"
	HeaderDLQDeliveries = "Bw-Dlq-Deliveries"
	HeaderDLQStream     = "Bw-Dlq-Stream"
	HeaderDLQStreamSeq  = "Bw-Dlq-Stream-Seq"
	HeaderDLQSubject    = "Bw-Dlq-Subject"
	HeaderDLQPermanent  = "Bw-Dlq-Permanent"
	HeaderDLQTime       = "Bw-Dlq-Time"
	HeaderDLQMsgID      = "Bw-Dlq-Msg-Id"
)

const maxErrorHeader = 2048

// DeadLetter is one message in the DLQ stream.
type DeadLetter struct {
	Seq        uint64      `json:"seq"` // sequence in the DLQ stream
	Stage      string      `json:"stage"`
	Stream     string      `json:"stream"`     // stream it came from
	StreamSeq  uint64      `json:"stream_seq"` // its sequence there
	Subject    string      `json:"subject"`    // its original subject
	Deliveries uint64      `json:"deliveries"`
	Permanent  bool        `json:"permanent"`
	Error      string      `json:"error"`
	Time       time.Time   `json:"time"`
	MsgID      string      `json:"msg_id,omitempty"`
	Data       []byte      `json:"data"`
	Header     nats.Header `json:"header,omitempty"`
}

func dlqSubject(stage string) string { return SubjectDLQPrefix + stage }

func publishDeadLetter(ctx context.Context, pub *Publisher, dl DeadLetter) error {
	hdr := nats.Header{}
	for k, vs := range dl.Header {
		if k == jetstream.MsgIDHeader {
			continue
		}
		for _, v := range vs {
			hdr.Add(k, v)
		}
	}
	hdr.Set(HeaderDLQStage, dl.Stage)
	hdr.Set(HeaderDLQError, headerSafe(dl.Error))
	hdr.Set(HeaderDLQDeliveries, strconv.FormatUint(dl.Deliveries, 10))
	hdr.Set(HeaderDLQStream, dl.Stream)
	hdr.Set(HeaderDLQStreamSeq, strconv.FormatUint(dl.StreamSeq, 10))
	hdr.Set(HeaderDLQSubject, dl.Subject)
	hdr.Set(HeaderDLQPermanent, strconv.FormatBool(dl.Permanent))
	hdr.Set(HeaderDLQTime, time.Now().UTC().Format(time.RFC3339Nano))
	if id := dl.Header.Get(jetstream.MsgIDHeader); id != "" {
		hdr.Set(HeaderDLQMsgID, id)
	}
	// One DLQ entry per source message, however many workers try.
	id := "dlq:" + dl.Stream + ":" + strconv.FormatUint(dl.StreamSeq, 10)
	_, err := pub.Publish(ctx, dlqSubject(dl.Stage), id, dl.Data, hdr)
	return err
}

// headerSafe keeps an error message on one header line of bounded size.
func headerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxErrorHeader {
		s = s[:maxErrorHeader] + "…"
	}
	return s
}

func parseDeadLetter(seq uint64, subject string, data []byte, hdr nats.Header, ts time.Time) DeadLetter {
	dl := DeadLetter{
		Seq:     seq,
		Stage:   hdr.Get(HeaderDLQStage),
		Stream:  hdr.Get(HeaderDLQStream),
		Subject: hdr.Get(HeaderDLQSubject),
		Error:   hdr.Get(HeaderDLQError),
		MsgID:   hdr.Get(HeaderDLQMsgID),
		Data:    data,
		Time:    ts,
		Header:  nats.Header{},
	}
	if dl.Stage == "" {
		dl.Stage = strings.TrimPrefix(subject, SubjectDLQPrefix)
	}
	dl.StreamSeq, _ = strconv.ParseUint(hdr.Get(HeaderDLQStreamSeq), 10, 64)
	dl.Deliveries, _ = strconv.ParseUint(hdr.Get(HeaderDLQDeliveries), 10, 64)
	dl.Permanent, _ = strconv.ParseBool(hdr.Get(HeaderDLQPermanent))
	if t, err := time.Parse(time.RFC3339Nano, hdr.Get(HeaderDLQTime)); err == nil {
		dl.Time = t
	}
	for k, vs := range hdr {
		if strings.HasPrefix(k, "Bw-Dlq-") || k == jetstream.MsgIDHeader {
			continue
		}
		dl.Header[k] = vs
	}
	return dl
}

// DLQ reads and changes the dead-letter stream.
type DLQ struct {
	js  jetstream.JetStream
	pub *Publisher
}

// NewDLQ returns DLQ operations on js.
func NewDLQ(js jetstream.JetStream) *DLQ { return &DLQ{js: js, pub: NewPublisher(js)} }

func filterFor(stage string) (string, error) {
	if stage == "" {
		return SubjectDLQPrefix + ">", nil
	}
	if !validToken(stage) {
		return "", fmt.Errorf("invalid stage name %q", stage)
	}
	return dlqSubject(stage), nil
}

// List returns up to limit dead letters of stage ("" for all stages), oldest first.
func (d *DLQ) List(ctx context.Context, stage string, limit int) ([]DeadLetter, error) {
	filter, err := filterFor(stage)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	stream, err := d.js.Stream(ctx, StreamDLQ)
	if err != nil {
		return nil, fmt.Errorf("dlq list: %w", err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return nil, fmt.Errorf("dlq list: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("dlq list: %w", err)
	}
	want := min(int(info.NumPending), limit)
	out := make([]DeadLetter, 0, want)
	for len(out) < want {
		batch, err := cons.Fetch(min(want-len(out), 256), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return out, fmt.Errorf("dlq list: %w", err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			meta, err := msg.Metadata()
			if err != nil {
				continue
			}
			out = append(out, parseDeadLetter(meta.Sequence.Stream, msg.Subject(), msg.Data(), msg.Headers(), meta.Timestamp))
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return out, fmt.Errorf("dlq list: %w", err)
		}
		if n == 0 {
			break // messages were purged while we read
		}
	}
	return out, nil
}

// Get returns the dead letter at DLQ sequence seq.
func (d *DLQ) Get(ctx context.Context, seq uint64) (DeadLetter, error) {
	stream, err := d.js.Stream(ctx, StreamDLQ)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dlq get %d: %w", seq, err)
	}
	raw, err := stream.GetMsg(ctx, seq)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dlq get %d: %w", seq, err)
	}
	return parseDeadLetter(raw.Sequence, raw.Subject, raw.Data, raw.Header, raw.Time), nil
}

// Replay republishes dead letters to their original subjects and removes
// them from the DLQ once the republish is stored. With no seqs it replays
// every dead letter of stage ("" for all stages).
func (d *DLQ) Replay(ctx context.Context, stage string, seqs []uint64) (int, error) {
	if len(seqs) == 0 {
		all, err := d.List(ctx, stage, int(^uint(0)>>1))
		if err != nil {
			return 0, err
		}
		for _, dl := range all {
			seqs = append(seqs, dl.Seq)
		}
	}
	stream, err := d.js.Stream(ctx, StreamDLQ)
	if err != nil {
		return 0, fmt.Errorf("dlq replay: %w", err)
	}
	n := 0
	for _, seq := range seqs {
		dl, err := d.Get(ctx, seq)
		if err != nil {
			return n, err
		}
		if stage != "" && dl.Stage != stage {
			return n, fmt.Errorf("dlq replay: entry %d belongs to stage %s, not %s", seq, dl.Stage, stage)
		}
		if dl.Subject == "" {
			return n, fmt.Errorf("dlq replay: entry %d has no original subject", seq)
		}
		// A fresh id per DLQ entry: the original id may still be inside the
		// duplicate window, and replaying the same entry twice stores it once.
		id := dl.MsgID
		if id == "" {
			id = dl.Stream + ":" + strconv.FormatUint(dl.StreamSeq, 10)
		}
		id += ":replay:" + strconv.FormatUint(seq, 10)
		if _, err := d.pub.Publish(ctx, dl.Subject, id, dl.Data, dl.Header); err != nil {
			return n, fmt.Errorf("dlq replay %d: %w", seq, err)
		}
		if err := stream.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return n, fmt.Errorf("dlq replay %d: republished but not removed: %w", seq, err)
		}
		n++
	}
	return n, nil
}

// Purge deletes the dead letters of stage ("" for all stages) and returns how many.
func (d *DLQ) Purge(ctx context.Context, stage string) (uint64, error) {
	filter, err := filterFor(stage)
	if err != nil {
		return 0, err
	}
	stream, err := d.js.Stream(ctx, StreamDLQ)
	if err != nil {
		return 0, fmt.Errorf("dlq purge: %w", err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, fmt.Errorf("dlq purge: %w", err)
	}
	var before uint64
	for _, c := range info.State.Subjects {
		before += c
	}
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject(filter)); err != nil {
		return 0, fmt.Errorf("dlq purge: %w", err)
	}
	return before, nil
}

// maxDeliveriesAdvisory is the part of the server's advisory we read.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// watchMaxDeliveries catches messages that used up MaxDeliver without the
// handler ever answering (a crash or hang each time): the server stops
// delivering them, so they are copied to the DLQ instead of sitting unseen.
func (r *runner) watchMaxDeliveries(ctx context.Context) {
	subject := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + r.opts.Stream + "." + r.opts.Stage
	ch := make(chan *nats.Msg, 64)
	sub, err := r.js.Conn().ChanSubscribe(subject, ch)
	if err != nil {
		r.log.Warn("cannot watch max-delivery advisories", "err", err)
		return
	}
	defer func() { _ = sub.Unsubscribe() }()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-ch:
			var adv maxDeliveriesAdvisory
			if err := json.Unmarshal(m.Data, &adv); err != nil || adv.StreamSeq == 0 {
				r.log.Warn("unreadable max-delivery advisory", "err", err)
				continue
			}
			if err := r.deadLetterStuck(ctx, adv); err != nil {
				r.log.Error("dead-lettering a message past max deliveries failed", "seq", adv.StreamSeq, "err", err)
			}
		}
	}
}

func (r *runner) deadLetterStuck(ctx context.Context, adv maxDeliveriesAdvisory) error {
	stream, err := r.js.Stream(ctx, r.opts.Stream)
	if err != nil {
		return err
	}
	raw, err := stream.GetMsg(ctx, adv.StreamSeq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil // already handled elsewhere
	}
	if err != nil {
		return err
	}
	dl := DeadLetter{
		Stage:      r.opts.Stage,
		Stream:     r.opts.Stream,
		StreamSeq:  adv.StreamSeq,
		Subject:    raw.Subject,
		Deliveries: adv.Deliveries,
		Error:      fmt.Sprintf("no answer from the handler after %d deliveries", adv.Deliveries),
		Data:       raw.Data,
		Header:     raw.Header,
	}
	if err := publishDeadLetter(ctx, r.pub, dl); err != nil {
		return err
	}
	r.opts.Observer.DeadLettered(r.opts.Stage)
	info := stream.CachedInfo()
	if info != nil && info.Config.Retention == jetstream.WorkQueuePolicy {
		// In a work queue the message would otherwise stay forever.
		if err := stream.DeleteMsg(ctx, adv.StreamSeq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return err
		}
	}
	return nil
}
