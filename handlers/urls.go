package handlers

import (
	"net/http"
	"net/url"
)

// publicURL makes a site path absolute, for links read outside the site (canonical and share links,
// preview cards, decision records). With PUBLIC_URL configured it is used as is; otherwise the
// request's host, with https only when this server terminated TLS (forwarded headers can be forged).
func (s *Server) publicURL(r *http.Request, pathAndQuery string) string {
	if u := s.cfg.PublicURL; u != nil {
		return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String() + pathAndQuery
	}
	if r.Host == "" {
		return pathAndQuery // HTTP/1.0 without Host: no origin to name
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// url.URL escapes the host, so an odd Host header cannot break out of the URL.
	return (&url.URL{Scheme: scheme, Host: r.Host}).String() + pathAndQuery
}
