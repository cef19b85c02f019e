// Package handlers serves the wizard over HTTP: it turns requests into engine calls and view models.
// It knows nothing of scoring (that is package decision) and nothing of markup (package views).
package handlers

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"nestnext/decision"
	"nestnext/ogimage"
	"nestnext/static"
	"nestnext/views"
)

// Config is what the handlers need from the operator.
type Config struct {
	// PublicURL is the site's public origin (scheme and host, no path), used for canonical and
	// share links; nil means "the request's host", which suits local use.
	PublicURL *url.URL
	// ListenOrigin is where the server listens (see ListenOrigin), for oEmbed when PublicURL is
	// unset; nil leaves oEmbed without an origin of its own (every URL is someone else's).
	ListenOrigin *url.URL
	// EmbedAllowedOrigins are the CSP frame-ancestors sources allowed to frame /embed/ pages.
	EmbedAllowedOrigins []string
	// Metrics serves Prometheus metrics at /metrics and counts wizard use.
	Metrics bool
	// Ready reports whether to take traffic (false while shutting down); nil means always.
	Ready func() bool
}

// DefaultEmbedAllowedOrigins lets any https site and local development embed the wizard: the
// embed pages hold no personal data and set no cookies, so framing them is harmless.
var DefaultEmbedAllowedOrigins = []string{"https:", "http://localhost:*", "http://127.0.0.1:*"}

// Server holds what the handlers need. Build it with New.
type Server struct {
	content *decision.Content
	log     *slog.Logger
	cfg     Config
	// now is the clock, replaceable in tests (decision records are dated).
	now     func() time.Time
	cards   *ogimage.Cache
	metrics *metrics // nil when metrics are off
	pages   *pageCache
	// decisionJSON is the /api/v1/decision body, encoded once.
	decisionJSON func() ([]byte, error)
}

// New returns the wizard's HTTP handler with every route and middleware in place.
func New(content *decision.Content, log *slog.Logger, cfg Config) http.Handler {
	return newServer(content, log, cfg).routes()
}

func newServer(content *decision.Content, log *slog.Logger, cfg Config) *Server {
	if cfg.EmbedAllowedOrigins == nil {
		cfg.EmbedAllowedOrigins = DefaultEmbedAllowedOrigins
	}
	s := &Server{content: content, log: log, cfg: cfg, now: time.Now, cards: ogimage.NewCache(), pages: newPageCache(pageCacheBytes)}
	if cfg.Metrics {
		s.metrics = newMetrics()
	}
	s.decisionJSON = sync.OnceValues(func() ([]byte, error) { return json.Marshal(s.decisionBody()) })
	return s
}

// meta fills the parts of <head> every page shares.
func (s *Server) meta(r *http.Request, title, description string, noindex bool) views.Meta {
	st := siteOf(r)
	m := views.Meta{
		Title:       title,
		Description: description,
		NoIndex:     noindex,
		CSS:         static.Path("app.css"),
		App:         static.Path("app.js"),
		HTMX:        static.Path("vendor/htmx/htmx.min.js"),
		Embed:       st.embed,
		Favicon:     static.Path("favicon.svg"),
		OEmbed:      s.oembedHref(r),
	}
	if st.embed {
		// In an iframe, a click that beat a lazily loaded htmx would be a full navigation, which
		// adds an entry to the host tab's history: embedded pages load htmx with the page.
		m.Scripts = append(m.Scripts, m.HTMX, static.Path("embed-frame.js"), static.Path("embed-sandbox.js"))
		m.HTMX = ""
		m.Scheme = st.theme.scheme
		if st.theme.accent != "" {
			m.ThemeCSS = "/embed/theme.css?accent=" + st.theme.accent
		}
		m.OpenURL = s.publicURL(r, sitePath(r))
	}
	return m
}

const siteName = "NestJS, Next.js, or both?"

func pageTitle(parts ...string) string {
	t := ""
	for _, p := range parts {
		t += p + " – "
	}
	return t + siteName
}
