package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/breachwire/breachwire/services/alerter"
)

// seedAlerts are the subscriptions the seed test makes before the pipeline
// runs, and the webhook endpoint one of them posts to.
type seedAlerts struct {
	hook      *httptest.Server
	mu        sync.Mutex
	posts     []*http.Request
	bodies    [][]byte
	thirdPty  alerter.Created // cause:third_party, webhook
	mumsnet   alerter.Created // organisation:mumsnet, Atom
	clpNew    alerter.Created // organisation:co-operative, NATS, new only
	clpUpdate alerter.Created // organisation:co-operative, NATS, with updates
}

// seedSubscriptions subscribes through the command line on the data
// directory, before any instance runs.
func seedSubscriptions(t *testing.T, data, addr string) *seedAlerts {
	t.Helper()
	s := &seedAlerts{}
	s.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.posts, s.bodies = append(s.posts, r), append(s.bodies, b)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.hook.Close)
	direct := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_HTTP": addr}
	subscribe := func(args ...string) alerter.Created {
		t.Helper()
		out, errOut, code := runCLI(t, direct, append([]string{"subscribe"}, args...)...)
		var c alerter.Created
		if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.ID == "" || c.Token == "" || c.Secret == "" {
			t.Fatalf("subscribe %v: %d %s %s", args, code, out, errOut)
		}
		return c
	}
	s.thirdPty = subscribe("--name", "third parties", "--query", "cause:third_party", "--webhook", s.hook.URL+"/hook")
	s.mumsnet = subscribe("--name", "mumsnet", "--query", "organisation:mumsnet", "--atom")
	s.clpNew = subscribe("--name", "clp", "--query", "organisation:co-operative", "--nats")
	s.clpUpdate = subscribe("--name", "clp and updates", "--query", "organisation:co-operative", "--nats", "--updates")
	if _, errOut, code := runCLI(t, direct, "subscribe", "--name", "x", "--query", "cause:(", "--nats"); code != 2 || !strings.Contains(errOut, "query") {
		t.Errorf("a bad query: exit %d %s", code, errOut)
	}
	return s
}

// ownAlerts reads a subscriber's alerts with its own token.
func ownAlerts(t *testing.T, base, token string) (int, []map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/subscription/alerts", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Alerts []map[string]any `json:"alerts"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Alerts
}

func kinds(alerts []map[string]any) []string {
	var out []string
	for _, a := range alerts {
		k, _ := a["kind"].(string)
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// check waits for the alerts of the seeds and checks them.
func (s *seedAlerts) check(t *testing.T, base, data string) {
	t.Helper()
	posts := func() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.posts) }
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, upd := ownAlerts(t, base, s.clpUpdate.Token)
		_, mum := ownAlerts(t, base, s.mumsnet.Token)
		if posts() >= 1 && len(upd) >= 2 && len(mum) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts did not arrive: %d webhook posts, %d CLP alerts with updates, %d Mumsnet alerts", posts(), len(upd), len(mum))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // room for an alert that should not come

	// Webhook: exactly one alert, Co-operative Life Planning, signed.
	s.mu.Lock()
	if len(s.posts) != 1 {
		t.Errorf("%d webhook posts, want 1", len(s.posts))
	}
	req, body := s.posts[0], s.bodies[0]
	s.mu.Unlock()
	if !alerter.Verify(s.thirdPty.Secret, body, req.Header.Get(alerter.HeaderSignature)) {
		t.Errorf("webhook signature %q does not verify", req.Header.Get(alerter.HeaderSignature))
	}
	if req.Header.Get(alerter.HeaderTimestamp) == "" || !strings.Contains(string(body), "Co-operative Life Planning") || !strings.Contains(string(body), `"kind":"INCIDENT_EVENT_KIND_NEW"`) {
		t.Errorf("webhook post: %v %s", req.Header, body)
	}

	// The alerts are counted: 3 new incidents matched, 1 update, 1 webhook delivered.
	_, m := get(t, base+"/metrics")
	for _, want := range []string{`breachwire_webhook_attempts_total{result="delivered"} 1`, "breachwire_subscriptions 4",
		`breachwire_alerts_published_total{kind="updated"} 1`, `breachwire_alerts_published_total{kind="new"} 4`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, grepLines(m, "alert"))
		}
	}

	// Atom: one entry, Mumsnet; a wrong token is a bare 404.
	resp, err := http.Get(base + s.mumsnet.AtomPath)
	if err != nil {
		t.Fatal(err)
	}
	feed, err := gofeed.NewParser().Parse(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("atom feed: %d %v", resp.StatusCode, err)
	}
	if len(feed.Items) != 1 || !strings.Contains(feed.Items[0].Title, "Mumsnet") {
		t.Errorf("atom feed entries: %d, want 1 (Mumsnet)", len(feed.Items))
	}
	for _, path := range []string{"/feeds/" + s.clpNew.Token + ".atom", "/feeds/bwt_nope.atom", "/feeds/" + s.mumsnet.Token, "/feeds/" + s.mumsnet.ID + ".atom"} {
		code, body := get(t, base+path)
		if code != 404 || body != "404 page not found\n" {
			t.Errorf("GET %s: %d %q, want a bare 404", path, code, body)
		}
	}

	// The second Co-operative Life Planning article revised the incident:
	// an update alert only for the subscription that asked for updates.
	if _, got := ownAlerts(t, base, s.clpUpdate.Token); !slices.Equal(kinds(got), []string{"INCIDENT_EVENT_KIND_NEW", "INCIDENT_EVENT_KIND_UPDATED"}) {
		t.Errorf("CLP with updates: %v", kinds(got))
	}
	if _, got := ownAlerts(t, base, s.clpNew.Token); !slices.Equal(kinds(got), []string{"INCIDENT_EVENT_KIND_NEW"}) {
		t.Errorf("CLP new only: %v", kinds(got))
	}

	// Each subscriber sees only its own; the admin list needs the admin token.
	if code, _ := ownAlerts(t, base, "bwt_"+strings.Repeat("a", 52)); code != 401 {
		t.Errorf("unknown subscriber token: %d", code)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/api/v1/subscriptions", nil)
	req.Header.Set("Authorization", "Bearer "+s.mumsnet.Token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("a subscriber token on the admin list: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	api := map[string]string{"BREACHWIRE_SERVER": base, "BREACHWIRE_DATA": data}
	out, errOut, code := runCLI(t, api, "subscriptions", "list", "--format", "json")
	var views []alerter.View
	if code != 0 || json.Unmarshal([]byte(out), &views) != nil || len(views) != 4 || strings.Contains(out, "whsec_") || strings.Contains(out, "bwt_") {
		t.Errorf("subscriptions list: %d %s %s", code, out, errOut)
	}
	if out, _, code := runCLI(t, api, "subscriptions", "delete", s.clpNew.ID); code != 0 || !strings.Contains(out, s.clpNew.ID) {
		t.Errorf("subscriptions delete: %d %s", code, out)
	}
	if _, _, code := runCLI(t, api, "subscriptions", "show", s.clpNew.ID); code != 1 {
		t.Errorf("show a deleted subscription: exit %d", code)
	}
}
