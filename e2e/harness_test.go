// Package e2e holds real-browser journey tests. They drive a headless
// Chromium through chromedp and check pages with axe-core.
//
// Finding Chromium: $CHROME_PATH, else /usr/bin/chromium, chromium,
// chromium-browser, google-chrome, google-chrome-stable on $PATH. A
// CHROME_PATH that names a missing file means "not found" (no fallback), so
// CHROME_PATH=/nonexistent simulates a machine without Chromium. Without
// Chromium the tests skip, unless CI=true, where they fail.
//
// E2E_SCREENSHOT_DIR, when set, keeps screenshots there, and every failed
// test saves a screenshot of its tab there too.
package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe-core/axe.min.js
var axeSource string

const (
	// defaultTestTimeout bounds one test's tab, so a hang fails instead of
	// blocking CI.
	defaultTestTimeout = 60 * time.Second
	// browserStartTimeout bounds the one-off Chromium launch.
	browserStartTimeout = 45 * time.Second
	// cspBinding and cspWorld carry securitypolicyviolation events out of
	// the page; an isolated world keeps them invisible to page scripts.
	cspBinding = "__e2eReportCSP"
	cspWorld   = "e2e-harness"
)

// shared is the one browser process of this test binary; each test gets
// its own tab.
var shared struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab; parent of test tabs
	cancel func()
	dir    string // temp user-data-dir
	path   string
	err    error // launch error, reported to every test
	miss   string
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// findChromium returns the browser path, or "" with the reason.
func findChromium() (string, string) {
	if p, ok := os.LookupEnv("CHROME_PATH"); ok && p != "" {
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			return "", fmt.Sprintf("CHROME_PATH=%q is not a file", p)
		}
		return p, ""
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium", ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "no chromium, chromium-browser or google-chrome on PATH"
}

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

func startBrowser() {
	path, why := findChromium()
	if path == "" {
		shared.miss = why
		return
	}
	shared.path = path
	dir, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		shared.err = err
		return
	}
	shared.dir = dir
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // root in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	shared.ctx = bctx
	shared.cancel = func() { cancelBrowser(); cancelAlloc() }

	// The first Do binds the browser's life to bctx, so it must have no
	// deadline; bound the launch from outside instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err = <-done:
	case <-time.After(browserStartTimeout):
		err = fmt.Errorf("no answer after %v", browserStartTimeout)
	}
	if err != nil {
		shared.err = fmt.Errorf("starting %s: %w", path, err)
		stopBrowser()
	}
}

func stopBrowser() {
	if shared.cancel != nil {
		tctx, cancel := context.WithTimeout(shared.ctx, 10*time.Second)
		_ = chromedp.Cancel(tctx) // graceful close first
		cancel()
		shared.cancel()
		shared.cancel = nil
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
		shared.dir = ""
	}
}

// tabOption configures newBrowser.
type tabOption func(*tabConfig)

type tabConfig struct {
	jsDisabled bool
	timeout    time.Duration
}

// withJSDisabled opens the tab with page JavaScript off
// (Emulation.setScriptExecutionDisabled), for no-JS journeys.
func withJSDisabled() tabOption { return func(c *tabConfig) { c.jsDisabled = true } }

// withTimeout replaces the per-test timeout.
func withTimeout(d time.Duration) tabOption { return func(c *tabConfig) { c.timeout = d } }

type tabKey struct{}

// tabState collects what the page reports while the test runs.
type tabState struct {
	jsDisabled bool
	mu         sync.Mutex
	console    []consoleEntry
	csp        []cspViolation
}

// consoleEntry is a console message, uncaught exception or browser log line.
type consoleEntry struct {
	Level  string // "error", "warning", "info", ... or "exception"
	Source string // "console-api", "exception", or the log source ("network", "security", ...)
	Text   string
	URL    string
}

func (e consoleEntry) String() string {
	s := fmt.Sprintf("[%s/%s] %s", e.Source, e.Level, e.Text)
	if e.URL != "" {
		s += " (" + e.URL + ")"
	}
	return s
}

