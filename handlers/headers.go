package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/a-h/templ"
)

// securityHeaders sets the headers every response carries. Each response gets a fresh CSP nonce,
// which templ puts on our <script> tags; 'strict-dynamic' then trusts only those scripts. Embed
// pages may be framed by the allowlist; everything else may not be framed at all.
func (s *Server) securityHeaders(embed bool) func(http.Handler) http.Handler {
	ancestors := "'none'"
	if embed {
		// 'self' always: the "Embed this wizard" page previews the embed.
		ancestors = "'self'"
		if o := s.cfg.EmbedAllowedOrigins; len(o) != 1 || o[0] != "'none'" {
			ancestors += " " + strings.Join(o, " ")
		}
	}
	hsts := s.cfg.PublicURL != nil && s.cfg.PublicURL.Scheme == "https"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nonce := newNonce()
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"' 'strict-dynamic'; style-src 'self'; img-src 'self' data:; font-src 'none'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+ancestors)
			if !embed {
				h.Set("X-Frame-Options", "DENY")
			}
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
		})
	}
}

func newNonce() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return base64.RawStdEncoding.EncodeToString(b[:])
}
