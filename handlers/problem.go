package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"

	"nestnext/serve"
)

// The JSON API's errors are RFC 9457 problem documents. They are part of the core: an error met
// before the API's routes (a 414, a 405, a panic) under /api/ is answered as one too (errors.go).

// apiPrefix is where routes.go mounts apiRoutes. Only the incomplete-answers problem type needs
// it: its URI points into the OpenAPI document, which documents that problem.
const apiPrefix = "/api/v1"

const (
	mediaJSON    = "application/json"
	mediaProblem = "application/problem+json"
	// Every API resource is read-only.
	apiMethods = "GET, HEAD, OPTIONS"
	// Bodies depend only on the content and the query, like pages, and are kept as pages are
	// (pageCacheControl says why).
	apiCacheControl = pageCacheControl
)

// apiHeaders go on every API response over the site's security headers (routes.go chooses them by
// path, before anything answers), errors included, so browser clients can read them too. The API is
// public and uses no credentials, so any origin may read it. nosniff stops a browser from
// rendering a JSON body as a page, and should one be opened anyway, the CSP lets it load, run
// and frame nothing.
var apiHeaders = http.Header{
	"Access-Control-Allow-Origin":   {"*"},
	"Access-Control-Expose-Headers": {"ETag"},
	"X-Content-Type-Options":        {"nosniff"},
	"Content-Security-Policy":       {"default-src 'none'; frame-ancestors 'none'"},
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
}

func (p problem) httpStatus() int { return p.Status }

func (p problem) Error() string { return fmt.Sprintf("%d %s", p.Status, p.Detail) }

// apiError is an error that is its own problem document.
type apiError interface {
	error
	httpStatus() int
}

// newProblem is a problem with no meaning beyond its status: type about:blank, whose title is the
// status phrase (RFC 9457, section 4.2.1). The instance is the path only: the query holds the
// visitor's answers, which have no place in an error report.
func newProblem(r *http.Request, status int, detail string) problem {
	return problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Instance: r.URL.EscapedPath(),
	}
}

// writeProblem writes a problem document; problems are never cached, as they usually mean the
// client is about to send something else.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, p apiError) {
	body, err := json.Marshal(p)
	if err != nil {
		// Problems hold only strings, numbers and lists of them; this keeps the reply JSON anyway.
		s.log.ErrorContext(r.Context(), "API encode failed", "err", err, "request_id", serve.RequestID(w))
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"","instance":""}`)
	}
	w.Header().Set("Cache-Control", "no-store")
	serve.Write(w, r, p.httpStatus(), serve.NewPage(mediaProblem, body))
}

func (s *Server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	// chi gives a custom 405 handler no Allow header, and every API resource allows the same methods.
	w.Header().Set("Allow", apiMethods)
	s.writeProblem(w, r, newProblem(r, http.StatusMethodNotAllowed,
		"The API is read-only: this address answers GET, HEAD and OPTIONS only."))
}
