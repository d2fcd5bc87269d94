// Package config holds breachwire's typed configuration: defaults, then an
// optional YAML file, then BREACHWIRE_* environment variables, then flags,
// validated in one place and printed with secrets redacted.
package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/breachwire/breachwire/services/feeder/notices"
)

// Config is the whole configuration of one breachwire process.
type Config struct {
	Data   string   `yaml:"data"`
	HTTP   string   `yaml:"http"`
	Stages []string `yaml:"stages"`
	NATS   NATS     `yaml:"nats"`
	// AdminToken guards the state-changing HTTP API. When empty, `run`
	// generates one and writes it to <data>/admin-token.
	AdminToken string `yaml:"admin_token" secret:"true"`
	// UIReadRequiresLogin makes the web UI's incident pages ask for the
	// admin login (alerts and operations always do).
	UIReadRequiresLogin bool `yaml:"ui_read_requires_login"`
	// Server is the running instance that client subcommands talk to.
	Server    string `yaml:"server"`
	LogLevel  string `yaml:"log_level"`
	LogFormat string `yaml:"log_format"`

	// Feeds are polled by the feeder, together with those added at run time
	// with `breachwire feeds add`.
	Feeds []Feed `yaml:"feeds"`
	// FeedsFile is a YAML file with a `feeds:` list appended to Feeds.
	FeedsFile string `yaml:"feeds_file"`
	// FeedMinInterval and FeedMaxInterval bound the adaptive poll interval
	// of feeds that do not set their own.
	FeedMinInterval time.Duration `yaml:"feed_min_interval"`
	FeedMaxInterval time.Duration `yaml:"feed_max_interval"`
	// IndexBatch and IndexBatchWait bound the indexer's batches: up to
	// IndexBatch messages, gathered for at most IndexBatchWait after the
	// first, are merged together and written in one batch write.
	IndexBatch     int           `yaml:"index_batch"`
	IndexBatchWait time.Duration `yaml:"index_batch_wait"`
	// MemoryLimitMB is the Go runtime's soft memory limit for `run` (the
	// garbage collector works harder as the heap nears it; it is no hard
	// cap). 0 leaves the runtime's default; GOMEMLIMIT, when set, wins.
	MemoryLimitMB int `yaml:"memory_limit_mb"`
	// AllowPrivateNetworks lets outbound requests reach loopback and private
	// addresses (tests, intranet feeds); off by default against SSRF.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// AllowMetadataAddress lets outbound requests reach link-local
	// addresses, where cloud metadata services answer (169.254.169.254);
	// AllowPrivateNetworks does not open them.
	AllowMetadataAddress bool `yaml:"allow_metadata_address"`
	// ContactURL goes into the User-Agent so site owners can reach us.
	ContactURL string `yaml:"contact_url"`
	// Elasticsearch is the store; empty means the embedded Bleve index
	// under the data directory.
	Elasticsearch Elasticsearch `yaml:"elasticsearch"`

	// set records the flag names given explicitly (file, environment or flag).
	set map[string]bool
}

// IsSet reports whether a setting was given explicitly rather than defaulted.
func (c *Config) IsSet(flagName string) bool { return c.set[flagName] }

// NATS says how to reach NATS: embedded when URL is empty.
type NATS struct {
	URL    string `yaml:"url"`
	Listen string `yaml:"listen"` // embedded server's client port; "" = in-process only
	// Replicas is how many copies of each stream and bucket JetStream
	// keeps: 1 for the embedded server or a single node, 3 on a cluster.
	Replicas    int    `yaml:"replicas"`
	Credentials string `yaml:"credentials"`
	User        string `yaml:"user"`
	Password    string `yaml:"password" secret:"true"`
	Token       string `yaml:"token" secret:"true"`
	TLSCert     string `yaml:"tls_cert"`
	TLSKey      string `yaml:"tls_key"`
	TLSCA       string `yaml:"tls_ca"`
}

