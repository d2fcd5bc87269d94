package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/natsd"
)

// Conn is this process's NATS connection, and the embedded server behind it
// when no external NATS is configured.
type Conn struct {
	NC       *nats.Conn
	JS       jetstream.JetStream
	embedded *natsd.Embedded
}

// OpenNATS starts the embedded server under dataDir or connects to the
// configured external NATS, then declares the topology.
func OpenNATS(ctx context.Context, cfg *config.Config, dataDir string, log *slog.Logger) (*Conn, error) {
	c := &Conn{}
	var err error
	if cfg.NATS.URL == "" {
		c.embedded, err = natsd.StartEmbedded(natsd.EmbeddedOptions{
			StoreDir: natsd.StoreDir(dataDir),
			Listen:   cfg.NATS.Listen,
			Logger:   log,
		})
		if err != nil {
			return nil, err
		}
		c.NC, err = c.embedded.Connect("breachwire")
		if url := c.embedded.ClientURL(); url != "" {
			log.Info("embedded nats accepts clients", "url", url)
		}
	} else {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		c.NC, err = natsd.ConnectExternal(cctx, "breachwire", natsd.ExternalOptions{
			URL: cfg.NATS.URL, Credentials: cfg.NATS.Credentials,
			User: cfg.NATS.User, Password: cfg.NATS.Password, Token: cfg.NATS.Token,
			TLSCert: cfg.NATS.TLSCert, TLSKey: cfg.NATS.TLSKey, TLSCA: cfg.NATS.TLSCA,
		})
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.JS, err = jetstream.New(c.NC)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	limits := bus.DefaultLimits()
	limits.Replicas = max(cfg.NATS.Replicas, 1)
	if err := bus.Declare(dctx, c.JS, bus.DefaultTopology(limits)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close drains the connection and stops the embedded server.
func (c *Conn) Close() {
	if c.NC != nil {
		done := make(chan struct{})
		c.NC.SetClosedHandler(func(*nats.Conn) { close(done) })
		if err := c.NC.Drain(); err == nil {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
			}
		}
		c.NC.Close()
	}
	if c.embedded != nil {
		c.embedded.Shutdown()
	}
}
