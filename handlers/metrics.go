package handlers

import (
	"github.com/prometheus/client_golang/prometheus"

	"nestnext/decision"
	"nestnext/serve"
)

// counters are the wizard's own Prometheus series, with no personal data: question ids and
// outcomes only. serve.Metrics has the request durations. With metrics off they count into a
// registry nobody reads.
type counters struct {
	starts    prometheus.Counter
	completes *prometheus.CounterVec
	views     *prometheus.CounterVec
	answers   *prometheus.CounterVec
	records   *prometheus.CounterVec
	busy      prometheus.Counter
}

// newCounters makes the counters, with a series at 0 for every question and outcome of the
// content: a series that first appears at 1 has no earlier sample, so Prometheus' rate() and
// increase() would miss that first count after every start of every replica.
func newCounters(m *serve.Metrics, content *decision.Content) *counters {
	c := &counters{
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
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wizard_records_built_total",
			Help: "Decision records built, by kind (result, team). A record is built once per set of answers and day, then served from memory.",
		}, []string{"kind"}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wizard_busy_responses_total",
			Help: "Requests answered 503 because their page was not cached and no build slot came free in time (a flood of never-seen URLs).",
		}),
	}
	for _, q := range content.Questions {
		c.views.WithLabelValues(q.ID)
		c.answers.WithLabelValues(q.ID)
	}
	for _, o := range content.Outcomes {
		c.completes.WithLabelValues(o.ID)
	}
	if m != nil {
		m.Registry.MustRegister(c.starts, c.completes, c.views, c.answers, c.records, c.busy)
	}
	return c
}

// registerCache adds the page cache's gauges.
func registerCache(m *serve.Metrics, pages *serve.Cache) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "wizard_page_builds_waiting",
			Help: "Requests whose page is not cached, waiting for a build slot now.",
		}, func() float64 { return float64(pages.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "wizard_page_cache_bytes",
			Help: "About the memory the page cache holds.",
		}, func() float64 { return float64(pages.Bytes()) }),
	)
}

func (s *Server) countStart() { s.counters.starts.Inc() }

// viewCounter returns what counts a view of the question. Cached pages call it on every hit, so
// the series is looked up once, not by its label on each view.
func (s *Server) viewCounter(question string) func() {
	return s.counters.views.WithLabelValues(question).Inc
}

func (s *Server) countAnswer(question string) { s.counters.answers.WithLabelValues(question).Inc() }

func (s *Server) countCompletion(outcome string) { s.counters.completes.WithLabelValues(outcome).Inc() }

func (s *Server) countRecordBuilt(kind string) { s.counters.records.WithLabelValues(kind).Inc() }
