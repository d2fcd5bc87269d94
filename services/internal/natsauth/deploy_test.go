package natsauth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/natsauth"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// deployDir is the configuration operators run: these tests load it, not a
// copy written for them.
var deployDir = filepath.Join("..", "..", "..", "deploy", "nats")

// passwordEnv is the variable deploy/nats/nats-server.conf reads the
// service user's password (or its bcrypt hash) from.
const passwordEnv = "BREACHWIRE_NATS_PASSWORD"

// Test-only passwords, made up here.
const (
	servicePassword = "service-test-password"
	alicePassword   = "alice-test-password"
	aliceSub        = "sub_a"
	bobSub          = "sub_b"
)

// deployment is a server running deploy/nats/nats-server.conf with a
// generated journalists.conf: alice (password) reads sub_a, bob (nkey) sub_b.
type deployment struct {
	srv *server.Server
	url string
	bob nkeys.KeyPair
}

// startDeployment loads the shipped server configuration from a directory
// holding a copy of it beside a journalists.conf written by
// JournalistsFile; only the listen port, store directory, monitor port and
// logging are changed, on the parsed options.
func startDeployment(t *testing.T, serviceSecret string) *deployment {
	t.Helper()
	dir := t.TempDir()
	shipped, err := os.ReadFile(filepath.Join(deployDir, "nats-server.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nats-server.conf"), shipped, 0o600); err != nil {
		t.Fatal(err)
	}
	aliceHash := quickHash(t, alicePassword)
	bob, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	bobPub, err := bob.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	journalists, err := natsauth.JournalistsFile([]natsauth.Journalist{
		{User: "alice", PasswordHash: aliceHash, SubscriptionIDs: []string{aliceSub}},
		{User: "bob", NKey: bobPub, SubscriptionIDs: []string{bobSub}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "journalists.conf"), []byte(journalists), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(passwordEnv, serviceSecret)
	t.Setenv("NATS_SERVER_NAME", "nats-1")
	opts, err := server.ProcessConfigFile(filepath.Join(dir, "nats-server.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// One node: the cluster's routes name the compose hosts.
	opts.Cluster, opts.Routes = server.ClusterOpts{}, nil
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", server.RANDOM_PORT, 0
	opts.StoreDir = t.TempDir()
	opts.NoLog, opts.NoSigs = true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	return &deployment{srv: srv, url: srv.ClientURL(), bob: bob}
}

// quickHash hashes at bcrypt's lowest cost: under the race detector a
// cost-11 comparison outlasts the server's first PING, which fails the
// client's handshake. The server accepts any cost; HashPassword's own is
// tested on its own.
func quickHash(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// client is a connection that keeps the asynchronous errors the server
// sends it, permission violations among them.
type client struct {
	nc   *nats.Conn
	errs chan error
}

func (d *deployment) connect(t *testing.T, auth ...nats.Option) (*client, error) {
	t.Helper()
	c := &client{errs: make(chan error, 256)}
	opts := append([]nats.Option{
		nats.MaxReconnects(0), nats.Timeout(5 * time.Second),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case c.errs <- err:
			default:
			}
		}),
	}, auth...)
	nc, err := nats.Connect(d.url, opts...)
	if err != nil {
		return nil, err
	}
	c.nc = nc
	t.Cleanup(nc.Close)
	return c, nil
}

func (d *deployment) service(t *testing.T) *client {
	t.Helper()
	c, err := d.connect(t, nats.UserInfo(natsauth.ServiceUser, servicePassword))
	if err != nil {
		t.Fatalf("service user: %v", err)
	}
	return c
}

func (d *deployment) alice(t *testing.T) *client {
	t.Helper()
	c, err := d.connect(t, nats.UserInfo("alice", alicePassword))
	if err != nil {
		t.Fatalf("alice: %v", err)
	}
	return c
}

func (d *deployment) bobConn(t *testing.T) *client {
	t.Helper()
	pub, _ := d.bob.PublicKey()
	c, err := d.connect(t, nats.Nkey(pub, d.bob.Sign))
	if err != nil {
		t.Fatalf("bob: %v", err)
	}
	return c
}

// subscribe records what a subscription receives; a denied one must stay empty.
func (c *client) subscribe(t *testing.T, subject, queue string) chan *nats.Msg {
	t.Helper()
	ch := make(chan *nats.Msg, 64)
	var err error
	if queue != "" {
		_, err = c.nc.ChanQueueSubscribe(subject, queue, ch)
	} else {
		_, err = c.nc.ChanSubscribe(subject, ch)
	}
	if err != nil {
		t.Fatalf("subscribe %s: %v", subject, err)
	}
	if err := c.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return ch
}

// expectViolation waits for the server's permissions violation of kind
// ("Subscription" or "Publish") on subject.
func (c *client) expectViolation(t *testing.T, kind, subject string) {
	t.Helper()
	want := kind + ` to "` + subject + `"`
	timeout := time.After(5 * time.Second)
	var seen []error
	for {
		select {
		case err := <-c.errs:
			if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), want) {
				return
			}
			seen = append(seen, err)
		case <-timeout:
			t.Fatalf("no permissions violation for %s (errors seen: %v)", want, seen)
		}
	}
}

