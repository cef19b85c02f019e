package handlers

import "net/http"

// publicURL makes a site path absolute, for links read outside the site (share links, decision
// records). It uses the request's host; the scheme is https only when this server terminated TLS,
// since forwarded headers can be forged.
func (s *Server) publicURL(r *http.Request, pathAndQuery string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + pathAndQuery
}
