package handlers

import (
	"net/http"
	"net/url"
)

// publicURL makes a site path absolute, for links read outside the site (canonical and share links,
// preview cards, decision records), from PUBLIC_URL and nothing else: a page is cached and shared
// by everyone who asks for its URL, so it may hold nothing taken from one request's headers.
// Without PUBLIC_URL the link stays relative (the binary then uses its listen address, and says
// so in its log).
func (s *Server) publicURL(_ *http.Request, pathAndQuery string) string {
	if u := s.cfg.PublicURL; u != nil {
		return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String() + pathAndQuery
	}
	return pathAndQuery
}
