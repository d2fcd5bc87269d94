package safehttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// ProductToken is the name robots.txt groups are matched against, and the
// first word of the default User-Agent.
const ProductToken = "breachwire"

// Options configure a Client. Zero fields take the defaults noted.
type Options struct {
	// AllowPrivateNetworks lets requests reach loopback, private and other
	// non-public addresses: for tests and --allow-private-networks. It does
	// not open link-local addresses, where cloud metadata services answer
	// (169.254.169.254 and the like): that is AllowMetadataAddress.
	// Unspecified, multicast and broadcast addresses stay refused.
	AllowPrivateNetworks bool
	// AllowMetadataAddress lets requests reach link-local addresses and the
	// cloud metadata services (--allow-metadata-address). A page or feed
	// that redirects there is almost always an attack on the host's
	// credentials; only a deployment that really serves feeds there needs it.
	AllowMetadataAddress bool
	// UserAgent is sent unless a request sets its own. Default
	// "breachwire/<Version> (+<ContactURL>)".
	UserAgent string
	// Version goes into the default User-Agent. Default "dev".
	Version string
	// ContactURL goes into the default User-Agent, so site owners can reach
	// us. Default "https://github.com/breachwire/breachwire".
	ContactURL string
	// ConnectTimeout bounds the TCP dial and, separately, the TLS handshake.
	// Default 10s.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds each hop from sending the request (dial included)
	// to the end of the response headers. Default 15s.
	HeaderTimeout time.Duration
	// BodyTimeout bounds reading a whole body. Default 60s.
	BodyTimeout time.Duration
	// BodyIdleTimeout bounds the wait for each next piece of the body, so a
	// trickling server fails well before BodyTimeout. Default 15s.
	BodyIdleTimeout time.Duration
	// MaxBodyBytes caps a body after decompression. Default 10 MiB.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects are followed. Default 5; negative
	// means none.
	MaxRedirects int
	// PerHostConcurrency is how many requests may be in flight to one host
	// (name and port) at once. Default 1, to be polite.
	PerHostConcurrency int
	// HidePaths keeps paths out of errors and logs too, not only queries:
	// webhook URLs often carry their secret in the path.
	HidePaths bool
	// Logger receives debug lines per fetch and warnings for refused
	// addresses. Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.ContactURL == "" {
		o.ContactURL = "https://github.com/breachwire/breachwire"
	}
	if o.UserAgent == "" {
		o.UserAgent = fmt.Sprintf("%s/%s (+%s)", ProductToken, o.Version, o.ContactURL)
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 15 * time.Second
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = 60 * time.Second
	}
	if o.BodyIdleTimeout <= 0 {
		o.BodyIdleTimeout = 15 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = 5
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.PerHostConcurrency <= 0 {
		o.PerHostConcurrency = 1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Client is the one way breachwire talks HTTP to the outside. It is safe for
// concurrent use; make one per process and share it, so the per-host limits
// and the robots.txt cache are shared too.
type Client struct {
	opts      Options
	log       *slog.Logger
	transport *http.Transport
	hc        *http.Client
	hosts     *hostLimiter
	robots    *robotsCache // shared by the client's lanes

	// Test hooks. permit lets chosen addresses through the address check
	// (to test a refused second hop); now is the robots cache's clock.
	permit func(netip.AddrPort) bool
	now    func() time.Time
}

// New returns a Client with o's zero fields set to their defaults.
func New(o Options) *Client {
	o = o.withDefaults()
	c := &Client{
		opts:   o,
		log:    o.Logger,
		hosts:  newHostLimiter(o.PerHostConcurrency),
		robots: &robotsCache{max: robotsCacheSize},
		now:    time.Now,
	}
	c.transport = &http.Transport{
		// Never a proxy from the environment: the proxy would make the
		// connections, and the address check would only ever see the proxy.
		Proxy:             nil,
		DialContext:       c.dialContext,
		ForceAttemptHTTP2: true,
		// We ask for gzip ourselves and decompress under a cap; the
		// transport's transparent decompression has no cap.
		DisableCompression:     true,
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
	}
	c.hc = &http.Client{
		Transport:     &hopTransport{c: c, base: c.transport},
		CheckRedirect: c.checkRedirect,
	}
	return c
}

// LaneOptions are what a Lane changes; zero fields keep the client's.
type LaneOptions struct {
	MaxBodyBytes int64
	BodyTimeout  time.Duration
}

// Lane returns a client that shares c's connections, robots.txt cache and
// address rules but has its own per-host slots and o's limits. Feed polls
// and page fetches go through separate lanes, so a slow page never holds
// the slot a poll of its host's feed waits for.
func (c *Client) Lane(o LaneOptions) *Client {
	l := *c
	if o.MaxBodyBytes > 0 {
		l.opts.MaxBodyBytes = o.MaxBodyBytes
	}
	if o.BodyTimeout > 0 {
		l.opts.BodyTimeout = o.BodyTimeout
	}
	l.hosts = newHostLimiter(c.opts.PerHostConcurrency)
	l.hc = &http.Client{Transport: &hopTransport{c: &l, base: c.transport}, CheckRedirect: l.checkRedirect}
	return &l
}

// CloseIdleConnections closes kept-alive connections; for shutdown and tests.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{
		Timeout:   c.opts.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		Control:   c.checkAddress,
	}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		if errors.Is(err, ErrBlockedAddress) {
			c.log.WarnContext(ctx, "refused non-public address", "host", addr, "err", err)
		}
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return conn, nil
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d, last to %s", ErrTooManyRedirects, c.opts.MaxRedirects, c.redact(req.URL))
	}
	return checkURL(req.URL)
}

