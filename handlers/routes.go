package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes lists every route the service answers.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(s.logRequests)
	r.Use(s.recoverPanics)
	r.Use(middleware.GetHead)

	r.Method(http.MethodGet, "/", s.handle(s.start))
	r.Method(http.MethodGet, "/q/{id}", s.handle(s.question))
	r.Method(http.MethodGet, "/next", s.handle(s.next))
	r.Method(http.MethodGet, "/result", s.handle(s.result))
	r.Method(http.MethodGet, "/result.md", s.handle(s.resultMarkdown))
	r.Method(http.MethodGet, "/static/*", s.handle(s.static))
	r.Get("/healthz", s.healthz)

	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }).ServeHTTP)
	r.MethodNotAllowed(s.handle(s.methodNotAllowed).ServeHTTP)
	return r
}
