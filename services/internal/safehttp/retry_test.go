package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header []string // nil: absent
		want   time.Duration
		ok     bool
	}{
		{name: "absent"},
		{name: "empty", header: []string{""}},
		{name: "seconds", header: []string{"120"}, want: 2 * time.Minute, ok: true},
		{name: "zero", header: []string{"0"}, want: 0, ok: true},
		{name: "spaces", header: []string{"  30 "}, want: 30 * time.Second, ok: true},
		{name: "capped seconds", header: []string{"604800"}, want: 24 * time.Hour, ok: true},
		{name: "overflowing seconds", header: []string{"99999999999999999999999"}, want: 24 * time.Hour, ok: true},
		{name: "negative", header: []string{"-5"}},
		{name: "fraction", header: []string{"1.5"}},
		{name: "garbage", header: []string{"soon"}},
		{name: "IMF-fixdate", header: []string{"Sun, 01 Mar 2026 12:01:30 GMT"}, want: 90 * time.Second, ok: true},
		{name: "RFC 850 date", header: []string{"Sunday, 01-Mar-26 12:05:00 GMT"}, want: 5 * time.Minute, ok: true},
		{name: "asctime date", header: []string{"Sun Mar  1 13:00:00 2026"}, want: time.Hour, ok: true},
		{name: "past date", header: []string{"Sun, 01 Mar 2026 11:00:00 GMT"}, want: 0, ok: true},
		{name: "far date", header: []string{"Fri, 01 Jan 2027 00:00:00 GMT"}, want: 24 * time.Hour, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != nil {
				h["Retry-After"] = tt.header
			}
			got, ok := RetryAfter(h, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	opErr := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", err)}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "nil"},
		{name: "blocked", err: fmt.Errorf("GET x: connect to y: %w", ErrBlockedAddress)},
		{name: "invalid URL", err: fmt.Errorf("x: %w", ErrInvalidURL)},
		{name: "too large", err: fmt.Errorf("x: %w", ErrBodyTooLarge)},
		{name: "redirects", err: fmt.Errorf("x: %w", ErrTooManyRedirects)},
		{name: "canceled", err: fmt.Errorf("x: %w", context.Canceled)},
		{name: "unknown", err: errors.New("tls: failed to verify certificate")},
		{name: "robots unavailable but blocked", err: fmt.Errorf("%w: %w", ErrRobotsUnavailable, ErrBlockedAddress)},
		{name: "our timeout", err: fmt.Errorf("x: %w", ErrTimeout), want: true},
		{name: "robots unavailable", err: fmt.Errorf("%w: status 503", ErrRobotsUnavailable), want: true},
		{name: "deadline", err: fmt.Errorf("x: %w", context.DeadlineExceeded), want: true},
		{name: "i/o timeout", err: &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}, want: true},
		{name: "reset", err: opErr(syscall.ECONNRESET), want: true},
		{name: "refused", err: opErr(syscall.ECONNREFUSED), want: true},
		{name: "unreachable", err: opErr(syscall.EHOSTUNREACH), want: true},
		{name: "unexpected EOF", err: fmt.Errorf("x: %w", io.ErrUnexpectedEOF), want: true},
		{name: "DNS temporary", err: &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, want: true},
		{name: "DNS timeout", err: &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, want: true},
		{name: "DNS not found", err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestRetryableStatus(t *testing.T) {
	retryable := map[int]bool{408: true, 425: true, 429: true, 500: true, 502: true, 503: true, 504: true}
	for code := 100; code < 600; code++ {
		if got := RetryableStatus(code); got != retryable[code] {
			t.Errorf("RetryableStatus(%d) = %v", code, got)
		}
	}
}