// Elasticsearch says how to reach an Elasticsearch 8 or OpenSearch 2 cluster.
type Elasticsearch struct {
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	Password string `yaml:"password" secret:"true"`
	APIKey   string `yaml:"api_key" secret:"true"`
	// Flavor is "elasticsearch" (default) or "opensearch".
	Flavor string `yaml:"flavor"`
	// IndexPrefix names the aliases and indices (default "breachwire").
	IndexPrefix string `yaml:"index_prefix"`
}

// Default is the configuration with nothing set.
func Default() Config {
	return Config{
		Data:      "./data",
		HTTP:      "127.0.0.1:8080",
		Server:    "http://127.0.0.1:8080",
		LogLevel:  "info",
		LogFormat: "text",

		FeedMinInterval: 15 * time.Minute,
		FeedMaxInterval: 6 * time.Hour,
		NATS:            NATS{Replicas: 1},
		IndexBatch:      64,
		IndexBatchWait:  50 * time.Millisecond,
		MemoryLimitMB:   256,
		ContactURL:      "https://github.com/breachwire/breachwire",
	}
}

// Feed is one feed to poll.
type Feed struct {
	Name string `yaml:"name" json:"name"`
	URL  string `yaml:"url" json:"url"`
	// Kind says what the source is: news, regulator, filings, breach-list,
	// or notices (a regulator's list of breach notices, read by Parser).
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Parser reads a notices source: ca-ag, wa-ag, me-ag, hhs-ocr or ico.
	Parser string   `yaml:"parser,omitempty" json:"parser,omitempty"`
	Tags   []string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// About describes the source for people reading the list.
	About       string   `yaml:"about,omitempty" json:"about,omitempty"`
	MinInterval Duration `yaml:"min_interval,omitempty" json:"min_interval,omitempty"`
	MaxInterval Duration `yaml:"max_interval,omitempty" json:"max_interval,omitempty"`
	// Match keeps only items whose title, summary or content contains one
	// of these strings (case-insensitive); empty keeps every item.
	Match []string `yaml:"match,omitempty" json:"match,omitempty"`
}

// UsageError is a configuration the user must fix; commands exit 2 on it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// EnvPrefix starts every environment variable breachwire reads.
const EnvPrefix = "BREACHWIRE_"

