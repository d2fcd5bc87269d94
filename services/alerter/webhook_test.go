package alerter

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/breachwire/breachwire/services/internal/bus"
)

// receiver is a webhook endpoint that answers with the statuses given, in
// turn (the last one repeats), and records what it received.
type receiver struct {
	srv        *httptest.Server
	mu         sync.Mutex
	statuses   []int
	retryAfter string // Retry-After sent with 429 and 503, if set
	got        []*http.Request
	at         []time.Time
	bodies     [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, req)
		r.at = append(r.at, time.Now())
		r.bodies = append(r.bodies, body)
		status := r.statuses[min(n, len(r.statuses)-1)]
		retryAfter := r.retryAfter
		r.mu.Unlock()
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		if retryAfter != "" && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// webhookWorld is a world with one webhook subscription to rcv and its
// alert about inc-04 published.
func webhookWorld(t *testing.T, rcv *receiver) (*world, Created, *Webhooks, *bus.Message) {
	t.Helper()
	w := newWorld(t)
	c := w.subscribe(t, Spec{Name: "hook", Query: "organisation:co-operative", Webhook: rcv.srv.URL + "/hook?key=k"})
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-04")); err != nil {
		t.Fatal(err)
	}
	msgs := w.nats.Messages(t, bus.StreamAlerts)
	if len(msgs) != 1 {
		t.Fatalf("%d alerts, want 1", len(msgs))
	}
	m := &bus.Message{Subject: msgs[0].Subject, Data: msgs[0].Data, Header: msgs[0].Header, Deliveries: 1, StreamSeq: msgs[0].Sequence}
	client := NewWebhookClient(true, nil)
	t.Cleanup(client.CloseIdleConnections)
	return w, c, &Webhooks{Index: w.index, HTTP: client}, m
}

func TestWebhookIsSigned(t *testing.T) {
	rcv := newReceiver(t, http.StatusNoContent)
	_, c, hooks, m := webhookWorld(t, rcv)
	before := time.Now().Unix()
	if err := hooks.Handle(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if rcv.count() != 1 {
		t.Fatalf("%d requests", rcv.count())
	}
	req, body := rcv.got[0], rcv.bodies[0]
	if req.Method != http.MethodPost || req.URL.Path != "/hook" || req.URL.Query().Get("key") != "k" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if string(body) != string(m.Data) {
		t.Errorf("body is not the alert as published:\n%s\n%s", body, m.Data)
	}
	sig := req.Header.Get(HeaderSignature)
	if !Verify(c.Secret, body, sig) {
		t.Errorf("signature %q does not verify", sig)
	}
	if Verify("whsec_other", body, sig) || Verify(c.Secret, append(body, ' '), sig) || Verify(c.Secret, body, "sha1=00") {
		t.Error("a wrong secret, body or scheme verifies")
	}
	ts, err := strconv.ParseInt(req.Header.Get(HeaderTimestamp), 10, 64)
	if err != nil || ts < before || ts > time.Now().Unix() {
		t.Errorf("timestamp header %q", req.Header.Get(HeaderTimestamp))
	}
	if req.Header.Get(HeaderAlertID) == "" || req.Header.Get(HeaderAttempt) != "1" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", req.Header)
	}
}

func TestWebhookFailures(t *testing.T) {
	cases := []struct {
		status    int
		permanent bool
	}{
		{http.StatusInternalServerError, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusTooManyRequests, false},
		{http.StatusNotFound, true},
		{http.StatusGone, true},
		{http.StatusUnauthorized, true},
		{http.StatusFound, true}, // not followed: a redirected POST becomes a GET
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			rcv := newReceiver(t, tc.status)
			_, _, hooks, m := webhookWorld(t, rcv)
			err := hooks.Handle(t.Context(), m)
			if err == nil || bus.IsPermanent(err) != tc.permanent {
				t.Fatalf("status %d: %v, want permanent=%v", tc.status, err, tc.permanent)
			}
			if rcv.count() != 1 {
				t.Fatalf("%d requests, want 1 (redirects are not followed)", rcv.count())
			}
		})
	}
}

func TestWebhookToAPrivateAddressIsRefused(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	_, _, hooks, m := webhookWorld(t, rcv)
	strict := NewWebhookClient(false, nil)
	defer strict.CloseIdleConnections()
	hooks.HTTP = strict
	err := hooks.Handle(t.Context(), m)
	if !bus.IsPermanent(err) {
		t.Fatalf("loopback webhook: %v, want a permanent error", err)
	}
	if rcv.count() != 0 {
		t.Fatal("the request reached a loopback address")
	}
}

