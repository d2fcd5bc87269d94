package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/breachwire/breachwire/services/alerter"
	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/internal/natsauth"
)

// subscriptionOps is what subscribe and subscriptions need, from a running
// instance or from the data directory.
type subscriptionOps interface {
	CreateSubscription(ctx context.Context, sp alerter.Spec) (alerter.Created, error)
	ListSubscriptions(ctx context.Context) ([]alerter.View, error)
	GetSubscription(ctx context.Context, id string) (alerter.View, error)
	DeleteSubscription(ctx context.Context, id string) (alerter.View, error)
}

// directSubscriptions adapts the registry to subscriptionOps.
type directSubscriptions struct{ r *alerter.Registry }

func (d directSubscriptions) CreateSubscription(ctx context.Context, sp alerter.Spec) (alerter.Created, error) {
	return d.r.Create(ctx, sp)
}

func (d directSubscriptions) ListSubscriptions(ctx context.Context) ([]alerter.View, error) {
	all, err := d.r.List(ctx)
	views := make([]alerter.View, 0, len(all))
	for _, s := range all {
		views = append(views, s.View())
	}
	return views, err
}

func (d directSubscriptions) GetSubscription(ctx context.Context, id string) (alerter.View, error) {
	s, err := d.r.Get(ctx, id)
	if err != nil {
		return alerter.View{}, err
	}
	return s.View(), nil
}

func (d directSubscriptions) DeleteSubscription(ctx context.Context, id string) (alerter.View, error) {
	s, err := d.r.Delete(ctx, id)
	if err != nil {
		return alerter.View{}, err
	}
	return s.View(), nil
}

func subscriptionState(ctx context.Context, e *env, cfg *config.Config) (subscriptionOps, func(), error) {
	return stateOps(ctx, e, cfg, func(a *apiClient) subscriptionOps { return a },
		func(conn *app.Conn) (subscriptionOps, error) {
			reg, err := alerter.OpenRegistry(ctx, conn.JS)
			return directSubscriptions{reg}, err
		})
}

func cmdSubscribe(ctx context.Context, e *env, args []string) error {
	var sp alerter.Spec
	cfg, rest, err := loadConfig(e, "subscribe", args, func(fs *flag.FlagSet) {
		fs.StringVar(&sp.Name, "name", "", "name of the subscription (required)")
		fs.StringVar(&sp.Query, "query", "", "saved search in the search syntax, e.g. cause:third_party (required)")
		fs.BoolVar(&sp.Updates, "updates", false, "also alert on material updates (count revised, regulator action, fine)")
		fs.StringVar(&sp.Webhook, "webhook", "", "POST alerts to this URL, signed with the subscription's secret")
		fs.BoolVar(&sp.NATS, "nats", false, "read alerts on the NATS subject bw.alerts.<id>")
		fs.BoolVar(&sp.Atom, "atom", false, "read alerts in the private Atom feed /feeds/<token>.atom")
	})
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return &config.UsageError{Err: fmt.Errorf("subscribe takes no arguments (got %q); quote the query", strings.Join(rest, " "))}
	}
	if _, err := sp.Validate(); err != nil {
		return &config.UsageError{Err: err}
	}
	ops, closeFn, err := subscriptionState(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	c, err := ops.CreateSubscription(ctx, sp)
	if err != nil {
		return err
	}
	return printJSON(e.stdout, c)
}

