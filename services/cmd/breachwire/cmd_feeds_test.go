package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/config"
)

func TestFeedsCommands(t *testing.T) {
	data := t.TempDir()
	direct := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_FEED": "https://configured.example/rss"}

	// No instance: the data directory is used.
	out, stderr, code := runCLI(t, direct, "feeds", "add", "--name", "Regulator news", "--kind", "regulator", "--tag", "uk", "--min-interval", "30m", "https://regulator.example/news.xml")
	if code != 0 || !strings.HasPrefix(out, "added https://regulator.example/news.xml") {
		t.Fatalf("add: %d %q %q", code, out, stderr)
	}
	if _, stderr, code := runCLI(t, direct, "feeds", "add", "https://regulator.example/news.xml"); code != 1 || !strings.Contains(stderr, "already added") {
		t.Fatalf("duplicate add: %d %q", code, stderr)
	}
	if _, stderr, code := runCLI(t, direct, "feeds", "add", "gopher://x"); code != 2 || !strings.Contains(stderr, "http(s) URL") {
		t.Fatalf("bad URL: %d %q", code, stderr)
	}
	out, _, code = runCLI(t, direct, "feeds", "list")
	if code != 0 || !strings.Contains(out, "configured.example") || !strings.Contains(out, "Regulator news") || !strings.Contains(out, "added") {
		t.Fatalf("list: %d %q", code, out)
	}

	// With an instance running, through its API.
	cfg := config.Default()
	cfg.Data = data
	cfg.Stages = []string{"scraper"} // no feeder: nothing polls the example hosts
	cfg.Feeds = []config.Feed{{URL: "https://configured.example/rss"}}
	base := startInstance(t, cfg)
	api := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": base}

	out, stderr, code = runCLI(t, api, "feeds", "status", "--format", "json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, stderr)
	}
	var sts []feeder.Status
	if err := json.Unmarshal([]byte(out), &sts); err != nil || len(sts) != 2 {
		t.Fatalf("status json: %v %s", err, out)
	}
	if sts[1].Feed.Name != "Regulator news" || sts[1].Feed.Kind != "regulator" || sts[1].Health != "new" || sts[1].Feed.MinInterval != config.Duration(30*60e9) {
		t.Fatalf("added feed status %+v", sts[1])
	}
	if _, stderr, code := runCLI(t, api, "feeds", "remove", "https://configured.example/rss"); code != 1 || !strings.Contains(stderr, "configuration") {
		t.Fatalf("remove configured: %d %q", code, stderr)
	}
	if out, stderr, code := runCLI(t, api, "feeds", "remove", sts[1].ID); code != 0 || !strings.HasPrefix(out, "removed https://regulator.example/news.xml") {
		t.Fatalf("remove: %d %q %q", code, out, stderr)
	}
	if _, stderr, code := runCLI(t, api, "feeds", "remove", "https://nowhere.example/"); code != 1 || !strings.Contains(stderr, "no such feed") {
		t.Fatalf("remove unknown: %d %q", code, stderr)
	}
	out, _, _ = runCLI(t, api, "feeds", "status")
	if !strings.Contains(out, "HEALTH") || strings.Contains(out, "Regulator news") {
		t.Fatalf("status table after remove: %q", out)
	}
}
