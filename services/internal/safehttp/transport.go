package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// hopTransport wraps every hop of a request, redirects included: it checks
// the URL, takes the host's slot, and enforces the header, body and idle
// timeouts. The timeouts cancel the hop's context with an ErrTimeout cause,
// which is how a read blocked on a silent server gets unblocked.
type hopTransport struct {
	c    *Client
	base http.RoundTripper
}

func (t *hopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		return nil, err
	}
	host := hostKey(req.URL)
	release, err := t.c.hosts.acquire(req.Context(), host)
	if err != nil {
		return nil, fmt.Errorf("wait for a slot on %s: %w", host, err)
	}
	o := &t.c.opts
	ctx, cancel := context.WithCancelCause(req.Context())
	headerTimeout := fmt.Errorf("%w: no response headers from %s within %s", ErrTimeout, host, o.HeaderTimeout)
	timer := time.AfterFunc(o.HeaderTimeout, func() { cancel(headerTimeout) })
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	fired := !timer.Stop()
	if err != nil || fired {
		if err == nil {
			resp.Body.Close()
			err = headerTimeout
		}
		if cause := context.Cause(ctx); errors.Is(cause, ErrTimeout) {
			err = cause
		}
		cancel(nil)
		release()
		return nil, err
	}
	b := &hopBody{
		rc:   resp.Body,
		ctx:  ctx,
		idle: o.BodyIdleTimeout,
		done: func() { cancel(nil); release() },
	}
	bodyTimeout := fmt.Errorf("%w: body from %s not read within %s", ErrTimeout, host, o.BodyTimeout)
	idleTimeout := fmt.Errorf("%w: body from %s stalled for %s", ErrTimeout, host, o.BodyIdleTimeout)
	b.total = time.AfterFunc(o.BodyTimeout, func() { cancel(bodyTimeout) })
	b.idleTimer = time.AfterFunc(o.BodyIdleTimeout, func() { cancel(idleTimeout) })
	resp.Body = b
	return resp, nil
}

// hopBody is a response body under the body and idle timeouts; closing it
// frees the host's slot.
type hopBody struct {
	rc        io.ReadCloser
	ctx       context.Context
	idle      time.Duration
	total     *time.Timer
	idleTimer *time.Timer
	once      sync.Once
	done      func()
}

func (b *hopBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.idleTimer.Reset(b.idle)
	}
	if err != nil && err != io.EOF {
		if cause := context.Cause(b.ctx); errors.Is(cause, ErrTimeout) {
			err = cause
		}
	}
	return n, err
}

func (b *hopBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		b.total.Stop()
		b.idleTimer.Stop()
		b.done()
	})
	return err
}

// hostLimiter is a counting semaphore per host. Entries live only while
// someone holds or waits for them, so the map stays as small as the set of
// hosts in flight.
type hostLimiter struct {
	n     int
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	refs int
}

func newHostLimiter(n int) *hostLimiter {
	return &hostLimiter{n: n, hosts: make(map[string]*hostSlot)}
}

// acquire waits for a slot on host or for ctx; release must be called once.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, l.n)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
		return func() {
			<-s.sem
			l.unref(host, s)
		}, nil
	case <-ctx.Done():
		l.unref(host, s)
		return nil, ctx.Err()
	}
}

func (l *hostLimiter) unref(host string, s *hostSlot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.refs--; s.refs == 0 {
		delete(l.hosts, host)
	}
}
