// Package app assembles one breachwire process: NATS (embedded or external),
// the JetStream topology, the HTTP server and the selected stages, and shuts
// them down in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/alerter"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/limits"
	"github.com/breachwire/breachwire/services/internal/metrics"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/internal/safehttp"
	"github.com/breachwire/breachwire/services/scraper"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/web"
)

// Stages lists every stage this binary can run, in pipeline order.
func Stages() []pipeline.Stage {
	return []pipeline.Stage{feeder.Stage(), scraper.Stage(), classifier.Stage(rules.New()), indexer.Stage(),
		alerter.Stage(), alerter.WebhookStage()}
}

// StageNames lists the names of Stages().
func StageNames() []string {
	var names []string
	for _, s := range Stages() {
		names = append(names, s.Name)
	}
	return names
}

// ShutdownBudget is how long an ordered shutdown may take in all.
const ShutdownBudget = 15 * time.Second

// Run runs the process until ctx is canceled or a stage fails. cfg must be
// validated and cfg.Data an absolute, writable directory.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, version string) error {
	release, err := LockDataDir(cfg.Data)
	if err != nil {
		return &config.UsageError{Err: err}
	}
	defer release()
	adminToken, err := EnsureAdminToken(cfg.AdminToken, cfg.Data)
	if err != nil {
		return err
	}

	m := metrics.New()
	var storeRef atomic.Pointer[store.Store]
	var curatorRef atomic.Pointer[indexer.Curator]
	var (
		readyMu sync.RWMutex
		readyFn func(context.Context) error
		dlq     *bus.DLQ
		feeds   *feeder.Registry
		subs    *alerter.Registry
	)
	setReady := func(f func(context.Context) error, d *bus.DLQ, r *feeder.Registry, sr *alerter.Registry) {
		readyMu.Lock()
		readyFn, dlq, feeds, subs = f, d, r, sr
		readyMu.Unlock()
	}
	handler := web.NewHandler(web.Options{
		Ready: func(ctx context.Context) error {
			readyMu.RLock()
			f := readyFn
			readyMu.RUnlock()
			if f == nil {
				return errors.New("starting")
			}
			return f(ctx)
		},
		Metrics:       promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}),
		DLQ:           lazyDLQ{get: func() *bus.DLQ { readyMu.RLock(); defer readyMu.RUnlock(); return dlq }},
		Feeds:         lazyFeeds{get: func() *feeder.Registry { readyMu.RLock(); defer readyMu.RUnlock(); return feeds }},
		Incidents:     lazyStore{ref: &storeRef},
		Curation:      lazyCurator{ref: &curatorRef},
		Subscriptions: lazySubscriptions{get: func() *alerter.Registry { readyMu.RLock(); defer readyMu.RUnlock(); return subs }},
		AdminToken:    adminToken,
		Logger:        log,
		Gatherer:      m.Registry,

		UIReadRequiresLogin: cfg.UIReadRequiresLogin,
	})
	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return fmt.Errorf("http listen %s: %w", cfg.HTTP, err)
	}
	httpSrv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- httpSrv.Serve(ln) }()
	log.Info("http listening", "addr", ln.Addr().String())

	shutdownHTTP := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(sctx)
		<-httpDone
	}

	conn, err := OpenNATS(ctx, cfg, cfg.Data, log)
	if err != nil {
		shutdownHTTP()
		return err
	}
	refs := make([]metrics.ConsumerRef, 0, len(bus.StageConsumers))
	for stage, stream := range bus.StageConsumers {
		refs = append(refs, metrics.ConsumerRef{Stage: stage, Stream: stream})
	}
	slices.SortFunc(refs, func(a, b metrics.ConsumerRef) int { return strings.Compare(a.Stage, b.Stage) })
	m.WatchConsumers(conn.JS, refs, bus.StreamDLQ, log)
	reg, err := feeder.OpenRegistry(ctx, conn.JS, cfg.Feeds)
	if err != nil {
		shutdownHTTP()
		conn.Close()
		return err
	}
	subReg, err := alerter.OpenRegistry(ctx, conn.JS)
	if err != nil {
		shutdownHTTP()
		conn.Close()
		return err
	}
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		shutdownHTTP()
		conn.Close()
		return err
	}
	storeRef.Store(&st)
	curatorRef.Store(&indexer.Curator{Store: st, Pub: bus.NewPublisher(conn.JS)})
	setReady(func(ctx context.Context) error {
		if st := conn.NC.Status(); st != nats.CONNECTED {
			return fmt.Errorf("nats %s", st)
		}
		if _, err := conn.JS.AccountInfo(ctx); err != nil {
			return fmt.Errorf("jetstream: %w", err)
		}
		if err := st.Ping(ctx); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	}, bus.NewDLQ(conn.JS), reg, subReg)

	selected := selectStages(cfg.Stages)
	client := safehttp.New(safehttp.Options{
		AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		AllowMetadataAddress: cfg.AllowMetadataAddress,
		Version:              version,
		ContactURL:           cfg.ContactURL,
		MaxBodyBytes:         limits.FeedBytes,
		BodyTimeout:          limits.FeedBodyTimeout,
		Logger:               log.With("component", "http"),
	})
	defer client.CloseIdleConnections()
	pages := client.Lane(safehttp.LaneOptions{MaxBodyBytes: limits.PageBytes, BodyTimeout: limits.PageBodyTimeout})
	deps := pipeline.Deps{
		JS: conn.JS, Publisher: bus.NewPublisher(conn.JS), Observer: m, Config: cfg, Logger: log,
		HTTP: client, Pages: pages, Metrics: m, Store: st,
	}
	stageCtx, stopStages := context.WithCancel(ctx)
	defer stopStages()
	stageErr := make(chan error, len(selected))
	var wg sync.WaitGroup
	for _, s := range selected {
		wg.Go(func() {
			if err := s.Run(stageCtx, deps.WithLogger(log.With("stage", s.Name))); err != nil {
				stageErr <- fmt.Errorf("stage %s: %w", s.Name, err)
			}
		})
	}
	log.Info("breachwire ready", "data", cfg.Data, "stages", names(selected), "nats", natsLabel(cfg))

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-stageErr:
		log.Error("stage failed, shutting down", "err", runErr)
	}
	// Ordered shutdown: stop intake and drain stages, then HTTP, then NATS.
	stopStages()
	stagesDone := make(chan struct{})
	go func() { wg.Wait(); close(stagesDone) }()
	select {
	case <-stagesDone:
	case <-time.After(ShutdownBudget - 5*time.Second):
		log.Warn("stages did not finish in time; unacked messages will be redelivered")
	}
	setReady(nil, nil, nil, nil)
	shutdownHTTP()
	if err := st.Close(); err != nil {
		log.Error("closing the store", "err", err)
	}
	conn.Close()
	log.Info("stopped")
	return runErr
}

