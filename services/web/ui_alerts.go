package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/breachwire/breachwire/services/alerter"
)

type alertsData struct {
	Subscriptions []alerter.View
	Form          alerter.Spec
	Error         string
	Deleted       string
}

type alertCreatedData struct {
	Created alerter.Created
	Spec    alerter.Spec
	AtomURL string
}

// subs is the subscriptions registry, or an error page while it opens.
func (u *ui) subs(w http.ResponseWriter, r *http.Request) (Subscriptions, bool) {
	if u.s.o.Subscriptions == nil {
		u.fail(w, r, http.StatusServiceUnavailable, "alerts are not ready yet")
		return nil, false
	}
	return u.s.o.Subscriptions, true
}

func (u *ui) alerts(w http.ResponseWriter, r *http.Request) {
	u.alertsPage(w, r, http.StatusOK, alertsData{Form: alerter.Spec{Atom: true}, Deleted: r.URL.Query().Get("deleted")})
}

func (u *ui) alertsPage(w http.ResponseWriter, r *http.Request, status int, d alertsData) {
	subs, ok := u.subs(w, r)
	if !ok {
		return
	}
	all, err := subs.List(r.Context())
	if err != nil {
		u.s.o.Logger.Error("ui alerts failed", "err", err)
		u.fail(w, r, http.StatusServiceUnavailable, "the subscriptions could not be read; try again shortly")
		return
	}
	for _, sub := range all {
		d.Subscriptions = append(d.Subscriptions, sub.View())
	}
	u.render(w, r, status, "alerts", page{Title: "Alerts", Nav: "alerts", Data: d})
}

// alertCreate creates a subscription and shows its token and secret, the
// only time they are shown; the page is not cached (no-store) and the
// secrets never appear in a URL.
func (u *ui) alertCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	sp := alerter.Spec{
		Name: strings.TrimSpace(f.Get("name")), Query: strings.TrimSpace(f.Get("query")),
		Updates: f.Get("updates") == "on", Atom: f.Get("atom") == "on", NATS: f.Get("nats") == "on",
		Webhook: strings.TrimSpace(f.Get("webhook")),
	}
	subs, ok := u.subs(w, r)
	if !ok {
		return
	}
	c, err := subs.Create(r.Context(), sp)
	switch {
	case errors.Is(err, alerter.ErrInvalid):
		u.alertsPage(w, r, http.StatusBadRequest, alertsData{Form: sp, Error: err.Error()})
		return
	case err != nil:
		u.s.o.Logger.Error("ui alert create failed", "err", err)
		u.alertsPage(w, r, http.StatusServiceUnavailable, alertsData{Form: sp, Error: "The alert could not be saved; try again shortly."})
		return
	}
	u.s.o.Logger.Info("subscription created", "id", c.ID, "name", sp.Name, "via", "ui")
	d := alertCreatedData{Created: c, Spec: sp}
	if c.AtomPath != "" {
		d.AtomURL = baseURL(r) + c.AtomPath
	}
	u.render(w, r, http.StatusCreated, "alert-created", page{Title: "Alert created", Nav: "alerts", Data: d})
}

func (u *ui) alertDelete(w http.ResponseWriter, r *http.Request) {
	subs, ok := u.subs(w, r)
	if !ok {
		return
	}
	sub, err := subs.Delete(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, alerter.ErrNotFound):
		u.fail(w, r, http.StatusNotFound, "There is no such alert: it may have been deleted already.")
		return
	case err != nil:
		u.s.o.Logger.Error("ui alert delete failed", "err", err)
		u.fail(w, r, http.StatusServiceUnavailable, "the alert could not be deleted; try again shortly")
		return
	}
	u.s.o.Logger.Info("subscription deleted", "id", sub.ID, "via", "ui")
	http.Redirect(w, r, "/alerts?deleted="+sub.ID, http.StatusSeeOther)
}
