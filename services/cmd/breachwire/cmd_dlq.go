package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
)

func cmdDLQ(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &config.UsageError{Err: errors.New("dlq needs a subcommand: list, replay or purge")}
	}
	sub, args := args[0], args[1:]
	var (
		stage  string
		all    bool
		limit  int
		format string
	)
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&stage, "stage", "", "only this stage's dead letters")
		switch sub {
		case "list":
			fs.IntVar(&limit, "limit", 100, "at most this many entries")
			fs.StringVar(&format, "format", "table", "table or json")
		case "replay", "purge":
			fs.BoolVar(&all, "all", false, "every stage's dead letters (instead of --stage)")
		}
	}
	switch sub {
	case "list", "replay", "purge":
	default:
		return &config.UsageError{Err: fmt.Errorf("unknown dlq subcommand %q: want list, replay or purge", sub)}
	}
	cfg, rest, err := loadConfig(e, "dlq "+sub, args, flags)
	if err != nil {
		return err
	}
	var seqs []uint64
	for _, a := range rest {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil || sub != "replay" {
			return &config.UsageError{Err: fmt.Errorf("dlq %s: unexpected argument %q", sub, a)}
		}
		seqs = append(seqs, n)
	}
	switch {
	case sub == "list" && format != "table" && format != "json":
		return &config.UsageError{Err: fmt.Errorf("--format %q: want table or json", format)}
	case sub != "list" && stage != "" && all:
		return &config.UsageError{Err: errors.New("give --stage or --all, not both")}
	case sub == "purge" && stage == "" && !all:
		return &config.UsageError{Err: errors.New("dlq purge deletes messages: give --stage NAME or --all")}
	case sub == "replay" && stage == "" && !all && len(seqs) == 0:
		return &config.UsageError{Err: errors.New("dlq replay: give sequence numbers, --stage NAME or --all")}
	}

	ops, closeFn, err := stateOps(ctx, e, cfg, func(a *apiClient) dlqOps { return a },
		func(conn *app.Conn) (dlqOps, error) { return bus.NewDLQ(conn.JS), nil })
	if err != nil {
		return err
	}
	defer closeFn()

	switch sub {
	case "list":
		dls, err := ops.List(ctx, stage, limit)
		if err != nil {
			return err
		}
		if format == "json" {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if dls == nil {
				return enc.Encode([]any{})
			}
			return enc.Encode(dls)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tSTAGE\tDELIVERIES\tPERMANENT\tTIME\tSUBJECT\tERROR")
		for _, d := range dls {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%t\t%s\t%s\t%s\n", d.Seq, d.Stage, d.Deliveries, d.Permanent,
				d.Time.UTC().Format(time.RFC3339), d.Subject, shorten(d.Error, 100))
		}
		return tw.Flush()
	case "replay":
		n, err := ops.Replay(ctx, stage, seqs)
		fmt.Fprintf(e.stdout, "replayed %d\n", n)
		return err
	default:
		n, err := ops.Purge(ctx, stage)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "purged %d\n", n)
		return nil
	}
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
