package handlers

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are Prometheus series with no personal data: route patterns (never paths or queries),
// status codes, question ids and outcomes.
type metrics struct {
	registry  *prometheus.Registry
	duration  *prometheus.HistogramVec
	starts    prometheus.Counter
	completes *prometheus.CounterVec
	views     *prometheus.CounterVec
	answers   *prometheus.CounterVec

	// observers caches duration's series by route, method and status: looking one up by its
	// label values hashes them and allocates, on every request.
	observers sync.Map // seriesKey → prometheus.Observer
}

type seriesKey struct {
	route, method string
	status        int
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wizard_http_request_duration_seconds",
			Help:    "Time to serve a request, by route pattern, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"route", "method", "status"}),
		starts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wizard_starts_total",
			Help: "Visitors who opened the first question with no answers yet.",
		}),
		completes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wizard_completions_total",
			Help: "Visitors who answered the last question, by recommended outcome.",
		}, []string{"outcome"}),
		views: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wizard_question_views_total",
			Help: "Question pages shown, by question. Drop-off at a question is views minus answers.",
		}, []string{"question"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wizard_question_answers_total",
			Help: "Answers submitted, by question.",
		}, []string{"question"}),
	}
	m.registry.MustRegister(m.duration, m.starts, m.completes, m.views, m.answers,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// The wizard's own counters; all are no-ops when metrics are off.

func (s *Server) countStart() {
	if s.metrics != nil {
		s.metrics.starts.Inc()
	}
}

// viewCounter returns what counts a view of the question. Cached pages call it on every hit, so
// the series is looked up once, not by its label on each view.
func (s *Server) viewCounter(question string) func() {
	if s.metrics == nil {
		return func() {}
	}
	return s.metrics.views.WithLabelValues(question).Inc
}

func (s *Server) countAnswer(question string) {
	if s.metrics != nil {
		s.metrics.answers.WithLabelValues(question).Inc()
	}
}

func (s *Server) countCompletion(outcome string) {
	if s.metrics != nil {
		s.metrics.completes.WithLabelValues(outcome).Inc()
	}
}

// observeRequest records a request's duration under its route pattern ("unmatched" for none).
func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
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
	key := seriesKey{route, method, status}
	o, ok := m.observers.Load(key)
	if !ok {
		// Bounded: routes are the router's patterns, methods the nine HTTP defines and "other",
		// statuses the handful the wizard sends.
		o, _ = m.observers.LoadOrStore(key, m.duration.WithLabelValues(route, method, strconv.Itoa(status)))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}