// Response is a complete response: the body has been read, decompressed
// (Content-Encoding and Content-Length are then removed from Header) and
// the connection released.
type Response struct {
	URL        *url.URL // final URL, after redirects
	StatusCode int
	Header     http.Header
	Body       []byte // at most Options.MaxBodyBytes
}

// ContentType returns the Content-Type header as sent, possibly empty. It
// does not sniff: a sniffed type claims UTF-8 and would mislead DecodeHTML.
func (r *Response) ContentType() string { return r.Header.Get("Content-Type") }

// HTMLText returns the body as UTF-8 and the charset it was decoded from
// (see DecodeHTML).
func (r *Response) HTMLText() ([]byte, string, error) {
	return DecodeHTML(r.Body, r.ContentType())
}

// Get fetches rawURL with the extra header fields (may be nil).
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // not the raw URL: it may hold a token
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	return c.Do(req)
}

// Do sends req under the same rules as Get and reads and closes the body.
// Non-2xx answers are returned as a Response, not an error: callers need
// 304s and the Retry-After of 429s and 503s. A User-Agent or
// Accept-Encoding set on req is kept.
func (c *Client) Do(req *http.Request) (*Response, error) {
	return c.do(req, c.opts.MaxBodyBytes, false)
}

// do is Do with a body limit; truncate keeps the first limit bytes instead
// of failing (robots.txt, where a prefix is still useful).
func (c *Client) do(req *http.Request, limit int64, truncate bool) (*Response, error) {
	if req.URL == nil {
		return nil, fmt.Errorf("%w: no URL", ErrInvalidURL)
	}
	what := req.Method + " " + c.redact(req.URL)
	if err := checkURL(req.URL); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	start := time.Now()
	req = req.Clone(req.Context())
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, query included
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp, limit, truncate)
	if err != nil {
		return nil, fmt.Errorf("%s: status %d: read body: %w", what, resp.StatusCode, err)
	}
	c.log.DebugContext(req.Context(), "fetched", "url", c.redact(resp.Request.URL),
		"status", resp.StatusCode, "bytes", len(body), "elapsed", time.Since(start))
	return &Response{
		URL:        resp.Request.URL,
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       body,
	}, nil
}

// checkURL refuses anything but http(s) URLs with a host. URLs with
// credentials are refused too: from a hostile feed they would be sent as
// Basic auth, and "https://trusted@evil/" misleads readers of logs; a
// caller that needs auth sets a header.
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return fmt.Errorf("%w: scheme %q is not http or https", ErrInvalidURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	if u.User != nil {
		return fmt.Errorf("%w: credentials in URL", ErrInvalidURL)
	}
	return nil
}

// redact drops the query from URLs in errors and logs: webhook targets and
// some feeds carry tokens there.
func (c *Client) redact(u *url.URL) string {
	if c.opts.HidePaths {
		s := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
			s += "/…"
		}
		return s
	}
	return redact(u)
}

func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	s := r.String()
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}

// hostKey names a host for the per-host limit and the robots cache:
// lower-case name and explicit port.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