// cspViolation is one securitypolicyviolation event, or a CSP line from
// the browser log when the page could not report it (Source "log").
type cspViolation struct {
	Directive   string `json:"directive"`
	BlockedURI  string `json:"blockedURI"`
	DocumentURI string `json:"documentURI"`
	Sample      string `json:"sample"`
	Disposition string `json:"disposition"`
	Source      string `json:"source"`
	Text        string `json:"-"`
}

func (v cspViolation) String() string {
	if v.Source == "log" {
		return v.Text
	}
	return fmt.Sprintf("%s blocked %q on %s (%s) sample=%q", v.Directive, v.BlockedURI, v.DocumentURI, v.Disposition, v.Sample)
}

// cspListenerJS runs in an isolated world on every new document; DOM events
// still reach it, and CSP does not apply to DevTools-injected scripts.
const cspListenerJS = `document.addEventListener('securitypolicyviolation', (e) => {
  ` + cspBinding + `(JSON.stringify({directive: e.effectiveDirective || e.violatedDirective,
    blockedURI: e.blockedURI, documentURI: e.documentURI, sample: e.sample,
    disposition: e.disposition, source: 'event'}));
}, true);`

// listen runs in the tab's read loop: record and return, no commands.
func (s *tabState) listen(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		level := string(ev.Type)
		if ev.Type == runtime.ConsoleAPICalledTypeAssert {
			level = "error"
		}
		s.console = append(s.console, consoleEntry{Level: level, Source: "console-api", Text: strings.Join(parts, " ")})
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		s.console = append(s.console, consoleEntry{Level: "exception", Source: "exception", Text: text, URL: d.URL})
	case *log.EventEntryAdded:
		e := ev.Entry
		s.console = append(s.console, consoleEntry{Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL})
		if e.Source == log.EntrySourceSecurity && strings.Contains(e.Text, "Content Security Policy") {
			s.csp = append(s.csp, cspViolation{Source: "log", Text: e.Text, DocumentURI: e.URL})
		}
	case *runtime.EventBindingCalled:
		if ev.Name != cspBinding {
			return
		}
		var v cspViolation
		if err := json.Unmarshal([]byte(ev.Payload), &v); err != nil {
			v = cspViolation{Source: "event", Text: ev.Payload}
		}
		s.csp = append(s.csp, v)
	}
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

func stateOf(t testing.TB, ctx context.Context) *tabState {
	t.Helper()
	s, ok := ctx.Value(tabKey{}).(*tabState)
	if !ok {
		t.Fatal("e2e: context does not come from newBrowser")
	}
	return s
}

// newBrowser opens a fresh tab in the shared headless Chromium and returns
// its context, which ends after the per-test timeout (60s by default) and is
// closed by t.Cleanup. It skips the test when Chromium is missing, or fails
// it when CI=true.
func newBrowser(t *testing.T, opts ...tabOption) context.Context {
	t.Helper()
	cfg := tabConfig{timeout: defaultTestTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	shared.once.Do(startBrowser)
	if shared.miss != "" {
		msg := "no Chromium found; install Debian's chromium or set CHROME_PATH (" + shared.miss + ")"
		if inCI() {
			t.Fatal(msg + "; CI=true requires a browser")
		}
		t.Skip(msg)
	}
	if shared.err != nil {
		t.Fatalf("e2e: %v", shared.err)
	}

	st := &tabState{jsDisabled: cfg.jsDisabled}
	// WithListener sees events from the tab's very first command.
	tabCtx, cancelTab := chromedp.NewContext(shared.ctx, chromedp.WithListener(st.listen))
	t.Cleanup(cancelTab)
	tctx, cancelTimeout := context.WithTimeout(tabCtx, cfg.timeout)
	t.Cleanup(cancelTimeout)
	ctx := context.WithValue(tctx, tabKey{}, st)

	setup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding, ExecutionContextName: cspWorld}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListenerJS, WorldName: cspWorld}); err != nil {
			return err
		}
		if cfg.jsDisabled {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}
		return nil
	})
	if err := chromedp.Do(ctx, setup); err != nil {
		t.Fatalf("e2e: opening a tab: %v", err)
	}

	// Runs before the cancels above (cleanups are LIFO), on its own deadline
	// because the test's may have expired.
	t.Cleanup(func() {
		dir := os.Getenv("E2E_SCREENSHOT_DIR")
		if !t.Failed() || dir == "" {
			return
		}
		sctx, cancel := context.WithTimeout(tabCtx, 5*time.Second)
		defer cancel()
		if buf, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
			p := filepath.Join(dir, safeName(t.Name())+"-failure.png")
			if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(p, buf, 0o644) == nil {
				t.Logf("failure screenshot: %s", p)
			}
		}
	})
	return ctx
}

