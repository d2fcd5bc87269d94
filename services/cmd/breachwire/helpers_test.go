package main

import (
	"log/slog"

	"go.yaml.in/yaml/v3"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func yamlUnmarshal(s string, v any) error { return yaml.Unmarshal([]byte(s), v) }
