package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Tests of the harness itself, against small inline pages.

const selftestPageTmpl = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%TITLE%</title></head><body><main>%BODY%</main></body></html>`

func selftestHTML(title, body string) string {
	return strings.NewReplacer("%TITLE%", title, "%BODY%", body).Replace(selftestPageTmpl)
}

// selftestPixel is a 1x1 transparent GIF.
var selftestPixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func selftestServer(t *testing.T) *httptest.Server {
	t.Helper()
	pages := map[string]string{
		"/good": selftestHTML("Good", `<h1>Good page</h1><img src="/selftestPixel.gif" alt="A dot"><p>Fine.</p>`),
		"/bad":  selftestHTML("Bad", `<h1>Bad page</h1><img src="/selftestPixel.gif"><p>No alt.</p>`),
		"/js": selftestHTML("JS", `<h1>JS</h1><p id="out">static</p>
<script>document.getElementById('out').textContent = 'changed by js';</script>`),
		"/a": selftestHTML("A", `<h1 id="h">Page A</h1><p id="swap">before</p>
<button id="swapper" type="button">Swap</button> <a id="next" href="/b">Go to B</a>
<script>document.getElementById('swapper').addEventListener('click', () => {
  setTimeout(() => { document.getElementById('swap').textContent = 'after'; }, 100);
});</script>`),
		"/b": selftestHTML("B", `<h1 id="h">Page B</h1>`),
		"/console": selftestHTML("Console", `<h1>Console</h1>
<script>console.log('just info'); console.error('boom', 42); throw new Error('kaboom');</script>`),
		"/csp": selftestHTML("CSP", `<h1 id="h">CSP</h1><p id="out">static</p>
