package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/web"
)

// dlqOps is what the dlq subcommand needs, whether it talks to a running
// instance or opens the data directory itself.
type dlqOps interface {
	List(ctx context.Context, stage string, limit int) ([]bus.DeadLetter, error)
	Replay(ctx context.Context, stage string, seqs []uint64) (int, error)
	Purge(ctx context.Context, stage string) (uint64, error)
}

// apiClient calls a running instance's HTTP API.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// target decides where a client subcommand works: the running instance at
// cfg.Server when it answers, otherwise the data directory directly. A server
// named explicitly (flag, environment or file) must answer.
func target(ctx context.Context, e *env, cfg *config.Config) (*apiClient, error) {
	return targetFor(ctx, cfg, true)
}

// targetFor is target; read-only commands pass needToken false.
func targetFor(ctx context.Context, cfg *config.Config, needToken bool) (*apiClient, error) {
	base := strings.TrimRight(cfg.Server, "/")
	if _, err := url.ParseRequestURI(base); err != nil {
		return nil, &config.UsageError{Err: fmt.Errorf("--server %q: %v", cfg.Server, err)}
	}
	c := &apiClient{base: base, http: &http.Client{Timeout: 60 * time.Second}}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(pctx, http.MethodGet, base+"/healthz", nil)
	resp, err := c.http.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			c.token = cfg.AdminToken
			if c.token == "" {
				if abs, aerr := config.AbsDataDir(cfg.Data); aerr == nil {
					c.token, _ = app.ReadAdminToken(abs)
				}
			}
			if c.token == "" && needToken {
				return nil, &config.UsageError{Err: fmt.Errorf("breachwire at %s needs an admin token: set --admin-token or BREACHWIRE_ADMIN_TOKEN (a running instance keeps a generated one in <data>/admin-token)", base)}
			}
			return c, nil
		}
		err = fmt.Errorf("healthz answered %s", resp.Status)
	}
	if cfg.IsSet("server") {
		return nil, fmt.Errorf("cannot reach breachwire at %s: %w", base, err)
	}
	return nil, nil
}

// lockDataDir takes the data directory for a command that works without a
// running instance; a live instance holds the lock and refuses.
func lockDataDir(cfg *config.Config) (string, func(), error) {
	abs, err := config.AbsDataDir(cfg.Data)
	if err != nil {
		return "", nil, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", nil, &config.UsageError{Err: fmt.Errorf("no breachwire answers at %s and there is no data directory %s", cfg.Server, abs)}
	}
	release, err := app.LockDataDir(abs)
	if errors.Is(err, app.ErrLocked) {
		return "", nil, fmt.Errorf("a breachwire process holds %s but its HTTP API at %s does not answer; pass --server", abs, cfg.Server)
	}
	if err != nil {
		return "", nil, err
	}
	return abs, release, nil
}

// quietLogger is the log of a short-lived command: warnings and errors only.
func quietLogger(e *env, cfg *config.Config) *slog.Logger {
	return newLogger(&config.Config{LogLevel: "warn", LogFormat: cfg.LogFormat}, e.stderr)
}

// stateOps returns what a state-changing command works through: the running
// instance's API client when one answers, else ops built by direct on the
// data directory's NATS. The returned func releases what was opened.
func stateOps[T any](ctx context.Context, e *env, cfg *config.Config, fromAPI func(*apiClient) T,
	direct func(*app.Conn) (T, error)) (T, func(), error) {
	var zero T
	api, err := target(ctx, e, cfg)
	if err != nil {
		return zero, nil, err
	}
	if api != nil {
		return fromAPI(api), func() {}, nil
	}
	conn, closeFn, err := openDirect(ctx, e, cfg)
	if err != nil {
		return zero, nil, err
	}
	ops, err := direct(conn)
	if err != nil {
		closeFn()
		return zero, nil, err
	}
	return ops, closeFn, nil
}

// openDirect works on the data directory when no instance runs.
func openDirect(ctx context.Context, e *env, cfg *config.Config) (*app.Conn, func(), error) {
	abs, release, err := lockDataDir(cfg)
	if err != nil {
		return nil, nil, err
	}
	direct := *cfg
	direct.NATS.Listen = "" // nothing of this short-lived process listens
	conn, err := app.OpenNATS(ctx, &direct, abs, quietLogger(e, cfg))
	if err != nil {
		release()
		return nil, nil, err
	}
	return conn, func() { conn.Close(); release() }, nil
}

func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

func (c *apiClient) List(ctx context.Context, stage string, limit int) ([]bus.DeadLetter, error) {
	var out struct {
		DeadLetters []bus.DeadLetter `json:"dead_letters"`
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if stage != "" {
		q.Set("stage", stage)
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/dlq?"+q.Encode(), nil, &out)
	return out.DeadLetters, err
}

func (c *apiClient) Replay(ctx context.Context, stage string, seqs []uint64) (int, error) {
	var out struct {
		Replayed int `json:"replayed"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/dlq/replay", web.DLQRequest{Stage: stage, Seqs: seqs}, &out)
	return out.Replayed, err
}

func (c *apiClient) Purge(ctx context.Context, stage string) (uint64, error) {
	var out struct {
		Purged uint64 `json:"purged"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/dlq/purge", web.DLQRequest{Stage: stage}, &out)
	return out.Purged, err
}

func (c *apiClient) FeedStatuses(ctx context.Context) ([]feeder.Status, error) {
	var out struct {
		Feeds []feeder.Status `json:"feeds"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/feeds", nil, &out)
	return out.Feeds, err
}

func (c *apiClient) AddFeed(ctx context.Context, f config.Feed) (feeder.Entry, error) {
	var out feeder.Entry
	err := c.do(ctx, http.MethodPost, "/api/v1/feeds", f, &out)
	return out, err
}

func (c *apiClient) RequestBackfill(ctx context.Context, urlOrID string, pages int) (feeder.Entry, error) {
	var out feeder.Entry
	err := c.do(ctx, http.MethodPost, "/api/v1/feeds/x/backfill?url="+url.QueryEscape(urlOrID), web.BackfillRequest{Pages: pages}, &out)
	return out, err
}

func (c *apiClient) RemoveFeed(ctx context.Context, urlOrID string) (feeder.Entry, error) {
	var out feeder.Entry
	err := c.do(ctx, http.MethodDelete, "/api/v1/feeds/x?url="+url.QueryEscape(urlOrID), nil, &out)
	return out, err
}
