package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
)

// OpenStore opens the configured store: Elasticsearch/OpenSearch when a URL
// is set, else the embedded Bleve index under <data>/index.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (store.Store, error) {
	if cfg.Elasticsearch.URL != "" {
		return nil, errors.New("the Elasticsearch store is not wired into run yet; leave --elasticsearch empty to use the embedded index")
	}
	st, err := bleve.Open(filepath.Join(cfg.Data, "index"))
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	return st, nil
}
