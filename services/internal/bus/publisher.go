package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publisher publishes to JetStream and always sets Nats-Msg-Id, so a retried
// publish within the stream's duplicate window is stored once.
type Publisher struct {
	js jetstream.JetStream
}

// NewPublisher returns a publisher on js.
func NewPublisher(js jetstream.JetStream) *Publisher { return &Publisher{js: js} }

// ErrNoMsgID is returned when a publish has no message id.
var ErrNoMsgID = errors.New("publish without Nats-Msg-Id")

// Publish stores data on subject and returns once JetStream acknowledged it.
// The ack's Duplicate field says whether the message was already stored.
func (p *Publisher) Publish(ctx context.Context, subject, msgID string, data []byte, hdr nats.Header) (*jetstream.PubAck, error) {
	if msgID == "" {
		return nil, fmt.Errorf("publish %s: %w", subject, ErrNoMsgID)
	}
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	for k, vs := range hdr {
		for _, v := range vs {
			msg.Header.Add(k, v)
		}
	}
	msg.Header.Set(jetstream.MsgIDHeader, msgID)
	ack, err := p.js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID))
	if err != nil {
		return nil, fmt.Errorf("publish %s (id %s): %w", subject, msgID, err)
	}
	return ack, nil
}

// Outgoing is one message of a batch.
type Outgoing struct {
	Subject string
	MsgID   string
	Data    []byte
	Header  nats.Header
}

// asyncWindow bounds unacknowledged publishes of one batch.
const asyncWindow = 256

// PublishBatch publishes msgs without waiting for each acknowledgement in
// turn, and returns once every one is acknowledged, or with the first error.
// Messages before a failed one may be stored; their ids make a retry safe.
func (p *Publisher) PublishBatch(ctx context.Context, msgs []Outgoing) error {
	futures := make([]jetstream.PubAckFuture, 0, min(len(msgs), asyncWindow))
	wait := func() error {
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("publish %s (id %s): %w", f.Msg().Subject, f.Msg().Header.Get(jetstream.MsgIDHeader), err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		futures = futures[:0]
		return nil
	}
	for _, o := range msgs {
		if o.MsgID == "" {
			return fmt.Errorf("publish %s: %w", o.Subject, ErrNoMsgID)
		}
		msg := &nats.Msg{Subject: o.Subject, Data: o.Data, Header: nats.Header{}}
		for k, vs := range o.Header {
			msg.Header[k] = append([]string(nil), vs...)
		}
		msg.Header.Set(jetstream.MsgIDHeader, o.MsgID)
		f, err := p.js.PublishMsgAsync(msg, jetstream.WithMsgID(o.MsgID))
		if err != nil {
			return fmt.Errorf("publish %s (id %s): %w", o.Subject, o.MsgID, err)
		}
		futures = append(futures, f)
		if len(futures) == asyncWindow {
			if err := wait(); err != nil {
				return err
			}
		}
	}
	return wait()
}
