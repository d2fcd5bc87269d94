package main

import (
	"context"
	"log/slog"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/config"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func yamlUnmarshal(s string, v any) error { return yaml.Unmarshal([]byte(s), v) }

// startInstance runs app.Run with cfg (on a free HTTP port when cfg.HTTP is
// empty) until the test ends, and returns its base URL once it is ready.
// The test fails if the instance does not stop cleanly.
func startInstance(t *testing.T, cfg config.Config) string {
	t.Helper()
	if cfg.HTTP == "" || cfg.HTTP == config.Default().HTTP {
		cfg.HTTP = freeAddr(t)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, &cfg, discardLogger(), "test") }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	base := "http://" + cfg.HTTP
	waitReady(t, base, done)
	return base
}
