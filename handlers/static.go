package handlers

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"nestnext/static"
)

// static serves embedded assets. Hashed names never change content, so they are cached for a year.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "*")
	if strings.Contains(name, "..") {
		return errNotFound
	}
	a, hashed := static.Lookup(name)
	if a == nil {
		return errNotFound
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	if hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	w.Write(a.Body)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}
