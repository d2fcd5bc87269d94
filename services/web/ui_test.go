package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/breachwire/breachwire/services/alerter"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/web"
)

const hostileName = `<script>alert("org")</script> Ledger & "Sons"`
const hostileQuote = `The <img src=x onerror=alert(1)> firm said 5,200 files were taken.`

// uiStore is a Bleve store with a few incidents, one of them with markup
// in its name and quotes.
func uiStore(t *testing.T) *bleve.Store {
	t.Helper()
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 9, 0, 0, 0, time.UTC) }
	for i, inc := range []*store.Incident{
		{ID: "ui-hostile", Organisation: store.Organisation{Name: hostileName}, Cause: store.Cause{Primary: "hacking"}, Year: 2024,
			Records: &store.Records{Value: new(int64(5200)), Qualifier: "exact", Unit: "records", Basis: "single",
				Reported: []store.ReportedValue{{Value: 5200, ArticleID: "a1", ArticleURL: "https://news.example/ledger", Quote: hostileQuote}}},
			Sources:       []store.Source{{ArticleID: "a1", URL: "https://news.example/ledger", Title: `Ledger <b>breach</b>`, Cause: "hacking", CauseQuote: hostileQuote}},
			FirstReported: day(2024, 3, 2)},
		{ID: "ui-hack-2", Organisation: store.Organisation{Name: "Brackenfield Rail"}, Cause: store.Cause{Primary: "hacking"}, Year: 2023, FirstReported: day(2023, 11, 5),
			RegulatorActions: []store.RegulatorAction{{Regulator: "ICO", Action: "reprimand"}}},
		{ID: "ui-misdelivery", Organisation: store.Organisation{Name: "Orchard Lane Surgery"}, Cause: store.Cause{Primary: "misdelivery"}, Year: 2023, FirstReported: day(2023, 6, 1),
			Jurisdiction: "GB", Sources: []store.Source{{ArticleID: "n1", URL: "https://ico.example/n1", Title: "Orchard Lane Surgery: reprimand", Official: true}},
			Records: &store.Records{Value: new(int64(40)), Qualifier: "exact", Unit: "patients", Basis: "single"}},
	} {
		inc.Organisation.Keys = []string{strings.ToLower(inc.Organisation.Name)}
		inc.LastUpdated = inc.FirstReported.Add(time.Duration(i) * time.Hour)
		if _, err := st.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// browser is an HTTP client with cookies and no JavaScript: what the UI
// must work for.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, *goquery.Document) {
	b.t.Helper()
	return b.read(b.c.Get(b.base + path))
}

func (b *browser) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	b.t.Helper()
	return b.read(b.c.PostForm(b.base+path, form))
}

// read parses a response's page.
func (b *browser) read(resp *http.Response, err error) (*http.Response, *goquery.Document) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, doc
}

func csrfOf(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	v, ok := doc.Find(`input[name=csrf]`).First().Attr("value")
	if !ok || v == "" {
		t.Fatal("page has no CSRF token")
	}
	return v
}

var inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)

