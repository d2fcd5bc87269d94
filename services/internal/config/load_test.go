package config

import (
	"flag"
	"testing"
)

// A subcommand's own flag shadows the setting of the same name: on its
// command line the name is the subcommand's, while the setting is still
// read from the environment.
func TestSubcommandFlagShadowsASetting(t *testing.T) {
	env := map[string]string{"BREACHWIRE_NATS": "nats://bus.example:4222", "BREACHWIRE_DATA": "/srv/bw"}
	fs := flag.NewFlagSet("subscribe", flag.ContinueOnError)
	delivery := fs.Bool("nats", false, "deliver over NATS")
	cfg, rest, err := Load(fs, []string{"--nats", "--http", "127.0.0.1:9", "x"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !*delivery {
		t.Error("--nats did not set the subcommand's flag")
	}
	if cfg.NATS.URL != "nats://bus.example:4222" || cfg.Data != "/srv/bw" || cfg.HTTP != "127.0.0.1:9" {
		t.Errorf("settings: nats %q data %q http %q", cfg.NATS.URL, cfg.Data, cfg.HTTP)
	}
	if !cfg.IsSet("nats") || !cfg.IsSet("http") {
		t.Error("settings from the environment and the command line are not marked as set")
	}
	if len(rest) != 1 || rest[0] != "x" {
		t.Errorf("arguments %v", rest)
	}

	// Without the environment the setting keeps its default and is not set.
	fs = flag.NewFlagSet("subscribe", flag.ContinueOnError)
	fs.Bool("nats", false, "")
	cfg, _, err = Load(fs, []string{"--nats"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "" || cfg.IsSet("nats") {
		t.Errorf("the subcommand's --nats leaked into the setting: %q", cfg.NATS.URL)
	}
}
