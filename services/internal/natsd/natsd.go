// Package natsd runs the embedded NATS server (JetStream on disk under the data
// directory) or connects to an external NATS, and hands back one *nats.Conn.
package natsd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Embedded is a nats-server running inside this process.
type Embedded struct {
	srv    *server.Server
	dir    string
	listen bool
}

// EmbeddedOptions configure the in-process server.
type EmbeddedOptions struct {
	// StoreDir holds the JetStream file store.
	StoreDir string
	// Listen is a host:port for NATS clients outside the process ("" keeps the
	// server reachable only in-process: nothing listens on the network).
	Listen string
	// SyncInterval is how often JetStream fsyncs; zero keeps the server default.
	SyncInterval time.Duration
	Logger       *slog.Logger
}

// StartEmbedded starts the server and waits until it accepts connections.
func StartEmbedded(opts EmbeddedOptions) (*Embedded, error) {
	if opts.StoreDir == "" {
		return nil, errors.New("embedded nats: store directory is empty")
	}
	if err := os.MkdirAll(opts.StoreDir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	so := &server.Options{
		ServerName:   "breachwire",
		JetStream:    true,
		StoreDir:     opts.StoreDir,
		NoSigs:       true, // otherwise the server calls os.Exit on SIGINT
		NoLog:        opts.Logger == nil,
		SyncInterval: opts.SyncInterval,
		DontListen:   opts.Listen == "",
		// Never open the HTTP monitor or cluster ports from the embedded server.
		HTTPPort: 0,
	}
	if opts.Listen != "" {
		host, port, err := net.SplitHostPort(opts.Listen)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: listen address %q: %w", opts.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: listen port %q: %w", port, err)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		so.Host, so.Port = host, p
	}
	srv, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	if opts.Logger != nil {
		srv.SetLoggerV2(&slogAdapter{l: opts.Logger.With("component", "nats-server")}, false, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded nats: not ready after 30s (store %s)", opts.StoreDir)
	}
	return &Embedded{srv: srv, dir: opts.StoreDir, listen: opts.Listen != ""}, nil
}

// Connect opens an in-process client connection to the embedded server.
func (e *Embedded) Connect(name string, extra ...nats.Option) (*nats.Conn, error) {
	opts := append([]nats.Option{nats.Name(name), nats.InProcessServer(e.srv), nats.MaxReconnects(-1)}, extra...)
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("connect embedded nats: %w", err)
	}
	return nc, nil
}

// ClientURL is the URL outside clients use, or "" when the server does not listen.
func (e *Embedded) ClientURL() string {
	if !e.listen {
		return ""
	}
	return e.srv.ClientURL()
}

// Shutdown stops the server and waits until it has flushed its stores.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// ExternalOptions describe how to reach an external NATS.
type ExternalOptions struct {
	URL         string
	Credentials string // .creds file (JWT + nkey)
	User        string
	Password    string
	Token       string
	TLSCert     string
	TLSKey      string
	TLSCA       string
}

// ConnectExternal dials an external NATS server or cluster.
func ConnectExternal(ctx context.Context, name string, o ExternalOptions, extra ...nats.Option) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false)}
	if o.Credentials != "" {
		opts = append(opts, nats.UserCredentials(o.Credentials))
	}
	if o.User != "" || o.Password != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		opts = append(opts, nats.ClientCert(o.TLSCert, o.TLSKey))
	}
	if o.TLSCA != "" {
		opts = append(opts, nats.RootCAs(o.TLSCA))
	}
	if deadline, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(deadline)))
	}
	opts = append(opts, extra...)
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect nats %s: %w", redactURL(o.URL), err)
	}
	return nc, nil
}

// StoreDir is where the embedded server keeps JetStream data under a data directory.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "nats") }

// slogAdapter sends nats-server logs through slog; its notices (a start-up
// banner among them) go to debug so that our own info log stays readable.
type slogAdapter struct{ l *slog.Logger }

func (a *slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Tracef(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