// Names and quotes with markup are shown as text on every page; no page
// has inline script, and the CSP forbids it.
func TestUIShowsMarkupAsText(t *testing.T) {
	b := newBrowser(t, web.NewHandler(web.Options{Incidents: uiStore(t)}))
	for _, path := range []string{"/", "/?q=ledger", "/incidents/ui-hostile"} {
		resp, err := b.c.Get(b.base + path)
		if err != nil {
			t.Fatal(err)
		}
		var sb bytes.Buffer
		_, _ = sb.ReadFrom(resp.Body)
		resp.Body.Close()
		body := sb.String()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, `<script>alert`) || strings.Contains(body, `<img src=x`) || strings.Contains(body, "<b>breach") {
			t.Errorf("%s: markup from the data reached the page", path)
		}
		for _, tag := range inlineScript.FindAllString(body, -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s: inline script %s", path, tag)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
	_, doc := b.get("/incidents/ui-hostile")
	if got := doc.Find("h1").Text(); got != hostileName {
		t.Errorf("heading %q, want the name as text", got)
	}
	if got := doc.Find("blockquote").First().Text(); got != hostileQuote {
		t.Errorf("quote %q", got)
	}
	if doc.Find("main img, main script").Length() != 0 {
		t.Error("an element was made from the data")
	}
	if link, _ := doc.Find(`a[href="https://news.example/ledger"]`).Attr("rel"); !strings.Contains(link, "noopener") {
		t.Errorf("source link rel %q", link)
	}
}

// Facets narrow the query as links and widen it again; the export of the
// narrowed query has its rows; the charts are drawn from its facets.
func TestUIFacetsChartsAndExport(t *testing.T) {
	b := newBrowser(t, web.NewHandler(web.Options{Incidents: uiStore(t)}))
	_, doc := b.get("/")
	if got := doc.Find("table.incidents tbody tr").Length(); got != 3 {
		t.Fatalf("%d rows on the first page, want 3", got)
	}
	href, ok := doc.Find(`.facet a:contains("hacking")`).Attr("href")
	if !ok {
		t.Fatal("no cause facet for hacking")
	}
	_, doc = b.get(href)
	if got := doc.Find("table.incidents tbody tr").Length(); got != 2 {
		t.Errorf("%d rows after narrowing to hacking, want 2", got)
	}
	if q, _ := doc.Find("#q").Attr("value"); q != "cause:hacking" {
		t.Errorf("query box holds %q", q)
	}
	active := doc.Find(`.facet a.active`)
	if active.Length() != 1 {
		t.Fatalf("%d active facet values, want 1", active.Length())
	}
	if doc.Find("#chart-per-month svg rect").Length() == 0 || doc.Find("#chart-by-cause svg rect").Length() != 1 {
		t.Errorf("charts: %d month bars, %d cause bars", doc.Find("#chart-per-month svg rect").Length(), doc.Find("#chart-by-cause svg rect").Length())
	}
	exportURL, _ := doc.Find(`.exports a:contains("CSV")`).Attr("href")
	widen, _ := active.Attr("href")
	_, doc = b.get(widen)
	if got := doc.Find("table.incidents tbody tr").Length(); got != 3 {
		t.Errorf("%d rows after widening, want 3", got)
	}

	for _, f := range []struct{ facet, value, want string }{{"Source", "official", "Orchard Lane Surgery"}, {"Jurisdiction", "GB", "Orchard Lane Surgery"}} {
		href, ok := doc.Find(`.facet:contains("` + f.facet + `") a:contains("` + f.value + `")`).Attr("href")
		if !ok {
			t.Fatalf("no %s facet value %s", f.facet, f.value)
		}
		_, narrowed := b.get(href)
		if rows := narrowed.Find("table.incidents tbody tr"); rows.Length() != 1 || rows.Find("a").First().Text() != f.want {
			t.Errorf("%s %s: %d rows (%q)", f.facet, f.value, rows.Length(), rows.Text())
		}
	}

	resp, err := b.c.Get(b.base + exportURL)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("export: %v %q", err, resp.Header.Get("Content-Type"))
	}
	if len(rows) != 3 || rows[0][0] != "id" {
		t.Errorf("export has %d rows (with the header), want 3: %v", len(rows), rows)
	}
	if resp, _ := b.get("/export?format=xml"); resp.StatusCode != 400 {
		t.Errorf("export in an unknown format: %d", resp.StatusCode)
	}
	if resp, doc := b.get("/?q=cause:("); resp.StatusCode != 400 || doc.Find(".error").Length() == 0 {
		t.Errorf("bad query: %d", resp.StatusCode)
	}
}

