// Package alerter is the last stage: it matches every incident event against
// the saved searches of subscribers and delivers alerts over NATS, signed
// webhooks and private Atom feeds, each at most once per incident revision.
package alerter

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/store/match"
	"github.com/breachwire/breachwire/services/store/query"
)

// Subscription is a saved search, what to be told about, and where.
type Subscription struct {
	ID string `json:"id"`
	Spec
	// TokenHash is the SHA-256 of the subscriber's token (the token itself
	// is shown once, at creation, and never stored).
	TokenHash string `json:"token_hash"`
	// Secret keys the webhook signature; it is shown once, at creation.
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"created_at"`
}

// Spec is what a subscriber asks for.
type Spec struct {
	Name  string `json:"name"`
	Query string `json:"query"`
	// Updates asks for material updates (count revised, regulator action,
	// fine ...) of matching incidents, not only for new ones.
	Updates bool `json:"updates"`
	// Deliveries. Every alert is kept in the ALERTS stream (bw.alertlog.<id>,
	// where the Atom feed and the webhooks read it) and republished on
	// bw.alerts.<id>; NATS says the subscriber reads that subject.
	Webhook string `json:"webhook,omitempty"`
	NATS    bool   `json:"nats"`
	Atom    bool   `json:"atom"`
}

// Created is what creating a subscription returns: the only time the token
// and the secret are shown.
type Created struct {
	ID     string `json:"id"`
	Token  string `json:"token"`
	Secret string `json:"secret"`
	// AtomPath is the feed's path on the HTTP API when Atom was asked for.
	AtomPath string `json:"atom_path,omitempty"`
	// Subject is where NATS alerts arrive.
	Subject string `json:"subject"`
}

// View is a subscription without its secrets, as list and show print it.
type View struct {
	ID string `json:"id"`
	Spec
	Subject   string    `json:"subject"`
	CreatedAt time.Time `json:"created_at"`
}

// View returns s without its secrets.
func (s *Subscription) View() View {
	return View{ID: s.ID, Spec: s.Spec, Subject: AlertSubject(s.ID), CreatedAt: s.CreatedAt}
}

// AlertSubject is where subscribers of subscription id receive its alerts.
func AlertSubject(id string) string { return bus.SubjectAlertsPrefix + id }

// logSubject is where its alerts are stored, in stream ALERTS.
func logSubject(id string) string { return bus.SubjectAlertLogPrefix + id }

// Errors the registry returns (wrapped).
var (
	// ErrInvalid: the spec is not acceptable (bad query, URL, name).
	ErrInvalid = errors.New("invalid subscription")
	// ErrNotFound: no such subscription (or a wrong token).
	ErrNotFound = errors.New("no such subscription")
)

// Limits of a spec.
const (
	maxNameBytes  = 200
	maxQueryBytes = 4096
	maxURLBytes   = 2048
)

// Validate checks a spec and returns its parsed query.
func (sp Spec) Validate() (query.Node, error) {
	name := strings.TrimSpace(sp.Name)
	switch {
	case name == "":
		return nil, fmt.Errorf("%w: a name is required", ErrInvalid)
	case len(name) > maxNameBytes || !utf8.ValidString(name):
		return nil, fmt.Errorf("%w: name: at most %d bytes of UTF-8", ErrInvalid, maxNameBytes)
	case strings.TrimSpace(sp.Query) == "":
		return nil, fmt.Errorf("%w: a query is required (the search syntax, e.g. cause:third_party)", ErrInvalid)
	case len(sp.Query) > maxQueryBytes:
		return nil, fmt.Errorf("%w: query: at most %d bytes", ErrInvalid, maxQueryBytes)
	case sp.Webhook == "" && !sp.NATS && !sp.Atom:
		return nil, fmt.Errorf("%w: at least one delivery is required: webhook, nats or atom", ErrInvalid)
	}
	n, err := query.Parse(sp.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// What parses but cannot be matched (a date outside the range the
	// stores index) is refused here, not skipped later.
	if _, err := match.Compile(n); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if sp.Webhook != "" {
		if err := validWebhook(sp.Webhook); err != nil {
			return nil, fmt.Errorf("%w: webhook: %w", ErrInvalid, err)
		}
	}
	return n, nil
}

// validWebhook accepts absolute http(s) URLs without credentials; whether
// the host is public is checked on every delivery, after DNS resolution.
func validWebhook(raw string) error {
	if len(raw) > maxURLBytes {
		return fmt.Errorf("at most %d bytes", maxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("want an http or https URL")
	case u.Hostname() == "":
		return errors.New("no host")
	case u.User != nil:
		return errors.New("credentials in the URL are not sent; use a token in the path or query")
	}
	return nil
}

// Key prefixes in the subscriptions bucket.
const (
	subPrefix   = "sub."
	tokenPrefix = "token."
)

// Registry keeps subscriptions in the bw_subscriptions KV bucket: one key
// per subscription and one per token hash, so a token finds its
// subscription without revealing any other.
type Registry struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	alerts jetstream.Stream // ALERTS, for purging a deleted subscription's alerts
	now    func() time.Time
}

// OpenRegistry opens the registry; the topology must be declared.
func OpenRegistry(ctx context.Context, js jetstream.JetStream) (*Registry, error) {
	kv, err := js.KeyValue(ctx, bus.BucketSubscriptions)
	if err != nil {
		return nil, fmt.Errorf("subscriptions bucket: %w", err)
	}
	st, err := js.Stream(ctx, bus.StreamAlerts)
	if err != nil {
		return nil, fmt.Errorf("alerts stream: %w", err)
	}
	return &Registry{js: js, kv: kv, alerts: st, now: time.Now}, nil
}

// Create stores a new subscription and returns its id, token and secret.
func (r *Registry) Create(ctx context.Context, sp Spec) (Created, error) {
	if _, err := sp.Validate(); err != nil {
		return Created{}, err
	}
	id := "sub_" + randomWord(16)
	token := "bwt_" + randomWord(32)
	secret := "whsec_" + randomWord(32)
	sp.Name = strings.TrimSpace(sp.Name)
	s := &Subscription{ID: id, Spec: sp, TokenHash: HashToken(token), Secret: secret, CreatedAt: r.now().UTC()}
	b, err := json.Marshal(s)
	if err != nil {
		return Created{}, err
	}
	// The token key first: a subscription is never visible without the way
	// to reach its feed; a crash in between leaves only an orphan token key.
	if _, err := r.kv.Create(ctx, tokenPrefix+s.TokenHash, []byte(id)); err != nil {
		return Created{}, fmt.Errorf("store subscription token: %w", err)
	}
	if _, err := r.kv.Create(ctx, subPrefix+id, b); err != nil {
		return Created{}, fmt.Errorf("store subscription: %w", err)
	}
	c := Created{ID: id, Token: token, Secret: secret, Subject: AlertSubject(id)}
	if s.Atom {
		c.AtomPath = "/feeds/" + token + ".atom"
	}
	return c, nil
}

// Get returns one subscription.
func (r *Registry) Get(ctx context.Context, id string) (*Subscription, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	e, err := r.kv.Get(ctx, subPrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read subscription %s: %w", id, err)
	}
	return decodeSubscription(e.Value())
}

// ByToken returns the subscription a token belongs to, or ErrNotFound.
func (r *Registry) ByToken(ctx context.Context, token string) (*Subscription, error) {
	if !validToken(token) {
		return nil, ErrNotFound
	}
	h := HashToken(token)
	e, err := r.kv.Get(ctx, tokenPrefix+h)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read subscription token: %w", err)
	}
	s, err := r.Get(ctx, string(e.Value()))
	if err != nil {
		return nil, err
	}
	if s.TokenHash != h {
		return nil, ErrNotFound
	}
	return s, nil
}

// List returns every subscription, oldest first.
func (r *Registry) List(ctx context.Context) ([]*Subscription, error) {
	lister, err := r.kv.ListKeysFiltered(ctx, subPrefix+">")
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	var out []*Subscription
	for k := range lister.Keys() {
		s, err := r.Get(ctx, strings.TrimPrefix(k, subPrefix))
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			_ = lister.Stop()
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Subscription) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Delete removes a subscription, its token and the alerts kept for it.
func (r *Registry) Delete(ctx context.Context, id string) (*Subscription, error) {
	s, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.kv.Delete(ctx, subPrefix+id); err != nil {
		return nil, fmt.Errorf("delete subscription %s: %w", id, err)
	}
	if err := r.kv.Delete(ctx, tokenPrefix+s.TokenHash); err != nil {
		return nil, fmt.Errorf("delete subscription %s token: %w", id, err)
	}
	if err := r.alerts.Purge(ctx, jetstream.WithPurgeSubject(logSubject(id))); err != nil {
		return nil, fmt.Errorf("purge alerts of %s: %w", id, err)
	}
	return s, nil
}

func decodeSubscription(b []byte) (*Subscription, error) {
	var s Subscription
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode subscription: %w", err)
	}
	return &s, nil
}

// HashToken is the stored form of a subscriber token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var word = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomWord is n random bytes in lower-case base32: safe in NATS subjects,
// KV keys, URL paths and file names.
func randomWord(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return word.EncodeToString(b)
}

func validID(id string) bool    { return wordAfter(id, "sub_", 26) }
func validToken(tk string) bool { return wordAfter(tk, "bwt_", 52) }

// wordAfter reports whether s is prefix followed by n base32 letters.
func wordAfter(s, prefix string, n int) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != n {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}
