// Package handlers serves the wizard over HTTP: it turns requests into engine calls and view models.
// It knows nothing of scoring (that is package decision) and nothing of markup (package views).
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"nestnext/decision"
	"nestnext/static"
	"nestnext/views"
)

// Server holds what the handlers need. Build it with New.
type Server struct {
	content *decision.Content
	log     *slog.Logger
	// now is the clock, replaceable in tests (decision records are dated).
	now func() time.Time
}

// New returns the wizard's HTTP handler with every route and middleware in place.
func New(content *decision.Content, log *slog.Logger) http.Handler {
	s := &Server{content: content, log: log, now: time.Now}
	return s.routes()
}

// meta fills the parts of <head> every page shares.
func (s *Server) meta(title, description string, noindex bool) views.Meta {
	return views.Meta{
		Title:       title,
		Description: description,
		NoIndex:     noindex,
		CSS:         static.Path("app.css"),
		Scripts:     []string{static.Path("vendor/htmx/htmx.min.js"), static.Path("app.js")},
	}
}

const siteName = "NestJS, Next.js, or both?"

func pageTitle(parts ...string) string {
	t := ""
	for _, p := range parts {
		t += p + " – "
	}
	return t + siteName
}
