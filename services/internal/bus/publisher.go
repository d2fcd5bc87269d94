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
