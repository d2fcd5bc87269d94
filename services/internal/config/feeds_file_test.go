package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/breachwire/breachwire/services/feeder/notices"
	"github.com/breachwire/breachwire/services/internal/config"
)

// The shipped feed list must load and validate.
func TestShippedFeedsFileLoads(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "deploy", "feeds.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError), []string{"--feeds-file", path}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(nil); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Feeds) < 12 {
		t.Fatalf("%d feeds", len(cfg.Feeds))
	}
	parsers := map[string]int{}
	for _, f := range cfg.Feeds {
		if f.Name == "" || f.Kind == "" || f.About == "" {
			t.Errorf("feed %s lacks a name, kind or description", f.URL)
		}
		if f.Kind == config.KindNotices {
			parsers[f.Parser]++
		}
	}
	// One source per notices parser.
	for _, p := range notices.Names() {
		if parsers[p] != 1 {
			t.Errorf("parser %s: %d sources in feeds.yaml, want 1", p, parsers[p])
		}
	}
	if len(parsers) != len(notices.Names()) {
		t.Errorf("feeds.yaml names parsers %v; the parsers are %v", parsers, notices.Names())
	}
}

func TestFeedFlagsAndValidation(t *testing.T) {
	cfg, _, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError),
		[]string{"--feed", "https://a.example/rss", "--feed", "https://b.example/atom,https://c.example/feed"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Feeds) != 3 || cfg.Feeds[2].URL != "https://c.example/feed" {
		t.Fatalf("feeds %+v", cfg.Feeds)
	}
	for _, bad := range [][]string{
		{"--feed", "ftp://a.example/x"},
		{"--feed", "https://a.example/x", "--feed", "https://a.example/x"},
		{"--feed-min-interval", "2h", "--feed-max-interval", "1h"},
	} {
		cfg, _, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError), bad, func(string) string { return "" })
		if err == nil {
			err = cfg.Validate(nil)
		}
		if err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
