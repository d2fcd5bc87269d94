package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
)

// buildBinary compiles breachwire once per test binary run.
// The instances tests start share the test process: they leave its
// memory limit alone (a 10,000-article run of the binary measures it).
func init() { setMemoryLimit = func(int64) {} }

func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "breachwire")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, base string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("process exited before it was ready: %v", err)
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("not ready within 60s")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunBecomesReadyAndStopsCleanlyOnSignal(t *testing.T) {
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			data := t.TempDir()
			addr := freeAddr(t)
			var logs bytes.Buffer
			cmd := exec.Command(bin, "run", "--data", data, "--http", addr)
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			base := "http://" + addr
			waitReady(t, base, exited)

			if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
				t.Fatalf("healthz %d %q", code, body)
			}
			_, metrics := get(t, base+"/metrics")
			for _, want := range []string{"breachwire_consumer_pending_messages{stage=\"scraper\"} 0", "breachwire_jetstream_up 1"} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %q", want)
				}
			}
			if fi, err := os.Stat(filepath.Join(data, "admin-token")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("admin token file: %v %v", fi, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("exit after %s: %v\n%s", sig, err, logs.String())
				}
			case <-time.After(app.ShutdownBudget):
				_ = cmd.Process.Kill()
				t.Fatalf("still running %s after %s", app.ShutdownBudget, sig)
			}
			if !strings.Contains(logs.String(), "msg=stopped") {
				t.Errorf("no orderly stop in logs:\n%s", logs.String())
			}
		})
	}
}

// runCLI runs the command in-process and returns stdout, stderr and exit code.
func runCLI(t *testing.T, envv map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(""), &out, &errb, func(k string) string { return envv[k] })
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestBadUsageExitsTwoWithOneLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	badYAML := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badYAML, []byte("dta: /tmp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"run", "--bogus"}, "flag provided but not defined: -bogus"},
		{"data is a file", nil, []string{"run", "--data", file}, "not a directory"},
		{"data below a file", nil, []string{"run", "--data", filepath.Join(file, "sub")}, "cannot create"},
		{"bad http address", nil, []string{"run", "--http", "nonsense"}, "--http"},
		{"unknown stage", nil, []string{"run", "--stages", "nope"}, `unknown stage "nope"`},
		{"bad env", map[string]string{"BREACHWIRE_LOG_LEVEL": "loud"}, []string{"run"}, "--log-level"},
		{"unknown yaml key", nil, []string{"run", "--config", badYAML}, "field dta not found"},
		{"missing config file", nil, []string{"config", "--config", "/nonexistent.yaml"}, "config file"},
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
		{"no command", nil, nil, "no command given"},
		{"purge without scope", nil, []string{"dlq", "purge"}, "give --stage NAME or --all"},
		{"tls half", nil, []string{"run", "--nats", "nats://x", "--nats-tls-cert", "c.pem"}, "go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.env, tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "breachwire: ") || !strings.Contains(last, tc.want) {
				t.Fatalf("stderr %q, want one line containing %q", stderr, tc.want)
			}
		})
	}
}