// EnvName is the environment variable for a flag: --nats-user → BREACHWIRE_NATS_USER.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Bind registers the flags of every setting on fs, writing into c.
func (c *Config) Bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "directory for every file breachwire writes")
	fs.StringVar(&c.HTTP, "http", c.HTTP, "address of the HTTP API, health and metrics")
	fs.Func("stages", "comma-separated stages to run (default: all)", func(s string) error {
		c.Stages = splitList(s)
		return nil
	})
	fs.StringVar(&c.NATS.URL, "nats", c.NATS.URL, "external NATS URL (default: embedded server)")
	fs.StringVar(&c.NATS.Listen, "nats-listen", c.NATS.Listen, "host:port where the embedded NATS accepts clients (default: in-process only)")
	fs.IntVar(&c.NATS.Replicas, "nats-replicas", c.NATS.Replicas, "copies of each stream on a JetStream cluster (1: single node; 3 on a three-node cluster)")
	fs.StringVar(&c.NATS.Credentials, "nats-creds", c.NATS.Credentials, "NATS credentials file")
	fs.StringVar(&c.NATS.User, "nats-user", c.NATS.User, "NATS user")
	fs.StringVar(&c.NATS.Password, "nats-password", c.NATS.Password, "NATS password")
	fs.StringVar(&c.NATS.Token, "nats-token", c.NATS.Token, "NATS token")
	fs.StringVar(&c.NATS.TLSCert, "nats-tls-cert", c.NATS.TLSCert, "NATS client certificate (PEM)")
	fs.StringVar(&c.NATS.TLSKey, "nats-tls-key", c.NATS.TLSKey, "NATS client key (PEM)")
	fs.StringVar(&c.NATS.TLSCA, "nats-tls-ca", c.NATS.TLSCA, "CA bundle for the NATS server (PEM)")
	fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "token for the admin HTTP API")
	fs.BoolVar(&c.UIReadRequiresLogin, "ui-read-requires-login", c.UIReadRequiresLogin, "the web UI's incident pages need the admin login too")
	fs.StringVar(&c.Server, "server", c.Server, "URL of a running breachwire, for client commands")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json")
	fs.Func("feed", "a feed URL to poll (repeatable)", func(s string) error {
		for _, u := range splitList(s) {
			c.Feeds = append(c.Feeds, Feed{URL: u})
		}
		return nil
	})
	fs.StringVar(&c.FeedsFile, "feeds-file", c.FeedsFile, "YAML file with a feeds: list (e.g. deploy/feeds.yaml)")
	fs.DurationVar(&c.FeedMinInterval, "feed-min-interval", c.FeedMinInterval, "shortest poll interval of a feed")
	fs.DurationVar(&c.FeedMaxInterval, "feed-max-interval", c.FeedMaxInterval, "longest poll interval of a feed")
	fs.IntVar(&c.IndexBatch, "index-batch", c.IndexBatch, "most extractions the indexer merges and writes together")
	fs.DurationVar(&c.IndexBatchWait, "index-batch-wait", c.IndexBatchWait, "longest wait for a batch to fill after its first extraction")
	fs.IntVar(&c.MemoryLimitMB, "memory-limit-mb", c.MemoryLimitMB, "soft memory limit of run in MB (0: the Go default; GOMEMLIMIT wins)")
	fs.BoolVar(&c.AllowPrivateNetworks, "allow-private-networks", c.AllowPrivateNetworks, "allow outbound requests to loopback and private addresses (not link-local or cloud metadata)")
	fs.BoolVar(&c.AllowMetadataAddress, "allow-metadata-address", c.AllowMetadataAddress, "allow outbound requests to link-local addresses and cloud metadata services (169.254.169.254)")
	fs.StringVar(&c.ContactURL, "contact-url", c.ContactURL, "contact URL sent in the User-Agent")
	fs.StringVar(&c.Elasticsearch.URL, "elasticsearch", c.Elasticsearch.URL, "Elasticsearch or OpenSearch URL (default: embedded Bleve index)")
	fs.StringVar(&c.Elasticsearch.Username, "elasticsearch-user", c.Elasticsearch.Username, "Elasticsearch user")
	fs.StringVar(&c.Elasticsearch.Password, "elasticsearch-password", c.Elasticsearch.Password, "Elasticsearch password")
	fs.StringVar(&c.Elasticsearch.APIKey, "elasticsearch-api-key", c.Elasticsearch.APIKey, "Elasticsearch API key")
	fs.StringVar(&c.Elasticsearch.Flavor, "search-flavor", c.Elasticsearch.Flavor, "elasticsearch or opensearch")
	fs.StringVar(&c.Elasticsearch.IndexPrefix, "index-prefix", c.Elasticsearch.IndexPrefix, "prefix of the search indices and aliases")
}