// Assets are embedded, versioned by content and cached; a page of a store
// that is down says so.
func TestUIAssetsAndStoreDown(t *testing.T) {
	st := uiStore(t)
	b := newBrowser(t, web.NewHandler(web.Options{Incidents: st}))
	_, doc := b.get("/")
	css, _ := doc.Find(`link[rel=stylesheet]`).Attr("href")
	js, _ := doc.Find(`script[src]`).Attr("src")
	for _, p := range []string{css, js} {
		resp, _ := b.get(p)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := b.get("/assets/000000000000/ui.css"); resp.StatusCode != 404 {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
	_ = st.Close()
	resp, doc := b.get("/")
	if resp.StatusCode != 503 || !strings.Contains(doc.Find(".error").Text(), "did not answer") {
		t.Errorf("store down: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	if resp, _ := b.get("/export?format=csv"); resp.StatusCode != 503 {
		t.Errorf("export with the store down: %d", resp.StatusCode)
	}
}

// Alerts need the admin login; every form needs its CSRF token; the token
// and secret are shown once, at creation.
func TestUILoginCSRFAndAlerts(t *testing.T) {
	n := testenv.StartNATS(t)
	reg, err := alerter.OpenRegistry(t.Context(), n.JS)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, web.NewHandler(web.Options{Subscriptions: reg, AdminToken: admin, Incidents: uiStore(t)}))

	resp, _ := b.get("/alerts")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Falerts" {
		t.Fatalf("alerts without login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.post("/login", url.Values{"token": {admin}, "next": {"/alerts"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a CSRF token: %d", resp.StatusCode)
	}
	_, doc := b.get("/login?next=/alerts")
	csrf := csrfOf(t, doc)
	if resp, doc := b.post("/login", url.Values{"csrf": {csrf}, "token": {"wrong"}, "next": {"/alerts"}}); resp.StatusCode != http.StatusUnauthorized || doc.Find(".error").Length() == 0 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	resp, _ = b.post("/login", url.Values{"csrf": {csrf}, "token": {admin}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("login sent to %q (%d), want /", resp.Header.Get("Location"), resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "bw_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", session)
	}

	resp, doc = b.get("/alerts")
	if resp.StatusCode != 200 {
		t.Fatalf("alerts after login: %d", resp.StatusCode)
	}
	csrf = csrfOf(t, doc)
	form := url.Values{"name": {"ICO <fines>"}, "query": {"regulator:ICO"}, "updates": {"on"}, "atom": {"on"}}
	if resp, _ := b.post("/alerts", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("create without a CSRF token: %d", resp.StatusCode)
	}
	form.Set("csrf", csrf)
	resp, doc = b.post("/alerts", form)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	token, secret := doc.Find("code.token").Text(), doc.Find("code.secret").Text()
	atom, _ := doc.Find("a.atom").Attr("href")
	if token == "" || secret == "" || !strings.HasSuffix(atom, "/feeds/"+token+".atom") {
		t.Fatalf("created page: token %q secret %q atom %q", token, secret, atom)
	}
	if resp, err := http.Get(atom); err != nil || resp.StatusCode != 200 {
		t.Errorf("atom feed: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	if resp, doc := b.post("/alerts", url.Values{"csrf": {csrf}, "name": {"bad"}, "query": {"cause:("}}); resp.StatusCode != 400 || doc.Find(".error").Length() == 0 {
		t.Errorf("create with a bad query: %d", resp.StatusCode)
	}

	resp, err = b.c.Get(b.base + "/alerts")
	if err != nil {
		t.Fatal(err)
	}
	var sb bytes.Buffer
	_, _ = sb.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(sb.String(), "ICO &lt;fines&gt;") || strings.Contains(sb.String(), token) || strings.Contains(sb.String(), secret) {
		t.Errorf("list: name missing, or the token or secret shown again")
	}
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(sb.String()))
	del, _ := doc.Find(`form[action$="/delete"]`).Attr("action")
	if resp, _ := b.post(del, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without a CSRF token: %d", resp.StatusCode)
	}
	resp, _ = b.post(del, url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if _, doc := b.get(resp.Header.Get("Location")); doc.Find("table.alerts").Length() != 0 || doc.Find(".notice").Length() != 1 {
		t.Errorf("after delete: %d alert tables, %d notices", doc.Find("table.alerts").Length(), doc.Find(".notice").Length())
	}
	if resp, _ := b.post(del, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete again: %d", resp.StatusCode)
	}

	// Logging out ends the session.
	_, doc = b.get("/")
	if resp, _ := b.post("/logout", url.Values{"csrf": {csrfOf(t, doc)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/ops"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("ops after logout: %d", resp.StatusCode)
	}
}

// A flag makes the incident pages ask for the login too.
func TestUIReadRequiresLogin(t *testing.T) {
	open := newBrowser(t, web.NewHandler(web.Options{Incidents: uiStore(t), AdminToken: admin}))
	if resp, _ := open.get("/incidents/ui-hack-2"); resp.StatusCode != 200 {
		t.Errorf("open by default: %d", resp.StatusCode)
	}
	closed := newBrowser(t, web.NewHandler(web.Options{Incidents: uiStore(t), AdminToken: admin, UIReadRequiresLogin: true}))
	for _, p := range []string{"/", "/incidents/ui-hack-2", "/export?format=csv"} {
		if resp, _ := closed.get(p); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s with the flag: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := closed.get("/incidents/nope"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown incident before login: %d", resp.StatusCode)
	}
	if resp, _ := open.get("/incidents/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown incident: %d", resp.StatusCode)
	}
}

// Pages follow each other by cursor, forwards and back.
func TestUIPagination(t *testing.T) {
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	for i := range 45 {
		inc := &store.Incident{ID: fmt.Sprintf("page-%02d", i), Organisation: store.Organisation{Name: fmt.Sprintf("Firm %02d", i)},
			Cause: store.Cause{Primary: "hacking"}, FirstReported: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)}
		if _, err := st.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, web.NewHandler(web.Options{Incidents: st}))
	firstNames := func(doc *goquery.Document) (string, int) {
		rows := doc.Find("table.incidents tbody tr")
		return rows.First().Find("a").Text(), rows.Length()
	}
	_, p1 := b.get("/?sort=first_reported")
	if name, n := firstNames(p1); name != "Firm 00" || n != 20 || p1.Find(`a[rel=prev]`).Length() != 0 {
		t.Fatalf("page 1: %s, %d rows", name, n)
	}
	next, _ := p1.Find(`a[rel=next]`).Attr("href")
	_, p2 := b.get(next)
	if name, n := firstNames(p2); name != "Firm 20" || n != 20 || !strings.Contains(p2.Find(".pager").Text(), "Page 2 of 3") {
		t.Fatalf("page 2: %s, %d rows, %q", name, n, p2.Find(".pager").Text())
	}
	next, _ = p2.Find(`a[rel=next]`).Attr("href")
	_, p3 := b.get(next)
	if name, n := firstNames(p3); name != "Firm 40" || n != 5 || p3.Find(`a[rel=next]`).Length() != 0 {
		t.Fatalf("page 3: %s, %d rows", name, n)
	}
	prev, _ := p3.Find(`a[rel=prev]`).Attr("href")
	_, back2 := b.get(prev)
	if name, _ := firstNames(back2); name != "Firm 20" || !strings.Contains(back2.Find(".pager").Text(), "Page 2 of 3") {
		t.Errorf("back to page 2: %s", name)
	}
	prev, _ = back2.Find(`a[rel=prev]`).Attr("href")
	_, back1 := b.get(prev)
	if name, _ := firstNames(back1); name != "Firm 00" || back1.Find(`a[rel=prev]`).Length() != 0 {
		t.Errorf("back to page 1: %s", name)
	}
}
