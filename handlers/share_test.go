package handlers

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
)

func TestFramingHeaders(t *testing.T) {
	_, h := newTestServer(t)
	for _, target := range []string{"/", "/q/build?v=3", "/result?" + fullPlatform, "/static/" + "nope", "/no/such", "/embedding"} {
		r := get(t, h, target)
		csp := r.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || r.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: site pages must not be framed; CSP %q XFO %q", target, csp, r.Header().Get("X-Frame-Options"))
		}
	}
	for _, target := range []string{"/embed/", "/embed/q/build?v=3", "/embed/result?" + fullPlatform, "/embed/nope"} {
		r := get(t, h, target)
		csp := r.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'self' https:") || r.Header().Get("X-Frame-Options") != "" {
			t.Errorf("%s: embed pages take the allowlist; CSP %q XFO %q", target, csp, r.Header().Get("X-Frame-Options"))
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, h := newTestServer(t)
	a := get(t, h, "/")
	csp := a.Header().Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-") || strings.Contains(csp, "nonce-") {
		t.Errorf("CSP must be strict and the same on every response: %s", csp)
	}
	// script-src 'self' holds only because no page has an inline script or event handler.
	for _, target := range []string{"/", "/q/build?v=1", "/result?" + fullPlatform, "/embed/result?" + fullPlatform, "/embedding", "/next?q=build&v=1", "/nope"} {
		r := get(t, h, target)
		r.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") || strings.TrimSpace(s.Text()) != "" {
				t.Errorf("%s: a script that is not a same-origin file: src %q", target, src)
			}
		})
		if r.doc.Find("[onclick],[onload],[onerror],[onsubmit],[onchange]").Length() > 0 || strings.Contains(r.Body.String(), "javascript:") {
			t.Errorf("%s: inline event handler or javascript: URL", target)
		}
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := a.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if coop := a.Header().Get("Cross-Origin-Opener-Policy"); coop != "" {
		t.Errorf("Cross-Origin-Opener-Policy %q: left out by design (see securityHeaders)", coop)
	}
	if a.Header().Get("Permissions-Policy") == "" {
		t.Error("no Permissions-Policy")
	}
	if a.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS must only be sent when PUBLIC_URL is https")
	}
	pub, _ := url.Parse("https://wizard.example.com")
	_, hs := newTestServer(t, withConfig(Config{PublicURL: pub}))
	if got := get(t, hs, "/").Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS with https PUBLIC_URL: %q", got)
	}
}

func TestCanonicalAndPreviewCard(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	s, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	c := s.content
	q, _ := url.ParseQuery(fullPlatform)
	q.Set("utm_source", "x")
	for _, target := range []string{"/result?" + q.Encode(), "/embed/result?" + fullPlatform + "&accent=ff0000"} {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		want := "https://wizard.example.com/result?" + fullPlatform
		if got := r.doc.Find(`link[rel=canonical]`).AttrOr("href", ""); got != want {
			t.Errorf("%s: canonical %q, want %q", target, got, want)
		}
		meta := func(p string) string { return r.doc.Find(`meta[property="`+p+`"]`).AttrOr("content", "") }
		if meta("og:url") != want {
			t.Errorf("og:url %q", meta("og:url"))
		}
		// One colon: the title names the outcome, the description is the result's summary.
		if meta("og:title") != "Recommendation: Both" {
			t.Errorf("og:title %q", meta("og:title"))
		}
		if meta("og:description") != c.Outcome(decision.Both).Summary {
			t.Errorf("og:description should be the result's summary: %q", meta("og:description"))
		}
		if meta("og:image") != "https://wizard.example.com/og/v3/both.png" || meta("og:image:width") != "1200" || meta("og:image:height") != "630" {
			t.Errorf("og:image %q %sx%s", meta("og:image"), meta("og:image:width"), meta("og:image:height"))
		}
		for _, p := range []string{"og:type", "og:site_name"} {
			if meta(p) == "" {
				t.Errorf("missing %s", p)
			}
		}
		if r.doc.Find(`meta[name="twitter:card"][content="summary_large_image"]`).Length() != 1 {
			t.Error("missing twitter:card")
		}
	}
	start := get(t, h, "/")
	if start.doc.Find(`meta[property="og:image"]`).AttrOr("content", "") != "https://wizard.example.com/og/v3/start.png" {
		t.Error("start page needs its own card")
	}
	// A result that names no framework says so in its preview too.
	undecided := get(t, h, "/result?build=notsure&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=3")
	meta := func(p string) string { return undecided.doc.Find(`meta[property="`+p+`"]`).AttrOr("content", "") }
	if o := c.Outcome(decision.NotSure); meta("og:title") != o.Headline || meta("og:description") != o.Summary || meta("og:image") != "https://wizard.example.com/og/v3/undecided.png" {
		t.Errorf("undecided preview: %q / %q / %q", meta("og:title"), meta("og:description"), meta("og:image"))
	}
}