// Load builds the configuration for a subcommand: defaults, the YAML file
// named by --config or BREACHWIRE_CONFIG, the environment, then args.
// It returns the remaining positional arguments.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, []string, error) {
	c := Default()
	c.set = map[string]bool{}
	path := configPath(args, getenv)
	if path != "" {
		if err := c.loadFile(path); err != nil {
			return nil, nil, err
		}
	}
	// A subcommand's own flag wins over a setting of the same name (the
	// subscribe command's --nats asks for NATS delivery); that setting is
	// then read from the environment and the file only.
	own := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { own[f.Name] = true })
	settings := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	c.Bind(settings)
	settings.VisitAll(func(f *flag.Flag) {
		if !own[f.Name] {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	fs.String("config", path, "YAML configuration file")
	var envErr error
	fromEnv := func(set *flag.FlagSet, f *flag.Flag) {
		if f.Name == "config" || envErr != nil {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := set.Set(f.Name, v); err != nil {
				envErr = usagef("%s: %v", EnvName(f.Name), err)
			}
			c.set[f.Name] = true
		}
	}
	settings.VisitAll(func(f *flag.Flag) { fromEnv(settings, f) })
	fs.VisitAll(func(f *flag.Flag) {
		if own[f.Name] && settings.Lookup(f.Name) == nil {
			fromEnv(fs, f)
		}
	})
	if envErr != nil {
		return nil, nil, envErr
	}
	fs.SetOutput(io.Discard)
	positional, err := parseAnywhere(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, &UsageError{Err: err}
	}
	fs.Visit(func(f *flag.Flag) {
		if !own[f.Name] || settings.Lookup(f.Name) == nil {
			c.set[f.Name] = true
		}
	})
	if c.FeedsFile != "" {
		if err := c.loadFeedsFile(c.FeedsFile); err != nil {
			return nil, nil, err
		}
	}
	return &c, positional, nil
}

// parseAnywhere parses flags before, between and after the positional
// arguments ("incidents split ID --articles A,B"); after "--" everything is
// positional.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		// Parse stops at the first positional argument, or after "--".
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// configPath finds --config before flags are parsed, so the file can set
// the defaults that flags then override.
func configPath(args []string, getenv func(string) string) string {
	path := getenv(EnvPrefix + "CONFIG")
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, p := range []string{"--config", "-config"} {
			if a == p && i+1 < len(args) {
				path = args[i+1]
			} else if v, ok := strings.CutPrefix(a, p+"="); ok {
				path = v
			}
		}
	}
	return path
}

func (c *Config) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return usagef("config file: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return usagef("config file %s: %v", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	// Which settings the file named: YAML keys match flag names, with
	// nats.* keys under the nats- prefix.
	var keys map[string]any
	_ = yaml.Unmarshal(raw, &keys)
	for k, v := range keys {
		if sub, ok := v.(map[string]any); ok && k == "nats" {
			for sk := range sub {
				name := "nats-" + strings.ReplaceAll(sk, "_", "-")
				switch sk {
				case "url":
					name = "nats"
				case "credentials":
					name = "nats-creds"
				}
				c.set[name] = true
			}
			continue
		}
		c.set[strings.ReplaceAll(k, "_", "-")] = true
	}
	return nil
}

func (c *Config) loadFeedsFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return usagef("--feeds-file: %v", err)
	}
	var f struct {
		Feeds []Feed `yaml:"feeds"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return usagef("--feeds-file %s: %v", path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	c.Feeds = append(c.Feeds, f.Feeds...)
	return nil
}

// Validate checks the configuration for `run`; known lists the stages that exist.
func (c *Config) Validate(known []string) error {
	if c.Data == "" {
		return usagef("--data: empty data directory")
	}
	if _, _, err := net.SplitHostPort(c.HTTP); err != nil {
		return usagef("--http %q: %v", c.HTTP, err)
	}
	if c.NATS.Listen != "" {
		if _, _, err := net.SplitHostPort(c.NATS.Listen); err != nil {
			return usagef("--nats-listen %q: %v", c.NATS.Listen, err)
		}
	}
	if c.NATS.URL != "" && c.NATS.Listen != "" {
		return usagef("--nats-listen applies to the embedded server only; it cannot be combined with --nats")
	}
	if (c.NATS.TLSCert == "") != (c.NATS.TLSKey == "") {
		return usagef("--nats-tls-cert and --nats-tls-key go together")
	}
	for _, s := range c.Stages {
		if !slices.Contains(known, s) {
			avail := strings.Join(known, ", ")
			if avail == "" {
				avail = "none yet"
			}
			return usagef("--stages: unknown stage %q (available: %s)", s, avail)
		}
	}
	if c.NATS.Replicas < 1 || c.NATS.Replicas > 5 || (c.NATS.URL == "" && c.NATS.Replicas != 1) {
		return usagef("--nats-replicas %d: want 1 to 5, and 1 for the embedded server", c.NATS.Replicas)
	}
	if c.MemoryLimitMB < 0 {
		return usagef("--memory-limit-mb %d: want 0 (none) or more", c.MemoryLimitMB)
	}
	if c.IndexBatch < 1 || c.IndexBatch > 1000 || c.IndexBatchWait <= 0 {
		return usagef("index batches: want 1 <= --index-batch (%d) <= 1000 and --index-batch-wait (%s) > 0", c.IndexBatch, c.IndexBatchWait)
	}
	if c.FeedMinInterval <= 0 || c.FeedMaxInterval < c.FeedMinInterval {
		return usagef("feed intervals: want 0 < --feed-min-interval (%s) <= --feed-max-interval (%s)", c.FeedMinInterval, c.FeedMaxInterval)
	}
	seen := map[string]bool{}
	for i, f := range c.Feeds {
		if err := ValidateFeed(f); err != nil {
			return usagef("feed %d: %v", i+1, err)
		}
		if seen[f.URL] {
			return usagef("feed %s is listed twice", f.URL)
		}
		seen[f.URL] = true
	}
	switch c.Elasticsearch.Flavor {
	case "", "elasticsearch", "opensearch":
	default:
		return usagef("--search-flavor %q: want elasticsearch or opensearch", c.Elasticsearch.Flavor)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return usagef("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return usagef("--log-format %q: want text or json", c.LogFormat)
	}
	return nil
}

// KindNotices is the kind of a regulator's list of breach notices.
const KindNotices = "notices"

// ValidateFeed checks one feed definition.
func ValidateFeed(f Feed) error {
	u, err := url.Parse(f.URL)
	switch {
	case err == nil && f.Kind == KindNotices && u.Scheme == "file" && u.Path != "":
		// A notices list saved to disk (HHS OCR's CSV export).
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("feed URL %q: want an http(s) URL", f.URL)
	}
	switch {
	case f.Kind == KindNotices && !slices.Contains(notices.Names(), f.Parser):
		return fmt.Errorf("feed %s: kind notices needs --parser (parser:), one of %s", f.URL, strings.Join(notices.Names(), ", "))
	case f.Kind != KindNotices && f.Parser != "":
		return fmt.Errorf("feed %s: parser %q is only for kind notices", f.URL, f.Parser)
	}
	if f.MinInterval < 0 || f.MaxInterval < 0 || (f.MaxInterval > 0 && f.MinInterval > f.MaxInterval) {
		return fmt.Errorf("feed %s: want 0 <= min_interval <= max_interval", f.URL)
	}
	return nil
}

// AbsDataDir resolves dir to an absolute path without touching the disk.
func AbsDataDir(dir string) (string, error) {
	if dir == "" {
		return "", usagef("--data: empty data directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usagef("--data %q: %v", dir, err)
	}
	return abs, nil
}

// PrepareDataDir creates the data directory if needed and checks that it is
// a writable directory.
func PrepareDataDir(dir string) (string, error) {
	abs, err := AbsDataDir(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", usagef("--data %s: not a directory", abs)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return "", usagef("--data %s: cannot create: %v", abs, unwrapPath(err))
	}
	f, err := os.CreateTemp(abs, ".write-check-*")
	if err != nil {
		return "", usagef("--data %s: not writable: %v", abs, unwrapPath(err))
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return abs, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Redacted returns a copy with every secret replaced.
func (c Config) Redacted() Config {
	redact := func(s *string) {
		if *s != "" {
			*s = "REDACTED"
		}
	}
	redact(&c.AdminToken)
	redact(&c.NATS.Password)
	redact(&c.NATS.Token)
	redact(&c.Elasticsearch.Password)
	redact(&c.Elasticsearch.APIKey)
	c.Elasticsearch.URL = redactURLPassword(c.Elasticsearch.URL)
	c.NATS.URL = redactURLPassword(c.NATS.URL)
	return c
}

// YAML renders the configuration as a file `--config` accepts.
func (c Config) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
