package alerter

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/pipeline"
	"github.com/breachwire/breachwire/services/internal/safehttp"
)

// Webhook headers.
const (
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256 of the body,
	// keyed with the subscription's secret.
	HeaderSignature = "X-Breachwire-Signature"
	// HeaderTimestamp is when the attempt was made, in Unix seconds.
	HeaderTimestamp = "X-Breachwire-Timestamp"
	// HeaderAlertID is the alert's id, the same on every attempt, for
	// receivers that deduplicate.
	HeaderAlertID = "X-Breachwire-Alert-Id"
	// HeaderAttempt counts attempts from 1.
	HeaderAttempt = "X-Breachwire-Attempt"
)

// Sign returns the signature header value of body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's signature with secret; it is
// what a receiver runs, shown here and tested.
func Verify(secret string, body []byte, signature string) bool {
	got, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return false
	}
	want := Sign(secret, body)[len("sha256="):]
	return hmac.Equal([]byte(got), []byte(want))
}

// WebhookStage delivers the alerts of subscriptions with a webhook; a
// failed delivery is retried with backoff (or after the endpoint's
// Retry-After, when later) and dead-lettered on bw.dlq.webhooks after the
// last attempt.
func WebhookStage() pipeline.Stage {
	return pipeline.Stage{Name: bus.StageWebhooks, Run: func(ctx context.Context, d pipeline.Deps) error {
		ix, err := OpenIndex(ctx, d.JS, d.Logger)
		if err != nil {
			return err
		}
		defer ix.Close()
		client := NewWebhookClient(d.Config.AllowPrivateNetworks, d.Logger)
		defer client.CloseIdleConnections()
		w := &Webhooks{Index: ix, HTTP: client, Log: d.Logger}
		if d.Metrics != nil {
			w.Recorder = d.Metrics
		}
		return bus.Consume(ctx, d.JS, bus.ConsumerOptions{
			Stage: bus.StageWebhooks, Logger: d.Logger, Observer: d.Observer,
			Backoff: bus.ExponentialBackoff(5*time.Second, 10*time.Minute),
		}, w.Handle)
	}}
}

// NewWebhookClient is the SSRF-safe client webhooks are posted with: no
// redirects (a redirected POST would turn into a GET), short timeouts, and
// answers read only far enough to be discarded.
func NewWebhookClient(allowPrivate bool, log *slog.Logger) *safehttp.Client {
	return safehttp.New(safehttp.Options{
		AllowPrivateNetworks: allowPrivate,
		ConnectTimeout:       5 * time.Second,
		HeaderTimeout:        10 * time.Second,
		BodyTimeout:          10 * time.Second,
		MaxBodyBytes:         1 << 20,
		MaxRedirects:         -1,
		PerHostConcurrency:   4,
		HidePaths:            true,
		Logger:               log,
	})
}

// Webhooks posts alerts to subscribers' webhooks.
type Webhooks struct {
	Index *Index
	HTTP  *safehttp.Client
	Log   *slog.Logger
	Now   func() time.Time // default time.Now
	// Recorder counts attempts by result (default: none).
	Recorder Recorder
}

// Handle delivers one alert, as stored on bw.alertlog.<id>.
func (w *Webhooks) Handle(ctx context.Context, m *bus.Message) error {
	subID, ok := strings.CutPrefix(m.Subject, bus.SubjectAlertLogPrefix)
	if !ok {
		return bus.Permanentf("not an alert subject: %q", m.Subject)
	}
	var alert bwv1.Alert
	if err := protojson.Unmarshal(m.Data, &alert); err != nil {
		return bus.Permanentf("decode alert: %w", err)
	}
	if alert.GetSubscriptionId() != subID {
		return bus.Permanentf("alert for %q on the subject of %q", alert.GetSubscriptionId(), subID)
	}
	if err := w.Index.Sync(ctx); err != nil {
		return err
	}
	s, ok := w.Index.Get(subID)
	if !ok {
		w.log().Info("alert not delivered: its subscription was deleted", "subscription", subID, "alert", alert.GetAlertId())
		return nil
	}
	if s.Webhook == "" {
		return nil
	}
	err := w.post(ctx, s, alert.GetAlertId(), m.Data, m.Deliveries)
	if w.Recorder != nil {
		switch {
		case err == nil:
			w.Recorder.WebhookAttempt("delivered")
		case bus.IsPermanent(err), m.LastDelivery():
			// A retryable failure on the last delivery is dead-lettered too.
			w.Recorder.WebhookAttempt("failed")
		default:
			w.Recorder.WebhookAttempt("retry")
		}
	}
	return err
}

func (w *Webhooks) post(ctx context.Context, s *Subscription, alertID string, body []byte, attempt uint64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Webhook, bytes.NewReader(body))
	if err != nil {
		return bus.Permanentf("webhook of %s: %w", s.ID, err)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderSignature, Sign(s.Secret, body))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now().Unix(), 10))
	req.Header.Set(HeaderAlertID, alertID)
	req.Header.Set(HeaderAttempt, strconv.FormatUint(max(attempt, 1), 10))
	resp, err := w.HTTP.Do(req)
	if err != nil {
		if safehttp.Retryable(err) {
			return fmt.Errorf("webhook of %s: %w", s.ID, err)
		}
		if errors.Is(err, safehttp.ErrTooManyRedirects) {
			err = fmt.Errorf("%w (webhooks are not redirected: configure the final URL)", err)
		}
		return bus.Permanentf("webhook of %s: %w", s.ID, err)
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		w.log().Debug("webhook delivered", "subscription", s.ID, "alert", alertID, "status", resp.StatusCode)
		return nil
	case safehttp.RetryableStatus(resp.StatusCode):
		err := fmt.Errorf("webhook of %s: status %d", s.ID, resp.StatusCode)
		if wait, ok := safehttp.RetryAfter(resp.Header, now()); ok {
			// 429 and 503 may say when to come back: not sooner (up to
			// an hour; the consumer's backoff when that is later).
			return bus.RetryAfter(fmt.Errorf("%w, retry after %s", err, wait), wait)
		}
		return err
	default:
		// 3xx, 4xx: the endpoint refuses or moved; retrying the same
		// request will not help. Dead-lettered for an operator to replay.
		return bus.Permanentf("webhook of %s: status %d", s.ID, resp.StatusCode)
	}
}

func (w *Webhooks) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}
