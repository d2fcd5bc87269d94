// Package testenv starts the real components tests need: an in-process
// NATS server with JetStream on a temporary directory and the topology.
package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/natsd"
)

// NATS is a running embedded server with the topology declared.
type NATS struct {
	Conn *nats.Conn
	JS   jetstream.JetStream
	Pub  *bus.Publisher
}

// Limits are the bus limits tests use: quick redelivery.
func Limits() bus.Limits {
	l := bus.DefaultLimits()
	l.MaxBytes = 256 << 20
	l.AckWait = 2 * time.Second
	l.SeenTTL = time.Hour
	return l
}

// StartNATS starts the server; it stops when the test ends.
func StartNATS(t testing.TB) *NATS {
	t.Helper()
	srv, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Connect("test")
	if err != nil {
		srv.Shutdown()
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close(); srv.Shutdown() })
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Declare(context.Background(), js, bus.DefaultTopology(Limits())); err != nil {
		t.Fatal(err)
	}
	return &NATS{Conn: nc, JS: js, Pub: bus.NewPublisher(js)}
}

// Messages returns every message currently in a stream, oldest first.
func (n *NATS) Messages(t testing.TB, stream string) []*jetstream.RawStreamMsg {
	t.Helper()
	ctx := context.Background()
	s, err := n.JS.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	if info.State.Msgs == 0 {
		return nil
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue // deleted
		}
		out = append(out, m)
	}
	return out
}