func TestPreviewImages(t *testing.T) {
	_, h := newTestServer(t)
	for _, name := range []string{"start", "nestjs", "nextjs", "both", "undecided"} {
		r := get(t, h, "/og/v3/"+name+".png")
		wantStatus(t, r, http.StatusOK)
		if r.Header().Get("Content-Type") != "image/png" || r.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: headers %v", name, r.Header())
		}
		img, err := png.Decode(bytes.NewReader(r.Body.Bytes()))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
			t.Errorf("%s: %dx%d", name, b.Dx(), b.Dy())
		}
	}
	for _, bad := range []string{"/og/v2/both.png", "/og/v3/neither.png", "/og/vx/both.png"} {
		if r := get(t, h, bad); r.Code != http.StatusNotFound {
			t.Errorf("%s: %d", bad, r.Code)
		}
	}
}

func TestRobotsAllowsResultsAndImages(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/robots.txt")
	wantStatus(t, r, http.StatusOK)
	for _, line := range strings.Split(r.Body.String(), "\n") {
		if strings.HasPrefix(line, "Disallow:") {
			p := strings.TrimSpace(strings.TrimPrefix(line, "Disallow:"))
			for _, allowed := range []string{"/result", "/og/", "/"} {
				if strings.HasPrefix(allowed, p) {
					t.Errorf("robots.txt blocks %s with %q", allowed, line)
				}
			}
		}
	}
}

func TestEmbedPages(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/embed/q/build?v=3&accent=%23FF8800&theme=dark&intro=0&evil=%3Cscript%3E")
	wantStatus(t, r, http.StatusOK)
	if r.doc.Find("header.site-header, footer.site-footer").Length() != 0 {
		t.Error("embed pages have no site chrome")
	}
	if r.doc.Find("html").AttrOr("data-theme", "") != "dark" {
		t.Error("theme=dark not applied")
	}
	if r.doc.Find(`link[href="/embed/theme.css?accent=ff8800"]`).Length() != 1 {
		t.Error("accent stylesheet missing")
	}
	if cfg := r.doc.Find(`meta[name=htmx-config]`).AttrOr("content", ""); !strings.Contains(cfg, `"history":false`) {
		t.Errorf("embed must not push history: %s", cfg)
	}
	open := r.doc.Find(".embed-bar a")
	if open.AttrOr("target", "") != "_blank" || !strings.Contains(open.AttrOr("href", ""), "/q/build?") || strings.Contains(open.AttrOr("href", ""), "accent") {
		t.Errorf("open-in-new-tab link %v", open.AttrOr("href", ""))
	}
	if r.doc.Find("[autofocus]").Length() != 0 {
		t.Error("nothing may autofocus in an embed")
	}
	form := r.doc.Find("form")
	if form.AttrOr("action", "") != "/embed/next" || form.Find(`input[name=accent][value=ff8800]`).Length() != 1 {
		t.Error("the embed form must stay in the embed and keep the theme")
	}
	if strings.Contains(r.Body.String(), "<script>") {
		t.Error("hostile parameter reflected")
	}
	if r.doc.Find(`script[src*="embed-frame"]`).Length() != 1 {
		t.Error("embed pages need the frame script")
	}

	next := get(t, h, "/embed/next?build=site&q=build&v=3&accent=ff8800")
	if loc := next.Header().Get("Location"); loc != "/embed/q/logic?build=site&v=3&accent=ff8800" {
		t.Errorf("embed redirect %q", loc)
	}
	if e := get(t, h, "/embed/next?q=logic&build=site&v=3"); e.Code != http.StatusUnprocessableEntity || e.doc.Find("[autofocus]").Length() != 0 {
		t.Error("embed error page must not autofocus")
	}
	// "Open in a new tab" opens the page the visitor is on: the question itself for its error
	// state, the share link for a result; main carries the same address for embed-frame.js.
	for path, want := range map[string]string{
		"/embed/next?q=logic&build=site&v=3&theme=dark":    "http://example.com/q/logic?build=site&v=3",
		"/embed/result?" + fullPlatform + "&accent=ff8800": "http://example.com/result?" + fullPlatform,
	} {
		r := get(t, h, path)
		if got := r.doc.Find(".embed-bar a").AttrOr("href", ""); got != want {
			t.Errorf("%s: Open in a new tab → %q, want %q", path, got, want)
		}
		if got := r.doc.Find("main").AttrOr("data-open-url", ""); got != want {
			t.Errorf("%s: main data-open-url %q, want %q", path, got, want)
		}
	}
	intro := get(t, h, "/embed/?intro=0")
	if loc := intro.Header().Get("Location"); loc != "/embed/q/build?v=3&intro=0" {
		t.Errorf("intro=0 should skip to the first question, got %q", loc)
	}
	res := get(t, h, "/embed/result?"+fullPlatform)
	res.doc.Find(".source a, a[download]").Each(func(_ int, a *goquery.Selection) {
		if a.AttrOr("target", "") != "_blank" {
			t.Errorf("link leaving the wizard must open a new tab: %s", a.AttrOr("href", ""))
		}
	})
	if res.doc.Find(".panel").AttrOr("data-share-url", "") != "http://example.com/result?"+fullPlatform {
		t.Error("complete event needs the canonical share URL")
	}

	css := get(t, h, "/embed/theme.css?accent=ffffff")
	if !strings.Contains(css.Body.String(), "--accent:#ffffff;--accent-text:#000") {
		t.Errorf("theme.css %q", css.Body.String())
	}
	if get(t, h, "/embed/theme.css?accent=red").Code != http.StatusNotFound {
		t.Error("invalid accent must be refused")
	}
}

