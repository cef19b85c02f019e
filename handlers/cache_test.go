package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// decodeBody undoes a response's Content-Encoding, failing on anything a browser would reject:
// a bad checksum or length, a stream that does not end, or bytes after its end.
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

// cachedTargets are one of each kind of cached body, embed theme options included.
var cachedTargets = []string{
	"/",
	"/q/build?v=3",
	"/q/realtime?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&v=3",
	"/result?" + fullPlatform,
	"/result.md?" + fullPlatform,
	"/embed/q/build?v=3&theme=dark&accent=" + url.QueryEscape("#0b6e4f"),
	"/embed/result?" + fullPlatform + "&intro=0",
	"/embedding?theme=dark",
	"/api/v1/decision",
	"/api/v1/result?" + fullPlatform,
}

// Two responses for one page have the same CSP and the same bytes, in every coding; each
// coding decodes to the same page and has its own strong ETag.
func TestPagesAreTheSameBytesEveryTime(t *testing.T) {
	_, h := newTestServer(t)
	codings := []struct{ accept, coding string }{
		{"", ""},
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0.5, gzip;q=0.8", "gzip"},
		{"br;q=0, gzip;q=0", ""},
	}
	for _, target := range cachedTargets {
		etags := map[string]string{}
		identity := ""
		for _, c := range codings {
			a := get(t, h, target, "Accept-Encoding", c.accept)
			b := get(t, h, target, "Accept-Encoding", c.accept)
			if a.Code != http.StatusOK {
				t.Fatalf("%s: status %d", target, a.Code)
			}
			if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
				t.Errorf("%s %q: two responses differ", target, c.accept)
			}
			for _, k := range []string{"Content-Security-Policy", "ETag", "Cache-Control", "Content-Encoding", "Vary"} {
				if a.Header().Get(k) != b.Header().Get(k) {
					t.Errorf("%s %q: %s differs: %q, %q", target, c.accept, k, a.Header().Get(k), b.Header().Get(k))
				}
			}
			if a.Header().Get("Content-Security-Policy") == "" {
				t.Errorf("%s: no CSP", target)
			}
			if got := a.Header().Get("Content-Encoding"); got != c.coding {
				t.Fatalf("%s %q: Content-Encoding %q, want %q", target, c.accept, got, c.coding)
			}
			if !strings.Contains(a.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", target, a.Header().Get("Vary"))
			}
			if got, want := a.Header().Get("Content-Length"), strconv.Itoa(a.Body.Len()); got != want {
				t.Errorf("%s %s: Content-Length %s, body %s", target, c.coding, got, want)
			}
			page := decodeBody(t, c.coding, a.Body.Bytes())
			if identity == "" {
				identity = page
			} else if page != identity {
				t.Errorf("%s %s decodes to another page", target, c.coding)
			}
			if prev, ok := etags[c.coding]; ok && prev != a.Header().Get("ETag") {
				t.Errorf("%s %s: ETag changed", target, c.coding)
			}
			etags[c.coding] = a.Header().Get("ETag")
		}
		if etags[""] == etags["br"] || etags["br"] == etags["gzip"] || !strings.HasPrefix(etags[""], `"`) {
			t.Errorf("%s: each coding needs its own strong ETag: %v", target, etags)
		}
		if cc := get(t, h, target).Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("%s: Cache-Control %q has no bounded max-age", target, cc)
		}
	}
}

