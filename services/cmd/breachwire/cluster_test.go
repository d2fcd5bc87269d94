package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
)

// startCluster starts n in-process nats-servers with JetStream as one
// cluster and waits until JetStream answers. They stop when the test ends
// (Shutdown on a stopped server does nothing).
func startCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	servers := make([]*server.Server, n)
	for i := range servers {
		opts := &server.Options{
			ServerName: fmt.Sprintf("bw-%d", i), Host: "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
			Cluster: server.ClusterOpts{Name: "bw-test", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
		}
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		t.Cleanup(s.Shutdown)
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatalf("server %d not ready", i)
		}
		servers[i] = s
	}
	js := connectJS(t, servers[0].ClientURL())
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return servers
		}
		if time.Now().After(deadline) {
			t.Fatalf("jetstream cluster not ready: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// connectJS is a JetStream client of the server at url until the test ends.
func connectJS(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// instance is one `breachwire run` in this process.
type instance struct {
	base   string
	stderr *bytes.Buffer
	stop   func()
}

func startRun(t *testing.T, args ...string) *instance {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		var out bytes.Buffer
		err := run(ctx, append([]string{"run", "--http", addr, "--log-level", "warn"}, args...),
			strings.NewReader(""), &out, &stderr, func(string) string { return "" })
		done <- exitCode(err, &stderr)
	}()
	stopped := false
	in := &instance{base: "http://" + addr, stderr: &stderr}
	in.stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("run %v exited %d: %s", args, code, stderr.String())
			}
		}
	}
	t.Cleanup(in.stop)
	deadline := time.Now().Add(60 * time.Second)
	for !ready(in.base) {
		if time.Now().After(deadline) {
			t.Fatalf("instance not ready: %s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return in
}

// metric sums the samples of a series whose line starts with prefix.
func (in *instance) metric(prefix string) float64 {
	resp, err := http.Get(in.base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	sum := 0.0
	for _, line := range strings.Split(b.String(), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			sum += f
		}
	}
	return sum
}

// The pipeline on a three-node JetStream cluster (streams R3), with the
// stages in two processes (a second runs scraper, classifier and, on the
// search node, indexer replicas sharing the durable consumers), loses and
// duplicates nothing when the node one process is connected to is killed
// mid-ingest: every article becomes one incident with one source, each
// announced once, and nothing is dead-lettered.
func TestClusterNodeKilledMidIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test")
	}
	const n = 300
	srv := servePages(benchPages(n, 3))
	defer srv.Close()

	nodes := startCluster(t, 3)
	storeArgs, replicaStages := []string(nil), "scraper,classifier"
	if url := os.Getenv("BREACHWIRE_TEST_ES_URL"); url != "" {
		storeArgs = []string{"--elasticsearch", url, "--search-flavor", "opensearch", "--index-prefix", fmt.Sprintf("bw-cluster-%d", time.Now().UnixNano())}
		replicaStages += ",indexer"
	}
	common := append([]string{"--nats-replicas", "3", "--allow-private-networks"}, storeArgs...)
	a := startRun(t, append([]string{"--data", t.TempDir(), "--nats", nodes[0].ClientURL(),
		"--feed", srv.URL + "/feed.xml", "--feed-min-interval", "1s", "--feed-max-interval", "2s"}, common...)...)
	b := startRun(t, append([]string{"--data", t.TempDir(), "--nats", nodes[1].ClientURL(), "--stages", replicaStages}, common...)...)

	indexed := func() float64 {
		return a.metric(`breachwire_stage_processed_total{stage="indexer"}`) + b.metric(`breachwire_stage_processed_total{stage="indexer"}`)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for indexed() < n/3 {
		if time.Now().After(deadline) {
			t.Fatalf("%v of %d indexed before the kill: %s %s", indexed(), n, a.stderr, b.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	before := indexed()
	nodes[0].Shutdown() // the node the first process is connected to
	t.Logf("killed node 0 with %v of %d indexed", before, n)

	// Everything arrives, through the surviving nodes.
	js := connectJS(t, nodes[1].ClientURL())
	streamMsgs := func(name string) uint64 {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		s, err := js.Stream(ctx, name)
		if err != nil {
			return 0
		}
		info, err := s.Info(ctx)
		if err != nil {
			return 0
		}
		return info.State.Msgs
	}
	deadline = time.Now().Add(4 * time.Minute)
	for streamMsgs(bus.StreamIncidents) < n || total(t, a.base) < n {
		if time.Now().After(deadline) {
			t.Logf("metrics: indexer processed %v failed %v; alerter %v; stderr A: %.3000s", a.metric(`breachwire_stage_processed_total{stage="indexer"}`), a.metric(`breachwire_stage_failed_total{stage="indexer"`), a.metric(`breachwire_stage_processed_total{stage="alerter"}`), a.stderr)
			t.Fatalf("after the kill: %d incidents announced, %d stored, of %d: %s", streamMsgs(bus.StreamIncidents), total(t, a.base), n, b.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a duplicate would arrive now
	if got := streamMsgs(bus.StreamIncidents); got != n {
		t.Errorf("%d incident announcements for %d articles", got, n)
	}
	if got := total(t, a.base); got != n {
		t.Errorf("%d incidents stored for %d articles", got, n)
	}
	code, body := get(t, a.base+"/api/v1/incidents?size=500")
	if code != 200 {
		t.Fatalf("search: %d %s", code, body)
	}
	var res struct {
		Incidents []struct {
			Sources []struct{ ArticleID string } `json:"sources"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	for _, inc := range res.Incidents {
		if len(inc.Sources) != 1 {
			t.Errorf("an incident with %d sources (each article is its own event)", len(inc.Sources))
		}
	}
	if d := streamMsgs(bus.StreamDLQ); d != 0 {
		t.Errorf("%d messages dead-lettered", d)
	}
	if s := b.metric(`breachwire_stage_processed_total{stage="scraper"}`); s == 0 {
		t.Errorf("the second process's scraper took nothing from the shared durable")
	}
	t.Logf("second process: scraper %v, classifier %v, indexer %v", b.metric(`breachwire_stage_processed_total{stage="scraper"}`),
		b.metric(`breachwire_stage_processed_total{stage="classifier"}`), b.metric(`breachwire_stage_processed_total{stage="indexer"}`))
}

// total is the search API's incident count.
func total(t *testing.T, base string) int {
	resp, err := http.Get(base + "/api/v1/incidents?size=1")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var res struct {
		Total int `json:"total"`
	}
	if json.NewDecoder(resp.Body).Decode(&res) != nil {
		return 0
	}
	return res.Total
}
