package handlers

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/static"
)

// embedScriptBudget is the most static/embed.js may weigh gzipped: host pages load it on every view.
const embedScriptBudget = 3072

func TestEmbedScriptServed(t *testing.T) {
	_, h := newTestServer(t)
	a, _ := static.Lookup("embed.js")
	if a == nil {
		t.Fatal("static/embed.js is not embedded")
	}
	r := get(t, h, "/embed.js")
	wantStatus(t, r, http.StatusOK)
	for k, v := range map[string]string{
		"Content-Type":                "text/javascript; charset=utf-8",
		"Cache-Control":               "public, max-age=3600",
		"Access-Control-Allow-Origin": "*",
		"X-Content-Type-Options":      "nosniff",
	} {
		if got := r.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !bytes.Equal(r.Body.Bytes(), a.Body) {
		t.Error("GET /embed.js does not serve static/embed.js")
	}

	// Revalidation after the hour costs a 304, and HEAD works like GET.
	etag := r.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	rec := get(t, h, "/embed.js", "If-None-Match", etag)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and no body", rec.Code, rec.Body.Len())
	}
	if head := do(t, h, http.MethodHead, "/embed.js"); head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD /embed.js: %d with %d bytes", head.Code, head.Body.Len())
	}
	if post := do(t, h, http.MethodPost, "/embed.js"); post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /embed.js: %d, want 405", post.Code)
	}

	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(a.Body)
	zw.Close()
	if gz.Len() >= embedScriptBudget {
		t.Errorf("embed.js is %d bytes gzipped, the budget is under %d", gz.Len(), embedScriptBudget)
	}
	t.Logf("embed.js: %d bytes, %d gzipped", len(a.Body), gz.Len())
}

// TestEmbedScriptSpeaksTheFrameProtocol pins the names both sides of the postMessage protocol
// must agree on, so a rename on one side fails here rather than silently in a host page.
func TestEmbedScriptSpeaksTheFrameProtocol(t *testing.T) {
	host, _ := static.Lookup("embed.js")
	frame, _ := static.Lookup("embed-frame.js")
	for _, want := range []string{`"nest-next-wizard"`, `"resize"`, `"ready"`, `"step"`, `"complete"`, `d.v !== 1`, `e.origin !== origin`, `contentWindow === e.source`, `"/embed/"`, `document.currentScript`} {
		if !bytes.Contains(host.Body, []byte(want)) {
			t.Errorf("embed.js lacks %s", want)
		}
	}
	for _, want := range []string{`"nest-next-wizard:"`, `v: 1`, `post("resize"`, `post("ready"`, `post("step"`, `post("complete"`, "shareUrl", "recommendation", "question", "index", "height"} {
		if !bytes.Contains(frame.Body, []byte(want)) {
			t.Errorf("embed-frame.js lacks %s", want)
		}
	}
	for _, banned := range []string{"document.cookie", "localStorage", "sessionStorage", "indexedDB", "setAttribute(\"style\"", "innerHTML", "eval("} {
		if bytes.Contains(host.Body, []byte(banned)) {
			t.Errorf("embed.js must not use %s", banned)
		}
	}
}

// embeddingPage is what the /embedding page shows for a query.
type embeddingPage struct {
	scriptSnippet, iframeSnippet string
	preview                      *goquery.Selection
	doc                          *goquery.Document
	body                         string
}

func getEmbedding(t *testing.T, h http.Handler, query string) embeddingPage {
	t.Helper()
	target := "/embedding"
	if query != "" {
		target += "?" + query
	}
	r := get(t, h, target)
	wantStatus(t, r, http.StatusOK)
	codes := r.doc.Find("main pre code")
	if codes.Length() < 2 {
		t.Fatalf("%s: want the script and the iframe snippets, found %d code blocks", target, codes.Length())
	}
	preview := r.doc.Find("main [data-nest-next-wizard]")
	if preview.Length() != 1 {
		t.Fatalf("%s: %d preview containers, want 1", target, preview.Length())
	}
	return embeddingPage{
		scriptSnippet: codes.Eq(0).Text(),
		iframeSnippet: codes.Eq(1).Text(),
		preview:       preview,
		doc:           r.doc,
		body:          r.Body.String(),
	}
}

