package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/web"
)

type fakeDLQForWebTest struct{ purged string }

func (f *fakeDLQForWebTest) List(ctx context.Context, stage string, limit int) ([]bus.DeadLetter, error) {
	return []bus.DeadLetter{{Seq: 7, Stage: stage, Error: "boom"}}, nil
}
func (f *fakeDLQForWebTest) Replay(ctx context.Context, stage string, seqs []uint64) (int, error) {
	return len(seqs), nil
}
func (f *fakeDLQForWebTest) Purge(ctx context.Context, stage string) (uint64, error) {
	f.purged = stage
	return 3, nil
}

func do(t *testing.T, h http.Handler, method, path, token, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestReadiness(t *testing.T) {
	var readyErr error = errors.New("nats CONNECTING")
	h := web.NewHandler(web.Options{Ready: func(context.Context) error { return readyErr }})
	if code, body := do(t, h, "GET", "/readyz", "", ""); code != 503 || !strings.Contains(body, "nats CONNECTING") {
		t.Fatalf("not ready: %d %q", code, body)
	}
	readyErr = nil
	if code, _ := do(t, h, "GET", "/readyz", "", ""); code != 200 {
		t.Fatalf("ready: %d", code)
	}
	if code, _ := do(t, h, "GET", "/healthz", "", ""); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if code, _ := do(t, web.NewHandler(web.Options{}), "GET", "/readyz", "", ""); code != 503 {
		t.Fatalf("no readiness function: %d", code)
	}
}

// The DLQ endpoints are tested end to end against JetStream in
// cmd/breachwire; here only the HTTP rules around them.
func TestAdminEndpointsNeedTheToken(t *testing.T) {
	dlq := &fakeDLQForWebTest{}
	h := web.NewHandler(web.Options{DLQ: dlq, AdminToken: "tok"})
	for _, token := range []string{"", "tok2", "to"} {
		if code, _ := do(t, h, "GET", "/api/v1/dlq", token, ""); code != 401 {
			t.Errorf("token %q: %d", token, code)
		}
	}
	if code, body := do(t, h, "GET", "/api/v1/dlq?stage=scraper", "tok", ""); code != 200 || !strings.Contains(body, `"seq":7`) {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, _ := do(t, h, "GET", "/api/v1/dlq?limit=0", "tok", ""); code != 400 {
		t.Fatalf("bad limit: %d", code)
	}
	if code, body := do(t, h, "POST", "/api/v1/dlq/purge", "tok", `{"stage":"scraper","extra":1}`); code != 400 {
		t.Fatalf("unknown field accepted: %d %s", code, body)
	}
	if code, body := do(t, h, "POST", "/api/v1/dlq/purge", "tok", `{"stage":"scraper"}`); code != 200 || dlq.purged != "scraper" || !strings.Contains(body, `"purged":3`) {
		t.Fatalf("purge: %d %s", code, body)
	}
	if code, _ := do(t, h, "GET", "/api/v1/nothing", "tok", ""); code != 404 {
		t.Fatalf("unknown endpoint: %d", code)
	}
	// An instance with no admin token configured refuses everyone.
	h = web.NewHandler(web.Options{DLQ: dlq})
	if code, _ := do(t, h, "GET", "/api/v1/dlq", "", ""); code != 401 {
		t.Fatalf("no token configured: %d", code)
	}
}
