package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The embedding quick start of docs/integrating.md, as a reader follows it: the wizard from the
// README's quick-start command (the real binary, no settings: PUBLIC_URL unset, listening on every
// interface) and the local test page, read from docs/integrating.md so the two cannot drift, served
// from another http://localhost port. Only the ports differ from the docs': tests never use fixed
// ones.

// quickStartPort is the port the quick start and its test page use.
const quickStartPort = "8080"

// embedTestPage is the first HTML block of the Embedding section of docs/integrating.md.
func embedTestPage(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/integrating.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Embedding\n")
	if !ok {
		t.Fatal("docs/integrating.md has no Embedding section")
	}
	_, block, ok := strings.Cut(section, "```html\n")
	block, _, closed := strings.Cut(block, "\n```")
	if !ok || !closed || !strings.Contains(block, "<html") {
		t.Fatal("the Embedding section of docs/integrating.md does not start with a whole HTML page")
	}
	if !strings.Contains(block, "http://localhost:"+quickStartPort+"/embed.js") {
		t.Fatalf("the test page in docs/integrating.md does not load embed.js from the quick start's address:\n%s", block)
	}
	return block
}

// startQuickStart builds cmd/wizard and runs it as the quick start does: no settings but the
// port. It returns the wizard's address as the docs name it, http://localhost:PORT.
func startQuickStart(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	bin := filepath.Join(t.TempDir(), "wizard")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "nestnext/cmd/wizard").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/wizard: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.CommandContext(ctx, bin)
	for _, kv := range os.Environ() {
		// Nothing of the wizard's settings from the test's environment: the quick start sets none.
		if name, _, _ := strings.Cut(kv, "="); !isWizardSetting(name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PORT="+port, "LOG_LEVEL=warn")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://localhost:" + port
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the quick-start wizard did not start: %v\n%s", err, logs.String())
		}
	}
}

func isWizardSetting(name string) bool {
	switch name {
	case "PORT", "ADDR", "PUBLIC_URL", "EMBED_ALLOWED_ORIGINS", "LOG_LEVEL", "LOG_FORMAT", "METRICS", "METRICS_ADDR",
		"SHUTDOWN_TIMEOUT", "DRAIN_PERIOD", "CONTENT_FILE":
		return true
	}
	return false
}

// frameMessagesJS runs in the host page before its own scripts: it records the wizard's messages.
const frameMessagesJS = `window.__wizard = [];
addEventListener("message", (e) => {
  const d = e.data;
  if (d && typeof d.type === "string" && d.type.startsWith("nest-next-wizard:")) window.__wizard.push({type: d.type, origin: e.origin, height: d.height || 0});
});`

type frameMessage struct {
	Type   string  `json:"type"`
	Origin string  `json:"origin"`
	Height float64 `json:"height"`
}

func TestEmbedQuickStart(t *testing.T) {
	testPage := embedTestPage(t)
	wizard := startQuickStart(t)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.ReplaceAll(testPage, "http://localhost:"+quickStartPort, wizard))
	}))
	t.Cleanup(host.Close)
	hostURL := strings.Replace(host.URL, "127.0.0.1", "localhost", 1) + "/"

	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: frameMessagesJS})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	for _, vp := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{{"phone", phoneW, phoneH, true}, {"desktop", desktopW, desktopH, false}} {
		setViewport(t, ctx, vp.w, vp.h, vp.mobile)
		if status := navigate(t, ctx, hostURL); status != http.StatusOK {
			t.Fatalf("the test page: status %d", status)
		}
		// The frame renders only if the wizard lets this page frame it: embed-frame.js, in the
		// framed page, then says it is ready, with its height, and embed.js sizes the frame.
		var ready frameMessage
		for deadline := time.Now().Add(stepTimeout); ready.Type == ""; time.Sleep(50 * time.Millisecond) {
			for _, m := range evalJS[[]frameMessage](t, ctx, `window.__wizard`) {
				if m.Type == "nest-next-wizard:ready" {
					ready = m
				}
			}
			if ready.Type == "" && time.Now().After(deadline) {
				t.Fatalf("%s: the embedded wizard never said it was ready (framing refused?); iframe src %q", vp.name, evalJS[string](t, ctx, `(document.querySelector("iframe") || {}).src || ""`))
			}
		}
		if ready.Origin != wizard || ready.Height < 200 {
			t.Errorf("%s: ready from %s with height %.0f; want the wizard's origin %s and a real page", vp.name, ready.Origin, ready.Height, wizard)
		}
		if height := evalJS[float64](t, ctx, `document.querySelector("[data-nest-next-wizard] iframe").getBoundingClientRect().height`); height < 200 {
			t.Errorf("%s: the frame is %.0f px tall", vp.name, height)
		}
		screenshot(t, ctx, vp.name)
	}
	assertNoConsoleErrors(t, ctx)
	assertNoCSPViolations(t, ctx)
}
