package safehttp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGetReturnsResponse(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "hello")
	})
	c := newTestClient(t, Options{})

	resp, err := c.Get(t.Context(), srv.URL+"/a?b=c", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(resp.Body) != "hello" || resp.URL.String() != srv.URL+"/a?b=c" {
		t.Errorf("got %d %q from %s", resp.StatusCode, resp.Body, resp.URL)
	}
	if got := resp.ContentType(); got != "text/plain; charset=utf-8" {
		t.Errorf("ContentType() = %q", got)
	}

	// A conditional GET: 304 is an answer, not an error.
	resp, err = c.Get(t.Context(), srv.URL, http.Header{"If-None-Match": {`"v1"`}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotModified || len(resp.Body) != 0 {
		t.Errorf("got %d %q, want an empty 304", resp.StatusCode, resp.Body)
	}
}

func TestErrorStatusIsAResponse(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "down for maintenance")
	})
	c := newTestClient(t, Options{})
	resp, err := c.Get(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || string(resp.Body) != "down for maintenance" {
		t.Errorf("got %d %q", resp.StatusCode, resp.Body)
	}
	if !RetryableStatus(resp.StatusCode) {
		t.Error("503 should be retryable")
	}
}

func TestErrorStatusBodyIsCapped(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	c := newTestClient(t, Options{MaxBodyBytes: 1024})
	_, err := c.Get(t.Context(), srv.URL, nil)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("got %v, want ErrBodyTooLarge", err)
	}
}

func TestTooManyRequestsRetryAfter(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name, header string
		min, max     time.Duration
	}{
		{name: "delta-seconds", header: "120", min: 120 * time.Second, max: 120 * time.Second},
		{name: "HTTP-date", header: date, min: 80 * time.Second, max: 90 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.header)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			c := newTestClient(t, Options{})
			resp, err := c.Get(t.Context(), srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d, ok := RetryAfter(resp.Header, time.Now())
			if !ok || d < tt.min || d > tt.max {
				t.Errorf("RetryAfter = %s, %v; want within [%s, %s]", d, ok, tt.min, tt.max)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		header http.Header
		want   string
	}{
		{name: "default", want: "breachwire/dev (+https://github.com/breachwire/breachwire)"},
		{name: "version and contact", opts: Options{Version: "v1.2.3", ContactURL: "https://example.org/bot"},
			want: "breachwire/v1.2.3 (+https://example.org/bot)"},
		{name: "explicit", opts: Options{UserAgent: "custom/1"}, want: "custom/1"},
		{name: "per request", header: http.Header{"User-Agent": {"other/2"}}, want: "other/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan string, 1)
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				got <- r.Header.Get("User-Agent")
			})
			c := newTestClient(t, tt.opts)
			if _, err := c.Get(t.Context(), srv.URL, tt.header); err != nil {
				t.Fatal(err)
			}
			if ua := <-got; ua != tt.want {
				t.Errorf("User-Agent %q, want %q", ua, tt.want)
			}
		})
	}
}

func TestInvalidURL(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	c := newTestClient(t, Options{})
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	for _, raw := range []string{
		"ftp://example.com/file",
		"file:///etc/passwd",
		"gopher://example.com",
		"http://user:pass@" + hostPort + "/",
		"http:///nohost",
		"://bad",
		"http://[::1",
		srv.URL + "/?to=file:///etc/passwd",
		srv.URL + "/?to=" + "http://user:pw@" + hostPort + "/",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := c.Get(t.Context(), raw, nil)
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("got %v, want ErrInvalidURL", err)
			}
			if Retryable(err) {
				t.Error("an invalid URL is not retryable")
			}
			if strings.Contains(err.Error(), "pass@") || strings.Contains(err.Error(), "pw@") {
				t.Errorf("error %q shows the credentials", err)
			}
		})
	}
}

