package feeder

import (
	"net/url"
	"testing"
)

func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(rss(item{guid: "1", link: "https://a.example/1", title: "One", date: "Mon, 02 Mar 2026 09:00:00 GMT"})))
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:x</id><title>e</title><link href="/rel"/><updated>2026-01-01T00:00:00Z</updated></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","url":"https://a.example/j","title":"J"}]}`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>caf` + "\xe9" + `</title></item></channel></rss>`))
	f.Add([]byte(`<rss><channel><item><link>javascript:alert(1)</link></item><item><guid></guid></item>`))
	base, _ := url.Parse("https://feeds.example.test/rss")
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := parseFeed(body)
		if err != nil {
			return
		}
		for _, c := range candidates(feed, base, nil) {
			if c.identity == "" {
				t.Fatalf("item without identity: %+v", c.item)
			}
		}
	})
}
