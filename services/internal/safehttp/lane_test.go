package safehttp

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// trickleForever writes one byte every interval until the client goes away.
func trickleForever(interval time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(interval):
			}
		}
	}
}

func TestLanesDoNotShareHostSlots(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/slow-page", trickleForever(20*time.Millisecond))
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<rss/>")) })
	ts := httptest.NewServer(mux)
	defer ts.Close()

	feeds := New(Options{AllowPrivateNetworks: true, BodyIdleTimeout: time.Minute, BodyTimeout: time.Minute})
	pages := feeds.Lane(LaneOptions{BodyTimeout: 400 * time.Millisecond})
	pageDone := make(chan error, 1)
	go func() {
		_, err := pages.Get(t.Context(), ts.URL+"/slow-page", nil)
		pageDone <- err
	}()
	time.Sleep(50 * time.Millisecond) // the page holds its lane's one slot on the host

	// The feed's poll on the same host does not wait for the page.
	resp, err := feeds.Get(t.Context(), ts.URL+"/feed.xml", nil)
	if err != nil || string(resp.Body) != "<rss/>" {
		t.Fatalf("feed poll: %v", err)
	}
	select {
	case err := <-pageDone:
		t.Fatalf("the page ended before the feed poll was checked: %v", err)
	default:
	}

	// The page lane's whole-body deadline ends the trickle, whatever the
	// idle timeout, as a timeout.
	if err := <-pageDone; !errors.Is(err, ErrTimeout) || !Retryable(err) {
		t.Fatalf("slow page: %v, want a retryable ErrTimeout", err)
	}
}

func TestLaneKeepsTheClientsRules(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2048)) }))
	defer ts.Close()
	strict := New(Options{}).Lane(LaneOptions{MaxBodyBytes: 1024})
	if _, err := strict.Get(t.Context(), ts.URL, nil); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("lane of a strict client reached loopback: %v", err)
	}
	lax := New(Options{AllowPrivateNetworks: true})
	if _, err := lax.Lane(LaneOptions{MaxBodyBytes: 1024}).Get(t.Context(), ts.URL, nil); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("lane's body cap: %v, want ErrBodyTooLarge", err)
	}
	if _, err := lax.Get(t.Context(), ts.URL, nil); err != nil {
		t.Fatalf("the client kept its own cap: %v", err)
	}
}
