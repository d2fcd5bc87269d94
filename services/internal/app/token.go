package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// AdminTokenFile is where `run` keeps a generated admin token, readable only
// by its owner, so that client subcommands on the same machine find it.
func AdminTokenFile(dataDir string) string { return filepath.Join(dataDir, "admin-token") }

// EnsureAdminToken returns the configured token, or the one stored in the
// data directory, generating and storing it the first time.
func EnsureAdminToken(configured, dataDir string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := AdminTokenFile(dataDir)
	if tok, err := ReadAdminToken(dataDir); err == nil && tok != "" {
		return tok, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate admin token: %w", err)
	}
	tok := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	return tok, nil
}

// ReadAdminToken reads the token `run` stored in dataDir.
func ReadAdminToken(dataDir string) (string, error) {
	b, err := os.ReadFile(AdminTokenFile(dataDir))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
