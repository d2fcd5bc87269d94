package feeder

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"testing"
)

func benchFeed(n int) []byte {
	items := make([]item, n)
	for i := range items {
		items[i] = item{guid: fmt.Sprintf("g-%d", i), link: fmt.Sprintf("https://news.example.test/2026/03/story-%d?utm_source=rss", i),
			title: fmt.Sprintf("Regional council reports data incident number %d", i), date: "Mon, 02 Mar 2026 09:00:00 GMT"}
	}
	return []byte(rss(items...))
}

// BenchmarkParseFeed measures feed parsing plus item identity (what a poll
// does before touching NATS), in items/s. BenchmarkParseFeedBaseline decodes
// the same document with encoding/xml into a bare struct: the floor any RSS
// parser stands on, for a ratio measured in the same run (scripts/bench).
func BenchmarkParseFeed(b *testing.B) {
	body := benchFeed(1000)
	base, _ := url.Parse("https://news.example.test/feed")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		feed, err := parseFeed(body)
		if err != nil {
			b.Fatal(err)
		}
		if len(candidates(feed, base, nil)) != 1000 {
			b.Fatal("items lost")
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkParseFeedBaseline(b *testing.B) {
	body := benchFeed(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var doc struct {
		Items []struct {
			GUID        string `xml:"guid"`
			Link        string `xml:"link"`
			Title       string `xml:"title"`
			Description string `xml:"description"`
			PubDate     string `xml:"pubDate"`
		} `xml:"channel>item"`
	}
	for b.Loop() {
		doc.Items = doc.Items[:0]
		if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&doc); err != nil || len(doc.Items) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "items/s")
}
