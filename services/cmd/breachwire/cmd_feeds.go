package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/feeder/notices"
	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/config"
)

// feedOps is what the feeds subcommand needs, from a running instance or
// from the data directory.
type feedOps interface {
	FeedStatuses(ctx context.Context) ([]feeder.Status, error)
	AddFeed(ctx context.Context, f config.Feed) (feeder.Entry, error)
	RemoveFeed(ctx context.Context, urlOrID string) (feeder.Entry, error)
	RequestBackfill(ctx context.Context, urlOrID string, pages int) (feeder.Entry, error)
}

// directFeeds adapts the registry to feedOps.
type directFeeds struct{ r *feeder.Registry }

func (d directFeeds) FeedStatuses(ctx context.Context) ([]feeder.Status, error) {
	return d.r.Statuses(ctx, time.Now())
}
func (d directFeeds) AddFeed(ctx context.Context, f config.Feed) (feeder.Entry, error) {
	return d.r.Add(ctx, f)
}
func (d directFeeds) RequestBackfill(ctx context.Context, k string, pages int) (feeder.Entry, error) {
	return d.r.RequestBackfill(ctx, k, pages)
}
func (d directFeeds) RemoveFeed(ctx context.Context, k string) (feeder.Entry, error) {
	return d.r.Remove(ctx, k)
}

func cmdFeeds(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &config.UsageError{Err: errors.New("feeds needs a subcommand: add, list, remove, status or backfill")}
	}
	sub, args := args[0], args[1:]
	var (
		format string
		nf     config.Feed
		pages  int
	)
	flags := func(fs *flag.FlagSet) {
		switch sub {
		case "list", "status":
			fs.StringVar(&format, "format", "table", "table or json")
		case "backfill":
			fs.IntVar(&pages, "pages", 10, "how many pages of the list to walk")
		case "add":
			fs.StringVar(&nf.Name, "name", "", "name of the feed (default: its host)")
			fs.StringVar(&nf.Kind, "kind", "", "news, regulator, filings, breach-list or notices (default news)")
			fs.StringVar(&nf.Parser, "parser", "", "for --kind notices: "+strings.Join(notices.Names(), ", "))
			fs.StringVar(&nf.About, "about", "", "what the source is")
			fs.DurationVar((*time.Duration)(&nf.MinInterval), "min-interval", 0, "shortest poll interval (default --feed-min-interval)")
			fs.DurationVar((*time.Duration)(&nf.MaxInterval), "max-interval", 0, "longest poll interval (default --feed-max-interval)")
			fs.Func("tag", "a tag (repeatable)", func(s string) error { nf.Tags = append(nf.Tags, s); return nil })
			fs.Func("match", "keep only items containing this text (repeatable)", func(s string) error { nf.Match = append(nf.Match, s); return nil })
		}
	}
	switch sub {
	case "add", "list", "remove", "status", "backfill":
	default:
		return &config.UsageError{Err: fmt.Errorf("unknown feeds subcommand %q: want add, list, remove, status or backfill", sub)}
	}
	cfg, rest, err := loadConfig(e, "feeds "+sub, args, flags)
	if err != nil {
		return err
	}
	switch {
	case sub == "backfill" && len(rest) != 1:
		return &config.UsageError{Err: errors.New("feeds backfill takes one feed id or URL")}
	case sub == "backfill" && (pages < 1 || pages > feeder.MaxBackfillPages):
		return &config.UsageError{Err: fmt.Errorf("--pages %d: want 1 to %d", pages, feeder.MaxBackfillPages)}
	case (sub == "add" || sub == "remove") && len(rest) != 1:
		return &config.UsageError{Err: fmt.Errorf("feeds %s takes one feed URL", sub)}
	case (sub == "list" || sub == "status") && len(rest) != 0:
		return &config.UsageError{Err: fmt.Errorf("feeds %s takes no arguments", sub)}
	case format != "" && format != "table" && format != "json":
		return &config.UsageError{Err: fmt.Errorf("--format %q: want table or json", format)}
	}
	if sub == "add" {
		nf.URL = rest[0]
		if err := config.ValidateFeed(nf); err != nil {
			return &config.UsageError{Err: err}
		}
	}

	ops, closeFn, err := stateOps(ctx, e, cfg, func(a *apiClient) feedOps { return a },
		func(conn *app.Conn) (feedOps, error) {
			reg, err := feeder.OpenRegistry(ctx, conn.JS, cfg.Feeds)
			return directFeeds{reg}, err
		})
	if err != nil {
		return err
	}
	defer closeFn()

	switch sub {
	case "add":
		ent, err := ops.AddFeed(ctx, nf)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s)\n", ent.Feed.URL, ent.ID)
		return nil
	case "backfill":
		ent, err := ops.RequestBackfill(ctx, rest[0], pages)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backfill of up to %d pages of %s (%s) asked for; the feeder runs it now (see feeds status)\n", pages, ent.Feed.URL, ent.ID)
		return nil
	case "remove":
		ent, err := ops.RemoveFeed(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s (%s)\n", ent.Feed.URL, ent.ID)
		return nil
	}
	sts, err := ops.FeedStatuses(ctx)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if sts == nil {
			sts = []feeder.Status{}
		}
		return enc.Encode(sts)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if sub == "list" {
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tSOURCE\tURL")
		for _, s := range sts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Feed.Name, s.Feed.Kind, s.Source, s.Feed.URL)
		}
		return tw.Flush()
	}
	fmt.Fprintln(tw, "NAME\tHEALTH\tLAST SUCCESS\tFAILURES\tITEMS 7D\tNEXT POLL\tLAST ERROR\tLAST PAGE FAILURE")
	for _, s := range sts {
		pageFailure := "-"
		if pf := s.LastPageFailure; pf != nil {
			pageFailure = fmt.Sprintf("%s %s %s", pf.Status, when(pf.At), shorten(pf.URL, 60))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Feed.Name, s.Health, when(s.LastSuccess), s.ConsecutiveFailures,
			s.ItemsLast7Days, when(s.NextPoll), cmpOr(shorten(strings.TrimSpace(s.LastError), 60), "-"), pageFailure)
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
