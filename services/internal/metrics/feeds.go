package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// feedMetrics are the feeder's per-feed series.
type feedMetrics struct {
	polls       *prometheus.CounterVec
	items       *prometheus.CounterVec
	failures    *prometheus.GaugeVec
	silent      *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	layout      *prometheus.CounterVec
}

func newFeedMetrics(r *prometheus.Registry) *feedMetrics {
	m := &feedMetrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_feed_polls_total", Help: "Feed polls by result (changed, unchanged, not_modified, rate_limited, error).",
		}, []string{"feed", "result"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_feed_items_total", Help: "Items published from a feed, new or updated.",
		}, []string{"feed", "kind"}),
		failures: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "breachwire_feed_consecutive_failures", Help: "Failed polls of a feed since its last success.",
		}, []string{"feed"}),
		silent: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "breachwire_feed_silent", Help: "1 when a feed that used to yield items has gone quiet.",
		}, []string{"feed"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "breachwire_feed_last_success_timestamp_seconds", Help: "Unix time of a feed's last successful poll.",
		}, []string{"feed"}),
		layout: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_notice_layout_errors_total",
			Help: "Polls of a notices list whose page was not shaped as its parser expects (a missing column, no rows); the feed's last error names what.",
		}, []string{"feed"}),
	}
	r.MustRegister(m.polls, m.items, m.failures, m.silent, m.lastSuccess, m.layout)
	return m
}

// NoticeLayoutError counts a notices list page its parser could not read.
func (m *Metrics) NoticeLayoutError(feed string) { m.feeds.layout.WithLabelValues(feed).Inc() }

// NoticeLayoutErrors is one series of breachwire_notice_layout_errors_total, for tests.
func (m *Metrics) NoticeLayoutErrors(feed string) prometheus.Counter {
	return m.feeds.layout.WithLabelValues(feed)
}

// FeedPolled counts one poll of a feed.
func (m *Metrics) FeedPolled(feed, result string) { m.feeds.polls.WithLabelValues(feed, result).Inc() }

// FeedItems counts items published from a feed.
func (m *Metrics) FeedItems(feed string, newItems, updates int) {
	if newItems > 0 {
		m.feeds.items.WithLabelValues(feed, "new").Add(float64(newItems))
	}
	if updates > 0 {
		m.feeds.items.WithLabelValues(feed, "update").Add(float64(updates))
	}
}

// FeedHealth sets a feed's health gauges.
func (m *Metrics) FeedHealth(feed string, consecutiveFailures int, silent bool, lastSuccess time.Time) {
	m.feeds.failures.WithLabelValues(feed).Set(float64(consecutiveFailures))
	s := 0.0
	if silent {
		s = 1
	}
	m.feeds.silent.WithLabelValues(feed).Set(s)
	if !lastSuccess.IsZero() {
		m.feeds.lastSuccess.WithLabelValues(feed).Set(float64(lastSuccess.Unix()))
	}
}