func receive(t *testing.T, ch chan *nats.Msg, subject, data string) {
	t.Helper()
	select {
	case m := <-ch:
		if m.Subject != subject || string(m.Data) != data {
			t.Fatalf("got %s %q, want %s %q", m.Subject, m.Data, subject, data)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("nothing received on %s", subject)
	}
}

func empty(t *testing.T, ch chan *nats.Msg, what string) {
	t.Helper()
	select {
	case m := <-ch:
		t.Errorf("%s received %s %q", what, m.Subject, m.Data)
	default:
	}
}

// TestShippedConfig runs deploy/nats/nats-server.conf: the service runs the
// topology and publishes through JetStream, each journalist reads its own
// alerts and the incident events, and nothing else.
func TestShippedConfig(t *testing.T) {
	bcryptHash := quickHash(t, servicePassword)
	d := startDeployment(t, bcryptHash)
	ctx := t.Context()

	svc := d.service(t)
	js, err := jetstream.New(svc.nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Declare(ctx, js, bus.DefaultTopology(testenv.Limits())); err != nil {
		t.Fatalf("service user cannot declare the topology: %v", err)
	}
	pub := bus.NewPublisher(js)
	publish := func(t *testing.T, subject, id, data string) {
		t.Helper()
		if _, err := pub.Publish(ctx, subject, id, []byte(data), nil); err != nil {
			t.Fatalf("service publish: %v", err)
		}
	}
	// The subscriptions bucket holds webhook secrets; journalists must never see it.
	subsKV, err := js.KeyValue(ctx, bus.BucketSubscriptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := subsKV.Put(ctx, bobSub, []byte(`{"webhook_secret":"s3cret"}`)); err != nil {
		t.Fatalf("service user cannot write the subscriptions bucket: %v", err)
	}

	for name, want := range map[string]bool{"BREACHWIRE": true, "JOURNALISTS": false} {
		acc, err := d.srv.LookupAccount(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := acc.JetStreamEnabled(); got != want {
			t.Errorf("account %s: JetStream enabled %v, want %v", name, got, want)
		}
	}

	alice, bob := d.alice(t), d.bobConn(t)

	t.Run("each journalist reads its alerts and incident events", func(t *testing.T) {
		aliceAlerts := alice.subscribe(t, bus.SubjectAlertsPrefix+aliceSub, "")
		aliceIncidents := alice.subscribe(t, bus.SubjectIncidentsAll, "")
		bobAlerts := bob.subscribe(t, bus.SubjectAlertsPrefix+bobSub, "")
		bobIncidents := bob.subscribe(t, bus.SubjectIncidentsNew, "")

		publish(t, bus.SubjectAlertLogPrefix+aliceSub, "alert-a-1", `{"subscription":"sub_a","n":1}`)
		publish(t, bus.SubjectAlertLogPrefix+bobSub, "alert-b-1", `{"subscription":"sub_b","n":1}`)
		publish(t, bus.SubjectIncidentsNew, "incident-1", `{"kind":"new"}`)

		receive(t, aliceAlerts, bus.SubjectAlertsPrefix+aliceSub, `{"subscription":"sub_a","n":1}`)
		receive(t, bobAlerts, bus.SubjectAlertsPrefix+bobSub, `{"subscription":"sub_b","n":1}`)
		receive(t, aliceIncidents, bus.SubjectIncidentsNew, `{"kind":"new"}`)
		receive(t, bobIncidents, bus.SubjectIncidentsNew, `{"kind":"new"}`)
		if err := alice.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		empty(t, aliceAlerts, "alice's alerts")
		empty(t, bobAlerts, "bob's alerts")
		// And JetStream kept the alerts for the alerter's own replays.
		if n := alertsStored(t, js); n != 2 {
			t.Errorf("ALERTS holds %d messages, want 2", n)
		}
	})

	t.Run("a journalist subscribes to nothing else", func(t *testing.T) {
		denied := []string{
			bus.SubjectAlertsPrefix + bobSub,
			bus.SubjectAlertsPrefix + "*",
			bus.SubjectAlertsPrefix + ">",
			bus.SubjectAlertsPrefix + aliceSub + ".>",
			"bw.>", ">", "*.>",
			bus.SubjectArticles, bus.SubjectDiscovered, bus.SubjectExtractions,
			bus.SubjectDLQPrefix + ">",
			bus.SubjectAlertLogPrefix + aliceSub, bus.SubjectAlertLogPrefix + ">",
			"$KV.>", "$KV." + bus.BucketSubscriptions + ".>",
			"$JS.API.>", "$JS.EVENT.>", "$SYS.>", "_INBOX.>",
		}
		chans := map[string]chan *nats.Msg{}
		for _, s := range denied {
			chans[s] = alice.subscribe(t, s, "")
			alice.expectViolation(t, "Subscription", s)
		}
		chans["queue "+bus.SubjectAlertsPrefix+bobSub] = alice.subscribe(t, bus.SubjectAlertsPrefix+bobSub, "q")
		alice.expectViolation(t, "Subscription", bus.SubjectAlertsPrefix+bobSub)

		bobAlerts := bob.subscribe(t, bus.SubjectAlertsPrefix+bobSub, "")
		if _, err := subsKV.Put(ctx, bobSub, []byte(`{"webhook_secret":"s3cret"}`)); err != nil {
			t.Fatal(err)
		}
		publish(t, bus.SubjectArticles, "article-1", `{"title":"t"}`)
		publish(t, bus.SubjectAlertLogPrefix+bobSub, "alert-b-2", `{"subscription":"sub_b","n":2}`)
		// Bob got his alert, and alice's connection has caught up with
		// everything the server sent before it: denied subscriptions got nothing.
		receive(t, bobAlerts, bus.SubjectAlertsPrefix+bobSub, `{"subscription":"sub_b","n":2}`)
		if err := alice.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		for s, ch := range chans {
			empty(t, ch, "alice's denied subscription to "+s)
		}
	})

	t.Run("a journalist publishes nothing", func(t *testing.T) {
		bobAlerts := bob.subscribe(t, bus.SubjectAlertsPrefix+bobSub, "")
		bobIncidents := bob.subscribe(t, bus.SubjectIncidentsAll, "")
		before := alertsStored(t, js)
		for _, s := range []string{
			bus.SubjectAlertsPrefix + bobSub, // a forged alert
			bus.SubjectIncidentsNew,
			bus.SubjectArticles,
			"$KV." + bus.BucketSubscriptions + "." + bobSub,
		} {
			if err := alice.nc.Publish(s, []byte(`{"forged":true}`)); err != nil {
				t.Fatal(err)
			}
			alice.expectViolation(t, "Publish", s)
		}
		// The JetStream API, direct gets included: no stream, consumer or
		// bucket of the pipeline is reachable.
		for _, s := range []string{
			"$JS.API.INFO",
			"$JS.API.STREAM.INFO." + bus.StreamAlerts,
			"$JS.API.DIRECT.GET." + bus.StreamAlerts,
			"$JS.API.STREAM.MSG.GET.KV_" + bus.BucketSubscriptions,
			"$JS.API.CONSUMER.CREATE." + bus.StreamAlerts,
		} {
			if _, err := alice.nc.Request(s, []byte(`{"seq":1}`), 500*time.Millisecond); err == nil {
				t.Errorf("request to %s answered", s)
			}
			alice.expectViolation(t, "Publish", s)
		}
		ajs, err := jetstream.New(alice.nc)
		if err != nil {
			t.Fatal(err)
		}
		kctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if _, err := ajs.KeyValue(kctx, bus.BucketSubscriptions); err == nil {
			t.Error("alice opened the subscriptions bucket")
		}

		if err := svc.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := bob.nc.Flush(); err != nil {
			t.Fatal(err)
		}
		empty(t, bobAlerts, "bob's alerts (forged by alice)")
		empty(t, bobIncidents, "bob's incident events (forged by alice)")
		if after := alertsStored(t, js); after != before {
			t.Errorf("ALERTS went from %d to %d messages", before, after)
		}
		if e, err := subsKV.Get(ctx, bobSub); err != nil || string(e.Value()) != `{"webhook_secret":"s3cret"}` {
			t.Errorf("subscriptions bucket changed: %v", err)
		}
	})

	t.Run("logins", func(t *testing.T) {
		pubBob, _ := d.bob.PublicKey()
		stranger, err := nkeys.CreateUser()
		if err != nil {
			t.Fatal(err)
		}
		strangerPub, _ := stranger.PublicKey()
		for name, auth := range map[string][]nats.Option{
			"no credentials":                   nil,
			"alice, wrong password":            {nats.UserInfo("alice", "wrong")},
			"alice, the service password":      {nats.UserInfo("alice", servicePassword)},
			"the service user, wrong password": {nats.UserInfo(natsauth.ServiceUser, "wrong")},
			"the service user, alice password": {nats.UserInfo(natsauth.ServiceUser, alicePassword)},
			"the service user, its hash":       {nats.UserInfo(natsauth.ServiceUser, bcryptHash)},
			"an unknown nkey":                  {nats.Nkey(strangerPub, stranger.Sign)},
			"bob's nkey, signed by another":    {nats.Nkey(pubBob, stranger.Sign)},
		} {
			if _, err := d.connect(t, auth...); !errors.Is(err, nats.ErrAuthorization) {
				t.Errorf("%s: %v, want an authorization violation", name, err)
			}
		}
	})
}

// TestShippedConfigPlainServicePassword is docker-compose's setup: both
// sides get the same password in the environment.
func TestShippedConfigPlainServicePassword(t *testing.T) {
	d := startDeployment(t, servicePassword)
	svc := d.service(t)
	js, err := jetstream.New(svc.nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Declare(t.Context(), js, bus.DefaultTopology(testenv.Limits())); err != nil {
		t.Fatal(err)
	}
}

// TestShippedConfigAsIs parses deploy/nats/ unchanged: it is valid with the
// shipped (empty) journalists.conf, holds JetStream in BREACHWIRE alone, and
// refuses to load without the service password.
func TestShippedConfigAsIs(t *testing.T) {
	conf := filepath.Join(deployDir, "nats-server.conf")
	t.Setenv(passwordEnv, "x")
	t.Setenv("NATS_SERVER_NAME", "nats-2")
	opts, err := server.ProcessConfigFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	// A node of the three-node cluster docker-compose.yml runs.
	if opts.ServerName != "nats-2" || opts.Cluster.Name != "breachwire" || len(opts.Routes) != 3 || !opts.JetStream {
		t.Errorf("server %q, cluster %q with %d routes, jetstream %v; want nats-2 in breachwire with 3 routes and jetstream",
			opts.ServerName, opts.Cluster.Name, len(opts.Routes), opts.JetStream)
	}
	var users []string
	for _, u := range opts.Users {
		users = append(users, u.Account.Name+"/"+u.Username)
	}
	if !slices.Equal(users, []string{"BREACHWIRE/" + natsauth.ServiceUser}) || len(opts.Nkeys) != 0 {
		t.Errorf("shipped users %v and nkeys %d, want the service user alone", users, len(opts.Nkeys))
	}
	if opts.NoAuthUser != "" {
		t.Errorf("no_auth_user %q lets clients in without credentials", opts.NoAuthUser)
	}

	os.Unsetenv(passwordEnv) // t.Setenv restores it
	if _, err := server.ProcessConfigFile(conf); err == nil || !strings.Contains(err.Error(), passwordEnv) {
		t.Errorf("loaded without %s: %v", passwordEnv, err)
	}
}

// alertsStored counts the messages in the ALERTS stream.
func alertsStored(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(t.Context(), bus.StreamAlerts)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}