func TestErrorsHideQuery(t *testing.T) {
	c := newClient(t, Options{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	for _, raw := range []string{srv.URL + "/hook?token=s3cret", "http://[::1/hook?token=s3cret"} {
		_, err := c.Get(t.Context(), raw, nil)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %v shows the query", err)
		}
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusMovedPermanently)
	})
	srv := newServer(t, mux.ServeHTTP)

	tests := []struct {
		name         string
		maxRedirects int
		path         string
		wantErr      error
	}{
		{name: "loop", path: "/loop", wantErr: ErrTooManyRedirects},
		{name: "five hops", path: "/chain/5"},
		{name: "six hops", path: "/chain/6", wantErr: ErrTooManyRedirects},
		{name: "two of two", maxRedirects: 2, path: "/chain/2"},
		{name: "three of two", maxRedirects: 2, path: "/chain/3", wantErr: ErrTooManyRedirects},
		{name: "none allowed", maxRedirects: -1, path: "/chain/1", wantErr: ErrTooManyRedirects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Options{MaxRedirects: tt.maxRedirects})
			resp, err := c.Get(t.Context(), srv.URL+tt.path, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if Retryable(err) {
					t.Error("a redirect loop is not retryable")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "arrived" || resp.URL.Path != "/chain/0" {
				t.Errorf("got %q at %s", resp.Body, resp.URL)
			}
		})
	}
}

func TestLoopbackRefused(t *testing.T) {
	var hits atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	port := serverAddr(t, srv).Port()
	c := newClient(t, Options{})
	for _, raw := range []string{
		srv.URL,
		fmt.Sprintf("http://localhost:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := c.Get(t.Context(), raw, nil)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("got %v, want ErrBlockedAddress", err)
			}
			if Retryable(err) {
				t.Error("a blocked address is not retryable")
			}
			if !strings.Contains(err.Error(), "127.0.0.1") && !strings.Contains(err.Error(), "::1") {
				t.Errorf("error %q does not name the IP", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server was reached %d times", n)
	}
}

// TestRedirectToLoopbackRefused lets the first server through the address
// check (as if it were public) and shows that its redirect to a loopback
// address is refused at the second hop's dial.
func TestRedirectToLoopbackRefused(t *testing.T) {
	var hits atomic.Int32
	internal := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "secret")
	})
	internalPort := serverAddr(t, internal).Port()
	public := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
		}
	})
	publicAddr := serverAddr(t, public)

	for _, target := range []string{
		internal.URL + "/",
		fmt.Sprintf("http://localhost:%d/", internalPort),
		fmt.Sprintf("http://[::ffff:7f00:1]:%d/", internalPort),
	} {
		t.Run(target, func(t *testing.T) {
			c := newClient(t, Options{})
			c.permit = func(ap netip.AddrPort) bool { return ap == publicAddr }

			// The first hop alone is fine.
			if _, err := c.Get(t.Context(), public.URL+"/ok", nil); err != nil {
				t.Fatalf("first hop: %v", err)
			}
			_, err := c.Get(t.Context(), public.URL+"/?to="+target, nil)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("got %v, want ErrBlockedAddress", err)
			}
			if !strings.Contains(err.Error(), "127.0.0.1") && !strings.Contains(err.Error(), "::1") {
				t.Errorf("error %q does not name the IP", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// allocatedDuring returns how many bytes of heap f allocated.
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const (
	gigabyte  = 1 << 30
	memBudget = 64 << 20
)

func TestHugeBodyRefused(t *testing.T) {
	zeros := make([]byte, 32<<10)
	stream := func(w http.ResponseWriter) {
		for sent := 0; sent < gigabyte; sent += len(zeros) {
			if _, err := w.Write(zeros); err != nil {
				return // the client hung up, as it should
			}
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{name: "chunked", handler: func(w http.ResponseWriter, r *http.Request) { stream(w) }},
		{name: "content-length", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(gigabyte))
			stream(w)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handler)
			c := newTestClient(t, Options{})
			var err error
			alloc := allocatedDuring(func() { _, err = c.Get(t.Context(), srv.URL, nil) })
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("got %v, want ErrBodyTooLarge", err)
			}
			if Retryable(err) {
				t.Error("too large is not retryable")
			}
			if alloc > memBudget {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
		})
	}
}

// gzipBomb returns a gzip stream of size bytes of zeros, about size/1000
// long: one member of 1 MiB of zeros, repeated (gzip readers read
// concatenated members as one stream), so it is built in milliseconds.
func gzipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), size/(1<<20))
}

