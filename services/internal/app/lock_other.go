//go:build !unix

package app

import "errors"

// ErrLocked means another breachwire process holds the data directory.
var ErrLocked = errors.New("data directory is in use by another breachwire process")

// LockDataDir is a no-op where flock is not available.
func LockDataDir(dir string) (release func(), err error) { return func() {}, nil }
