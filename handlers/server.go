// Package handlers serves the wizard over HTTP: it turns requests into engine calls and view
// models. It knows nothing of scoring (package decision), of markup (package views), or of how
// bytes reach the wire (package serve).
//
// routes.go lists every route and wires the features to a small core: server.go (the server,
// meta), request.go (a request read once: its site, answers and canonical key), cache.go (the one
// entry point of every cached response), render.go, site.go (links in the mode a visitor is in),
// errors.go and problem.go (error pages and problem JSON) and metrics.go. The core calls no
// feature file (a test checks it). Page handlers return an error, which handle (errors.go)
// turns into an error page; API handlers too, and api (api.go) turns it into problem JSON. A page
// is a pure function of its canonical URL: rendered and compressed once, served as bytes.
package handlers

import (
	"log/slog"
	"net/url"
	"sync"
	"time"

	"nestnext/decision"
	"nestnext/serve"
	"nestnext/static"
	"nestnext/views"
)

// Config is what the handlers need from the operator.
type Config struct {
	// PublicURL is the public origin (scheme and host), the only source of absolute links; nil
	// makes them relative. The request's Host header never reaches a body.
	PublicURL *url.URL
	// EmbedAllowedOrigins are the CSP frame-ancestors sources allowed to frame /embed/ pages;
	// nil means DefaultEmbedAllowedOrigins.
	EmbedAllowedOrigins []string
	// Metrics, when set, records request durations and counts wizard use.
	Metrics *serve.Metrics
	// ServeMetrics also serves them at /metrics here, on the app's port (the binary does only for
	// METRICS_ADDR=app; otherwise it serves them on a listener of their own, or not at all).
	ServeMetrics bool
	// Ready reports whether to take traffic (false while shutting down); nil means always.
	Ready func() bool
}

// DefaultEmbedAllowedOrigins lets any https site embed the wizard: the embed pages hold no
// personal data and set no cookies, so framing them is harmless.
var DefaultEmbedAllowedOrigins = []string{"https:"}

// DevEmbedAllowedOrigins adds local development servers, for a development set-up: the binary
// uses it when PUBLIC_URL is unset, whatever address it listens on.
var DevEmbedAllowedOrigins = []string{"https:", "http://localhost:*", "http://127.0.0.1:*"}

// Server holds what the handlers need. Build it with New.
type Server struct {
	content *decision.Content
	log     *slog.Logger
	cfg     Config
	// now is the clock, replaceable in tests (decision records are dated).
	now      func() time.Time
	counters *counters
	// parseState reads a query's answers (the content's ParseState); tests count its calls.
	parseState func(url.Values) decision.State
	// pages holds every rendered body by canonical key (pages.go).
	pages *serve.Cache
	// fixed holds the few bodies that never change and that a flood must neither evict nor
	// make wait for a build slot: the static files (made at start-up) and the preview cards.
	fixed sync.Map // string → *serve.Page
}

// pageCacheBytes bounds the page cache: a result page counts about 47 KB and a question page
// 13 KB, so it keeps over 200 results or 750 question pages.
const pageCacheBytes = 10 << 20

func newServer(content *decision.Content, log *slog.Logger, cfg Config) *Server {
	if cfg.EmbedAllowedOrigins == nil {
		cfg.EmbedAllowedOrigins = DefaultEmbedAllowedOrigins
	}
	s := &Server{content: content, log: log, cfg: cfg, now: time.Now, pages: serve.NewCache(pageCacheBytes),
		counters: newCounters(cfg.Metrics, content), parseState: content.ParseState}
	registerCache(cfg.Metrics, s.pages)
	// The assets, each compressed once at the best level.
	names := static.Names()
	bodies := make([]serve.FixedBody, len(names))
	for i, name := range names {
		a, _ := static.Lookup(name)
		bodies[i] = serve.FixedBody{ContentType: a.ContentType, Body: a.Body}
	}
	for i, p := range serve.NewFixedPages(bodies) {
		s.fixed.Store(assetKey(names[i]), p)
	}
	return s
}

// assetKey is the fixed store's key of a static file.
func assetKey(name string) string { return "asset " + name }

// meta fills the parts of <head> every page shares. A page that can be embedded elsewhere adds
// its oEmbed discovery link itself (oembed.go).
func (s *Server) meta(rq *request, title, description string, noindex bool) views.Meta {
	st := rq.Site()
	m := views.Meta{
		Title:       title,
		Description: description,
		NoIndex:     noindex,
		CSS:         static.Path("app.css"),
		App:         static.Path("app.js"),
		HTMX:        static.Path("vendor/htmx/htmx.min.js"),
		Embed:       st.embed,
		Favicon:     static.Path("favicon.svg"),
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
		m.OpenURL = s.publicURL(rq.SitePath())
	}
	return m
}

// publicURL makes a site path absolute from PUBLIC_URL and nothing else: a page is cached and
// served to everyone who asks for its URL, so it holds nothing from one request's headers.
func (s *Server) publicURL(pathAndQuery string) string {
	if u := s.cfg.PublicURL; u != nil {
		return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String() + pathAndQuery
	}
	return pathAndQuery
}

const siteName = "NestJS, Next.js, or both?"

func pageTitle(parts ...string) string {
	t := ""
	for _, p := range parts {
		t += p + " – "
	}
	return t + siteName
}
