package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/elastic"
)

// OpenStore opens the configured store: Elasticsearch/OpenSearch when a URL
// is set, else the embedded Bleve index under <data>/index.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.Store, error) {
	if cfg.Elasticsearch.URL != "" {
		return OpenElastic(ctx, cfg, log)
	}
	st, err := bleve.Open(filepath.Join(cfg.Data, "index"), bleve.WithLogger(log.With("component", "bleve")))
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	return st, nil
}

// OpenElastic opens the Elasticsearch store, applying its index templates
// and creating the first versioned indices behind their aliases if needed.
func OpenElastic(ctx context.Context, cfg *config.Config, log *slog.Logger) (*elastic.Store, error) {
	flavor, err := elastic.ParseFlavor(cfg.Elasticsearch.Flavor)
	if err != nil {
		return nil, &config.UsageError{Err: err}
	}
	st, err := elastic.Open(ctx, elastic.Config{
		URL: cfg.Elasticsearch.URL, Username: cfg.Elasticsearch.Username, Password: cfg.Elasticsearch.Password,
		APIKey: cfg.Elasticsearch.APIKey, Flavor: flavor, IndexPrefix: cfg.Elasticsearch.IndexPrefix,
		Logger: log.With("component", "elasticsearch"),
	})
	if err != nil {
		return nil, fmt.Errorf("open elasticsearch store: %w", err)
	}
	return st, nil
}
