package natsd_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"

	"github.com/breachwire/breachwire/services/internal/natsd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEmbeddedKeepsJetStreamAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		e, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if e.ClientURL() != "" {
			t.Errorf("embedded server listens at %q without being asked", e.ClientURL())
		}
		nc, err := e.Connect("test")
		if err != nil {
			t.Fatal(err)
		}
		kv := "$KV.persist.k"
		if i == 0 {
			// A stream created in the first life must exist in the second.
			if _, err := nc.Request("$JS.API.STREAM.CREATE.persist", []byte(`{"name":"persist","subjects":["$KV.persist.>"],"storage":"file"}`), 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if _, err := nc.Request(kv, []byte("v"), 5*time.Second); err != nil {
				t.Fatal(err)
			}
		} else {
			msg, err := nc.Request("$JS.API.STREAM.INFO.persist", nil, 5*time.Second)
			if err != nil || !strings.Contains(string(msg.Data), `"messages":1`) {
				t.Fatalf("stream lost across restart: %v %s", err, msg.Data)
			}
		}
		nc.Close()
		e.Shutdown()
	}
}

func TestEmbeddedListensWhenAsked(t *testing.T) {
	e, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	url := e.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("client URL %q", url)
	}
	nc, err := natsd.ConnectExternal(t.Context(), "outside", natsd.ExternalOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}

func TestEmbeddedRejectsBadOptions(t *testing.T) {
	if _, err := natsd.StartEmbedded(natsd.EmbeddedOptions{}); err == nil {
		t.Error("empty store dir accepted")
	}
	if _, err := natsd.StartEmbedded(natsd.EmbeddedOptions{StoreDir: t.TempDir(), Listen: "no-port"}); err == nil {
		t.Error("listen address without port accepted")
	}
}

func TestExternalWithUserPassword(t *testing.T) {
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		Username: "bw", Password: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	nc, err := natsd.ConnectExternal(ctx, "t", natsd.ExternalOptions{URL: srv.ClientURL(), User: "bw", Password: "s3cret"})
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	nc.Close()
	_, err = natsd.ConnectExternal(ctx, "t", natsd.ExternalOptions{URL: srv.ClientURL(), User: "bw", Password: "wrong"})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Fatalf("wrong password: %v", err)
	}
	// A password in the URL never appears in the error.
	_, err = natsd.ConnectExternal(ctx, "t", natsd.ExternalOptions{URL: "nats://bw:topsecret@127.0.0.1:1"})
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("error leaks the password or connects: %v", err)
	}
}
