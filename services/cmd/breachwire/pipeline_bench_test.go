package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/extract"
)

// BenchmarkPipeline measures `breachwire run` end to end, as a separate
// process built from this package: a local feed of BENCH_ARTICLES (default
// 1,000) synthetic ~5 KB breach stories, each a page of its own, from the
// first poll until the indexer has taken every article. The baseline,
// "classify", is the ceiling on this machine: the same pages through the
// scraper's main-text extraction and the classifier in this process, one
// worker per core, with no NATS and no store ("classify-one-worker" is
// one worker, as `breachwire classify` runs). scripts/bench prints the
// ratios. "backlog" runs 10,000 articles (BENCH_BACKLOG) on Bleve and
// reports the process's peak RSS while the backlog drains.
//
//	go test -run '^$' -bench BenchmarkPipeline -benchtime 1x ./services/cmd/breachwire/
func BenchmarkPipeline(b *testing.B) {
	n := envInt("BENCH_ARTICLES", 1000)
	pages := benchPages(n, 1)
	bin := buildBinary(b)
	b.Run("classify", func(b *testing.B) {
		for b.Loop() {
			began := time.Now()
			classifyAll(b, pages, runtime.GOMAXPROCS(0))
			b.ReportMetric(float64(len(pages))/time.Since(began).Seconds(), "articles/s")
		}
	})
	// What `breachwire classify` does: one page after another.
	b.Run("classify-one-worker", func(b *testing.B) {
		for b.Loop() {
			began := time.Now()
			classifyAll(b, pages, 1)
			b.ReportMetric(float64(len(pages))/time.Since(began).Seconds(), "articles/s")
		}
	})
	b.Run("bleve", func(b *testing.B) {
		for b.Loop() {
			rate, peak := runPipeline(b, bin, pages, nil)
			b.ReportMetric(rate, "articles/s")
			b.ReportMetric(peak, "peak-RSS-MB")
		}
	})
	if url := os.Getenv("BREACHWIRE_TEST_ES_URL"); url != "" {
		b.Run("search-node", func(b *testing.B) {
			for b.Loop() {
				rate, peak := runPipeline(b, bin, pages, []string{"--elasticsearch", url, "--search-flavor", "opensearch",
					"--index-prefix", fmt.Sprintf("bw-bench-%d", time.Now().UnixNano())})
				b.ReportMetric(rate, "articles/s")
				b.ReportMetric(peak, "peak-RSS-MB")
			}
		})
	}
	if backlog := envInt("BENCH_BACKLOG", 10_000); backlog > 0 {
		big := benchPages(backlog, 2)
		b.Run("backlog", func(b *testing.B) {
			for b.Loop() {
				rate, peak := runPipeline(b, bin, big, nil)
				b.ReportMetric(rate, "articles/s")
				b.ReportMetric(peak, "peak-RSS-MB")
				b.ReportMetric(float64(len(big)), "articles")
			}
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

type benchPage struct {
	path  string
	title string
	body  []byte
	pub   time.Time
}

// benchPages are n pages of our own prose, each about a different made-up
// organisation with its own count and cause.
func benchPages(n int, seed uint64) []benchPage {
	rng := rand.New(rand.NewPCG(seed, 11))
	causes := []string{"hackers broke into its servers and copied", "a misconfigured storage bucket exposed",
		"ransomware encrypted systems holding", "a stolen laptop held", "a phishing email let an attacker read"}
	filler := []string{
		"The company said it discovered the intrusion during a routine audit of its systems and reported it to the regulator within 72 hours.",
		"A spokesperson said there was no evidence that payment card details had been taken, and that the affected systems had since been moved behind additional controls.",
		"Customers are being contacted by letter this week and offered twelve months of free credit monitoring, the company added.",
		"The regulator confirmed it had received a report and said it was making enquiries. It did not say whether it would open a formal investigation.",
		"Security researchers said the attackers appeared to have used credentials stolen from a contractor that supports the platform.",
	}
	out := make([]benchPage, n)
	for i := range out {
		org := benchName(i) + " " + []string{"Water", "Health", "Freight", "Credit Union", "Print"}[i%5]
		day := time.Date(2021+i%4, time.Month(1+i%12), 1+i%27, 9, 0, 0, 0, time.UTC)
		count := 1000 + rng.IntN(900_000)
		title := org + " discloses data breach"
		var body strings.Builder
		fmt.Fprintf(&body, "<!DOCTYPE html><html lang=\"en\"><head><title>%s</title></head><body><nav><a href=\"/\">Home</a></nav><article><h1>%s</h1>", title, title)
		fmt.Fprintf(&body, "<p>%s said on %s that %s the records of %d customers.</p>", org, day.Format("January 2, 2006"), causes[i%len(causes)], count)
		for k := 0; body.Len() < 5000; k++ {
			fmt.Fprintf(&body, "<p>%s</p>", filler[k%len(filler)])
		}
		body.WriteString("</article><footer>Example News</footer></body></html>")
		out[i] = benchPage{path: fmt.Sprintf("/a/%d", i), title: title, body: []byte(body.String()), pub: day}
	}
	return out
}

// benchName is a made-up name of three syllables, distinct for each i
// below 13,824 (names with numbers in them are read as one name).
func benchName(i int) string {
	syl := []string{"kor", "van", "del", "mira", "sto", "bel", "tam", "quen", "lor", "dri", "fen", "gal",
		"hur", "jis", "ket", "nor", "pell", "rav", "sil", "tor", "ul", "vex", "wyn", "zar"}
	k := len(syl)
	name := syl[i%k] + syl[(i/k)%k] + syl[(i/(k*k))%k]
	return strings.ToUpper(name[:1]) + name[1:]
}

func classifyAll(b *testing.B, pages []benchPage, workers int) {
	x := rules.New()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(pages); i = int(next.Add(1)) - 1 {
				doc, err := extract.FromHTML(pages[i].body, "text/html; charset=utf-8", "http://127.0.0.1"+pages[i].path)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := x.Extract(context.Background(), classifier.Input{Text: doc.Text, Title: doc.Title, URL: doc.CanonicalURL, Published: pages[i].pub}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// servePages serves the pages and, at /feed.xml, an RSS feed of them all.
func servePages(pages []benchPage) *httptest.Server {
	mux := http.NewServeMux()
	for _, p := range pages {
		body := p.body
		mux.HandleFunc(p.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(body)
		})
	}
	srv := httptest.NewServer(mux)
	var feed strings.Builder
	feed.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Synthetic</title>`)
	for i, p := range pages {
		fmt.Fprintf(&feed, "<item><guid>synthetic-%d</guid><link>%s%s</link><title>%s</title><pubDate>%s</pubDate></item>",
			i, srv.URL, p.path, p.title, p.pub.Format(time.RFC1123Z))
	}
	feed.WriteString("</channel></rss>")
	feedXML := []byte(feed.String())
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(feedXML)
	})
	return srv
}

// runPipeline serves the pages and their feed, runs the binary until the
// indexer has taken every article, and returns articles/s from the moment
// the process is ready, and its peak RSS in MB.
func runPipeline(b *testing.B, bin string, pages []benchPage, extra []string) (float64, float64) {
	srv := servePages(pages)
	defer srv.Close()

	addr, natsAddr := freeAddr(b), freeAddr(b)
	args := append([]string{"run", "--data", b.TempDir(), "--http", addr, "--nats-listen", natsAddr, "--allow-private-networks",
		"--feed", srv.URL + "/feed.xml", "--feed-min-interval", "1m", "--feed-max-interval", "1h", "--log-level", "error"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "BREACHWIRE_CONFIG=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for !ready(base) {
		if time.Now().After(deadline) {
			b.Fatalf("not ready: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The end is the last new-incident announcement (each page is an
	// incident of its own), counted on a NATS subscription: scraping
	// /metrics ten times a second cost the process a quarter of its CPU
	// (consumer info requests, /proc reads). /metrics is read once a
	// second as well, in case announcements were missed.
	nc, err := nats.Connect("nats://" + natsAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	var announced atomic.Int64
	if _, err := nc.Subscribe(bus.SubjectIncidentsNew, func(*nats.Msg) { announced.Add(1) }); err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	deadline = began.Add(30 * time.Minute)
	for lastCheck := began; announced.Load() < int64(len(pages)); time.Sleep(10 * time.Millisecond) {
		if time.Since(lastCheck) > time.Second {
			lastCheck = time.Now()
			if done, err := indexed(base); err == nil && done >= len(pages) {
				break
			}
		}
		if time.Now().After(deadline) {
			done, err := indexed(base)
			b.Fatalf("%d of %d indexed in 30 min: %v %s", done, len(pages), err, stderr.String())
		}
	}
	elapsed := time.Since(began)
	return float64(len(pages)) / elapsed.Seconds(), peakRSS(b, cmd.Process.Pid)
}

func ready(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// indexed is how many messages the indexer has settled (processed or
// failed for good), from /metrics.
func indexed(base string) (int, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, prefix := range []string{`breachwire_stage_processed_total{stage="indexer"} `, `breachwire_stage_dead_lettered_total{stage="indexer"} `} {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				f, _ := strconv.ParseFloat(v, 64)
				n += f
			}
		}
	}
	return int(n), sc.Err()
}

// peakRSS is the process's high-water resident set (VmHWM), in MB.
func peakRSS(b testing.TB, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Logf("peak RSS: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
