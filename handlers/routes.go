package handlers

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"nestnext/decision"
	"nestnext/serve"
)

// New returns the wizard's HTTP handler with every route and middleware in place.
func New(content *decision.Content, log *slog.Logger, cfg Config) http.Handler {
	return newServer(content, log, cfg).routes()
}

// routes lists every route the service answers. Every route is GET and HEAD (see getAndHead); the
// /embed/ group serves the same wizard for iframes, with its own framing policy, and /api/v1 is
// the JSON API.
//
// A request passes, in order: serve.Instrument (request ID, log line, metrics), the security
// headers (every response has them, a 414 or a panic's 500 included; under /embed/ the embed's,
// so its error pages can be framed like its pages), recoverPanics, limitQuery, then the route's
// handler, which writes its response through serve.Write. Page handlers are wrapped in page
// (request.go), which reads the request once; every cached response goes through respond
// (cache.go).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(serve.Instrument{Log: s.log, Metrics: s.cfg.Metrics, Route: routePattern}.Middleware)
	r.Use(s.headers)
	r.Use(s.recoverPanics)
	r.Use(s.limitQuery)

	s.wizardRoutes(r)
	getAndHead(r, "/result.md", s.page(s.resultMarkdown))
	getAndHead(r, "/team.md", s.page(s.teamMarkdown))
	getAndHead(r, "/static/*", s.handle(s.static))
	getAndHead(r, "/og/v{version}/{name}.png", s.handle(s.ogImage))
	getAndHead(r, "/embed.js", s.handle(s.embedScript))
	getAndHead(r, "/embedding", s.page(s.embedding))
	getAndHead(r, oembedPath, s.handle(s.oembed))
	getAndHead(r, howPath, s.page(s.how))
	getAndHead(r, "/robots.txt", robots)
	getAndHead(r, "/healthz", text("no-store", "ok\n")) // the process is alive
	getAndHead(r, "/readyz", http.HandlerFunc(s.readyz))
	if s.cfg.Metrics != nil && s.cfg.ServeMetrics {
		getAndHead(r, "/metrics", s.cfg.Metrics.Handler())
	}
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }).ServeHTTP)
	r.MethodNotAllowed(s.handle(s.methodNotAllowed).ServeHTTP)

	r.Route("/embed", func(r chi.Router) {
		s.wizardRoutes(r)
		getAndHead(r, "/theme.css", s.handle(s.themeCSS))
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }).ServeHTTP)
		r.MethodNotAllowed(s.handle(s.methodNotAllowed).ServeHTTP)
	})

	// The JSON API: problem JSON errors, CORS and a CSP for JSON (apiHeaders, set by headers).
	r.Route(apiPrefix, func(r chi.Router) {
		for path, h := range map[string]handlerFunc{
			"/decision":     s.apiDecision,
			"/result":       s.apiResult,
			"/team":         s.apiTeam,
			"/openapi.json": s.apiOpenAPI,
		} {
			getAndHead(r, path, s.api(h))
			r.Options(path, apiPreflight)
		}
		r.NotFound(s.apiNotFound)
		r.MethodNotAllowed(s.apiMethodNotAllowed)
	})
	return r
}

// wizardRoutes are the pages a visitor steps through, on the site and in the embed alike.
func (s *Server) wizardRoutes(r chi.Router) {
	r = r.With(s.teamJourney) // a team journey's tm= rides along (team.go)
	getAndHead(r, "/", s.page(s.start))
	getAndHead(r, "/q/{id}", s.page(s.question))
	getAndHead(r, "/next", s.page(s.next))
	getAndHead(r, "/result", s.page(s.result))
	getAndHead(r, "/team", s.page(s.team))          // a team's decision (team.go)
	getAndHead(r, "/team/join", s.page(s.teamJoin)) // a member's name, then their answers
}

// getAndHead registers h for GET and HEAD: net/http sends no body for HEAD, whatever h writes.
func getAndHead(r chi.Router, pattern string, h http.Handler) {
	r.Method(http.MethodGet, pattern, h)
	r.Method(http.MethodHead, pattern, h)
}

// headers sets the security headers before anything answers: the embed's for a path under
// /embed/ (a 414 or a 405 is answered before the embed's routes), the API's under /api/, the
// site's for every other.
func (s *Server) headers(next http.Handler) http.Handler {
	api := s.securityHeaders(false)
	for k, v := range apiHeaders {
		api[k] = v
	}
	site := serve.Headers(s.securityHeaders(false))(next)
	embed := serve.Headers(s.securityHeaders(true))(next)
	apiNext := serve.Headers(api)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case embedPath(p):
			embed.ServeHTTP(w, r)
		case p == apiPrefix || strings.HasPrefix(p, apiPrefix+"/"):
			apiNext.ServeHTTP(w, r)
		default:
			site.ServeHTTP(w, r)
		}
	})
}

// securityHeaders are the headers every response of the site (embed false) or of the /embed/
// pages carries. They are the same on every response, because pages are cached as bytes and
// served to everyone. script-src 'self' allows the wizard's own script files and nothing else:
// the pages have no inline script, event-handler attribute or eval, so a nonce or hash would add
// nothing (docs/design.md says why, and why there is no Cross-Origin-Opener-Policy). Embed
// pages may be framed by the allowlist; everything else may not be framed at all.
func (s *Server) securityHeaders(embed bool) http.Header {
	ancestors := "'none'"
	h := http.Header{}
	if embed {
		// 'self' always: the "Embed this wizard" page previews the embed. No X-Frame-Options:
		// frame-ancestors decides.
		ancestors = "'self'"
		if o := s.cfg.EmbedAllowedOrigins; len(o) != 1 || o[0] != "'none'" {
			ancestors += " " + strings.Join(o, " ")
		}
	} else {
		h.Set("X-Frame-Options", "DENY")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
	if s.cfg.PublicURL != nil && s.cfg.PublicURL.Scheme == "https" {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'none'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+ancestors)
	return h
}
