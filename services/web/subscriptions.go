package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/alerter"
)

// Subscriptions is what the subscription and Atom endpoints need.
type Subscriptions interface {
	Create(ctx context.Context, sp alerter.Spec) (alerter.Created, error)
	List(ctx context.Context) ([]*alerter.Subscription, error)
	Get(ctx context.Context, id string) (*alerter.Subscription, error)
	Delete(ctx context.Context, id string) (*alerter.Subscription, error)
	ByToken(ctx context.Context, token string) (*alerter.Subscription, error)
	Alerts(ctx context.Context, id string, limit int) ([]*bwv1.Alert, error)
}

func (s *server) routeSubscriptions(mux *http.ServeMux) {
	// The operator's face, with the admin token.
	mux.Handle("POST /api/v1/subscriptions", s.admin(s.subscriptionCreate))
	mux.Handle("GET /api/v1/subscriptions", s.admin(s.subscriptionList))
	mux.Handle("GET /api/v1/subscriptions/{id}", s.admin(s.subscriptionShow))
	mux.Handle("DELETE /api/v1/subscriptions/{id}", s.admin(s.subscriptionDelete))
	// The subscriber's face, with its own token: its subscription only.
	mux.Handle("GET /api/v1/subscription", s.subscriber(s.ownShow))
	mux.Handle("GET /api/v1/subscription/alerts", s.subscriber(s.ownAlerts))
	mux.Handle("DELETE /api/v1/subscription", s.subscriber(s.ownDelete))
	mux.HandleFunc("GET /feeds/{file}", s.atom)
}

func (s *server) subs(w http.ResponseWriter) (Subscriptions, bool) {
	if s.o.Subscriptions == nil {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return nil, false
	}
	return s.o.Subscriptions, true
}

func (s *server) subscriptionCreate(w http.ResponseWriter, r *http.Request) {
	var sp alerter.Spec
	if !s.decodeBody(w, r, &sp) {
		return
	}
	subs, ok := s.subs(w)
	if !ok {
		return
	}
	c, err := subs.Create(r.Context(), sp)
	switch {
	case errors.Is(err, alerter.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.fail(w, err)
	default:
		s.o.Logger.Info("subscription created", "id", c.ID, "name", sp.Name)
		writeJSON(w, http.StatusCreated, c)
	}
}

func (s *server) subscriptionList(w http.ResponseWriter, r *http.Request) {
	subs, ok := s.subs(w)
	if !ok {
		return
	}
	all, err := subs.List(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	views := make([]alerter.View, 0, len(all))
	for _, sub := range all {
		views = append(views, sub.View())
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": views})
}

func (s *server) subscriptionShow(w http.ResponseWriter, r *http.Request) {
	subs, ok := s.subs(w)
	if !ok {
		return
	}
	sub, err := subs.Get(r.Context(), r.PathValue("id"))
	s.writeSubscription(w, sub, err)
}

func (s *server) subscriptionDelete(w http.ResponseWriter, r *http.Request) {
	subs, ok := s.subs(w)
	if !ok {
		return
	}
	sub, err := subs.Delete(r.Context(), r.PathValue("id"))
	if err == nil {
		s.o.Logger.Info("subscription deleted", "id", sub.ID)
	}
	s.writeSubscription(w, sub, err)
}

func (s *server) writeSubscription(w http.ResponseWriter, sub *alerter.Subscription, err error) {
	switch {
	case errors.Is(err, alerter.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such subscription")
	case err != nil:
		s.fail(w, err)
	default:
		writeJSON(w, http.StatusOK, sub.View())
	}
}

// subscriber requires a subscriber's bearer token and hands the handler
// that subscriber's subscription; any failure is the same 401.
func (s *server) subscriber(h func(http.ResponseWriter, *http.Request, *alerter.Subscription)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subs, ok := s.subs(w)
		if !ok {
			return
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sub, err := subs.ByToken(r.Context(), token)
		if err != nil {
			if !errors.Is(err, alerter.ErrNotFound) {
				s.fail(w, err)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="breachwire subscriber"`)
			writeError(w, http.StatusUnauthorized, "subscriber token required")
			return
		}
		h(w, r, sub)
	})
}

func (s *server) ownShow(w http.ResponseWriter, r *http.Request, sub *alerter.Subscription) {
	writeJSON(w, http.StatusOK, sub.View())
}

func (s *server) ownDelete(w http.ResponseWriter, r *http.Request, sub *alerter.Subscription) {
	got, err := s.o.Subscriptions.Delete(r.Context(), sub.ID)
	if err == nil {
		s.o.Logger.Info("subscription deleted by its subscriber", "id", sub.ID)
	}
	s.writeSubscription(w, got, err)
}

func (s *server) ownAlerts(w http.ResponseWriter, r *http.Request, sub *alerter.Subscription) {
	alerts, err := s.o.Subscriptions.Alerts(r.Context(), sub.ID, alerter.AtomEntries)
	if err != nil {
		s.fail(w, err)
		return
	}
	// The alerts as their own JSON (protojson), newest first.
	var buf bytes.Buffer
	buf.WriteString(`{"alerts":[`)
	for i, a := range alerts {
		b, err := alerter.MarshalAlert(a)
		if err != nil {
			s.fail(w, err)
			return
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
	}
	buf.WriteString("]}\n")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

// atom serves GET /feeds/<token>.atom. Whatever is wrong with the token
// (malformed, unknown, deleted, a feed the subscription did not ask for),
// the answer is the same bare 404.
func (s *server) atom(w http.ResponseWriter, r *http.Request) {
	notFound := func() { http.Error(w, "404 page not found", http.StatusNotFound) }
	token, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	if !ok || s.o.Subscriptions == nil {
		notFound()
		return
	}
	sub, err := s.o.Subscriptions.ByToken(r.Context(), token)
	if err != nil || !sub.Atom {
		if err != nil && !errors.Is(err, alerter.ErrNotFound) {
			s.o.Logger.Error("atom feed: subscription lookup failed", "err", err)
			http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
			return
		}
		notFound()
		return
	}
	alerts, err := s.o.Subscriptions.Alerts(r.Context(), sub.ID, alerter.AtomEntries)
	if err != nil {
		s.o.Logger.Error("atom feed: alerts not read", "subscription", sub.ID, "err", err)
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	base := baseURL(r)
	var buf bytes.Buffer
	if err := alerter.WriteAtom(&buf, sub, alerts, base, base+r.URL.Path); err != nil {
		s.o.Logger.Error("atom feed: render", "subscription", sub.ID, "err", err)
		http.Error(w, "feed unavailable", http.StatusInternalServerError)
		return
	}
	// The URL is the secret: keep it out of Referer headers and indexes.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
