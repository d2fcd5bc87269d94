package safehttp

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestClient returns a client that may reach the in-process test
// servers, logging to the test's output.
func newTestClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowPrivateNetworks = true
	return newClient(t, o)
}

// newClient returns a client with o as given (private networks refused
// unless o says otherwise).
func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// newServer starts an httptest server closed at the end of the test.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func serverAddr(t *testing.T, srv *httptest.Server) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ap
}
