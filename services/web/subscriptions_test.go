package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/breachwire/breachwire/services/alerter"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/web"
)

const admin = "admin-secret"

func subscriptionsHandler(t *testing.T) http.Handler {
	t.Helper()
	n := testenv.StartNATS(t)
	reg, err := alerter.OpenRegistry(t.Context(), n.JS)
	if err != nil {
		t.Fatal(err)
	}
	return web.NewHandler(web.Options{Subscriptions: reg, AdminToken: admin})
}

func create(t *testing.T, h http.Handler, body string) alerter.Created {
	t.Helper()
	code, out := do(t, h, http.MethodPost, "/api/v1/subscriptions", admin, body)
	var c alerter.Created
	if code != http.StatusCreated || json.Unmarshal([]byte(out), &c) != nil || c.ID == "" {
		t.Fatalf("create: %d %s", code, out)
	}
	return c
}

func TestSubscriptionAPI(t *testing.T) {
	h := subscriptionsHandler(t)
	a := create(t, h, `{"name":"mumsnet","query":"organisation:mumsnet","atom":true}`)
	b := create(t, h, `{"name":"third parties","query":"cause:third_party","updates":true,"webhook":"https://hooks.example/b"}`)
	if a.AtomPath != "/feeds/"+a.Token+".atom" || b.AtomPath != "" || a.Subject != "bw.alerts."+a.ID {
		t.Errorf("created %+v %+v", a, b)
	}

	// The operator lists and shows, never seeing tokens or secrets.
	code, out := do(t, h, http.MethodGet, "/api/v1/subscriptions", admin, "")
	if code != 200 || !strings.Contains(out, a.ID) || !strings.Contains(out, b.ID) ||
		strings.Contains(out, a.Token) || strings.Contains(out, b.Secret) || strings.Contains(out, "token_hash") {
		t.Errorf("list: %d %s", code, out)
	}
	if code, out := do(t, h, http.MethodGet, "/api/v1/subscriptions/"+b.ID, admin, ""); code != 200 || !strings.Contains(out, `"updates":true`) || strings.Contains(out, b.Secret) {
		t.Errorf("show: %d %s", code, out)
	}

	// Without the admin token, or with a subscriber's: refused.
	for _, tok := range []string{"", "wrong", a.Token} {
		if code, _ := do(t, h, http.MethodGet, "/api/v1/subscriptions", tok, ""); code != 401 {
			t.Errorf("list with token %q: %d", tok, code)
		}
		if code, _ := do(t, h, http.MethodPost, "/api/v1/subscriptions", tok, `{"name":"x","query":"x","nats":true}`); code != 401 {
			t.Errorf("create with token %q: %d", tok, code)
		}
		if code, _ := do(t, h, http.MethodDelete, "/api/v1/subscriptions/"+b.ID, tok, ""); code != 401 {
			t.Errorf("delete with token %q: %d", tok, code)
		}
	}

	// A subscriber sees its own subscription only.
	if code, out := do(t, h, http.MethodGet, "/api/v1/subscription", a.Token, ""); code != 200 || !strings.Contains(out, a.ID) || strings.Contains(out, b.ID) {
		t.Errorf("own: %d %s", code, out)
	}
	if code, out := do(t, h, http.MethodGet, "/api/v1/subscription/alerts", a.Token, ""); code != 200 || strings.TrimSpace(out) != `{"alerts":[]}` {
		t.Errorf("own alerts: %d %s", code, out)
	}
	for _, tok := range []string{"", admin, "bwt_" + strings.Repeat("a", 52), a.ID} {
		if code, _ := do(t, h, http.MethodGet, "/api/v1/subscription", tok, ""); code != 401 {
			t.Errorf("own with token %q: %d", tok, code)
		}
	}

	// Bad specs are 400s with the reason.
	for _, body := range []string{
		`{"name":"x","query":"cause:(","nats":true}`,
		`{"name":"x","query":"x"}`,
		`{"name":"x","query":"x","webhook":"ftp://x/"}`,
		`{"name":"x","query":"x","nats":true,"secret":"mine"}`,
		`not json`,
	} {
		if code, out := do(t, h, http.MethodPost, "/api/v1/subscriptions", admin, body); code != 400 || !strings.Contains(out, `"error"`) {
			t.Errorf("create %s: %d %s", body, code, out)
		}
	}

	// The Atom feed answers for the token, and a bare 404 for anything else.
	code, out = do(t, h, http.MethodGet, a.AtomPath, "", "")
	if code != 200 {
		t.Fatalf("atom: %d %s", code, out)
	}
	if feed, err := gofeed.NewParser().ParseString(out); err != nil || feed.FeedType != "atom" || len(feed.Items) != 0 {
		t.Errorf("atom: %v %v", feed, err)
	}
	for _, path := range []string{"/feeds/" + b.Token + ".atom", "/feeds/" + a.Token, "/feeds/" + a.ID + ".atom", "/feeds/x.atom", "/feeds/" + strings.ToUpper(a.Token) + ".atom"} {
		if code, out := do(t, h, http.MethodGet, path, "", ""); code != 404 || out != "404 page not found\n" {
			t.Errorf("GET %s: %d %q", path, code, out)
		}
	}

	// The subscriber may delete its own; then its token and feed are gone.
	if code, _ := do(t, h, http.MethodDelete, "/api/v1/subscription", a.Token, ""); code != 200 {
		t.Errorf("own delete: %d", code)
	}
	if code, _ := do(t, h, http.MethodGet, a.AtomPath, "", ""); code != 404 {
		t.Errorf("atom after delete: %d", code)
	}
	if code, _ := do(t, h, http.MethodGet, "/api/v1/subscriptions/"+a.ID, admin, ""); code != 404 {
		t.Errorf("show after delete: %d", code)
	}
	if code, _ := do(t, h, http.MethodDelete, "/api/v1/subscriptions/"+b.ID, admin, ""); code != 200 {
		t.Errorf("admin delete: %d", code)
	}
	if code, out := do(t, h, http.MethodGet, "/api/v1/subscriptions", admin, ""); code != 200 || strings.TrimSpace(out) != `{"subscriptions":[]}` {
		t.Errorf("list after deletes: %d %s", code, out)
	}
}

func TestSubscriptionAPIBeforeNATSIsUp(t *testing.T) {
	h := web.NewHandler(web.Options{AdminToken: admin})
	if code, _ := do(t, h, http.MethodGet, "/api/v1/subscriptions", admin, ""); code != 503 {
		t.Errorf("list: %d", code)
	}
	if code, out := do(t, h, http.MethodGet, "/feeds/bwt_x.atom", "", ""); code != 404 || out != "404 page not found\n" {
		t.Errorf("atom: %d %q", code, out)
	}
}
