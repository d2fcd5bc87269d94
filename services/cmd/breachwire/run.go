package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/breachwire/breachwire/services/internal/config"
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, e *env, args []string) error
}

// env is what a subcommand may touch: no globals, so run is testable.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() []command {
	return []command{
		{"run", "run [flags]", "run the pipeline (embedded NATS unless --nats is given)", cmdRun},
		{"config", "config [flags]", "print the effective configuration, secrets redacted", cmdConfig},
		{"version", "version", "print the version", cmdVersion},
		{"dlq", "dlq list|replay|purge [flags]", "inspect, replay or purge dead-lettered messages", cmdDLQ},
		{"extract", "extract [flags] FILE|URL...", "print the main text and metadata of pages as JSON", cmdExtract},
		{"feeds", "feeds add|list|remove|status [flags]", "manage the feeds to poll and see their health", cmdFeeds},
		{"classify", "classify [--format json|jsonl] FILE...|-", "extract breach facts from article text or HTML, with evidence", cmdClassify},
		{"search", "search [--format table|json] QUERY", "search incidents (e.g. organisation:plusnet AND records:>1000)", cmdSearch},
		{"export", "export --format jsonl|csv [QUERY]", "stream every matching incident", cmdExport},
		{"incidents", "incidents show ID | merge ID ID... | split ID --articles A,B  [--by WHO] --why TEXT", "print an incident as JSON; merge incidents that are one breach, split off articles of another", cmdIncidents},
		{"index", "index migrate", "Elasticsearch: new index version, reindex, swap the alias", cmdIndex},
		{"subscribe", "subscribe --name N --query Q [flags]", "save a search and be alerted; prints {id, token, secret}", cmdSubscribe},
		{"subscriptions", "subscriptions list|show|delete|nats-user", "manage alert subscriptions; write a journalist's NATS user", cmdSubscriptions},
	}
}

// run executes the command line args and returns an error whose kind
// decides the exit code (see exitCode).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		usage(stderr)
		return &config.UsageError{Err: errors.New("no command given")}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return &config.UsageError{Err: fmt.Errorf("unknown command %q (try breachwire help)", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: breachwire <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-32s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w, "\nEvery flag can also be set as BREACHWIRE_<FLAG> (e.g. BREACHWIRE_DATA) or in the YAML file given by --config.")
}

// exitCode prints err on one line and maps it to the process's exit code:
// 0 success or help, 2 bad usage or configuration, 1 anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "breachwire: "+strings.ReplaceAll(err.Error(), "\n", " "))
	var ue *config.UsageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// loadConfig parses a subcommand's flags on top of file and environment.
// extra registers the subcommand's own flags.
func loadConfig(e *env, name string, args []string, extra func(fs *flag.FlagSet)) (*config.Config, []string, error) {
	fs := flag.NewFlagSet("breachwire "+name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	cfg, rest, err := config.Load(fs, args, e.getenv)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stdout)
		fmt.Fprintf(e.stdout, "usage: breachwire %s [flags]\n", name)
		fs.PrintDefaults()
	}
	return cfg, rest, err
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