<script>document.getElementById('out').textContent = 'inline ran';</script>`),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/selftestPixel.gif", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		w.Write(selftestPixel)
	})
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/csp" {
			w.Header().Set("Content-Security-Policy", "script-src 'none'")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFindChromiumMissingCHROME_PATH(t *testing.T) {
	t.Setenv("CHROME_PATH", "/nonexistent")
	if p, why := findChromium(); p != "" || why == "" {
		t.Fatalf("findChromium() = %q, %q; want not found", p, why)
	}
}

func TestHarnessAxe(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)

	navigate(t, ctx, srv.URL+"/bad")
	vs := runAxe(t, ctx)
	found := false
	for _, v := range vs {
		if v.ID == "image-alt" {
			found = true
			if len(v.Nodes) != 1 || !strings.Contains(v.Nodes[0].HTML, "<img") || len(v.Nodes[0].Target) == 0 {
				t.Errorf("image-alt nodes = %+v", v.Nodes)
			}
		}
	}
	if !found {
		t.Fatalf("axe found no image-alt violation on /bad; got:\n%s", formatAxe(vs))
	}
	t.Logf("expected violation on /bad, as a failure would print it:\n%s", formatAxe(vs))

	if status := navigate(t, ctx, srv.URL+"/good"); status != http.StatusOK {
		t.Fatalf("status = %d", status)
	}
	if vs := runAxe(t, ctx); len(vs) != 0 {
		t.Fatalf("axe violations on /good:\n%s", formatAxe(vs))
	}
	assertNoAxeViolations(t, ctx, "good page")
}

func TestHarnessJSEnabled(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)
	navigate(t, ctx, srv.URL+"/js")
	if got := text(t, ctx, "#out"); got != "changed by js" {
		t.Fatalf("JS-enabled tab: #out = %q, want %q", got, "changed by js")
	}
}

func TestHarnessJSDisabled(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t, withJSDisabled())
	if !jsDisabled(t, ctx) {
		t.Fatal("jsDisabled = false")
	}
	navigate(t, ctx, srv.URL+"/js")
	if got := text(t, ctx, "#out"); got != "static" {
		t.Fatalf("JS-disabled tab: #out = %q, want %q (page script ran)", got, "static")
	}

	// axe needs script; runAxe turns it on only while it runs.
	navigate(t, ctx, srv.URL+"/bad")
	if vs := runAxe(t, ctx); len(vs) == 0 {
		t.Fatal("axe in a JS-disabled tab found nothing on /bad")
	}
	navigate(t, ctx, srv.URL+"/js")
	if got := text(t, ctx, "#out"); got != "static" {
		t.Fatalf("after runAxe, JS is on again: #out = %q", got)
	}

	// A link still navigates without JS.
	navigate(t, ctx, srv.URL+"/a")
	setNavMarker(t, ctx)
	clickAndWaitLoad(t, ctx, "#next")
	if markerPresent(t, ctx) || !strings.HasSuffix(location(t, ctx), "/b") {
		t.Fatalf("no-JS link: marker=%v location=%s", markerPresent(t, ctx), location(t, ctx))
	}
}

func TestHarnessNavigationMarker(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)
	navigate(t, ctx, srv.URL+"/a")
	waitVisible(t, ctx, "#swapper")
	if !exists(t, ctx, "#next") || exists(t, ctx, "#nope") {
		t.Fatal("exists() is wrong")
	}
	if title := evalJS[string](t, ctx, `Promise.resolve(document.title)`); title != "A" {
		t.Fatalf("evalJS title = %q", title)
	}
	h0 := historyLength(t, ctx)
	setNavMarker(t, ctx)

	// In-place change: the marker survives, URL and history stay.
	click(t, ctx, "#swapper")
	waitText(t, ctx, "#swap", "after")
	if !markerPresent(t, ctx) {
		t.Fatal("marker lost after an in-place change")
	}
	if h := historyLength(t, ctx); h != h0 {
		t.Errorf("history.length = %d after in-place change, want %d", h, h0)
	}
	if !strings.HasSuffix(location(t, ctx), "/a") {
		t.Errorf("location = %s", location(t, ctx))
	}

	// Full navigation: the marker is gone.
	clickAndWaitLoad(t, ctx, "#next")
	if markerPresent(t, ctx) {
		t.Fatal("marker survived a full navigation")
	}
	if got := text(t, ctx, "#h"); got != "Page B" {
		t.Errorf("h = %q", got)
	}
	if !strings.HasSuffix(location(t, ctx), "/b") {
		t.Errorf("location = %s, want /b", location(t, ctx))
	}
	if h := historyLength(t, ctx); h != h0+1 {
		t.Errorf("history.length = %d after navigation, want %d", h, h0+1)
	}
}

func TestHarnessConsoleCapture(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)
	navigate(t, ctx, srv.URL+"/good")
	if errs := consoleErrors(t, ctx); len(errs) != 0 {
		t.Fatalf("clean page has console errors: %v", errs)
	}
	assertNoConsoleErrors(t, ctx)

	navigate(t, ctx, srv.URL+"/console")
	errs := consoleErrors(t, ctx)
	var sawError, sawException bool
	for _, e := range errs {
		sawError = sawError || (e.Source == "console-api" && strings.Contains(e.Text, "boom 42"))
		sawException = sawException || (e.Level == "exception" && strings.Contains(e.Text, "kaboom"))
		if strings.Contains(e.Text, "just info") {
			t.Errorf("console.log counted as an error: %v", e)
		}
	}
	if !sawError || !sawException {
		t.Fatalf("console errors = %v; want console.error 'boom 42' and exception 'kaboom'", errs)
	}
	t.Logf("captured: %v", errs)
}

func TestHarnessCSPCapture(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)
	navigate(t, ctx, srv.URL+"/good")
	assertNoCSPViolations(t, ctx)

	navigate(t, ctx, srv.URL+"/csp")
	if got := text(t, ctx, "#out"); got != "static" {
		t.Fatalf("CSP did not block the inline script: #out = %q", got)
	}
	vs := cspViolations(t, ctx)
	var event, logged bool
	for _, v := range vs {
		event = event || (v.Source == "event" && strings.HasPrefix(v.Directive, "script-src") && v.BlockedURI == "inline")
		logged = logged || v.Source == "log"
	}
	if !event || !logged {
		t.Fatalf("CSP violations = %v; want a securitypolicyviolation event and a log line", vs)
	}
	t.Logf("captured: %v", vs)

	// axe still runs on a page whose CSP forbids all scripts.
	assertNoAxeViolations(t, ctx, "CSP page")
}

func TestHarnessScreenshot(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t)
	navigate(t, ctx, srv.URL+"/good")
	p := screenshot(t, ctx, "good")
	buf, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG", p)
	}
}

func TestHarnessTimeout(t *testing.T) {
	srv := selftestServer(t)
	ctx := newBrowser(t, withTimeout(2*time.Second))
	navigate(t, ctx, srv.URL+"/good")
	start := time.Now()
	err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#never")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout took %v", d)
	}
}