func TestShareUI(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+fullPlatform)
	field := r.doc.Find("input#share-url")
	if field.AttrOr("value", "") != "http://example.com/result?"+fullPlatform || field.AttrOr("readonly", "x") == "x" {
		t.Error("share field should hold the absolute link, read-only")
	}
	if r.doc.Find(`label[for=share-url]`).Length() != 1 || r.doc.Find(`.share [role=status][aria-live=polite]`).Length() != 1 {
		t.Error("share field needs a label and a polite live region")
	}
	if r.doc.Find("button[data-copy][hidden], button[data-share][hidden]").Length() != 2 {
		t.Error("copy and share buttons start hidden; app.js reveals them where supported")
	}
}

func TestLinkNotes(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+strings.Replace(fullPlatform, "v=3", "v=7", 1))
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.doc.Find(".notice").Text(), "newer version of the wizard (v7)") {
		t.Error("a newer-version link should get a notice")
	}
	r = get(t, h, "/q/seo?build=site&logic=simple&v=3&changed=seo,nope")
	wantStatus(t, r, http.StatusOK)
	if got := r.doc.Find(".notice").Text(); !strings.Contains(got, "1 of your answers refers to a question that changed") {
		t.Errorf("changed= should be explained, got %q", got)
	}
	if href := r.doc.Find(".notice a").AttrOr("href", ""); !strings.HasPrefix(href, "/q/seo?") {
		t.Errorf("review link %q", href)
	}
}

// Every response carries the security headers, whatever answered it: a page, an asset, an
// error page, a 414 before any handler, a panic's 500, a 405 and the API. Under /embed/ the
// framing is the embed's: no X-Frame-Options (TestEmbedErrorPagesAreFramable has the rest).
func TestEveryResponseHasSecurityHeaders(t *testing.T) {
	s, h := newTestServer(t)
	panicky := s.routes().(interface {
		Get(string, http.HandlerFunc)
	})
	panicky.Get("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	long := "?x=" + strings.Repeat("a", 5000)
	for _, tc := range []struct {
		method, target string
		h              http.Handler
	}{
		{"GET", "/", h}, {"GET", "/result" + long, h}, {"GET", "/embed/q/build" + long, h}, {"GET", "/api/v1/result" + long, h},
		{"GET", "/no/such", h}, {"POST", "/", h}, {"BREW", "/api/v1/result", h}, {"GET", "/healthz", h},
		{"GET", "/og/v1/start.png", h}, {"GET", "/embed.js", h}, {"GET", "/api/v1/decision", h},
		{"GET", "/next?q=build&v=1", h}, {"GET", "/boom", panicky.(http.Handler)},
	} {
		rec := do(t, tc.h, tc.method, tc.target)
		keys := []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options"}
		if strings.HasPrefix(tc.target, "/embed/") {
			keys = keys[:4]
			if xfo := rec.Header().Values("X-Frame-Options"); len(xfo) != 0 {
				t.Errorf("%s %s (%d): X-Frame-Options %q under /embed/", tc.method, tc.target, rec.Code, xfo)
			}
		}
		for _, k := range keys {
			if got := rec.Header().Values(k); len(got) != 1 || got[0] == "" {
				t.Errorf("%s %s (%d): %s = %q, want one value", tc.method, tc.target, rec.Code, k, got)
			}
		}
	}
}
