package handlers

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
)

// decodeBody undoes a response's Content-Encoding, failing on anything a browser would reject:
// a bad checksum or length, a stream that does not end, or bytes after its end (the brotli
// reader reports those itself; gzip reads a bytes.Reader byte by byte, so what is left is extra).
func decodeBody(t *testing.T, coding string, body []byte) string {
	t.Helper()
	src := bytes.NewReader(body)
	var r io.Reader
	switch coding {
	case "":
		return string(body)
	case "br":
		r = brotli.NewReader(src)
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			t.Fatalf("gzip header: %v", err)
		}
		zr.Multistream(false)
		r = zr
	default:
		t.Fatalf("unexpected coding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s stream: %v", coding, err)
	}
	if coding == "gzip" && src.Len() != 0 {
		t.Fatalf("%d bytes after the end of the gzip member", src.Len())
	}
	return string(out)
}

// Every cached page decodes, in every coding, to the same page with the response's own nonce,
// whether it was just rendered or came from the cache.
func TestCachedPagesInEveryCoding(t *testing.T) {
	_, h := newTestServer(t)
	pages := []string{
		"/",
		"/q/build?v=2",
		"/q/realtime?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&v=2",
		"/result?" + fullPlatform,
		"/embed/q/build?v=2&scheme=dark&accent=" + url.QueryEscape("#0b6e4f"),
		"/embed/result?" + fullPlatform + "&hide_intro=1",
	}
	codings := []struct{ accept, coding string }{
		{"", ""},
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
	}
	for _, target := range pages {
		var first string // the identity page without its nonce
		nonces := map[string]bool{}
		etags := map[string]string{}
		for round := range 2 { // the first request renders (for one coding), the rest are hits
			for _, c := range codings {
				req := httptest.NewRequest(http.MethodGet, target, nil)
				if c.accept != "" {
					req.Header.Set("Accept-Encoding", c.accept)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: status %d", target, rec.Code)
				}
				if got := rec.Header().Get("Content-Encoding"); got != c.coding {
					t.Fatalf("%s: Content-Encoding %q, want %q", target, got, c.coding)
				}
				if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
					t.Errorf("%s %s: Content-Length %s, body %s", target, c.coding, got, want)
				}
				page := decodeBody(t, c.coding, rec.Body.Bytes())
				csp := rec.Header().Get("Content-Security-Policy")
				nonce := strings.TrimPrefix(strings.Fields(csp[strings.Index(csp, "'nonce-"):])[0], "'nonce-")
				nonce = strings.TrimSuffix(nonce, "'")
				if len(nonce) < 16 || nonces[nonce] {
					t.Fatalf("%s: nonce %q is missing or was served before", target, nonce)
				}
				nonces[nonce] = true
				if n := strings.Count(page, `nonce="`+nonce+`"`); n == 0 || n != strings.Count(page, "<script") {
					t.Errorf("%s %s: %d scripts carry the response's nonce, of %d", target, c.coding, n, strings.Count(page, "<script"))
				}
				if strings.Contains(page, noncePlaceholder) {
					t.Errorf("%s %s: the placeholder leaked", target, c.coding)
				}
				if !strings.HasSuffix(page, "</script></body></html>") {
					t.Errorf("%s %s: page ends %q", target, c.coding, page[max(0, len(page)-60):])
				}
				without := strings.ReplaceAll(page, nonce, "")
				if first == "" {
					first = without
				} else if without != first {
					t.Errorf("%s %s (round %d) differs from the first response", target, c.coding, round)
				}
				tag := rec.Header().Get("ETag")
				if prev, ok := etags[c.coding]; ok && prev != tag {
					t.Errorf("%s %s: ETag changed from %s to %s", target, c.coding, prev, tag)
				}
				etags[c.coding] = tag
			}
		}
		if etags[""] == etags["br"] || etags["br"] == etags["gzip"] {
			t.Errorf("%s: each coding needs its own ETag: %v", target, etags)
		}
	}
}

// A cached page answers HEAD with GET's headers and a matching If-None-Match with 304.
func TestCachedPageHeadAndNotModified(t *testing.T) {
	_, h := newTestServer(t)
	target := "/result?" + fullPlatform
	do := func(method string, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	get := do(http.MethodGet, map[string]string{"Accept-Encoding": "br"})
	head := do(http.MethodHead, map[string]string{"Accept-Encoding": "br"})
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d body bytes, Content-Length %s (GET: %s)", head.Code, head.Body.Len(), head.Header().Get("Content-Length"), get.Header().Get("Content-Length"))
	}
	nm := do(http.MethodGet, map[string]string{"Accept-Encoding": "br", "If-None-Match": get.Header().Get("ETag")})
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("Content-Security-Policy") != "" {
		t.Errorf("revalidation: %d, %d bytes, CSP %q", nm.Code, nm.Body.Len(), nm.Header().Get("Content-Security-Policy"))
	}
}

// The stream endings are valid for any head and tail, including empty ones and tails longer than
// one stored block (64 KiB).
func TestStreamEnds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "<>/ abcdefghij\"=\n"[rng.IntN(17)]
		}
		return b
	}
	for _, size := range [][2]int{{0, 0}, {0, 10}, {10, 0}, {1, 1}, {30000, 120}, {5000, 65535}, {5000, 65536}, {100, 200000}} {
		head, tail := text(size[0]), text(size[1])
		want := string(head) + string(tail)
		p := newCachedPage("k", append(append([]byte{}, head...), []byte(noncePlaceholder+string(tail))...), nil)
		for _, coding := range []string{"", "br", "gzip"} {
			head, rest := p.body(coding, "", nil)
			got := decodeBody(t, coding, append(append([]byte{}, head...), rest...))
			if got != want {
				t.Errorf("head %d, tail %d, %q: decoded %d bytes, want %d", size[0], size[1], coding, len(got), len(want))
			}
		}
	}
}

