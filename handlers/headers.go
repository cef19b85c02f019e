package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

// Header values that never change are built once and shared by every response: assigning the
// slice skips the key canonicalisation and the one-element slice Header.Set makes, which add up
// on a page served from memory. Nothing edits a value slice in place, and Header.Add appends to
// a full one-element slice, which copies it, so sharing is safe.
func shared(v string) []string { return []string{v} }

var (
	hNoCache     = shared("no-cache")
	hNoSniff     = shared("nosniff")
	hDeny        = shared("DENY")
	hReferrer    = shared("strict-origin-when-cross-origin")
	hPermissions = shared("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
	hHSTS        = shared("max-age=63072000; includeSubDomains")
	hVaryCoding  = shared("Accept-Encoding")
	hHTML        = shared("text/html; charset=utf-8")
	hCodings     = map[string][]string{"br": shared("br"), "gzip": shared("gzip")}
)

// setShared sets a header to a shared value; key must be in canonical form.
func setShared(h http.Header, key string, v []string) { h[key] = v }

// fixedHeaders are the security headers that are the same on every response of a route group.
// They are kept out of the response's header map while a handler runs: a gathered response gets
// them as bytes made at start-up, after its status line (onewrite.go), and any other response gets
// them in its map when it is written (requestState.commit).
//
// The reason is the map. A page's headers were 10 or 11 keys, and a Go map of more than 8 keys is
// a table: net/http grows the response's map into one and clones it at WriteHeader, about 1.2 KB
// and 5 allocations per response, a quarter of what serving a page allocates, and sorts and
// escapes every key. Without these 4 or 5 keys a page has at most 7.
type fixedHeaders struct {
	headers []fixedHeader
	lines   []byte // "Key: value\r\n" for each, as net/http writes them
}

// fixedHeader is one header: a canonical key and a shared value (see setShared).
type fixedHeader struct {
	key   string
	value []string
}

func newFixedHeaders(headers ...fixedHeader) *fixedHeaders {
	f := &fixedHeaders{headers: headers}
	for _, h := range headers {
		f.lines = append(f.lines, h.key+": "+h.value[0]+"\r\n"...)
	}
	return f
}

// addTo puts the headers in h. A value a handler set itself is kept.
func (f *fixedHeaders) addTo(h http.Header) {
	for _, fh := range f.headers {
		if _, ok := h[fh.key]; !ok {
			h[fh.key] = fh.value
		}
	}
}

// setIn reports whether a handler set any of the headers itself.
func (f *fixedHeaders) setIn(h http.Header) bool {
	for _, fh := range f.headers {
		if _, ok := h[fh.key]; ok {
			return true
		}
	}
	return false
}

// securityHeaders gives every response its security headers: the CSP in the header map now, the
// others (fixedHeaders) when the response is written. Each response gets a fresh CSP nonce, which
// templ puts on our <script> tags; 'strict-dynamic' then trusts only those scripts. Embed pages
// may be framed by the allowlist; everything else may not be framed at all.
//
// There is deliberately no Cross-Origin-Opener-Policy. same-origin (or any value but the default)
// makes the browser put the page in a new browsing context group, and so a new renderer process,
// on every navigation into the site: in Lighthouse it was a 50-120 ms main-thread task that cost
// every page 0.01-0.10 of its performance score (a one-heading page: 1.00 without it, 0.94-0.96
// with it). What COOP protects is a page's state from cross-origin windows that hold a reference
// to it; the wizard has no cookies, sessions or secrets, and a page shows nothing its URL does not
// already say.
func (s *Server) securityHeaders(embed bool) func(http.Handler) http.Handler {
	ancestors := "'none'"
	if embed {
		// 'self' always: the "Embed this wizard" page previews the embed.
		ancestors = "'self'"
		if o := s.cfg.EmbedAllowedOrigins; len(o) != 1 || o[0] != "'none'" {
			ancestors += " " + strings.Join(o, " ")
		}
	}
	var headers []fixedHeader
	if !embed {
		headers = append(headers, fixedHeader{"X-Frame-Options", hDeny})
	}
	headers = append(headers,
		fixedHeader{"X-Content-Type-Options", hNoSniff},
		fixedHeader{"Referrer-Policy", hReferrer},
		fixedHeader{"Permissions-Policy", hPermissions})
	if s.cfg.PublicURL != nil && s.cfg.PublicURL.Scheme == "https" {
		headers = append(headers, fixedHeader{"Strict-Transport-Security", hHSTS})
	}
	fixed := newFixedHeaders(headers...)
	policy := cspWithNonce("default-src 'self'; script-src 'nonce-", "' 'strict-dynamic'; style-src 'self'; img-src 'self' data:; font-src 'none'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+ancestors)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			csp, nonce := policy()
			h := w.Header()
			h["Content-Security-Policy"] = []string{csp}
			if st := stateOf(r); st != nil {
				st.nonce = nonce
				st.fixed = fixed
			} else {
				// Outside instrument (which routes always puts first) the headers go in the map
				// now, and the nonce still needs a home.
				fixed.addTo(h)
				r = r.WithContext(context.WithValue(r.Context(), stateKey{}, &requestState{ResponseWriter: w, nonce: nonce}))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// nonceLen is the length of a nonce: 16 random bytes in unpadded base64.
const nonceLen = (16*8 + 5) / 6

// cspWithNonce returns a function that makes a policy, before + a fresh nonce + after, and the
// nonce, in one allocation: the nonce is a substring of the policy.
func cspWithNonce(before, after string) func() (policy, nonce string) {
	return func() (string, string) {
		var random [16]byte
		rand.Read(random[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
		var encoded [nonceLen]byte
		base64.RawStdEncoding.Encode(encoded[:], random[:])
		var b strings.Builder
		b.Grow(len(before) + nonceLen + len(after))
		b.WriteString(before)
		b.Write(encoded[:])
		b.WriteString(after)
		policy := b.String()
		return policy, policy[len(before) : len(before)+nonceLen]
	}
}
