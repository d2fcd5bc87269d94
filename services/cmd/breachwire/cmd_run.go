package main

import (
	"context"
	"errors"
	"runtime/debug"

	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/config"
)

func cmdRun(ctx context.Context, e *env, args []string) error {
	cfg, rest, err := loadConfig(e, "run", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &config.UsageError{Err: errors.New("run takes no arguments, got " + rest[0])}
	}
	if err := cfg.Validate(app.StageNames()); err != nil {
		return err
	}
	if cfg.Data, err = config.PrepareDataDir(cfg.Data); err != nil {
		return err
	}
	if cfg.MemoryLimitMB > 0 && e.getenv("GOMEMLIMIT") == "" {
		setMemoryLimit(int64(cfg.MemoryLimitMB) << 20)
	}
	return app.Run(ctx, cfg, newLogger(cfg, e.stderr), version)
}

// setMemoryLimit sets the process's soft memory limit (the tests of this
// package, which run `run` in their own process, replace it).
var setMemoryLimit = func(n int64) { debug.SetMemoryLimit(n) }

func cmdConfig(ctx context.Context, e *env, args []string) error {
	cfg, rest, err := loadConfig(e, "config", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &config.UsageError{Err: errors.New("config takes no arguments, got " + rest[0])}
	}
	if err := cfg.Validate(app.StageNames()); err != nil {
		return err
	}
	out, err := cfg.Redacted().YAML()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}