func TestGzipBombRefused(t *testing.T) {
	bomb := gzipBomb(t, gigabyte)
	t.Logf("bomb: %d KiB of gzip for 1 GiB of zeros", len(bomb)>>10)
	var sent atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		n, _ := w.Write(bomb)
		sent.Add(int64(n))
	})
	c := newTestClient(t, Options{})
	var err error
	alloc := allocatedDuring(func() { _, err = c.Get(t.Context(), srv.URL, nil) })
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("got %v, want ErrBodyTooLarge", err)
	}
	if alloc > memBudget {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
	t.Logf("allocated %.1f MiB", float64(alloc)/(1<<20))
}

func TestCompressedBodies(t *testing.T) {
	const text = "breach notification: 1,000,000 records"
	compress := map[string]func(io.Writer) io.WriteCloser{
		"gzip":        func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"x-gzip":      func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate":     func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"raw-deflate": func(w io.Writer) io.WriteCloser { zw, _ := flate.NewWriter(w, 5); return zw },
	}
	for name, newWriter := range compress {
		t.Run(name, func(t *testing.T) {
			encoding := strings.TrimPrefix(name, "raw-")
			var acceptEncoding string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				acceptEncoding = r.Header.Get("Accept-Encoding")
				w.Header().Set("Content-Encoding", encoding)
				zw := newWriter(w)
				io.WriteString(zw, text)
				zw.Close()
			})
			c := newTestClient(t, Options{})
			resp, err := c.Get(t.Context(), srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != text {
				t.Errorf("body %q", resp.Body)
			}
			if acceptEncoding != "gzip" {
				t.Errorf("Accept-Encoding %q", acceptEncoding)
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding %q left on a decoded body", ce)
			}
		})
	}
}

func TestCompressedEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		encoding string
		body     []byte
		status   int
		wantErr  bool
	}{
		{name: "empty gzip 304", encoding: "gzip", status: http.StatusNotModified},
		{name: "empty gzip 200", encoding: "gzip", status: http.StatusOK},
		{name: "corrupt gzip", encoding: "gzip", body: []byte("not gzip at all"), wantErr: true},
		{name: "brotli", encoding: "br", body: []byte{0x1b, 0x03}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", tt.encoding)
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				w.Write(tt.body)
			})
			c := newTestClient(t, Options{})
			resp, err := c.Get(t.Context(), srv.URL, nil)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if Retryable(err) {
					t.Errorf("%v should not be retryable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Body) != 0 {
				t.Errorf("body %q", resp.Body)
			}
		})
	}
}

// stopOnCleanup returns a channel closed when the test ends, before its
// servers close, so handlers that stall on purpose return.
func stopOnCleanup(t *testing.T) <-chan struct{} {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return stop
}

// trickle writes s one byte per tick until done or the connection fails.
func trickle(w io.Writer, flush func(), s string, tick time.Duration, stop <-chan struct{}) {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for i := 0; i < len(s); i++ {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		if _, err := w.Write([]byte{s[i]}); err != nil {
			return
		}
		flush()
	}
}

func TestSlowHeaders(t *testing.T) {
	tests := []struct {
		name    string
		handler func(conn net.Conn, stop <-chan struct{})
	}{
		{name: "trickle", handler: func(conn net.Conn, stop <-chan struct{}) {
			head := "HTTP/1.1 200 OK\r\nX-Slow: " + strings.Repeat("z", 10_000) + "\r\n\r\n"
			trickle(conn, func() {}, head, 10*time.Millisecond, stop)
		}},
		{name: "silent", handler: func(conn net.Conn, stop <-chan struct{}) { <-stop }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				tt.handler(conn, stopOnCleanup(t))
			})
			c := newTestClient(t, Options{HeaderTimeout: 200 * time.Millisecond})
			_, err := c.Get(t.Context(), srv.URL, nil)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("got %v, want ErrTimeout", err)
			}
			if !strings.Contains(err.Error(), "headers") || !Retryable(err) {
				t.Errorf("error %q should be a retryable header timeout", err)
			}
		})
	}
}