// Tracking parameters, unknown parameters, parameter order and repeats all get the canonical
// page's bytes, from one cache entry (after the page's first response, which is compressed fast:
// see serve.Page).
func TestJunkParametersShareTheCanonicalPage(t *testing.T) {
	s, h := newTestServer(t)
	for _, tc := range []struct{ canonical, variant string }{
		{"/result?" + fullPlatform, "/result?utm_source=news&" + fullPlatform + "&fbclid=abc123&utm_medium=mail"},
		{"/result?" + fullPlatform, "/result?v=3&quality=helpful&share=yes&team=fullstack&deploy=servers&realtime=some&api=public&render=mixed&seo=critical&growth=monolith&logic=complex&build=platform"},
		{"/q/logic?build=api&v=3", "/q/logic?build=api&build=site&gclid=x&v=3"},
		{"/", "/?ref=somewhere"},
		{"/embed/result?" + fullPlatform + "&theme=dark", "/embed/result?theme=dark&" + fullPlatform + "&utm_campaign=x&scheme=light"},
		{"/api/v1/result?" + fullPlatform, "/api/v1/result?" + fullPlatform + "&utm_source=x"},
		{"/result.md?" + fullPlatform, "/result.md?utm_source=x&" + fullPlatform},
	} {
		get(t, h, tc.canonical, "Accept-Encoding", "br")
		a := get(t, h, tc.canonical, "Accept-Encoding", "br")
		n := s.pages.Bytes()
		b := get(t, h, tc.variant, "Accept-Encoding", "br")
		if a.Code != http.StatusOK || b.Code != http.StatusOK {
			t.Fatalf("%s: %d, %s: %d", tc.canonical, a.Code, tc.variant, b.Code)
		}
		if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) || a.Header().Get("ETag") != b.Header().Get("ETag") {
			t.Errorf("%s is not served as %s", tc.variant, tc.canonical)
		}
		if s.pages.Bytes() != n {
			t.Errorf("%s made a cache entry of its own", tc.variant)
		}
	}
}

// No body, cached or not, holds anything from the request's Host header, an absolute-form
// request target or a forwarded header: without PUBLIC_URL links are relative.
func TestHostNeverReachesABody(t *testing.T) {
	_, h := newTestServer(t)
	targets := append([]string{"/no/such", "/next?q=build&v=3", "/api/v1/result?build=api&v=3", "/embed.js"}, cachedTargets...)
	for _, target := range targets {
		for _, form := range []string{"origin", "absolute"} {
			u := target
			if form == "absolute" {
				u = "http://evil.example" + target
			}
			req := httptest.NewRequest(http.MethodGet, u, nil)
			req.Host = "evil.example"
			req.Header.Set("X-Forwarded-Host", "evil.example")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if strings.Contains(rec.Body.String(), "evil.example") {
				t.Errorf("%s (%s form): the Host reached the body", target, form)
			}
			for k, v := range rec.Header() {
				if strings.Contains(strings.Join(v, " "), "evil.example") {
					t.Errorf("%s: the Host reached header %s", target, k)
				}
			}
		}
	}
}

// HEAD gets GET's headers, and a matching If-None-Match a 304 with the same CSP.
func TestCachedPageHeadAndNotModified(t *testing.T) {
	_, h := newTestServer(t)
	target := "/result?" + fullPlatform
	get(t, h, target, "Accept-Encoding", "br") // the first response, compressed fast
	first := get(t, h, target, "Accept-Encoding", "br")
	head := do(t, h, http.MethodHead, target, "Accept-Encoding", "br")
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != first.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d body bytes, Content-Length %s (GET: %s)", head.Code, head.Body.Len(), head.Header().Get("Content-Length"), first.Header().Get("Content-Length"))
	}
	nm := get(t, h, target, "Accept-Encoding", "br", "If-None-Match", first.Header().Get("ETag"))
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("Content-Security-Policy") != first.Header().Get("Content-Security-Policy") {
		t.Errorf("revalidation: %d, %d bytes, CSP %q", nm.Code, nm.Body.Len(), nm.Header().Get("Content-Security-Policy"))
	}
	// Another coding's tag does not match this one.
	if other := get(t, h, target, "Accept-Encoding", "gzip", "If-None-Match", first.Header().Get("ETag")); other.Code != http.StatusOK {
		t.Errorf("gzip with the br tag: %d", other.Code)
	}
}

