package safehttp

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// readBody reads resp.Body, decompressed, up to limit bytes. The cap is on
// the decompressed bytes, so a small gzip bomb fails after limit+1 bytes of
// output rather than after filling memory.
func readBody(resp *http.Response, limit int64, truncate bool) ([]byte, error) {
	var r io.Reader = resp.Body
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch encoding {
	case "", "identity":
		if !truncate && resp.ContentLength > limit {
			return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrBodyTooLarge, resp.ContentLength, limit)
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if errors.Is(err, io.EOF) {
			return nil, nil // empty body (HEAD, 204, 304) labelled gzip
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	case "deflate":
		dr, err := deflateReader(r)
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		defer dr.Close()
		r = dr
	default:
		// We only ask for gzip; anything else (br, zstd, stacked codings)
		// we could not read, and returning compressed bytes as text is worse.
		return nil, fmt.Errorf("unsupported Content-Encoding %q", encoding)
	}

	sizeHint := int64(0)
	if encoding == "" || encoding == "identity" {
		sizeHint = resp.ContentLength
	}
	body, err := readLimited(r, limit, sizeHint)
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		if !truncate {
			return nil, fmt.Errorf("%w: more than %d bytes (after decompression)", ErrBodyTooLarge, limit)
		}
		body = body[:limit]
	}
	if encoding != "" && encoding != "identity" {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	}
	return body, nil
}

// readLimited reads at most limit+1 bytes (one more than allowed, to tell
// "exactly limit" from "too large"). The buffer doubles up to that bound,
// so a refused body costs about twice the limit in allocations, no more.
func readLimited(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	const minChunk = 32 << 10
	most := limit + 1
	size := int64(minChunk)
	if sizeHint > 0 {
		size = sizeHint + 1 // +1 so the final read sees EOF without growing
	}
	buf := make([]byte, 0, min(size, most))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) >= most {
				return buf, nil
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf))+minChunk, most))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// deflateReader reads "deflate", which is meant to be zlib-wrapped but is
// raw DEFLATE from some servers; the zlib header tells them apart.
func deflateReader(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if len(h) == 0 {
		return nil, err
	}
	if len(h) == 2 && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}
