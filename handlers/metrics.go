package handlers

import (
	"net/http"

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

func (s *Server) countView(question string) {
	if s.metrics != nil {
		s.metrics.views.WithLabelValues(question).Inc()
	}
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

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}