func TestSlowBody(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		before string // sent at once, then the rest trickles or stalls
		tick   time.Duration
		want   string
	}{
		{name: "trickle", opts: Options{BodyTimeout: 300 * time.Millisecond},
			tick: 5 * time.Millisecond, want: "not read within"},
		{name: "stall", opts: Options{BodyIdleTimeout: 150 * time.Millisecond},
			before: "<html>", tick: time.Hour, want: "stalled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stop := stopOnCleanup(t)
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				flush := w.(http.Flusher).Flush
				io.WriteString(w, tt.before)
				flush()
				trickle(w, flush, strings.Repeat("a", 1<<20), tt.tick, mergeDone(stop, r.Context().Done()))
			})
			c := newTestClient(t, tt.opts)
			_, err := c.Get(t.Context(), srv.URL, nil)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("got %v, want ErrTimeout", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !Retryable(err) {
				t.Errorf("error %q should be retryable and say %q", err, tt.want)
			}
		})
	}
}

func mergeDone(a, b <-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		defer close(out)
		select {
		case <-a:
		case <-b:
		}
	}()
	return out
}

func TestCallerCancellation(t *testing.T) {
	stop := stopOnCleanup(t)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	})
	c := newTestClient(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Get(ctx, srv.URL, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTimeout) || Retryable(err) {
		t.Errorf("cancellation %v reported as a retryable timeout", err)
	}
}

func TestConnectionFailuresAreRetryable(t *testing.T) {
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/"
	ln.Close()

	hangUp := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	cutShort := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "only part")
	})
	for name, u := range map[string]string{"refused": closedURL, "hang up": hangUp.URL, "cut short": cutShort.URL} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, Options{})
			_, err := c.Get(t.Context(), u, nil)
			if err == nil || !Retryable(err) {
				t.Fatalf("got %v, want a retryable error", err)
			}
		})
	}
}

func TestPerHostConcurrency(t *testing.T) {
	t.Run("one host, one at a time", func(t *testing.T) {
		var inFlight, maxInFlight atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond) // give an overlap the chance to happen
		})
		c := newTestClient(t, Options{})
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				_, err := c.Get(t.Context(), srv.URL, nil)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if m := maxInFlight.Load(); m != 1 {
			t.Errorf("%d requests overlapped on one host", m)
		}
	})

	t.Run("two hosts overlap", func(t *testing.T) {
		// Each handler answers only once the other has started, which can
		// happen only if both requests are in flight together.
		aStarted, bStarted := make(chan struct{}), make(chan struct{})
		meet := func(mine, theirs chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				close(mine)
				select {
				case <-theirs:
				case <-time.After(10 * time.Second):
					w.WriteHeader(http.StatusGatewayTimeout)
				}
			}
		}
		a := newServer(t, meet(aStarted, bStarted))
		b := newServer(t, meet(bStarted, aStarted))
		c := newTestClient(t, Options{})
		var wg sync.WaitGroup
		status := make([]int, 2)
		for i, u := range []string{a.URL, b.URL} {
			wg.Go(func() {
				if resp, err := c.Get(t.Context(), u, nil); err == nil {
					status[i] = resp.StatusCode
				}
			})
		}
		wg.Wait()
		if status[0] != http.StatusOK || status[1] != http.StatusOK {
			t.Errorf("statuses %v: the hosts did not overlap", status)
		}
	})

	t.Run("waiting respects the context", func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			started <- struct{}{}
			<-release
		})
		c := newTestClient(t, Options{})
		done := make(chan error, 1)
		go func() {
			_, err := c.Get(t.Context(), srv.URL, nil)
			done <- err
		}()
		<-started
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.Get(ctx, srv.URL, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("waiting request: got %v, want context.Canceled", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Errorf("first request: %v", err)
		}
		c.hosts.mu.Lock()
		defer c.hosts.mu.Unlock()
		if n := len(c.hosts.hosts); n != 0 {
			t.Errorf("%d host slots left after all requests ended", n)
		}
	})
}

func TestDoWithBody(t *testing.T) {
	got := make(chan string, 1)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r.Method + " " + string(b)
		w.WriteHeader(http.StatusAccepted)
	})
	c := newTestClient(t, Options{})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader(`{"a":1}`))
	req.RequestURI = ""
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || <-got != `POST {"a":1}` {
		t.Errorf("status %d", resp.StatusCode)
	}
}