// The cache stays within its byte budget, and its count of bytes is right.
func TestPageCacheBound(t *testing.T) {
	s, h := newTestServer(t)
	for i := range 600 {
		get(t, h, "/result?"+fullPlatform+"&utm="+strconv.Itoa(i))
	}
	sum := 0
	for e := s.pages.order.Front(); e != nil; e = e.Next() {
		sum += e.Value.(*cachedPage).size
	}
	if s.pages.bytes != sum || sum > pageCacheBytes || s.pages.order.Len() != len(s.pages.items) {
		t.Errorf("cache counts %d bytes, holds %d in %d pages (%d keys); bound %d", s.pages.bytes, sum, s.pages.order.Len(), len(s.pages.items), pageCacheBytes)
	}
	if s.pages.order.Len() < 100 {
		t.Errorf("only %d result pages fit; the budget is meant for hundreds", s.pages.order.Len())
	}
}

// Without PUBLIC_URL a page's absolute links use the request's origin, so pages for different
// hosts must not share a cache entry.
func TestPageCacheKeepsHostsApart(t *testing.T) {
	_, h := newTestServer(t)
	canonical := func(host string) string {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		i := strings.Index(rec.Body.String(), `rel="canonical" href="`)
		if i < 0 {
			t.Fatalf("no canonical link for %s", host)
		}
		return strings.SplitN(rec.Body.String()[i+22:], `"`, 2)[0]
	}
	if a, b := canonical("a.example"), canonical("b.example"); a != "http://a.example/" || b != "http://b.example/" {
		t.Errorf("canonical links %q and %q", a, b)
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"gzip, deflate, br, zstd"}, "br"},
		{[]string{"gzip"}, "gzip"},
		{[]string{"identity"}, ""},
		{[]string{"BR"}, "br"},
		{[]string{" gzip ;q=0.5 ,  br ; q=0.1"}, "br"},
		{[]string{"gzip, br;q=0"}, "gzip"},
		{[]string{"br; q=0.000", "gzip; q = 0"}, ""},
		{[]string{"br", "br;q=0"}, ""}, // the last word on a coding counts
		{[]string{"deflate"}, ""},
		{[]string{"*"}, ""},
		{[]string{"brotli, xgzip"}, ""},
	} {
		if got := negotiate(tc.header); got != tc.want {
			t.Errorf("negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

// The policy holds the nonce it returns, and every call makes a new one.
func TestCSPWithNonce(t *testing.T) {
	policy := cspWithNonce("script-src 'nonce-", "'; object-src 'none'")
	seen := map[string]bool{}
	for range 100 {
		csp, nonce := policy()
		if len(nonce) != nonceLen || csp != "script-src 'nonce-"+nonce+"'; object-src 'none'" || seen[nonce] {
			t.Fatalf("policy %q, nonce %q", csp, nonce)
		}
		if _, err := base64.RawStdEncoding.DecodeString(nonce); err != nil {
			t.Fatalf("nonce %q is not base64: %v", nonce, err)
		}
		seen[nonce] = true
	}
}

// Responses share the constant header values; none may change them for the next response.
func TestSharedHeaderValuesStayIntact(t *testing.T) {
	want := map[string]string{}
	all := map[string][]string{"no-cache": hNoCache, "nosniff": hNoSniff, "DENY": hDeny, "referrer": hReferrer,
		"permissions": hPermissions, "hsts": hHSTS, "vary": hVaryCoding, "html": hHTML, "br": hCodings["br"], "gzip": hCodings["gzip"]}
	for k, v := range all {
		want[k] = strings.Join(v, "|")
	}
	_, h := newTestServer(t)
	for _, target := range []string{"/", "/q/build?v=2", "/result?" + fullPlatform, "/embed/q/build?v=2", "/next?q=build&v=2", "/nope"} {
		for _, accept := range []string{"", "br", "gzip"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", accept)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			// What a later handler or middleware might do to a response's headers.
			rec.Header().Add("Vary", "Origin")
			rec.Header().Add("Cache-Control", "private")
			rec.Header().Add("Content-Type", "x")
		}
	}
	for k, v := range all {
		if got := strings.Join(v, "|"); got != want[k] || cap(v) != 1 {
			t.Errorf("shared %s is now %q (cap %d)", k, got, cap(v))
		}
	}
}

// securityHeaders hands its nonce to the page even without instrument in front of it.
func TestNonceWithoutInstrument(t *testing.T) {
	s, _ := newTestServer(t)
	h := s.securityHeaders(false)(s.handle(s.start))
	r := get(t, h, "/")
	wantStatus(t, r, http.StatusOK)
	csp := r.Header().Get("Content-Security-Policy")
	nonce, _, _ := strings.Cut(strings.SplitN(csp, "'nonce-", 2)[1], "'")
	if nonce == "" || r.doc.Find("script").Length() == 0 {
		t.Fatalf("no nonce in %q or no script on the page", csp)
	}
	r.doc.Find("script").Each(func(_ int, sc *goquery.Selection) {
		if got := sc.AttrOr("nonce", ""); got != nonce {
			t.Errorf("script nonce %q, CSP nonce %q", got, nonce)
		}
	})
}