func TestWebhookOfDeletedOrHooklessSubscription(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	w, c, hooks, m := webhookWorld(t, rcv)
	if _, err := w.reg.Delete(t.Context(), c.ID); err != nil {
		t.Fatal(err)
	}
	if err := hooks.Handle(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	nohook := w.subscribe(t, Spec{Name: "atom only", Query: "organisation:co-operative", Atom: true})
	m2 := *m
	m2.Subject = logSubject(nohook.ID)
	// The alert names another subscription than its subject: refused.
	if err := hooks.Handle(t.Context(), &m2); !bus.IsPermanent(err) {
		t.Fatalf("mismatched alert: %v", err)
	}
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-04")); err != nil {
		t.Fatal(err)
	}
	for _, raw := range w.nats.Messages(t, bus.StreamAlerts) {
		if err := hooks.Handle(t.Context(), &bus.Message{Subject: raw.Subject, Data: raw.Data, Deliveries: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if rcv.count() != 0 {
		t.Fatalf("%d requests for subscriptions without a webhook", rcv.count())
	}
	if err := hooks.Handle(t.Context(), &bus.Message{Subject: m.Subject, Data: []byte("{not json"), Deliveries: 1}); !bus.IsPermanent(err) {
		t.Fatalf("malformed alert: %v", err)
	}
}

// runWebhooks runs the webhook stage's consumer with quick retries.
func runWebhooks(t *testing.T, w *world, hooks *Webhooks) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, w.nats.JS, bus.ConsumerOptions{
			Stage: bus.StageWebhooks, Backoff: func(uint64) time.Duration { return 20 * time.Millisecond },
		}, hooks.Handle)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func TestWebhookRetriedUntilDelivered(t *testing.T) {
	rcv := newReceiver(t, http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusOK)
	w, _, hooks, _ := webhookWorld(t, rcv)
	runWebhooks(t, w, hooks)
	waitFor(t, func() bool { return rcv.count() >= 3 })
	time.Sleep(200 * time.Millisecond) // room for a wrong fourth attempt
	if rcv.count() != 3 {
		t.Fatalf("%d attempts, want 3", rcv.count())
	}
	if got := rcv.got[2].Header.Get(HeaderAttempt); got != "3" {
		t.Errorf("third attempt says %q", got)
	}
	if dls, err := bus.NewDLQ(w.nats.JS).List(t.Context(), bus.StageWebhooks, 10); err != nil || len(dls) != 0 {
		t.Fatalf("dead letters %v %v", dls, err)
	}
}

// An endpoint that asks to be left alone for a while (429 or 503 with
// Retry-After) is not called again sooner, though the backoff is shorter.
func TestWebhookRetryAfterIsHonoured(t *testing.T) {
	rcv := newReceiver(t, http.StatusTooManyRequests, http.StatusOK)
	rcv.retryAfter = "1"
	w, _, hooks, m := webhookWorld(t, rcv)
	var ra *bus.RetryAfterError
	if err := hooks.Handle(t.Context(), m); !errors.As(err, &ra) || ra.After != time.Second || bus.IsPermanent(err) {
		t.Fatalf("429 with Retry-After: 1 gave %v", err)
	}
	rcv.mu.Lock()
	rcv.statuses, rcv.got, rcv.at = []int{http.StatusTooManyRequests, http.StatusOK}, nil, nil
	rcv.mu.Unlock()
	runWebhooks(t, w, hooks) // backoff 20 ms
	waitFor(t, func() bool { return rcv.count() == 2 })
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if gap := rcv.at[1].Sub(rcv.at[0]); gap < time.Second {
		t.Fatalf("called again after %v, asked for 1s", gap)
	}
}

func TestWebhookDeadLetteredAfterTheLastRetry(t *testing.T) {
	rcv := newReceiver(t, http.StatusServiceUnavailable)
	w, c, hooks, _ := webhookWorld(t, rcv)
	attempts := &attemptCounter{}
	hooks.Recorder = attempts
	runWebhooks(t, w, hooks)
	dlq := bus.NewDLQ(w.nats.JS)
	waitFor(t, func() bool {
		dls, err := dlq.List(t.Context(), bus.StageWebhooks, 10)
		return err == nil && len(dls) == 1
	})
	dls, _ := dlq.List(t.Context(), bus.StageWebhooks, 10)
	dl := dls[0]
	if want := bus.DefaultLimits().MaxDeliver; rcv.count() != want || dl.Deliveries != uint64(want) {
		t.Errorf("%d attempts, dead letter after %d deliveries; want %d", rcv.count(), dl.Deliveries, want)
	}
	if dl.Subject != logSubject(c.ID) || dl.Permanent || dl.Error == "" {
		t.Errorf("dead letter %+v", dl)
	}
	// The last attempt is dead-lettered, so it counts as failed, not retry.
	if want := bus.DefaultLimits().MaxDeliver; attempts.get("retry") != want-1 || attempts.get("failed") != 1 {
		t.Errorf("attempts counted %v, want %d retry and 1 failed", attempts.snapshot(), want-1)
	}
	// Replayed after the endpoint recovers, it is delivered.
	rcv.mu.Lock()
	rcv.statuses = []int{http.StatusOK}
	before := len(rcv.got)
	rcv.mu.Unlock()
	if n, err := dlq.Replay(t.Context(), bus.StageWebhooks, nil); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	waitFor(t, func() bool { return rcv.count() == before+1 })
}

func TestWebhookPermanentFailureDeadLettersAtOnce(t *testing.T) {
	rcv := newReceiver(t, http.StatusGone)
	w, _, hooks, _ := webhookWorld(t, rcv)
	runWebhooks(t, w, hooks)
	dlq := bus.NewDLQ(w.nats.JS)
	waitFor(t, func() bool {
		dls, err := dlq.List(t.Context(), bus.StageWebhooks, 10)
		return err == nil && len(dls) == 1 && dls[0].Permanent
	})
	if rcv.count() != 1 {
		t.Fatalf("%d attempts at a 410 endpoint, want 1", rcv.count())
	}
}

// attemptCounter is a Recorder that counts webhook attempts by result.
type attemptCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (a *attemptCounter) AlertPublished(string) {}
func (a *attemptCounter) Subscriptions(int)     {}
func (a *attemptCounter) WebhookAttempt(result string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == nil {
		a.n = map[string]int{}
	}
	a.n[result]++
}
func (a *attemptCounter) get(result string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[result]
}
func (a *attemptCounter) snapshot() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.n)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Webhook URLs carry secrets in their paths and queries (a chat service's
// hook, a key parameter): errors, which reach logs and the DLQ, name the
// host only.
func TestWebhookErrorsHideTheURL(t *testing.T) {
	for _, status := range []int{http.StatusGone, http.StatusServiceUnavailable} {
		rcv := newReceiver(t, status)
		w, _, hooks, _ := webhookWorld(t, rcv)
		secretHook := w.subscribe(t, Spec{Name: "chat", Query: "organisation:co-operative", Webhook: rcv.srv.URL + "/services/T0/B0/s3cretpath?token=s3cretquery"})
		if err := w.alert.Handle(t.Context(), w.event(t, "inc-04")); err != nil {
			t.Fatal(err)
		}
		for _, raw := range w.nats.Messages(t, bus.StreamAlerts) {
			if raw.Subject != logSubject(secretHook.ID) {
				continue
			}
			err := hooks.Handle(t.Context(), &bus.Message{Subject: raw.Subject, Data: raw.Data, Deliveries: 1})
			if err == nil {
				t.Fatalf("status %d: no error", status)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("status %d: the error shows the webhook's secret: %v", status, err)
			}
		}
	}
	// A connection refused names no path either.
	rcv := newReceiver(t, http.StatusOK)
	w, _, hooks, _ := webhookWorld(t, rcv)
	rcv.srv.Close()
	dead := w.subscribe(t, Spec{Name: "dead", Query: "organisation:co-operative", Webhook: rcv.srv.URL + "/s3cretpath"})
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-04")); err != nil {
		t.Fatal(err)
	}
	for _, raw := range w.nats.Messages(t, bus.StreamAlerts) {
		if raw.Subject == logSubject(dead.ID) {
			err := hooks.Handle(t.Context(), &bus.Message{Subject: raw.Subject, Data: raw.Data, Deliveries: 1})
			if err == nil || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("refused connection: %v", err)
			}
		}
	}
}
