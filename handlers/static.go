package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"nestnext/serve"
	"nestnext/static"
)

// static serves embedded assets, made into responses at start-up (newServer). Hashed names never
// change content, so they are cached for a year.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	a, hashed := static.Lookup(chi.URLParam(r, "*"))
	if a == nil {
		return errNotFound
	}
	cc := assetCacheControl
	if hashed {
		cc = immutable
	}
	return s.respond(w, r, s.assetEntry(a.Name, cc))
}

// assetEntry is the stored response of a static file.
func (s *Server) assetEntry(name, cacheControl string) entry {
	return entry{key: fixedKey(assetKey(name)), fixed: true, cacheControl: cacheControl,
		build: func() (*serve.Page, error) { return nil, errNotFound }} // all made at start-up
}

// text answers with a fixed plain-text body, made once.
func text(cacheControl, body string) http.Handler {
	p := serve.NewPage("text/plain; charset=utf-8", []byte(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cacheControl)
		serve.Write(w, r, http.StatusOK, p)
	})
}

// robots lets crawlers reach the start page, result pages (noindex, but crawlers must fetch them
// to read their preview cards) and preview images; only the form endpoint is off limits.
var robots = text("public, max-age=86400", "User-agent: *\nDisallow: /next\nDisallow: /embed/next\nAllow: /\n")

// readyz says whether to send traffic here: the content is loaded (it is, or the server would
// not have started) and the server is not shutting down (then 503, while it still serves the
// requests a load balancer sends before it notices).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	body, status := fmt.Sprintf("ready: content version %d\n", s.content.Version), http.StatusOK
	if s.cfg.Ready != nil && !s.cfg.Ready() {
		body, status = "shutting down\n", http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	serve.Write(w, r, status, serve.NewPage("text/plain; charset=utf-8", []byte(body)))
}

// themeCSS carries an embedder's accent colour as a stylesheet: the CSP forbids inline styles.
// The text colour on the accent is black or white, whichever contrasts more.
func (s *Server) themeCSS(w http.ResponseWriter, r *http.Request) error {
	t := parseTheme(r.URL.Query())
	if t.accent == "" {
		return errNotFound
	}
	w.Header().Set("Cache-Control", immutable)
	css := fmt.Sprintf(":root{--accent:#%s;--accent-text:%s}\n", t.accent, textOn(t.accent))
	serve.Write(w, r, http.StatusOK, serve.NewPage("text/css; charset=utf-8", []byte(css)))
	return nil
}

// textOn picks black or white text for a background colour by WCAG relative luminance.
func textOn(hex string) string {
	var rgb [3]float64
	for i := range rgb {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		rgb[i] = c
	}
	l := 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	// Contrast with white is 1.05/(l+0.05), with black (l+0.05)/0.05; pick the larger.
	if 1.05/(l+0.05) >= (l+0.05)/0.05 {
		return "#fff"
	}
	return "#000"
}
