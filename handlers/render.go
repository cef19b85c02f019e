package handlers

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
)

// render writes a component with a status. It renders into a buffer first so a failure mid-page
// becomes an error page rather than half a page.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// redirect sends the visitor on with 303 See Other, so a GET form lands on a clean URL.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, (&url.URL{Path: pathOf(target), RawQuery: queryOf(target)}).String(), http.StatusSeeOther)
	return nil
}

func pathOf(u string) string {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return u[:i]
		}
	}
	return u
}

func queryOf(u string) string {
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			return u[i+1:]
		}
	}
	return ""
}