func selectStages(want []string) []pipeline.Stage {
	all := Stages()
	if len(want) == 0 {
		return all
	}
	var out []pipeline.Stage
	for _, s := range all {
		if slices.Contains(want, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

func names(stages []pipeline.Stage) []string {
	out := []string{}
	for _, s := range stages {
		out = append(out, s.Name)
	}
	return out
}

func natsLabel(cfg *config.Config) string {
	if cfg.NATS.URL == "" {
		return "embedded"
	}
	return cfg.Redacted().NATS.URL
}

// lazyDLQ lets the HTTP server start before NATS is up.
type lazyDLQ struct{ get func() *bus.DLQ }

var errNotReady = errors.New("not ready")

func (l lazyDLQ) List(ctx context.Context, stage string, limit int) ([]bus.DeadLetter, error) {
	if d := l.get(); d != nil {
		return d.List(ctx, stage, limit)
	}
	return nil, errNotReady
}

func (l lazyDLQ) Replay(ctx context.Context, stage string, seqs []uint64) (int, error) {
	if d := l.get(); d != nil {
		return d.Replay(ctx, stage, seqs)
	}
	return 0, errNotReady
}

func (l lazyDLQ) Purge(ctx context.Context, stage string) (uint64, error) {
	if d := l.get(); d != nil {
		return d.Purge(ctx, stage)
	}
	return 0, errNotReady
}

// lazyFeeds lets the HTTP server start before NATS is up.
type lazyFeeds struct{ get func() *feeder.Registry }

func (l lazyFeeds) Statuses(ctx context.Context, now time.Time) ([]feeder.Status, error) {
	if r := l.get(); r != nil {
		return r.Statuses(ctx, now)
	}
	return nil, errNotReady
}

func (l lazyFeeds) Add(ctx context.Context, f config.Feed) (feeder.Entry, error) {
	if r := l.get(); r != nil {
		return r.Add(ctx, f)
	}
	return feeder.Entry{}, errNotReady
}

func (l lazyFeeds) Remove(ctx context.Context, urlOrID string) (feeder.Entry, error) {
	if r := l.get(); r != nil {
		return r.Remove(ctx, urlOrID)
	}
	return feeder.Entry{}, errNotReady
}

func (l lazyFeeds) RequestBackfill(ctx context.Context, urlOrID string, pages int) (feeder.Entry, error) {
	if r := l.get(); r != nil {
		return r.RequestBackfill(ctx, urlOrID, pages)
	}
	return feeder.Entry{}, errNotReady
}

// lazySubscriptions lets the HTTP server start before NATS is up.
type lazySubscriptions struct{ get func() *alerter.Registry }

func (l lazySubscriptions) registry() (*alerter.Registry, error) {
	if r := l.get(); r != nil {
		return r, nil
	}
	return nil, errNotReady
}

func (l lazySubscriptions) Create(ctx context.Context, sp alerter.Spec) (alerter.Created, error) {
	r, err := l.registry()
	if err != nil {
		return alerter.Created{}, err
	}
	return r.Create(ctx, sp)
}

func (l lazySubscriptions) List(ctx context.Context) ([]*alerter.Subscription, error) {
	r, err := l.registry()
	if err != nil {
		return nil, err
	}
	return r.List(ctx)
}

func (l lazySubscriptions) Get(ctx context.Context, id string) (*alerter.Subscription, error) {
	r, err := l.registry()
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, id)
}

func (l lazySubscriptions) Delete(ctx context.Context, id string) (*alerter.Subscription, error) {
	r, err := l.registry()
	if err != nil {
		return nil, err
	}
	return r.Delete(ctx, id)
}

func (l lazySubscriptions) ByToken(ctx context.Context, token string) (*alerter.Subscription, error) {
	r, err := l.registry()
	if err != nil {
		return nil, err
	}
	return r.ByToken(ctx, token)
}

func (l lazySubscriptions) Alerts(ctx context.Context, id string, limit int) ([]*bwv1.Alert, error) {
	r, err := l.registry()
	if err != nil {
		return nil, err
	}
	return r.Alerts(ctx, id, limit)
}

// lazyStore lets the HTTP server start before the store is open.
type lazyStore struct{ ref *atomic.Pointer[store.Store] }

func (l lazyStore) get() (store.Store, error) {
	if p := l.ref.Load(); p != nil {
		return *p, nil
	}
	return nil, errNotReady
}

func (l lazyStore) GetIncident(ctx context.Context, id string) (*store.Incident, store.Version, error) {
	st, err := l.get()
	if err != nil {
		return nil, store.Version{}, err
	}
	return st.GetIncident(ctx, id)
}

func (l lazyStore) GetArticle(ctx context.Context, id string) (*store.Article, error) {
	st, err := l.get()
	if err != nil {
		return nil, err
	}
	return st.GetArticle(ctx, id)
}

func (l lazyStore) Search(ctx context.Context, q query.Request) (*store.Result, error) {
	st, err := l.get()
	if err != nil {
		return nil, err
	}
	return st.Search(ctx, q)
}

func (l lazyStore) Facets(ctx context.Context, q query.Request) (*store.FacetCounts, error) {
	st, err := l.get()
	if err != nil {
		return nil, err
	}
	return st.Facets(ctx, q)
}

// lazyCurator lets the HTTP server start before the store is open.
type lazyCurator struct {
	ref *atomic.Pointer[indexer.Curator]
}

func (l lazyCurator) Merge(ctx context.Context, ids []string, r indexer.Request) (*store.Incident, error) {
	c := l.ref.Load()
	if c == nil {
		return nil, web.ErrNotReady
	}
	return c.Merge(ctx, ids, r)
}

func (l lazyCurator) Split(ctx context.Context, id string, articles []string, r indexer.Request) (*store.Incident, *store.Incident, error) {
	c := l.ref.Load()
	if c == nil {
		return nil, nil, web.ErrNotReady
	}
	return c.Split(ctx, id, articles, r)
}
