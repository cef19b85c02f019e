package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"nestnext/serve"
	"nestnext/views"
)

// httpError is an error with the status and the words a visitor should see.
type httpError struct {
	status  int
	heading string
	message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.heading) }

var errNotFound = &httpError{
	status:  http.StatusNotFound,
	heading: "Page not found",
	message: "There is no page at this address. If you followed a link, it may be mistyped; the wizard itself is one click away.",
}

// handlerFunc is a handler that returns an error instead of writing one; handle renders it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle is the one place errors become error pages (api does the same for the JSON API).
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// errBusy is the page for a miss that found no build slot free in time (serve.Cache): a flood of
// never-seen URLs is keeping every slot busy.
var errBusy = &httpError{
	status:  http.StatusServiceUnavailable,
	heading: "The wizard is busy",
	message: "Many new pages are being prepared right now, and this one did not get its turn. Your answers are safe in the address bar: try again in a moment.",
}

// busy marks a response to a miss that found no build slot: Retry-After says when to ask again (a
// waiting miss gives up after serve.BuildWait, 1 s, so by then that backlog is gone), and the
// metrics count it.
func (s *Server) busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	s.counters.busy.Inc()
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, serve.ErrBusy) {
		s.busy(w)
		err = errBusy
	}
	var he *httpError
	if !errors.As(err, &he) {
		if r.Context().Err() != nil {
			// The client went away (serve.Instrument records it as such): nobody to answer.
			return
		}
		s.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", serve.RequestID(w))
		he = &httpError{
			status:  http.StatusInternalServerError,
			heading: "Sorry, something went wrong",
			message: "The wizard could not show this page. Your answers are safe in the address bar: try again in a moment.",
		}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// API clients parse problem JSON, not the HTML error page.
		s.writeProblem(w, r, newProblem(r, he.status, he.message))
		return
	}
	w.Header().Del("Link") // an error page has no oEmbed to discover
	rq := s.read(r)
	page := views.ErrorPage{
		Meta:    s.meta(rq, pageTitle(he.heading), "", true),
		Status:  he.status,
		Heading: he.heading,
		Message: he.message,
	}
	st := rq.Site()
	page.StartURL = site{embed: st.embed, theme: st.theme}.link("/", "") // not a broken team journey's
	if he.status >= 500 {
		page.RequestID = serve.RequestID(w)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	// A failed handler may have set headers for the page it meant to send.
	h.Del("Content-Disposition")
	if err := render(w, r, he.status, views.Error(page)); err != nil {
		s.log.ErrorContext(r.Context(), "error page failed", "err", err, "request_id", serve.RequestID(w))
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// chi sends methods it does not know at all to the top router's handler.
		s.apiMethodNotAllowed(w, r)
		return nil
	}
	// chi gives a custom 405 handler no Allow header; every route here is read-only.
	w.Header().Set("Allow", "GET, HEAD")
	return &httpError{
		status:  http.StatusMethodNotAllowed,
		heading: "Method not allowed",
		message: "This address only answers GET and HEAD requests: open it in a browser or follow a link to it.",
	}
}

// recoverPanics turns a panic into the 500 page; the stack goes to the log, never to the visitor.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.renderError(w, r, fmt.Errorf("panic: %v (route %s)", v, routePattern(r)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// maxQuery bounds the query string: a full answer set is under 300 bytes, so anything near this
// is not a wizard link.
const maxQuery = 4096

// limitQuery answers over-long query strings with 414 before any handler parses them.
func (s *Server) limitQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) <= maxQuery {
			next.ServeHTTP(w, r)
			return
		}
		s.renderError(w, r, &httpError{ // problem JSON under /api/
			status:  http.StatusRequestURITooLong,
			heading: "This link is too long",
			message: "The address is much longer than any set of answers can be, so it was not read. It may have been cut or altered on its way; start the wizard again, or ask for the link again.",
		})
	})
}
