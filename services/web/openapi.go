package web

import _ "embed"

// openAPI documents the HTTP API; served at /api/v1/openapi.yaml.
//
//go:embed openapi.yaml
var openAPI []byte