// A flood of never-repeated URLs keeps the cache within its budget.
func TestPageCacheBound(t *testing.T) {
	s, h := newTestServer(t)
	for i := range 1500 {
		// Each an unrecognised answer, so each a page of its own (asked again, with a note).
		if rec := get(t, h, "/q/build?build=junk"+strconv.Itoa(i)+"&v=3"); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if s.pages.Bytes() > pageCacheBytes || s.pages.Bytes() < pageCacheBytes/3 {
		t.Errorf("cache holds %d bytes; bound %d", s.pages.Bytes(), pageCacheBytes)
	}
}

// cacheDirectives parses a Cache-Control value into directive -> argument ("" for none).
func cacheDirectives(v string) map[string]string {
	d := map[string]string{}
	for part := range strings.SplitSeq(v, ",") {
		k, arg, _ := strings.Cut(strings.TrimSpace(part), "=")
		if k != "" {
			d[strings.ToLower(k)] = arg
		}
	}
	return d
}

// What browsers and shared caches (a CDN, deploy/varnish/default.vcl) may keep, and for how
// long. Pages and API bodies can change with a deploy under the same URL, so every cache's copy
// is bounded: browsers five minutes; a shared cache revalidates sooner, may answer from its copy
// while it does, and its copy plus that grace still fits in a browser's five minutes (its Age
// counts against them). Immutable names are kept a year; errors and probes not at all.
func TestSharedCacheLifetimes(t *testing.T) {
	s, h := newTestServer(t)
	res := get(t, h, "/result?"+fullPlatform)
	team := res.doc.Find(`a:contains("Decide with your team")`).AttrOr("href", "")
	og := res.doc.Find(`meta[property="og:image"]`).AttrOr("content", "")
	css := res.doc.Find("link[rel=stylesheet]").AttrOr("href", "")
	if team == "" || og == "" || css == "" {
		t.Fatalf("the result page lacks its team link (%q), preview card (%q) or stylesheet (%q)", team, og, css)
	}
	og = strings.TrimPrefix(og, s.cfg.PublicURL.String())

	versioned := append([]string{howPath, team, "/api/v1/openapi.json"}, cachedTargets...)
	for _, target := range versioned {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		cc := r.Header().Get("Cache-Control")
		d := cacheDirectives(cc)
		browser, err1 := strconv.Atoi(d["max-age"])
		shared, err2 := strconv.Atoi(d["s-maxage"])
		stale, err3 := strconv.Atoi(d["stale-while-revalidate"])
		if _, public := d["public"]; !public || err1 != nil || err2 != nil || err3 != nil {
			t.Errorf("%s: Cache-Control %q needs public, max-age, s-maxage and stale-while-revalidate", target, cc)
			continue
		}
		if browser > 300 || shared > browser || shared+stale > browser || shared == 0 || stale == 0 {
			t.Errorf("%s: Cache-Control %q: a deploy must reach browsers within 5 minutes, and the edge's copy (s-maxage, then stale-while-revalidate) within that", target, cc)
		}
		if _, ok := d["must-revalidate"]; ok {
			t.Errorf("%s: Cache-Control %q: must-revalidate forbids the stale answers stale-while-revalidate allows", target, cc)
		}
		if r.Header().Get("ETag") == "" {
			t.Errorf("%s: nothing to revalidate with: no ETag", target)
		}
	}
	for _, target := range []string{css, og} {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		if d := cacheDirectives(r.Header().Get("Cache-Control")); d["max-age"] != "31536000" || !hasDirective(d, "immutable") {
			t.Errorf("%s: Cache-Control %q, want a year and immutable: the name changes with the content", target, r.Header().Get("Cache-Control"))
		}
	}
	for _, target := range []string{"/no-such-page", "/q/nope?v=3", "/api/v1/result?build=api&v=3", "/healthz", "/readyz"} {
		r := get(t, h, target)
		if d := cacheDirectives(r.Header().Get("Cache-Control")); !hasDirective(d, "no-store") {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", target, r.Code, r.Header().Get("Cache-Control"))
		}
	}
	// The form endpoint's redirects: no cache may answer for /next (it counts the answer).
	r := get(t, h, "/next?q=build&build=api&v=3")
	wantStatus(t, r, http.StatusSeeOther)
	if d := cacheDirectives(r.Header().Get("Cache-Control")); d["max-age"] != "" || d["s-maxage"] != "" || hasDirective(d, "public") {
		t.Errorf("/next: Cache-Control %q lets a cache keep the redirect", r.Header().Get("Cache-Control"))
	}
}

func hasDirective(d map[string]string, name string) bool {
	_, ok := d[name]
	return ok
}
