package safehttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
)

// Sentinel errors, wrapped with the method, URL and details. The consumer
// runtime tells permanent from transient failures with Retryable.
var (
	// ErrBlockedAddress: the host resolved to an address that is not public
	// (loopback, private, link-local, metadata, reserved, ...).
	ErrBlockedAddress = errors.New("safehttp: blocked non-public address")
	// ErrInvalidURL: not http(s), no host, or credentials in the URL.
	ErrInvalidURL = errors.New("safehttp: invalid URL")
	// ErrBodyTooLarge: the body, after decompression, exceeds the cap.
	ErrBodyTooLarge = errors.New("safehttp: body too large")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects (or a loop).
	ErrTooManyRedirects = errors.New("safehttp: too many redirects")
	// ErrTimeout: the server was too slow to send headers or body.
	ErrTimeout = errors.New("safehttp: timeout")
	// ErrRobotsUnavailable: robots.txt answered 5xx or 429, or could not be
	// fetched; the site is treated as disallowed until a later attempt works.
	ErrRobotsUnavailable = errors.New("safehttp: robots.txt unavailable")
)

// Retryable reports whether err is worth retrying later: timeouts, dropped
// or refused connections, temporary DNS failures, an unavailable robots.txt.
// Refused addresses, oversized bodies, redirect loops, bad URLs, caller
// cancellation and anything unrecognised are permanent.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	switch {
	case errors.Is(err, ErrBlockedAddress),
		errors.Is(err, ErrInvalidURL),
		errors.Is(err, ErrBodyTooLarge),
		errors.Is(err, ErrTooManyRedirects),
		errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrTimeout),
		errors.Is(err, ErrRobotsUnavailable),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, os.ErrDeadlineExceeded):
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	for _, errno := range []syscall.Errno{
		syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH, syscall.ENETDOWN,
	} {
		if errors.Is(err, errno) {
			return true
		}
	}
	// The server closed the connection before or during the response.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// RetryableStatus reports whether a response status means "try again later".
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
