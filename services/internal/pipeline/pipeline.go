// Package pipeline defines what every stage receives from the process that
// runs it, so stages depend on this small contract and never on each other.
package pipeline

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/metrics"
	"github.com/breachwire/breachwire/services/internal/safehttp"
	"github.com/breachwire/breachwire/services/store"
)

// Deps are the shared resources of one process.
type Deps struct {
	JS        jetstream.JetStream
	Publisher *bus.Publisher
	Observer  bus.Observer
	Config    *config.Config
	Logger    *slog.Logger
	// HTTP is the one outbound client (SSRF-safe, bounded), shared so that
	// per-host limits hold across stages; feeds are polled with it.
	HTTP *safehttp.Client
	// Pages is HTTP's lane for pages (safehttp.Client.Lane): its own
	// per-host slots and the page caps of package limits. Nil: HTTP.
	Pages *safehttp.Client
	// Metrics is the process's registry, for stage-specific counters.
	Metrics *metrics.Metrics
	// Store holds incidents and articles.
	Store store.Store
}

// Stage is one step of the pipeline. Run blocks until ctx is canceled and
// in-flight work is finished or handed back, then returns nil; any other
// return is a fatal error for the process.
type Stage struct {
	Name string
	Run  func(ctx context.Context, d Deps) error
}

// WithLogger returns d with another logger.
func (d Deps) WithLogger(l *slog.Logger) Deps {
	d.Logger = l
	return d
}
