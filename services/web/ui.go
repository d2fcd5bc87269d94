package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// The UI's templates and assets ship inside the binary: no build step, no
// CDN.
//
//go:embed ui/templates/*.html
var uiTemplates embed.FS

//go:embed ui/assets
var uiAssets embed.FS

// uiCSP forbids inline script and style and anything from elsewhere: the
// pages use only the embedded assets, and forms post only to this server.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// ui serves the HTML pages: server-rendered html/template pages that work
// without JavaScript. Reading incidents is open unless UIReadRequiresLogin
// is set; alerts and operations need the admin login.
type ui struct {
	s      *server
	pages  map[string]*template.Template
	assets map[string]asset // by versioned path, /assets/<hash>/<name>
	urls   map[string]string
	auth   *uiAuth
}

type asset struct {
	body  []byte
	ctype string
}

func newUI(s *server) *ui {
	u := &ui{s: s, assets: map[string]asset{}, urls: map[string]string{}, auth: newUIAuth(s.o.AdminToken)}
	sub, _ := fs.Sub(uiAssets, "ui/assets")
	entries, _ := fs.ReadDir(sub, ".")
	for _, e := range entries {
		b, _ := fs.ReadFile(sub, e.Name())
		sum := sha256.Sum256(b)
		p := "/assets/" + hex.EncodeToString(sum[:6]) + "/" + e.Name()
		ctype := "application/octet-stream"
		switch path.Ext(e.Name()) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		u.assets[p] = asset{body: b, ctype: ctype}
		u.urls[e.Name()] = p
	}
	funcs := uiFuncs(u.urls)
	u.pages = map[string]*template.Template{}
	for _, name := range []string{"incidents", "incident", "alerts", "alert-created", "ops", "login", "error"} {
		u.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(uiTemplates, "ui/templates/layout.html", "ui/templates/"+name+".html"))
	}
	return u
}

func (u *ui) route(mux *http.ServeMux) {
	mux.HandleFunc("GET /assets/", u.asset)
	mux.Handle("GET /{$}", u.reader(u.incidents))
	mux.Handle("GET /incidents/{id}", u.reader(u.incident))
	mux.Handle("GET /export", u.reader(u.export))
	mux.HandleFunc("GET /login", u.loginForm)
	mux.Handle("POST /login", u.form(u.login))
	mux.Handle("POST /logout", u.form(u.logout))
	mux.Handle("GET /alerts", u.admin(http.HandlerFunc(u.alerts)))
	mux.Handle("POST /alerts", u.admin(u.form(u.alertCreate)))
	mux.Handle("POST /alerts/{id}/delete", u.admin(u.form(u.alertDelete)))
	mux.Handle("GET /ops", u.admin(http.HandlerFunc(u.ops)))
	mux.Handle("POST /ops/dlq/replay", u.admin(u.form(u.dlqReplay)))
}

// asset serves an embedded asset. Its path holds a hash of its content,
// so it may be cached for a year: a changed asset has a new path.
func (u *ui) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// page is what every template gets: the page's own data and the layout's.
type page struct {
	Title    string
	Nav      string // which navigation entry is current
	LoggedIn bool
	CSRF     string
	Path     string // the request's path and query, for the login's return
	Data     any
}

// render writes a page. Templates are executed into a buffer first, so a
// failing template gives a clean error page, not half a page.
func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.LoggedIn = u.auth.loggedIn(r)
	p.CSRF = u.auth.csrfToken(w, r)
	p.Path = r.URL.RequestURI()
	var buf bytes.Buffer
	if err := u.pages[name].Execute(&buf, p); err != nil {
		u.s.o.Logger.Error("ui template failed", "page", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		_ = u.pages["error"].Execute(&buf, page{Title: "Error", Data: "the page could not be drawn"})
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with msg; a server-side error is logged and
// its detail kept off the page.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u.render(w, r, status, "error", page{Title: http.StatusText(status), Data: msg})
}

// reader guards the pages that read incidents: open, unless the operator
// asked for the login.
func (u *ui) reader(h http.HandlerFunc) http.Handler {
	if !u.s.o.UIReadRequiresLogin {
		return h
	}
	return u.admin(h)
}

// admin sends a visitor without the admin login to the login form (a GET)
// or refuses the request (anything else).
func (u *ui) admin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u.auth.loggedIn(r) {
			h.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		u.fail(w, r, http.StatusUnauthorized, "log in with the admin token first")
	})
}

// form checks a POSTed form's CSRF token before its handler runs.
func (u *ui) form(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			u.fail(w, r, http.StatusBadRequest, "form: "+err.Error())
			return
		}
		if !u.auth.csrfValid(r, r.PostForm.Get("csrf")) {
			u.fail(w, r, http.StatusForbidden, "the form has expired or did not come from this site: reload the page and try again")
			return
		}
		h(w, r)
	})
}

// localPath returns p if it is a path on this site, else "/": a login's
// return address must not send the user elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
