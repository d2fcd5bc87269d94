package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/web"
)

// cmdIncidents shows one incident, or curates: merges incidents that are
// one breach, splits articles that tell of another.
func cmdIncidents(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &config.UsageError{Err: errors.New("incidents needs a subcommand: show ID, merge ID ID..., split ID --articles A,B")}
	}
	switch args[0] {
	case "show":
		return incidentsShow(ctx, e, args[1:])
	case "merge", "split":
		return incidentsCurate(ctx, e, args[0], args[1:])
	}
	return &config.UsageError{Err: fmt.Errorf("unknown incidents subcommand %q: want show, merge or split", args[0])}
}

func incidentsShow(ctx context.Context, e *env, args []string) error {
	cfg, rest, err := loadConfig(e, "incidents show", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return &config.UsageError{Err: errors.New("incidents show takes one incident id")}
	}
	ops, closeFn, err := openIncidents(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	inc, err := ops.Incident(ctx, rest[0])
	if err != nil {
		return err
	}
	return printJSON(e.stdout, inc)
}

func incidentsCurate(ctx context.Context, e *env, sub string, args []string) error {
	var req indexer.Request
	var articles string
	cfg, rest, err := loadConfig(e, "incidents "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&req.By, "by", "", "who curates (default: $USER)")
		fs.StringVar(&req.Why, "why", "", "why (required): kept with the revision")
		if sub == "split" {
			fs.StringVar(&articles, "articles", "", "comma-separated ids of the articles that leave the incident")
		}
	})
	if err != nil {
		return err
	}
	req.By = cmpOr(req.By, e.getenv("USER"), e.getenv("USERNAME"))
	switch {
	case strings.TrimSpace(req.Why) == "":
		return &config.UsageError{Err: fmt.Errorf("incidents %s: say why with --why; it is kept with the revision", sub)}
	case strings.TrimSpace(req.By) == "":
		return &config.UsageError{Err: fmt.Errorf("incidents %s: say who with --by ($USER is not set)", sub)}
	case sub == "merge" && len(rest) < 2:
		return &config.UsageError{Err: errors.New("incidents merge takes two or more incident ids; the first keeps its id")}
	case sub == "split" && len(rest) != 1:
		return &config.UsageError{Err: errors.New("incidents split takes one incident id")}
	case sub == "split" && strings.Trim(articles, ", ") == "":
		return &config.UsageError{Err: errors.New("incidents split: name the articles that leave with --articles A,B")}
	}
	cur, closeFn, err := openCuration(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	if sub == "merge" {
		inc, err := cur.Merge(ctx, rest, req)
		if err != nil {
			return err
		}
		return printJSON(e.stdout, web.CurationResult{Incident: inc})
	}
	var ids []string
	for a := range strings.SplitSeq(articles, ",") {
		if a = strings.TrimSpace(a); a != "" {
			ids = append(ids, a)
		}
	}
	inc, split, err := cur.Split(ctx, rest[0], ids, req)
	if err != nil {
		return err
	}
	return printJSON(e.stdout, web.CurationResult{Incident: inc, Split: split})
}

// openCuration finds a running instance (which must accept the admin
// token), else works on the data directory's store and NATS itself.
func openCuration(ctx context.Context, e *env, cfg *config.Config) (web.Curation, func(), error) {
	api, err := target(ctx, e, cfg)
	if err != nil {
		return nil, nil, err
	}
	if api != nil {
		return api, func() {}, nil
	}
	conn, closeConn, err := openDirect(ctx, e, cfg)
	if err != nil {
		return nil, nil, err
	}
	direct := *cfg
	if direct.Data, err = config.AbsDataDir(cfg.Data); err != nil {
		closeConn()
		return nil, nil, err
	}
	st, err := app.OpenStore(ctx, &direct, quietLogger(e, cfg))
	if err != nil {
		closeConn()
		return nil, nil, err
	}
	return &indexer.Curator{Store: st, Pub: bus.NewPublisher(conn.JS)}, func() { _ = st.Close(); closeConn() }, nil
}

func (c *apiClient) Merge(ctx context.Context, ids []string, r indexer.Request) (*store.Incident, error) {
	var out web.CurationResult
	err := c.do(ctx, http.MethodPost, "/api/v1/incidents/merge", web.MergeRequest{IDs: ids, Request: r}, &out)
	return out.Incident, err
}

func (c *apiClient) Split(ctx context.Context, id string, articles []string, r indexer.Request) (*store.Incident, *store.Incident, error) {
	var out web.CurationResult
	err := c.do(ctx, http.MethodPost, "/api/v1/incidents/"+url.PathEscape(id)+"/split", web.SplitRequest{Articles: articles, Request: r}, &out)
	return out.Incident, out.Split, err
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