func TestConfigLayersAndRedaction(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bw.yaml")
	yaml := "data: /from/file\nhttp: 127.0.0.1:9000\nadmin_token: file-secret\nnats:\n  url: nats://alice:pw@nats.example:4222\n  user: file-user\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"BREACHWIRE_CONFIG":        file,
		"BREACHWIRE_HTTP":          "127.0.0.1:9100", // env beats file
		"BREACHWIRE_NATS_PASSWORD": "env-secret",
	}
	out, stderr, code := runCLI(t, env, "config", "--http", "127.0.0.1:9200") // flag beats env
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got config.Config
	if err := yamlUnmarshal(out, &got); err != nil {
		t.Fatalf("config output is not YAML: %v\n%s", err, out)
	}
	if got.Data != "/from/file" || got.HTTP != "127.0.0.1:9200" || got.NATS.User != "file-user" {
		t.Fatalf("layering wrong: %+v", got)
	}
	for _, secret := range []string{"file-secret", "env-secret", ":pw@"} {
		if strings.Contains(out, secret) {
			t.Fatalf("secret %q printed:\n%s", secret, out)
		}
	}
	if got.AdminToken != "REDACTED" || got.NATS.Password != "REDACTED" || !strings.Contains(got.NATS.URL, "alice:REDACTED@") {
		t.Fatalf("secrets not marked redacted: %+v", got)
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runCLI(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "breachwire ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// seedDeadLetters puts n dead letters for the scraper stage into dataDir.
func seedDeadLetters(t *testing.T, dataDir string, n int) {
	t.Helper()
	cfg := config.Default()
	conn, err := app.OpenNATS(t.Context(), &cfg, dataDir, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pub := bus.NewPublisher(conn.JS)
	for i := range n {
		id := fmt.Sprintf("item-%d", i)
		if _, err := pub.Publish(t.Context(), bus.SubjectDiscovered, id, []byte(id), nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = bus.Consume(ctx, conn.JS, bus.ConsumerOptions{Stage: bus.StageScraper, FetchWait: 200 * time.Millisecond},
			func(context.Context, *bus.Message) error { return bus.Permanentf("synthetic failure") })
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		dls, err := bus.NewDLQ(conn.JS).List(t.Context(), "", 100)
		if err == nil && len(dls) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead letters not seeded: %v %d", err, len(dls))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestDLQCommandsThroughServerAndDataDir(t *testing.T) {
	data := t.TempDir()
	seedDeadLetters(t, data, 3)

	// With no instance running, the commands open the data directory.
	env := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": ""}
	out, stderr, code := runCLI(t, env, "dlq", "list", "--format", "json", "--server", "http://127.0.0.1:8080")
	_ = out
	// --server given explicitly but nothing answers: an error, not a silent fallback.
	if code != 1 || !strings.Contains(stderr, "cannot reach breachwire") {
		t.Fatalf("explicit unreachable server: %d %q", code, stderr)
	}
	out, stderr, code = runCLI(t, env, "dlq", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("direct list: %d %s", code, stderr)
	}
	var dls []bus.DeadLetter
	if err := json.Unmarshal([]byte(out), &dls); err != nil || len(dls) != 3 {
		t.Fatalf("direct list: %v %q", err, out)
	}
	if dls[0].Error != "permanent: synthetic failure" || dls[0].Stage != "scraper" {
		t.Fatalf("dead letter %+v", dls[0])
	}

	// With an instance running, the same commands go through its API.
	cfg := config.Default()
	cfg.Data = data
	// Only the feeder: a scraper would take the replayed message and, it
	// being no valid item, dead-letter it again.
	cfg.Stages = []string{"feeder"}
	base := startInstance(t, cfg)
	srvEnv := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": base}

	// The data directory is locked by the instance.
	if _, stderr, code := runCLI(t, map[string]string{"BREACHWIRE_DATA": data}, "dlq", "list"); code == 0 || !strings.Contains(stderr, "does not answer") {
		t.Fatalf("locked data dir: %d %q", code, stderr)
	}
	out, stderr, code = runCLI(t, srvEnv, "dlq", "list")
	if code != 0 || strings.Count(out, "synthetic failure") != 3 {
		t.Fatalf("api list: %d %q %q", code, out, stderr)
	}
	// Without the token the API refuses.
	if _, stderr, code := runCLI(t, map[string]string{"BREACHWIRE_SERVER": base, "BREACHWIRE_DATA": t.TempDir()}, "dlq", "list"); code != 2 || !strings.Contains(stderr, "admin token") {
		t.Fatalf("no token: %d %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, map[string]string{"BREACHWIRE_SERVER": base, "BREACHWIRE_ADMIN_TOKEN": "wrong"}, "dlq", "list"); code != 1 || !strings.Contains(stderr, "401") {
		t.Fatalf("wrong token: %d %q", code, stderr)
	}
	out, stderr, code = runCLI(t, srvEnv, "dlq", "replay", fmt.Sprint(dls[0].Seq))
	if code != 0 || out != "replayed 1\n" {
		t.Fatalf("replay: %d %q %q", code, out, stderr)
	}
	out, stderr, code = runCLI(t, srvEnv, "dlq", "purge", "--stage", "scraper")
	if code != 0 || out != "purged 2\n" {
		t.Fatalf("purge: %d %q %q", code, out, stderr)
	}
	out, _, _ = runCLI(t, srvEnv, "dlq", "list", "--format", "json")
	if strings.TrimSpace(out) != "[]" {
		t.Fatalf("after purge: %q", out)
	}
}

func TestRunAgainstExternalNATS(t *testing.T) {
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(), Username: "bw", Password: "pw",
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	addr := freeAddr(t)
	cfg := config.Default()
	cfg.Data, cfg.HTTP = t.TempDir(), addr
	cfg.NATS.URL, cfg.NATS.User, cfg.NATS.Password = srv.ClientURL(), "bw", "pw"
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, &cfg, discardLogger(), "test") }()
	waitReady(t, "http://"+addr, done)
	// The topology was declared on the external server, and nothing of
	// JetStream was written under the data directory.
	if _, err := os.Stat(filepath.Join(cfg.Data, "nats")); !os.IsNotExist(err) {
		t.Errorf("embedded store created although NATS is external: %v", err)
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.UserInfo("bw", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	var streams []string
	for name := range js.StreamNames(t.Context()).Name() {
		streams = append(streams, name)
	}
	// Every stream and KV bucket (KV_*) of the topology.
	topo := bus.DefaultTopology(bus.DefaultLimits())
	if want := len(topo.Streams) + len(topo.Buckets); len(streams) != want {
		t.Errorf("external server has streams %v, want the topology's %d streams and %d buckets", streams, len(topo.Streams), len(topo.Buckets))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunIngestsAFeed runs the binary's pipeline in-process against a local
// feed whose items point at local pages, and watches the articles arrive.
func TestRunIngestsAFeed(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var items strings.Builder
	for i := range 3 {
		fmt.Fprintf(&items, `<item><guid>story-%d</guid><link>%s/story/%d</link><title>Synthetic story %d</title><description>Short summary %d.</description></item>`, i, srv.URL, i, i, i)
	}
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>%s</channel></rss>`, items.String())
	})
	mux.HandleFunc("/story/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><head><title>Story</title></head><body><article><h1>Story %s</h1>
<p>This synthetic article reports that a regional retailer found a misconfigured storage bucket that exposed order records of several thousand customers for two weeks.</p>
<p>The retailer said it closed access on the day it was told, notified the regulator, and wrote to every customer whose address or phone number was in the files.</p>
</article></body></html>`, strings.TrimPrefix(r.URL.Path, "/story/"))
	})

	addr := freeAddr(t)
	out, stderr, code := "", "", 0
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var o, e bytes.Buffer
		err := run(ctx, []string{"run", "--data", t.TempDir(), "--http", addr, "--allow-private-networks", "--feed", srv.URL + "/feed.xml", "--log-level", "warn"},
			strings.NewReader(""), &o, &e, func(string) string { return "" })
		out, stderr, code = o.String(), e.String(), exitCode(err, &e)
	}()
	base := "http://" + addr
	waitReady(t, base, nil)
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, m := get(t, base+"/metrics")
		if strings.Contains(m, `breachwire_stage_processed_total{stage="scraper"} 3`) &&
			strings.Contains(m, `breachwire_stage_processed_total{stage="classifier"} 3`) &&
			strings.Contains(m, `breachwire_stage_processed_total{stage="indexer"} 3`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("articles did not arrive; metrics:\n%s", grepLines(m, "breachwire_"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	code2, body := get(t, base+"/api/v1/feeds")
	if code2 != 200 || !strings.Contains(body, `"health":"ok"`) || !strings.Contains(body, `"total_items":3`) {
		t.Fatalf("feed status %d %s", code2, body)
	}
	cancel()
	<-done
	if code != 0 {
		t.Fatalf("run exited %d: %s %s", code, out, stderr)
	}
}

func grepLines(s, sub string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