// jsDisabled reports whether the tab was opened withJSDisabled.
func jsDisabled(t testing.TB, ctx context.Context) bool { return stateOf(t, ctx).jsDisabled }

// navigate loads url, waits for the load event and returns the HTTP status.
func navigate(t testing.TB, ctx context.Context, url string) int64 {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// click clicks the first element matching the CSS selector, waiting for it
// to be visible. It does not wait for what the click causes.
func click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// clickAndWaitLoad clicks and waits for the next page load event: use it
// for links and form posts that do a full navigation.
func clickAndWaitLoad(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		t.Fatalf("click %s and wait for load: %v", sel, err)
	}
}

// waitVisible waits until an element matching the CSS selector is visible.
func waitVisible(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("wait visible %s: %v", sel, err)
	}
}

// exists reports whether an element matches the CSS selector now.
func exists(t testing.TB, ctx context.Context, sel string) bool {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
	if err != nil {
		t.Fatalf("query %s: %v", sel, err)
	}
	return n > 0
}

// text returns the visible text (innerText) of the first element matching
// the CSS selector, waiting for it to exist.
func text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text %s: %v", sel, err)
	}
	return s
}

// waitText polls until the element's text contains want, and fails after
// the tab's timeout. It does not rely on page JS, so it works with JS off.
func waitText(t testing.TB, ctx context.Context, sel, want string) string {
	t.Helper()
	var last string
	for {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil {
			last = s
			if strings.Contains(s, want) {
				return s
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("wait for %s to contain %q: last text %q: %v", sel, want, last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// location returns the current document URL.
func location(t testing.TB, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	return u
}

// historyLength returns window.history.length of the tab.
func historyLength(t testing.TB, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.history.length`))
	if err != nil {
		t.Fatalf("history.length: %v", err)
	}
	return n
}

// evalJS evaluates a JS expression in the page and decodes its result. It
// works in JS-disabled tabs too (DevTools evaluation is not page script).
func evalJS[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %q: %v", expr, err)
	}
	return v
}

// setNavMarker sets window.__marker = 1. A full navigation creates a new
// window object and loses it; an in-place swap keeps it. See markerPresent.
func setNavMarker(t testing.TB, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__marker = 1`)); err != nil {
		t.Fatalf("set marker: %v", err)
	}
}

// showIntent moves the mouse over the page, as a visitor does before a click, and waits until
// app.js has loaded and set up htmx (it marks <html data-enhanced>). app.js loads htmx only at
// the first sign of intent, so a click with no mouse movement before it (which is all
// chromedp.Click sends) would race htmx and usually fall back to a full page load.
func showIntent(t testing.TB, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, 8, 8)); err != nil {
		t.Fatalf("move the mouse: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.hasAttribute("data-enhanced")`))
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("htmx was not set up after the mouse moved over the page (err %v)", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// markerPresent reports whether window.__marker set by setNavMarker survives,
// that is, no full navigation happened since.
func markerPresent(t testing.TB, ctx context.Context) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__marker === 1`))
	if err != nil {
		t.Fatalf("read marker: %v", err)
	}
	return ok
}

// consoleEntries returns everything the page logged so far.
func consoleEntries(t testing.TB, ctx context.Context) []consoleEntry {
	t.Helper()
	s := stateOf(t, ctx)
	flushEvents(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]consoleEntry(nil), s.console...)
}

// consoleErrors returns console.error/assert calls, uncaught exceptions and
// error-level browser log lines (failed loads, CSP blocks).
func consoleErrors(t testing.TB, ctx context.Context) []consoleEntry {
	t.Helper()
	var out []consoleEntry
	for _, e := range consoleEntries(t, ctx) {
		if e.Level == "error" || e.Level == "exception" {
			out = append(out, e)
		}
	}
	return out
}

// cspViolations returns the CSP violations reported so far.
func cspViolations(t testing.TB, ctx context.Context) []cspViolation {
	t.Helper()
	s := stateOf(t, ctx)
	flushEvents(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]cspViolation(nil), s.csp...)
}

// assertNoConsoleErrors fails the test listing every console error so far.
func assertNoConsoleErrors(t testing.TB, ctx context.Context) {
	t.Helper()
	if errs := consoleErrors(t, ctx); len(errs) > 0 {
		var b strings.Builder
		for _, e := range errs {
			b.WriteString("\n  " + e.String())
		}
		t.Errorf("%d console error(s):%s", len(errs), b.String())
	}
}

// assertNoCSPViolations fails the test listing every CSP violation so far.
func assertNoCSPViolations(t testing.TB, ctx context.Context) {
	t.Helper()
	if vs := cspViolations(t, ctx); len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			b.WriteString("\n  " + v.String())
		}
		t.Errorf("%d CSP violation(s):%s", len(vs), b.String())
	}
}

// flushEvents lets queued page events (securitypolicyviolation is dispatched
// as a task) reach the listener: a round trip orders them before the reply.
func flushEvents(ctx context.Context) {
	time.Sleep(100 * time.Millisecond)
	_, _ = chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
}

// screenshot saves a PNG of the viewport as <name>.png under
// $E2E_SCREENSHOT_DIR (kept) or t.TempDir() (removed), and returns its path.
func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("E2E_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot dir: %v", err)
	}
	p := filepath.Join(dir, safeName(t.Name()+"-"+name)+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot: %s", p)
	return p
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// axeViolation is one failed axe rule with the nodes that fail it.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// axeTags are the WCAG 2.1 A and AA rule sets.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

const axeRunJS = `axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
  .then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((x) => Array.isArray(x) ? x.join(' >>> ') : String(x)),
      html: n.html, failureSummary: n.failureSummary || '',
    })),
  })))`

// runAxe injects the embedded axe-core into the current document and
// returns the WCAG 2.1 A/AA violations. In a JS-disabled tab it turns
// script execution on only while axe runs: the DOM is the one the no-JS
// load produced, and page scripts that were skipped do not run again.
func runAxe(t testing.TB, ctx context.Context) []axeViolation {
	t.Helper()
	st := stateOf(t, ctx)
	if st.jsDisabled {
		setScriptExecutionDisabled(t, ctx, false)
		defer setScriptExecutionDisabled(t, ctx, true)
	}
	tags, _ := json.Marshal(axeTags)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		has, err := chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`)(ctx, tg)
		if err != nil || has {
			return err
		}
		_, err = chromedp.Evaluate[chromedp.Void](axeSource)(ctx, tg)
		return err
	}))
	if err != nil {
		t.Fatalf("inject axe: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](fmt.Sprintf(axeRunJS, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return out
}

func setScriptExecutionDisabled(t testing.TB, ctx context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
		t.Fatalf("setScriptExecutionDisabled(%v): %v", off, err)
	}
}

// assertNoAxeViolations runs axe and fails the test with one readable
// block per violation; pageName labels the page in the message.
func assertNoAxeViolations(t testing.TB, ctx context.Context, pageName string) {
	t.Helper()
	vs := runAxe(t, ctx)
	if len(vs) == 0 {
		return
	}
	t.Errorf("axe: %s (%s): %d WCAG 2.1 A/AA violation(s):\n%s", pageName, location(t, ctx), len(vs), formatAxe(vs))
}

func formatAxe(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "- %s [%s]: %s\n  %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			html := n.HTML
			if len(html) > 200 {
				html = html[:200] + "…"
			}
			fmt.Fprintf(&b, "    at %s: %s\n", strings.Join(n.Target, ", "), html)
			if n.FailureSummary != "" {
				fmt.Fprintf(&b, "      %s\n", strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
			}
		}
	}
	return b.String()
}
