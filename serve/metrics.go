package serve

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is a Prometheus registry with the request-duration histogram Instrument records and
// the Go runtime and process collectors. Applications register their own series on Registry.
type Metrics struct {
	Registry *prometheus.Registry
	duration *prometheus.HistogramVec
	// series caches duration's series: looking one up by its label values hashes them and
	// allocates, on every request. Bounded: routes, ten method labels, a few statuses.
	series sync.Map // [3]string → prometheus.Observer
}

// NewMetrics makes the registry and its request-duration series.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wizard_http_request_duration_seconds",
			Help:    "Time to serve a request, by route pattern, method and status (499: the client went away).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"route", "method", "status"}),
	}
	m.Registry.MustRegister(m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// observe records a request's duration under its route pattern ("unmatched" for none).
func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
	default:
		// Any token is a method to net/http; a label per made-up one would grow without bound.
		method = "other"
	}
	key := [3]string{route, method, strconv.Itoa(status)}
	o, ok := m.series.Load(key)
	if !ok {
		o, _ = m.series.LoadOrStore(key, m.duration.WithLabelValues(key[:]...))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}
