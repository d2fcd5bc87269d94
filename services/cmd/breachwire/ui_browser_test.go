package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
)

// chromium finds the headless browser the UI tests drive (.ci/run
// installs it: apt-get install chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BREACHWIRE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: install it (apt-get install chromium) or set BREACHWIRE_CHROMIUM")
	return ""
}

// screenshotDir is where the UI test writes its screenshots for review
// (never committed): $BREACHWIRE_SCREENSHOTS, or a folder in the system's
// temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("BREACHWIRE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "breachwire-screenshots")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Names that are markup: the pages must show them as text, and a script
// in them must not run (it would set window.__xss).
const (
	hostileOrg    = `Ledgerline <img src=x onerror="window.__xss=1"> Partners`
	hostileOrgRow = `Ledgerline &lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; Partners`
)

// The UI in a real browser, on `breachwire run` fed with synthetic notices
// and news: search and narrow by a facet, open an incident and see its
// quotes and links, log in, create an alert and see it listed, delete it,
// replay a dead letter; a hostile organisation name renders as text; the
// pages fit a phone; the keyboard reaches the skip link first.
func TestUIInABrowser(t *testing.T) {
	exe := chromium(t)
	shots := screenshotDir(t)

	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tidewater := fmt.Sprintf(waRow, "2025-03-18", "03/18/2025", "A1", "Tidewater Orthodontics", "02/10/2025", "3,120")
	hostile := fmt.Sprintf(waRow, "2025-03-12", "03/12/2025", "A9", hostileOrgRow, "03/01/2025", "880")
	mux.HandleFunc("/wa", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, waList(tidewater, hostile))
	})
	feeds := serveNoticesAndNews(t, srv.URL, mux)
	const token = "ui-test-admin-token"
	natsAddr := freeAddr(t)
	in := startRun(t, "--data", t.TempDir(), "--allow-private-networks", "--feeds-file", feeds, "--admin-token", token,
		"--nats-listen", natsAddr, "--feed-min-interval", "1m", "--feed-max-interval", "1h")
	waitIndexed(t, in, 4)

	// A message no stage can read becomes a dead letter of the classifier.
	nc, err := nats.Connect("nats://" + natsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(t.Context(), bus.SubjectArticles, []byte("not a protobuf"), jetstream.WithMsgID("ui-test-garbage")); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", exe, err)
	}
	ctx, cancelTime := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelTime()
	// Accept the confirmation the delete button asks for.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	b := &tab{t: t, ctx: ctx}
	// unlabelled lists the page's form fields that have no label a screen
	// reader would read.
	unlabelled := func(page string) {
		t.Helper()
		missing := evaluate[[]string](b, `[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
			.filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
			.map(el => el.outerHTML)`)
		if len(missing) > 0 {
			t.Errorf("%s: form fields without a label: %v", page, missing)
		}
	}
	shot := func(name string) {
		t.Helper()
		unlabelled(name)
		img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), img, 0o640); err != nil {
			t.Fatal(err)
		}
	}

	// Incidents: every incident, the facets and the charts.
	b.do("open the incidents page", chromedp.Navigate(in.base+"/"), chromedp.WaitVisible(chromedp.CSS("table.incidents")))
	heading := b.text("#results-h")
	rows := evaluate[int](b, `document.querySelectorAll("table.incidents tbody tr").length`)
	bars := evaluate[int](b, `document.querySelectorAll("figure.chart svg rect").length`)
	if rows < 3 || bars == 0 || !strings.Contains(heading, "incidents") {
		t.Fatalf("incidents page: %q, %d rows, %d bars", heading, rows, bars)
	}
	shot("incidents")

	// The keyboard's first stop is the skip link.
	b.do("tab", chromedp.KeyEvent(kb.Tab))
	if focused := evaluate[string](b, `document.activeElement.className`); focused != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", focused)
	}

	// Search, then narrow by a facet.
	b.do("type a search", chromedp.SetValue(chromedp.CSS("#q"), "Tidewater"))
	b.follow("search", chromedp.Submit(chromedp.CSS("#q")))
	if rows := evaluate[int](b, `document.querySelectorAll("table.incidents tbody tr").length`); rows != 1 {
		t.Errorf("search for Tidewater: %d rows", rows)
	}
	b.do("open the incidents page", chromedp.Navigate(in.base+"/"), chromedp.WaitVisible(chromedp.CSS(".facets")))
	b.follow("narrow by regulator", chromedp.Click(chromedp.Search(`//section[contains(@class,"facet")][h3="Regulator"]//a[contains(., "California AG")]`)))
	b.do("see the filter", chromedp.WaitVisible(chromedp.CSS(".facet a.active")))
	names := evaluate[[]string](b, `[...document.querySelectorAll("table.incidents tbody td:first-child a")].map(a => a.textContent)`)
	if len(names) != 1 || names[0] != "Copperline Outfitters" {
		t.Errorf("narrowed to the California AG: %v", names)
	}

	// An incident: the official count, the news count with its quote and
	// link, and why the headline is what it is.
	b.do("search Tidewater", chromedp.Navigate(in.base+"/?q=Tidewater"), chromedp.WaitVisible(chromedp.CSS("table.incidents")))
	b.follow("open Tidewater", chromedp.Click(chromedp.CSS("table.incidents tbody a")))
	quotes := evaluate[[]string](b, `[...document.querySelectorAll("blockquote")].map(b => b.textContent)`)
	links := evaluate[[]string](b, `[...document.querySelectorAll("main a[rel~=noopener]")].map(a => a.href)`)
	basis := b.text(".basis")
	if !containsAny(quotes, "41,000 patients") || !containsAny(links, "/story/tidewater") || !strings.Contains(basis, "official") {
		t.Errorf("Tidewater page: quotes %q, links %q, basis %q", quotes, links, basis)
	}
	shot("incident")

	// A hostile organisation name is text.
	b.do("search Ledgerline", chromedp.Navigate(in.base+"/?q=Ledgerline"), chromedp.WaitVisible(chromedp.CSS("table.incidents")))
	b.follow("open the hostile incident", chromedp.Click(chromedp.CSS("table.incidents tbody a")))
	h1 := b.text("h1")
	if xss := evaluate[bool](b, `window.__xss !== undefined || document.querySelectorAll("main img").length > 0`); h1 != hostileOrg || xss {
		t.Errorf("hostile name shown as %q; script ran or element made: %v", h1, xss)
	}

	// Alerts: the login, then create, list and delete.
	b.do("open alerts", chromedp.Navigate(in.base+"/alerts"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Errorf("alerts without login went to %s", loc)
	}
	shot("login")
	b.do("type the token", chromedp.SendKeys(chromedp.CSS("#token"), token))
	b.follow("log in", chromedp.Submit(chromedp.CSS("#token")))
	b.do("fill in an alert", chromedp.WaitVisible(chromedp.CSS("#new-h")), chromedp.SendKeys(chromedp.CSS("#name"), "Orthodontists"),
		chromedp.SendKeys(chromedp.CSS("#query"), "Tidewater"), chromedp.Click(chromedp.CSS("input[name=updates]")))
	b.follow("create the alert", chromedp.Submit(chromedp.CSS("#name")))
	atom, secret := b.text("a.atom"), b.text("code.secret")
	if !strings.Contains(atom, "/feeds/") || secret == "" {
		t.Errorf("created page: atom %q, secret %q", atom, secret)
	}
	if resp, err := http.Get(atom); err != nil || resp.StatusCode != 200 {
		t.Errorf("atom link: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	b.do("list alerts", chromedp.Navigate(in.base+"/alerts"), chromedp.WaitVisible(chromedp.CSS("table.alerts")))
	names = evaluate[[]string](b, `[...document.querySelectorAll("table.alerts tbody td:first-child")].map(td => td.textContent)`)
	if len(names) != 1 || names[0] != "Orthodontists" {
		t.Errorf("alerts listed: %v", names)
	}
	shot("alerts")
	b.follow("delete the alert", chromedp.Click(chromedp.CSS("table.alerts button.danger")))
	if notice, n := b.text(".notice"), evaluate[int](b, `document.querySelectorAll("table.alerts").length`); !strings.Contains(notice, "deleted") || n != 0 {
		t.Errorf("after delete: %q, %d alert tables", notice, n)
	}

	// Operations: feed health, the dead letter, its replay, the counters.
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.do("open operations", chromedp.Navigate(in.base+"/ops"), chromedp.WaitVisible(chromedp.CSS("#dlq-h")))
		rows = evaluate[int](b, `document.querySelectorAll("table.dlq tbody tr").length`)
		if rows > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	health := evaluate[[]string](b, `[...document.querySelectorAll("table.feeds .health")].map(s => s.textContent)`)
	counters := evaluate[int](b, `document.querySelectorAll("table.counters tbody tr").length`)
	if rows != 1 || len(health) != 3 || counters == 0 {
		t.Fatalf("operations: %d dead letters, feed health %v, %d counters", rows, health, counters)
	}
	shot("ops")
	seqBefore := b.text("table.dlq tbody td.num")
	b.follow("replay", chromedp.Click(chromedp.CSS("table.dlq button")))
	if notice := b.text(".notice"); !strings.Contains(notice, "1 dead letter(s) replayed") {
		t.Errorf("replay notice %q", notice)
	}
	// The garbage fails again: it is back in the queue under a new number.
	deadline = time.Now().Add(30 * time.Second)
	for seqAfter := ""; seqAfter == "" || seqAfter == seqBefore; {
		if time.Now().After(deadline) {
			t.Fatalf("the replayed letter did not come back (seq before %s, after %q)", seqBefore, seqAfter)
		}
		time.Sleep(500 * time.Millisecond)
		b.do("reload operations", chromedp.Navigate(in.base+"/ops"), chromedp.WaitVisible(chromedp.CSS("#dlq-h")))
		seqAfter = evaluate[string](b, `(document.querySelector("table.dlq tbody td.num") || {}).textContent || ""`)
	}

	// A phone: no page wider than the screen (wide tables scroll inside
	// their own box).
	b.do("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range []struct{ path, ready, shot string }{
		{"/", "table.incidents", "incidents-phone"},
		{"/?q=Tidewater", "table.incidents", ""},
		{"/alerts", "#new-h", ""},
		{"/ops", "#dlq-h", "ops-phone"},
	} {
		b.do("open "+p.path+" on a phone", chromedp.Navigate(in.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		if p.path == "/?q=Tidewater" {
			b.follow("open the incident on a phone", chromedp.Click(chromedp.CSS("table.incidents tbody a")))
		}
		if evaluate[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s is wider than a phone's screen", p.path)
		}
		if p.shot != "" {
			shot(p.shot)
		}
	}
	t.Logf("screenshots in %s", shots)
}

// tab is a browser tab a test drives; a failed step ends the test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// follow runs an action that loads a new page (a click, a submit) and
// waits for that page's load event, so that what is read next is read from
// the new page, not the old one.
func (b *tab) follow(what string, trigger chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *tab) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func evaluate[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