func cmdSubscriptions(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &config.UsageError{Err: errors.New("subscriptions needs a subcommand: list, show, delete or nats-user")}
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "list", "show", "delete":
	case "nats-user":
		return cmdNATSUser(e, args)
	default:
		return &config.UsageError{Err: fmt.Errorf("unknown subscriptions subcommand %q: want list, show, delete or nats-user", sub)}
	}
	var format string
	cfg, rest, err := loadConfig(e, "subscriptions "+sub, args, func(fs *flag.FlagSet) {
		if sub == "list" {
			fs.StringVar(&format, "format", "table", "table or json")
		}
	})
	if err != nil {
		return err
	}
	switch {
	case sub == "list" && len(rest) != 0:
		return &config.UsageError{Err: errors.New("subscriptions list takes no arguments")}
	case sub != "list" && len(rest) != 1:
		return &config.UsageError{Err: fmt.Errorf("subscriptions %s takes one subscription id", sub)}
	case format != "" && format != "table" && format != "json":
		return &config.UsageError{Err: fmt.Errorf("--format %q: want table or json", format)}
	}
	ops, closeFn, err := subscriptionState(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	switch sub {
	case "show":
		v, err := ops.GetSubscription(ctx, rest[0])
		if err != nil {
			return err
		}
		return printJSON(e.stdout, v)
	case "delete":
		v, err := ops.DeleteSubscription(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted %s (%s)\n", v.ID, v.Name)
		return nil
	}
	views, err := ops.ListSubscriptions(ctx)
	if err != nil {
		return err
	}
	if format == "json" {
		return printJSON(e.stdout, views)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tUPDATES\tDELIVERIES\tQUERY")
	for _, v := range views {
		var d []string
		if v.Webhook != "" {
			d = append(d, "webhook")
		}
		if v.NATS {
			d = append(d, "nats")
		}
		if v.Atom {
			d = append(d, "atom")
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", v.ID, v.Name, v.Updates, strings.Join(d, ","), v.Query)
	}
	return tw.Flush()
}

// cmdNATSUser prints a journalist's entry for deploy/nats/journalists.conf:
// the user may read bw.alerts.<id> of the subscriptions named, and
// bw.incidents.>, nothing else. The password is read from standard input
// and only its bcrypt hash is printed.
func cmdNATSUser(e *env, args []string) error {
	fs := flag.NewFlagSet("breachwire subscriptions nats-user", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	user := fs.String("user", "", "the journalist's NATS user name")
	nkey := fs.String("nkey", "", "the journalist's public user nkey (instead of a password)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input (its bcrypt hash is printed)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &config.UsageError{Err: err}
	}
	j := natsauth.Journalist{User: *user, NKey: *nkey, SubscriptionIDs: fs.Args()}
	if *passwordStdin == (*nkey != "") {
		return &config.UsageError{Err: errors.New("subscriptions nats-user needs exactly one of --password-stdin or --nkey")}
	}
	if *passwordStdin {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1024))
		if err != nil {
			return err
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if pw == "" {
			return &config.UsageError{Err: errors.New("empty password on standard input")}
		}
		if j.PasswordHash, err = natsauth.HashPassword(pw); err != nil {
			return err
		}
	}
	entry, err := natsauth.JournalistUser(j)
	if err != nil {
		return &config.UsageError{Err: err}
	}
	fmt.Fprintln(e.stdout, entry)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *apiClient) CreateSubscription(ctx context.Context, sp alerter.Spec) (alerter.Created, error) {
	var out alerter.Created
	err := c.do(ctx, http.MethodPost, "/api/v1/subscriptions", sp, &out)
	return out, err
}

func (c *apiClient) ListSubscriptions(ctx context.Context) ([]alerter.View, error) {
	var out struct {
		Subscriptions []alerter.View `json:"subscriptions"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/subscriptions", nil, &out)
	return out.Subscriptions, err
}

func (c *apiClient) GetSubscription(ctx context.Context, id string) (alerter.View, error) {
	var out alerter.View
	err := c.do(ctx, http.MethodGet, "/api/v1/subscriptions/"+url.PathEscape(id), nil, &out)
	return out, err
}

func (c *apiClient) DeleteSubscription(ctx context.Context, id string) (alerter.View, error) {
	var out alerter.View
	err := c.do(ctx, http.MethodDelete, "/api/v1/subscriptions/"+url.PathEscape(id), nil, &out)
	return out, err
}
