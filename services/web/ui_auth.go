package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	sessionCookie = "bw_session"
	csrfCookie    = "bw_csrf"
	sessionTTL    = 12 * time.Hour
)

// uiAuth is the UI's login and CSRF protection. A session is a signed
// expiry time in an HttpOnly, SameSite=Strict cookie; its key is derived
// from the admin token, so changing the token ends every session. A form
// carries a CSRF token that is the key's MAC of a random per-browser
// cookie: a page on another site can neither read that cookie nor forge
// the MAC.
type uiAuth struct {
	token string
	key   []byte
	now   func() time.Time
}

func newUIAuth(adminToken string) *uiAuth {
	a := &uiAuth{token: adminToken, now: time.Now}
	if adminToken != "" {
		k := sha256.Sum256([]byte("breachwire ui\x00" + adminToken))
		a.key = k[:]
	} else {
		// No admin token: no one can log in, but forms (none of which
		// then work past the login) still need a key.
		a.key = make([]byte, 32)
		_, _ = rand.Read(a.key)
	}
	return a
}

func (a *uiAuth) mac(parts ...string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkToken reports whether t is the admin token.
func (a *uiAuth) checkToken(t string) bool {
	return a.token != "" && subtle.ConstantTimeCompare([]byte(t), []byte(a.token)) == 1
}

// startSession sets the session cookie.
func (a *uiAuth) startSession(w http.ResponseWriter, r *http.Request) {
	exp := strconv.FormatInt(a.now().Add(sessionTTL).Unix(), 10)
	http.SetCookie(w, a.cookie(r, sessionCookie, exp+"."+a.mac("session", exp), int(sessionTTL.Seconds())))
}

func (a *uiAuth) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, a.cookie(r, sessionCookie, "", -1))
}

func (a *uiAuth) loggedIn(r *http.Request) bool {
	if a.token == "" {
		return false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	exp, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(a.mac("session", exp))) {
		return false
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && a.now().Unix() < n
}

// csrfToken returns the token the page's forms carry, setting the
// per-browser cookie it is bound to when the browser has none.
func (a *uiAuth) csrfToken(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		v = c.Value
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		v = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, a.cookie(r, csrfCookie, v, 0))
		r.AddCookie(&http.Cookie{Name: csrfCookie, Value: v})
	}
	return a.mac("csrf", v)
}

func (a *uiAuth) csrfValid(r *http.Request, token string) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || token == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(a.mac("csrf", c.Value)))
}

func (a *uiAuth) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil}
}

type loginData struct {
	Next  string
	Error string
}

func (u *ui) loginForm(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, http.StatusOK, "login", page{Title: "Log in", Data: loginData{Next: localPath(r.URL.Query().Get("next"))}})
}

func (u *ui) login(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostForm.Get("next"))
	if !u.auth.checkToken(r.PostForm.Get("token")) {
		u.render(w, r, http.StatusUnauthorized, "login", page{Title: "Log in", Data: loginData{Next: next, Error: "That is not the admin token."}})
		return
	}
	u.auth.startSession(w, r)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (u *ui) logout(w http.ResponseWriter, r *http.Request) {
	u.auth.endSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
