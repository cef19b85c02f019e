package handlers

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
)

// render writes a component with a status. It renders into a buffer first so a failure mid-page
// becomes an error page rather than half a page.
//
// Pages get an ETag and "no-cache": the browser revalidates and gets a 304 when nothing changed.
// The tag ignores the per-response CSP nonce, and a 304 carries no CSP header, so the browser keeps
// the policy (and nonce) that came with the body it already has.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	h := w.Header()
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	etag := ""
	if status == http.StatusOK {
		stable := body
		if nonce := templ.GetNonce(r.Context()); nonce != "" {
			stable = bytes.ReplaceAll(body, []byte(nonce), nil)
		}
		etag = etagOf(stable)
	}
	writeBody(w, r, status, "text/html; charset=utf-8", body, etag)
}

// withCoding is the tag writeBody gives a body in a content coding.
func withCoding(etag, coding string) string {
	if coding == "" || etag == "" {
		return etag
	}
	return etag[:len(etag)-1] + "-" + coding + `"`
}

// redirect sends the visitor on with 303 See Other, so a GET form lands on a clean URL.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	path, query, _ := cutQuery(target)
	http.Redirect(w, r, (&url.URL{Path: path, RawQuery: query}).String(), http.StatusSeeOther)
	return nil
}

func cutQuery(u string) (path, query string, ok bool) {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return u[:i], u[i+1:], true
		}
	}
	return u, "", false
}
