package metrics

import "github.com/prometheus/client_golang/prometheus"

func newPageFetches(r *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "breachwire_page_fetches_total",
		Help: "What became of each article's page, by feed id (feeds list) and fetch status: ok, or why the feed's text was used " +
			"(too_large, redirect_loop, blocked_address, timeout, not_html, extraction_budget_exceeded, http_error, robots_disallowed, " +
			"robots_unavailable, no_main_text, no_link, failed).",
	}, []string{"feed", "status"})
	r.MustRegister(c)
	return c
}

// PageFetched counts one article's final page outcome (scraper.Observer).
func (m *Metrics) PageFetched(feed, status string) { m.pageFetches.WithLabelValues(feed, status).Inc() }

// PageFetchesCounter is one series of breachwire_page_fetches_total, for tests.
func (m *Metrics) PageFetchesCounter(feed, status string) prometheus.Counter {
	return m.pageFetches.WithLabelValues(feed, status)
}
