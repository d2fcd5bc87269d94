package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/export"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/web"
)

// incidentOps is what search, export and incidents show need.
type incidentOps interface {
	Search(ctx context.Context, params url.Values) (*store.Result, error)
	Incident(ctx context.Context, id string) (*store.Incident, error)
}

func (c *apiClient) Search(ctx context.Context, params url.Values) (*store.Result, error) {
	var out store.Result
	err := c.do(ctx, http.MethodGet, "/api/v1/incidents?"+params.Encode(), nil, &out)
	return &out, err
}

func (c *apiClient) Incident(ctx context.Context, id string) (*store.Incident, error) {
	var out store.Incident
	err := c.do(ctx, http.MethodGet, "/api/v1/incidents/"+url.PathEscape(id), nil, &out)
	return &out, err
}

// directStore answers from the data directory's store when no instance runs.
type directStore struct{ st store.Store }

func (d directStore) Search(ctx context.Context, params url.Values) (*store.Result, error) {
	req, err := web.ParseRequest(params.Get)
	if err != nil {
		return nil, &config.UsageError{Err: err}
	}
	return d.st.Search(ctx, req)
}

func (d directStore) Incident(ctx context.Context, id string) (*store.Incident, error) {
	inc, _, err := d.st.GetIncident(ctx, id)
	return inc, err
}

// openIncidents finds a running instance, else opens the store itself.
func openIncidents(ctx context.Context, e *env, cfg *config.Config) (incidentOps, func(), error) {
	api, err := targetFor(ctx, cfg, false)
	if err != nil {
		return nil, nil, err
	}
	if api != nil {
		return api, func() {}, nil
	}
	// A remote (Elasticsearch) store needs no lock; the embedded one does.
	direct, release := *cfg, func() {}
	if cfg.Elasticsearch.URL == "" {
		abs, rel, err := lockDataDir(cfg)
		if err != nil {
			return nil, nil, err
		}
		direct.Data, release = abs, rel
	}
	st, err := app.OpenStore(ctx, &direct, quietLogger(e, cfg))
	if err != nil {
		release()
		return nil, nil, err
	}
	return directStore{st}, func() { _ = st.Close(); release() }, nil
}

func searchFlags(params url.Values) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		for _, p := range []struct{ name, usage string }{
			{"from", "first reported on or after (YYYY, YYYY-MM, YYYY-MM-DD)"},
			{"to", "first reported before"},
			{"sort", "first_reported (default, newest first), last_updated, records, year; -field for descending"},
			{"size", "incidents per page"},
		} {
			fs.Func(p.name, p.usage, func(v string) error { params.Set(p.name, v); return nil })
		}
	}
}

func cmdSearch(ctx context.Context, e *env, args []string) error {
	params := url.Values{}
	var format string
	cfg, rest, err := loadConfig(e, "search", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "table", "table or json")
		searchFlags(params)(fs)
	})
	if err != nil {
		return err
	}
	if format != "table" && format != "json" {
		return &config.UsageError{Err: fmt.Errorf("--format %q: want table or json", format)}
	}
	params.Set("q", strings.Join(rest, " "))
	if _, err := query.Parse(params.Get("q")); err != nil {
		return &config.UsageError{Err: err}
	}
	ops, closeFn, err := openIncidents(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	res, err := ops.Search(ctx, params)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if res.Incidents == nil {
			res.Incidents = []*store.Incident{}
		}
		return enc.Encode(res)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORGANISATION\tYEAR\tRECORDS\tCAUSE\tREGULATOR ACTIONS\tFIRST REPORTED\tSOURCES")
	for _, inc := range res.Incidents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", inc.ID, inc.Organisation.Name, yearString(inc.Year), recordsString(inc.Records),
			inc.Cause.Primary, actionsString(inc.RegulatorActions), dateString(inc.FirstReported), len(inc.Sources))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	more := ""
	if res.NextCursor != "" {
		more = " (more: --size, or breachwire export)"
	}
	fmt.Fprintf(e.stderr, "%d of %d incidents%s\n", len(res.Incidents), res.Total, more)
	return nil
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	params := url.Values{}
	var format string
	cfg, rest, err := loadConfig(e, "export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "jsonl", "jsonl or csv")
		searchFlags(params)(fs)
	})
	if err != nil {
		return err
	}
	if _, err := export.ParseFormat(format); err != nil {
		return &config.UsageError{Err: fmt.Errorf("--%w", err)}
	}
	params.Set("q", strings.Join(rest, " "))
	if _, err := query.Parse(params.Get("q")); err != nil {
		return &config.UsageError{Err: err}
	}
	if params.Get("size") == "" {
		params.Set("size", strconv.Itoa(query.MaxSize))
	}
	ops, closeFn, err := openIncidents(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	progress := isTerminal(e.stderr)
	out, err := export.NewWriter(e.stdout, export.Format(format))
	if err != nil {
		return err
	}
	res, err := ops.Search(ctx, params)
	if err != nil {
		return err
	}
	var report func(done int, total int64)
	if progress {
		report = func(done int, total int64) { fmt.Fprintf(e.stderr, "\rexported %d of %d incidents", done, total) }
	}
	err = out.Copy(res, func(cursor string) (*store.Result, error) {
		params.Set("cursor", cursor)
		return ops.Search(ctx, params)
	}, report)
	if err != nil {
		return err
	}
	if progress {
		fmt.Fprintln(e.stderr)
	}
	return nil
}

func cmdIndex(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "migrate" {
		return &config.UsageError{Err: errors.New("index needs a subcommand: migrate")}
	}
	cfg, rest, err := loadConfig(e, "index migrate", args[1:], nil)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return &config.UsageError{Err: errors.New("index migrate takes no arguments")}
	}
	if cfg.Elasticsearch.URL == "" {
		return &config.UsageError{Err: errors.New("index migrate applies to Elasticsearch (--elasticsearch URL); the embedded index is rebuilt by replaying extractions")}
	}
	st, err := app.OpenElastic(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "migrated: aliases now point at the new index versions")
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func yearString(y int) string {
	if y == 0 {
		return "-"
	}
	return strconv.Itoa(y)
}

func recordsString(r *store.Records) string {
	n, ok := r.Count()
	if !ok {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func actionsString(as []store.RegulatorAction) string {
	return cmp.Or(export.Actions(as), "-")
}
