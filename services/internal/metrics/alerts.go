package metrics

import "github.com/prometheus/client_golang/prometheus"

// alertMetrics are the alerter's series.
type alertMetrics struct {
	published *prometheus.CounterVec
	webhooks  *prometheus.CounterVec
	subs      prometheus.Gauge
}

func newAlertMetrics(r *prometheus.Registry) *alertMetrics {
	m := &alertMetrics{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_alerts_published_total", Help: "Alerts published, by kind (new, updated).",
		}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "breachwire_webhook_attempts_total", Help: "Webhook delivery attempts, by result (delivered, retry, failed).",
		}, []string{"result"}),
		subs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "breachwire_subscriptions", Help: "Subscriptions the alerter matches events against.",
		}),
	}
	r.MustRegister(m.published, m.webhooks, m.subs)
	return m
}

// AlertPublished counts one alert; kind is new or updated.
func (m *Metrics) AlertPublished(kind string) { m.alerts.published.WithLabelValues(kind).Inc() }

// WebhookAttempt counts one webhook delivery attempt: delivered, retry
// (to be tried again) or failed (dead-lettered at once).
func (m *Metrics) WebhookAttempt(result string) { m.alerts.webhooks.WithLabelValues(result).Inc() }

// Subscriptions sets how many subscriptions the alerter holds.
func (m *Metrics) Subscriptions(n int) { m.alerts.subs.Set(float64(n)) }