func TestEmbeddingPage(t *testing.T) {
	_, h := newTestServer(t)
	p := getEmbedding(t, h, "")
	if got := p.doc.Find("title").Text(); got != "Embed this wizard – NestJS, Next.js, or both?" {
		t.Errorf("title %q", got)
	}
	if d := p.doc.Find(`meta[name=description]`).AttrOr("content", ""); len(d) < 80 {
		t.Errorf("description too short: %q", d)
	}
	if p.doc.Find(`meta[name=robots]`).Length() != 0 {
		t.Error("the embedding page must be indexable")
	}
	if c := p.doc.Find(`link[rel=canonical]`).AttrOr("href", ""); c != "http://example.com/embedding" {
		t.Errorf("canonical %q", c)
	}
	if p.doc.Find("header.site-header").Length() != 1 || p.doc.Find("main h1").Text() != "Embed this wizard" {
		t.Error("the embedding page is a site page with its own h1")
	}

	wantScript := "<div data-nest-next-wizard></div>\n<script src=\"http://example.com/embed.js\" async></script>"
	if p.scriptSnippet != wantScript {
		t.Errorf("script snippet:\n%s\nwant:\n%s", p.scriptSnippet, wantScript)
	}
	for _, want := range []string{`<iframe src="http://example.com/embed/"`, `title="NestJS, Next.js, or both? decision wizard"`, `loading="lazy"`, `allow="clipboard-write; web-share"`, "width:100%", "border:0"} {
		if !strings.Contains(p.iframeSnippet, want) {
			t.Errorf("iframe snippet lacks %s:\n%s", want, p.iframeSnippet)
		}
	}
	for _, attr := range []string{"data-accent", "data-theme", "data-intro"} {
		if _, ok := p.preview.Attr(attr); ok {
			t.Errorf("default preview has %s", attr)
		}
	}

	// The form: a GET form inside main (htmx boosts it), defaults selected.
	form := p.doc.Find("main form")
	if form.AttrOr("method", "") != "get" || form.AttrOr("action", "") != "/embedding" {
		t.Errorf("options form: method %q action %q", form.AttrOr("method", ""), form.AttrOr("action", ""))
	}
	if form.Find(`input[name=theme][value=auto][checked]`).Length() != 1 || form.Find(`input[name=intro][checked]`).Length() != 0 || form.Find(`input[name=accent]`).AttrOr("value", "x") != "" {
		t.Error("defaults: automatic theme, intro shown, no accent")
	}
	for _, id := range []string{"embed-accent", "embed-theme-auto", "embed-theme-light", "embed-theme-dark", "embed-intro"} {
		if p.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("control %s has no label", id)
		}
	}

	// The preview runs the real script from this origin (script-src 'self').
	if p.doc.Find(`script[src="/embed.js"]`).Length() != 1 {
		t.Error("the preview needs /embed.js")
	}

	// The documentation a host needs.
	text := p.doc.Find("main").Text()
	for _, want := range []string{
		"nest-next-wizard:ready", "nest-next-wizard:step", "nest-next-wizard:complete",
		"event.detail.question", "event.detail.index", "event.detail.recommendation", "event.detail.shareUrl",
		"addEventListener(\"nest-next-wizard:complete\"",
		"EMBED_ALLOWED_ORIGINS", "frame-ancestors",
		"No cookies", "storage", "Back button",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the embedding page does not mention %q", want)
		}
	}
}

