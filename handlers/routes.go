package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes lists every route the service answers. Every route is GET (and so HEAD); the /embed/
// group serves the same wizard for iframes, with its own framing policy.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.instrument)
	r.Use(s.recoverPanics)
	r.Use(middleware.GetHead)
	r.Use(s.limitQuery)

	r.Group(func(r chi.Router) {
		r.Use(s.securityHeaders(false))
		s.wizardRoutes(r)
		r.Method(http.MethodGet, "/result.md", s.handle(s.resultMarkdown))
		r.Method(http.MethodGet, "/team.md", s.handle(s.teamMarkdown))
		r.Method(http.MethodGet, "/static/*", s.handle(s.static))
		r.Method(http.MethodGet, "/og/v{version}/{name}.png", s.handle(s.ogImage))
		r.Method(http.MethodGet, "/embed.js", s.handle(s.embedScript))
		r.Method(http.MethodGet, "/embedding", s.handle(s.embedding))
		r.Method(http.MethodGet, oembedPath, s.handle(s.oembed))
		r.Method(http.MethodGet, howPath, s.handle(s.how))
		r.Get("/robots.txt", s.robots)
		r.Get("/healthz", s.healthz)
		r.Get("/readyz", s.readyz)
		if s.metrics != nil {
			r.Method(http.MethodGet, "/metrics", s.metricsHandler())
		}
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }).ServeHTTP)
		r.MethodNotAllowed(s.handle(s.methodNotAllowed).ServeHTTP)
	})
	r.Route("/embed", func(r chi.Router) {
		r.Use(embedMode, s.securityHeaders(true))
		s.wizardRoutes(r)
		r.Method(http.MethodGet, "/theme.css", s.handle(s.themeCSS))
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }).ServeHTTP)
		r.MethodNotAllowed(s.handle(s.methodNotAllowed).ServeHTTP)
	})
	// The JSON API sets its own headers (problem JSON errors, CORS, a CSP for JSON).
	r.Route("/api/v1", s.apiRoutes)
	return r
}

// wizardRoutes are the pages a visitor steps through, on the site and in the embed alike.
func (s *Server) wizardRoutes(r chi.Router) {
	r = r.With(s.teamJourney) // a team journey's tm= rides along (team.go)
	r.Method(http.MethodGet, "/", s.discoverable(s.handle(s.start)))
	r.Method(http.MethodGet, "/q/{id}", s.discoverable(s.handle(s.question)))
	r.Method(http.MethodGet, "/next", s.handle(s.next))
	r.Method(http.MethodGet, "/result", s.discoverable(s.handle(s.result)))
	s.teamRoutes(r)
}