func TestEmbeddingPageOptions(t *testing.T) {
	_, h := newTestServer(t)
	tests := []struct {
		name        string
		query       string
		div         string // the snippet's first line
		iframeQuery url.Values
		preview     map[string]string
		theme       string
		intro       bool
		accent      string
		invalid     bool
	}{
		{
			name:        "all options",
			query:       "accent=%234A3A94&theme=dark&intro=0",
			div:         `<div data-nest-next-wizard data-accent="#4a3a94" data-theme="dark" data-intro="hide"></div>`,
			iframeQuery: url.Values{"accent": {"4a3a94"}, "theme": {"dark"}, "intro": {"0"}},
			preview:     map[string]string{"data-accent": "#4a3a94", "data-theme": "dark", "data-intro": "hide"},
			theme:       "dark", intro: true, accent: "#4a3a94",
		},
		{
			name:        "accent without hash, light",
			query:       "accent=0f7a45&theme=light",
			div:         `<div data-nest-next-wizard data-accent="#0f7a45" data-theme="light"></div>`,
			iframeQuery: url.Values{"accent": {"0f7a45"}, "theme": {"light"}},
			preview:     map[string]string{"data-accent": "#0f7a45", "data-theme": "light"},
			theme:       "light", accent: "#0f7a45",
		},
		{
			name:        "auto is the default",
			query:       "theme=auto&accent=",
			div:         `<div data-nest-next-wizard></div>`,
			iframeQuery: url.Values{},
			preview:     map[string]string{},
			theme:       "auto",
		},
		{
			name:        "invalid values are ignored",
			query:       "accent=red&theme=purple&intro=1",
			div:         `<div data-nest-next-wizard></div>`,
			iframeQuery: url.Values{},
			preview:     map[string]string{},
			theme:       "auto", invalid: true,
		},
		{
			name:        "short and long hex are ignored",
			query:       "accent=%23fff&theme=DARK&intro=no",
			div:         `<div data-nest-next-wizard></div>`,
			iframeQuery: url.Values{},
			preview:     map[string]string{},
			theme:       "auto", invalid: true,
		},
		{
			name:        "a valid option survives invalid ones",
			query:       "accent=%2300000g&theme=dark&intro=0&extra=1",
			div:         `<div data-nest-next-wizard data-theme="dark" data-intro="hide"></div>`,
			iframeQuery: url.Values{"theme": {"dark"}, "intro": {"0"}},
			preview:     map[string]string{"data-theme": "dark", "data-intro": "hide"},
			theme:       "dark", intro: true, invalid: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := getEmbedding(t, h, tt.query)
			if first, _, _ := strings.Cut(p.scriptSnippet, "\n"); first != tt.div {
				t.Errorf("snippet div:\n%s\nwant:\n%s", first, tt.div)
			}
			if !strings.HasSuffix(p.scriptSnippet, "\n<script src=\"http://example.com/embed.js\" async></script>") {
				t.Errorf("snippet script line: %q", p.scriptSnippet)
			}
			src := strings.TrimPrefix(p.iframeSnippet, `<iframe src="`)
			src, _, _ = strings.Cut(src, `"`)
			src = strings.ReplaceAll(src, "&amp;", "&") // the snippet is HTML: & is escaped in attributes
			u, err := url.Parse(src)
			if err != nil || u.Scheme+"://"+u.Host+u.Path != "http://example.com/embed/" {
				t.Fatalf("iframe src %q (%v)", src, err)
			}
			if got := u.Query(); got.Encode() != tt.iframeQuery.Encode() {
				t.Errorf("iframe src query %q, want %q", got.Encode(), tt.iframeQuery.Encode())
			}
			for _, attr := range []string{"data-accent", "data-theme", "data-intro"} {
				got, ok := p.preview.Attr(attr)
				want, wantOK := tt.preview[attr]
				if ok != wantOK || got != want {
					t.Errorf("preview %s = %q (%v), want %q (%v)", attr, got, ok, want, wantOK)
				}
			}
			form := p.doc.Find("main form")
			if form.Find(`input[name=theme][checked]`).AttrOr("value", "") != tt.theme {
				t.Errorf("checked theme %q, want %q", form.Find(`input[name=theme][checked]`).AttrOr("value", ""), tt.theme)
			}
			if got := form.Find(`input[name=intro][checked]`).Length() == 1; got != tt.intro {
				t.Errorf("intro checkbox checked = %v, want %v", got, tt.intro)
			}
			if got := form.Find(`input[name=accent]`).AttrOr("value", "?"); got != tt.accent {
				t.Errorf("accent field %q, want %q", got, tt.accent)
			}
			hasNotice := strings.Contains(p.doc.Find("main .notice").Text(), "six hexadecimal digits")
			if hasNotice != tt.invalid || (form.Find(`input[name=accent][aria-invalid=true]`).Length() == 1) != tt.invalid {
				t.Errorf("invalid accent notice = %v, want %v", hasNotice, tt.invalid)
			}
		})
	}
}

func TestEmbeddingPageNeverReflectsHostileInput(t *testing.T) {
	_, h := newTestServer(t)
	payloads := []string{
		`"><script>alert(1)</script>`,
		`#000000"><img src=x onerror=alert(1)>`,
		`dark" onmouseover="alert(1)`,
		"<svg/onload=alert(1)>",
		`javascript:alert(1)`,
		"\x00\r\n",
	}
	for _, pl := range payloads {
		esc := url.QueryEscape(pl)
		for _, q := range []string{"accent=" + esc, "theme=" + esc, "intro=" + esc, "accent=" + esc + "&theme=" + esc + "&intro=" + esc, esc + "=" + esc} {
			p := getEmbedding(t, h, q)
			if strings.ContainsAny(pl, "<\"") && strings.Contains(p.body, pl) {
				t.Errorf("%s: payload reflected unescaped", q)
			}
			if strings.Contains(p.body, "<script>alert") || strings.Contains(p.body, "<img src=x") || strings.Contains(p.body, "<svg/onload") || strings.Contains(p.body, `" onmouseover="`) {
				t.Errorf("%s: markup injected", q)
			}
			if strings.Contains(p.scriptSnippet, "alert") || strings.Contains(p.iframeSnippet, "alert") {
				t.Errorf("%s: payload in a snippet: %q / %q", q, p.scriptSnippet, p.iframeSnippet)
			}
			for _, attr := range []string{"data-accent", "data-theme", "data-intro"} {
				if v, ok := p.preview.Attr(attr); ok {
					t.Errorf("%s: preview got %s=%q", q, attr, v)
				}
			}
			// An invalid accent is dropped, not echoed back into the field.
			p.doc.Find("main input").Each(func(_ int, in *goquery.Selection) {
				if v := in.AttrOr("value", ""); strings.Contains(v, "alert") {
					t.Errorf("%s: input %s echoes %q", q, in.AttrOr("name", ""), v)
				}
			})
		}
	}
}

func TestEmbeddingUsesPublicURL(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	_, h := newTestServer(t, withConfig(Config{PublicURL: pub, EmbedAllowedOrigins: []string{"https://blog.example.org", "https://*.example.net"}}))
	p := getEmbedding(t, h, "theme=dark")
	if !strings.Contains(p.scriptSnippet, `<script src="https://wizard.example.com/embed.js" async></script>`) {
		t.Errorf("script snippet ignores PUBLIC_URL: %s", p.scriptSnippet)
	}
	if !strings.HasPrefix(p.iframeSnippet, `<iframe src="https://wizard.example.com/embed/?theme=dark"`) {
		t.Errorf("iframe snippet ignores PUBLIC_URL: %s", p.iframeSnippet)
	}
	// The preview always loads the script from the page's own origin.
	if p.doc.Find(`script[src="/embed.js"]`).Length() != 1 {
		t.Error("the preview script must be same-origin")
	}
	if !strings.Contains(p.doc.Find("main").Text(), "https://blog.example.org https://*.example.net") {
		t.Error("the page should show this server's allowlist")
	}
}

// cspDirective returns one directive's value from a Content-Security-Policy header.
func cspDirective(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		if v, ok := strings.CutPrefix(d, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestEmbedFramingFollowsConfig checks frame-ancestors per route group with the default and with a
// configured allowlist: embed pages take 'self' plus the allowlist; the rest, the script and the
// embedding page included, refuse to be framed at all.
func TestEmbedFramingFollowsConfig(t *testing.T) {
	tests := []struct {
		name    string
		origins []string
		want    string
	}{
		{"default", nil, "'self' https:"},
		{"development", DevEmbedAllowedOrigins, "'self' https: http://localhost:* http://127.0.0.1:*"},
		{"configured", []string{"https://blog.example.org", "https://*.example.net"}, "'self' https://blog.example.org https://*.example.net"},
		{"none", []string{"'none'"}, "'self'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, h := newTestServer(t, withConfig(Config{EmbedAllowedOrigins: tt.origins}))
			for _, target := range []string{"/embed/", "/embed/?intro=0", "/embed/q/build?v=3&theme=dark", "/embed/next?q=build&v=3", "/embed/result?" + fullPlatform, "/embed/theme.css?accent=ff8800", "/embed/nope"} {
				r := get(t, h, target)
				csp := r.Header().Get("Content-Security-Policy")
				if got := cspDirective(csp, "frame-ancestors"); got != tt.want {
					t.Errorf("%s: frame-ancestors %q, want %q", target, got, tt.want)
				}
				if xfo := r.Header().Get("X-Frame-Options"); xfo != "" {
					t.Errorf("%s: X-Frame-Options %q would block every embed", target, xfo)
				}
			}
			for _, target := range []string{"/", "/q/build?v=3", "/result?" + fullPlatform, "/embedding", "/embedding?theme=dark", "/embed.js", "/static/nope", "/nope", "/embedx/"} {
				r := get(t, h, target)
				if got := cspDirective(r.Header().Get("Content-Security-Policy"), "frame-ancestors"); got != "'none'" {
					t.Errorf("%s: frame-ancestors %q, want 'none'", target, got)
				}
				if xfo := r.Header().Get("X-Frame-Options"); xfo != "DENY" {
					t.Errorf("%s: X-Frame-Options %q, want DENY", target, xfo)
				}
			}
		})
	}
}
