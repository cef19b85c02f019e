package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nestnext/decision"
)

// Embedding: a host page on another site loads /embed.js, which turns its
// containers into iframes of the /embed/ pages. The host is served from
// http://localhost:PORT and the wizard from http://127.0.0.1:PORT, so the
// frames are cross-site: Chromium runs them as separate "iframe" targets
// (out-of-process iframes), and the host can reach them only by postMessage.

// hostPageHTML is the test's host page: two containers before the script
// tag, and an inline script (fine here: it is the host's page) that records
// the wizard's DOM events and every message the window receives.
const hostPageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Host page</title>
<script>
window.__events = [];
window.__messages = [];
["ready", "step", "complete"].forEach(function (n) {
  document.addEventListener("nest-next-wizard:" + n, function (e) {
    window.__events.push({type: e.type, target: e.target.id, detail: e.detail || null});
  });
});
window.addEventListener("message", function (e) {
  var d = e.data;
  window.__messages.push({origin: e.origin, id: d && typeof d === "object" ? String(d.id) : String(d)});
});
</script>
</head>
<body>
<h1>A host page</h1>
<p>Some text before the wizard.</p>
<div id="w1" data-nest-next-wizard><a href="%[1]s/">Open the wizard</a></div>
<p>Some text between two wizards.</p>
<div id="w2" data-nest-next-wizard data-theme="dark" data-accent="#FF8800" data-intro="hide" data-title="Second wizard"></div>
<p>Some text after the wizards.</p>
<div style="height:3000px"></div>
<script src="%[1]s/embed.js" async></script>
</body>
</html>`

// foreignPageHTML is served from a third origin: it posts a well-formed
// resize message to its parent, which the host's embed.js must ignore.
const foreignPageHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Foreign</title></head><body>
<script>parent.postMessage({type: "nest-next-wizard:resize", v: 1, height: 333, id: "foreign"}, "*");</script>
</body></html>`

// startEmbedHost serves the host page on http://localhost:PORT (another
// site than the wizard's 127.0.0.1) and a foreign page on a third origin.
func startEmbedHost(t *testing.T, wizard string) (host, foreign string) {
	t.Helper()
	page := fmt.Sprintf(hostPageHTML, wizard)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(h.Close)
	f := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, foreignPageHTML)
	}))
	t.Cleanup(f.Close)
	return strings.Replace(h.URL, "127.0.0.1", "localhost", 1), f.URL
}

// hostEvent is one nest-next-wizard:* DOM event the host page saw.
type hostEvent struct {
	Type   string `json:"type"`
	Target string `json:"target"` // id of the container
	Detail struct {
		Question       string `json:"question"`
		Index          int    `json:"index"`
		Recommendation string `json:"recommendation"`
		ShareURL       string `json:"shareUrl"`
	} `json:"detail"`
}

func (e hostEvent) String() string {
	return fmt.Sprintf("%s on #%s %+v", e.Type, e.Target, e.Detail)
}

func hostEvents(t testing.TB, ctx context.Context, container string) []hostEvent {
	t.Helper()
	all := evalJS[[]hostEvent](t, ctx, `window.__events || []`)
	var out []hostEvent
	for _, e := range all {
		if e.Target == container {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent polls until the container has seen n events, the last one of
// type typ, and returns it.
func waitEvent(t testing.TB, ctx context.Context, container string, n int, typ string) hostEvent {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		evs := hostEvents(t, ctx, container)
		if len(evs) >= n && evs[n-1].Type == typ {
			return evs[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("#%s: waiting for event %d to be %s; have %v", container, n, typ, evs)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// iframeAttrs is what embed.js gave one iframe.
type iframeAttrs struct {
	Src     string  `json:"src"`
	Title   string  `json:"title"`
	Loading string  `json:"loading"`
	Allow   string  `json:"allow"`
	Width   float64 `json:"width"`
	Parent  float64 `json:"parent"` // the container's width
	Border  string  `json:"border"`
	Height  float64 `json:"height"`
	Top     float64 `json:"top"` // getBoundingClientRect().top in the host viewport
	Count   int     `json:"count"`
	Marked  bool    `json:"marked"`
}

func readIframe(t testing.TB, ctx context.Context, container string) iframeAttrs {
	t.Helper()
	return evalJS[iframeAttrs](t, ctx, fmt.Sprintf(`(() => {
  const c = document.getElementById(%s);
  const f = c && c.querySelector("iframe");
  if (!f) return {count: 0};
  const r = f.getBoundingClientRect();
  return {src: f.getAttribute("src"), title: f.title, loading: f.getAttribute("loading"), allow: f.getAttribute("allow"),
    width: r.width, parent: c.getBoundingClientRect().width, border: getComputedStyle(f).borderTopStyle,
    height: r.height, top: r.top, count: c.querySelectorAll("iframe").length, marked: c.hasAttribute("data-nest-next-wizard-ready")};
})()`, jsString(container)))
}

// frameTarget attaches to the cross-site iframe target of this tab whose
// URL matches, and returns a context that runs actions inside the frame.
// The attach detaches on cancel: closing the target would kill the frame.
func frameTarget(t *testing.T, ctx context.Context, what string, match func(u string) bool) context.Context {
	t.Helper()
	tab := chromedp.FromContext(ctx)
	if tab == nil || tab.Target == nil {
		t.Fatal("frameTarget: the tab has not run yet")
	}
	deadline := time.Now().Add(stepTimeout)
	var seen []string
	for {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatalf("targets: %v", err)
		}
		seen = seen[:0]
		for _, info := range infos {
			if info.Type != "iframe" || info.ParentID != tab.Target.TargetID {
				continue
			}
			seen = append(seen, info.URL)
			if match(info.URL) {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
				t.Cleanup(cancel)
				if err := chromedp.Do(fctx); err != nil {
					t.Fatalf("attach to the %s frame: %v", what, err)
				}
				return fctx
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no iframe target for the %s frame; iframe targets of the tab: %q (is site isolation off?)", what, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// frameSize is measured inside the framed document, without postMessage.
type frameSize struct {
	Content float64 `json:"content"` // #embed-root plus the body's margins
	Inner   float64 `json:"inner"`   // the frame's viewport height
	Scroll  float64 `json:"scroll"`  // the document's scrollHeight
}

const frameSizeJS = `(() => {
  const root = document.getElementById("embed-root");
  const s = getComputedStyle(document.body);
  return {content: root.getBoundingClientRect().height + parseFloat(s.marginTop) + parseFloat(s.marginBottom),
    inner: window.innerHeight, scroll: document.documentElement.scrollHeight};
})()`

// embedMax is embed.js's upper bound on an iframe's height.
const embedMax = 40000

// waitFits polls until the host's iframe is as tall as the framed content
// (within 2px, after the [200, embedMax] clamp) and the frame does not scroll.
func waitFits(t testing.TB, ctx, fctx context.Context, container, what string) float64 {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		f := readIframe(t, ctx, container)
		s, err := chromedp.Run(fctx, chromedp.Evaluate[frameSize](frameSizeJS))
		if err == nil {
			want := math.Min(embedMax, math.Max(200, math.Ceil(s.Content)))
			if math.Abs(f.Height-want) <= 2 && (s.Content > embedMax || s.Scroll <= s.Inner+2) {
				return f.Height
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: #%s iframe is %.1fpx tall; inside: %+v (err %v)", what, container, f.Height, s, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitMessage waits until the host page has received the message with this
// id. The host's listener was added before embed.js's, and a message's
// listeners run in order in one task, so embed.js has handled it too.
func waitMessage(t testing.TB, ctx context.Context, id string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !evalJS[bool](t, ctx, `window.__messages.some((m) => m.id === `+jsString(id)+`)`) {
		if time.Now().After(deadline) {
			t.Fatalf("message %q never reached the host", id)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// postFromFrame posts msg (a JS expression) from a framed document to the
// host, as the wizard would, and waits until embed.js has handled it.
func postFromFrame(t testing.TB, ctx, fctx context.Context, msg string) {
	t.Helper()
	id := evalJS[string](t, fctx, `(() => { const m = `+msg+`; parent.postMessage(m, "*"); return m && typeof m === "object" ? String(m.id) : String(m); })()`)
	waitMessage(t, ctx, id)
}

func TestEmbedOnAnotherSite(t *testing.T) {
	wizard, c := startApp(t)
	host, foreign := startEmbedHost(t, wizard)
	ctx := newBrowser(t, withTimeout(120*time.Second))

	if status := navigate(t, ctx, host+"/"); status != http.StatusOK {
		t.Fatalf("GET host page: %d", status)
	}

	// Both containers become one iframe each, with the options in the src.
	waitEvent(t, ctx, "w1", 1, "nest-next-wizard:ready")
	waitEvent(t, ctx, "w2", 1, "nest-next-wizard:ready")
	first := &c.Questions[0]
	for _, tt := range []struct {
		id, src, title string
	}{
		{"w1", wizard + "/embed/", "NestJS, Next.js, or both? decision wizard"},
		{"w2", wizard + "/embed/?accent=ff8800&theme=dark&intro=0", "Second wizard"},
	} {
		f := readIframe(t, ctx, tt.id)
		if f.Count != 1 || !f.Marked {
			t.Fatalf("#%s: %d iframes, marked %v; want exactly one, marked", tt.id, f.Count, f.Marked)
		}
		if f.Src != tt.src || f.Title != tt.title || f.Loading != "lazy" || f.Allow != "clipboard-write; web-share" {
			t.Errorf("#%s iframe: %+v; want src %s, title %q, loading lazy, allow clipboard-write; web-share", tt.id, f, tt.src, tt.title)
		}
		if math.Abs(f.Width-f.Parent) > 0.5 || f.Border != "none" {
			t.Errorf("#%s iframe: width %.1f of %.1f, border %q; want full width, no border", tt.id, f.Width, f.Parent, f.Border)
		}
	}
	if n := count(t, ctx, `#w1 a`); n != 0 {
		t.Error("the fallback link inside #w1 should give way to the iframe")
	}
	// intro=0 skips the introduction: the second wizard starts at the first question.
	if e := waitEvent(t, ctx, "w2", 2, "nest-next-wizard:step"); e.Detail.Question != first.ID || e.Detail.Index != 1 {
		t.Errorf("#w2 first step event: %s; want question %s, index 1", e, first.ID)
	}

	f1 := frameTarget(t, ctx, "first", func(u string) bool { return u == wizard+"/embed/" })
	f2 := frameTarget(t, ctx, "second", func(u string) bool {
		return strings.HasPrefix(u, wizard+"/embed/q/") && strings.Contains(u, "theme=dark")
	})
	if p := readPage(t, f2); p.Question != first.ID {
		t.Errorf("second frame: %s; want the first question", p)
	}
	if theme := evalJS[string](t, f2, `document.documentElement.dataset.theme || ""`); theme != "dark" {
		t.Errorf("second frame theme %q, want dark", theme)
	}

	h1 := waitFits(t, ctx, f1, "w1", "start page")
	// Chromium throttles rendering in cross-origin frames out of view, so the second frame's
	// viewport only catches up with its new size once it is on screen.
	evalJS[bool](t, ctx, `(document.getElementById("w2").scrollIntoView(), true)`)
	waitFits(t, ctx, f2, "w2", "first question in the second frame")
	evalJS[bool](t, ctx, `(scrollTo(0, 0), true)`)
	hist := historyLength(t, ctx)
	hostURL := location(t, ctx)

	// Messages that are not the wizard's own are ignored.
	t.Run("foreign messages", func(t *testing.T) {
		// From the host itself: right shape, wrong origin and source.
		evalJS[bool](t, ctx, `(window.postMessage({type: "nest-next-wizard:resize", v: 1, height: 321, id: "host"}, "*"), true)`)
		waitMessage(t, ctx, "host")
		// From a third origin's frame.
		evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const f = document.createElement("iframe"); f.src = %s; f.title = "foreign"; document.body.appendChild(f); return true; })()`, jsString(foreign+"/")))
		waitMessage(t, ctx, "foreign")
		// From the wizard's origin but the other frame.
		postFromFrame(t, ctx, f2, `{type: "nest-next-wizard:resize", v: 1, height: 345, id: "other frame"}`)
		// From the right frame, but not this protocol's version or namespace, or not an object.
		postFromFrame(t, ctx, f1, `{type: "nest-next-wizard:resize", v: 2, height: 356, id: "v2"}`)
		postFromFrame(t, ctx, f1, `{type: "nest-next-wizard:resize", height: 357, id: "no version"}`)
		postFromFrame(t, ctx, f1, `{type: "acme-next-wizard:resize", v: 1, height: 367, id: "other widget"}`)
		postFromFrame(t, ctx, f1, `"nest-next-wizard:resize"`)
		if got := readIframe(t, ctx, "w1").Height; got != h1 {
			t.Errorf("#w1 height %.1f after foreign messages, want %.1f", got, h1)
		}
		// The well-formed message from the second frame's own window did apply to it: proof that
		// the messages were delivered and the filter, not an accident, kept #w1 still.
		if got := readIframe(t, ctx, "w2").Height; got != 345 {
			t.Errorf("#w2 height %.1f, want 345 from its own frame's message", got)
		}
		// A frame's own resizes are clamped to [200, embedMax] whole pixels; a height that is not
		// a number is ignored.
		for i, tt := range []struct {
			sent string
			want float64
		}{{"50", 200}, {"99999", embedMax}, {"412.4", 412}, {`"500"`, 412}, {"null", 412}, {"-5", 200}, {"1e999", 200}} {
			postFromFrame(t, ctx, f2, fmt.Sprintf(`{type: "nest-next-wizard:resize", v: 1, height: %s, id: "clamp %d"}`, tt.sent, i))
			if got := readIframe(t, ctx, "w2").Height; got != tt.want {
				t.Errorf("#w2 height %.1f after a resize to %s, want %.0f", got, tt.sent, tt.want)
			}
		}
	})

	// Walk the first wizard to a result, inside its frame.
	answers := decision.Answers{}
	click(t, f1, "main a.button-start")
	n := 2 // events on #w1 so far, with this step: ready, step
	for i := 1; ; i++ {
		e := waitEvent(t, ctx, "w1", n, hostEventType(c, answers))
		if e.Type == "nest-next-wizard:complete" {
			break
		}
		p := waitPage(t, f1, "question "+e.Detail.Question, func(p pageInfo) bool { return p.Question == e.Detail.Question })
		rp := c.Replay(answers)
		if e.Detail.Question != rp.Next.ID || e.Detail.Index != i {
			t.Errorf("step event %d: %s; want question %s, index %d", i, e, rp.Next.ID, i)
		}
		waitFits(t, ctx, f1, "w1", "question "+p.Question)
		opt, ok := backendAPI[p.Question]
		if !ok {
			t.Fatalf("question %q is not on the backend-API path", p.Question)
		}
		chooseAnswer(t, f1, p.Question, opt)
		click(t, f1, continueButton)
		answers[p.Question] = opt
		n++
		if i > len(c.Questions) {
			t.Fatalf("no result after %d steps", i)
		}
	}
	done := hostEvents(t, ctx, "w1")[n-1]
	_, _, res := expectedNext(t, c, backendAPI)
	wantShare := wizard + "/result?" + c.Encode(backendAPI)
	if done.Detail.Recommendation != res.Outcome.ID || done.Detail.ShareURL != wantShare {
		t.Errorf("complete event: %s; want recommendation %s, shareUrl %s", done, res.Outcome.ID, wantShare)
	}
	if p := readPage(t, f1); p.H1 != res.Outcome.Headline {
		t.Errorf("first frame after the last answer: %s; want the result", p)
	}
	resultHeight := waitFits(t, ctx, f1, "w1", "result page")

	// The walk added nothing to the host's history, and the host stayed put.
	if h := historyLength(t, ctx); h != hist {
		t.Errorf("host history.length grew from %d to %d while the wizard moved on", hist, h)
	}
	if u := location(t, ctx); u != hostURL {
		t.Errorf("host URL changed: %s -> %s", hostURL, u)
	}
	if others := hostEvents(t, ctx, "w2"); len(others) != 2 {
		t.Errorf("#w2 saw events from the first wizard: %v", others)
	}

	// The share link shows the same recommendation in a fresh tab.
	t.Run("share link", func(t *testing.T) {
		tab := newBrowser(t)
		if status := navigate(t, tab, done.Detail.ShareURL); status != http.StatusOK {
			t.Fatalf("GET %s: %d", done.Detail.ShareURL, status)
		}
		if p := readPage(t, tab); p.H1 != res.Outcome.Headline || p.Path != "/result" {
			t.Errorf("share link opens %s; want the result %q", p, res.Outcome.Headline)
		}
	})

	// When a step gets shorter while the wizard's top is scrolled away, the
	// host scrolls the wizard's top into view; otherwise it never scrolls.
	t.Run("scroll on shrink", func(t *testing.T) {
		top := evalJS[float64](t, ctx, `document.querySelector("#w1 iframe").getBoundingClientRect().top + scrollY`)
		linkY := evalJS[float64](t, f1, `document.querySelector('main p.actions a[href^="/embed/"]').getBoundingClientRect().top`)
		evalJS[bool](t, ctx, fmt.Sprintf(`(scrollTo(0, %f), true)`, top+linkY-300))
		before := evalJS[float64](t, ctx, `scrollY`)
		if f := readIframe(t, ctx, "w1"); f.Top >= 0 {
			t.Fatalf("set-up: the iframe's top should be above the viewport, is at %.1f", f.Top)
		}
		click(t, f1, `main p.actions a[href^="/embed/"]`) // Start again
		waitPage(t, f1, "the start page", func(p pageInfo) bool { return p.Question == "" && strings.Contains(p.H1, "NestJS, Next.js, or both?") })
		h := waitFits(t, ctx, f1, "w1", "start page again")
		if h >= resultHeight {
			t.Fatalf("set-up: the start page (%.1f) should be shorter than the result (%.1f)", h, resultHeight)
		}
		f := readIframe(t, ctx, "w1")
		if math.Abs(f.Top) > 2 {
			t.Errorf("after shrinking, the iframe's top is at %.1f (scrollY was %.1f, is %.1f); want it at the top of the viewport", f.Top, before, evalJS[float64](t, ctx, `scrollY`))
		}

		// Otherwise the host never scrolls. These clicks are DOM clicks: chromedp's would scroll
		// the host to bring their target into view.
		// A shorter step with the wizard's top in view:
		evalJS[bool](t, ctx, fmt.Sprintf(`(scrollTo(0, %f), true)`, top-100))
		before = evalJS[float64](t, ctx, `scrollY`)
		domClick(t, f1, "main a.button-start")
		waitPage(t, f1, "the first question", func(p pageInfo) bool { return p.Question == first.ID })
		q := waitFits(t, ctx, f1, "w1", "first question again")
		if q >= h {
			t.Fatalf("set-up: the first question (%.1f) should be shorter than the start page (%.1f)", q, h)
		}
		if after := evalJS[float64](t, ctx, `scrollY`); after != before {
			t.Errorf("host scrolled from %.1f to %.1f when a step shrank with the wizard's top in view", before, after)
		}
		// A taller step (the error state) with the wizard's top scrolled away:
		evalJS[bool](t, ctx, fmt.Sprintf(`(scrollTo(0, %f), true)`, top+50))
		before = evalJS[float64](t, ctx, `scrollY`)
		domClick(t, f1, continueButton)
		waitPage(t, f1, "the error state", func(p pageInfo) bool { return p.Errors == 1 })
		if e := waitFits(t, ctx, f1, "w1", "error state"); e <= q {
			t.Fatalf("set-up: the error state (%.1f) should be taller than the question (%.1f)", e, q)
		}
		if after := evalJS[float64](t, ctx, `scrollY`); after != before {
			t.Errorf("host scrolled from %.1f to %.1f when a step grew", before, after)
		}
		if h := historyLength(t, ctx); h != hist {
			t.Errorf("host history.length grew from %d to %d", hist, h)
		}
	})

	// A container added later is picked up; invalid options are left out.
	t.Run("late container", func(t *testing.T) {
		evalJS[bool](t, ctx, `(() => { const d = document.createElement("div"); d.id = "w3"; d.dataset.nestNextWizard = "";
		  d.dataset.accent = "red"; d.dataset.theme = "blue"; d.dataset.intro = "yes"; document.body.prepend(d); return true; })()`)
		waitEvent(t, ctx, "w3", 1, "nest-next-wizard:ready")
		if f := readIframe(t, ctx, "w3"); f.Src != wizard+"/embed/" || f.Count != 1 {
			t.Errorf("#w3 iframe: %+v; want src %s/embed/ (invalid options dropped)", f, wizard)
		}
	})

	// A wizard frame that navigates to another origin (here, by the host) keeps its window, but
	// what it posts then comes from that origin and is ignored.
	t.Run("frame navigated away", func(t *testing.T) {
		h2 := readIframe(t, ctx, "w2").Height
		from := jsString(foreign)
		before := evalJS[int](t, ctx, `window.__messages.filter((m) => m.origin === `+from+`).length`)
		evalJS[bool](t, ctx, `(document.querySelector("#w2 iframe").contentWindow.location.replace(`+jsString(foreign+"/")+`), true)`)
		deadline := time.Now().Add(stepTimeout)
		for evalJS[int](t, ctx, `window.__messages.filter((m) => m.origin === `+from+`).length`) == before {
			if time.Now().After(deadline) {
				t.Fatal("the navigated frame's message never reached the host")
			}
			time.Sleep(25 * time.Millisecond)
		}
		if got := readIframe(t, ctx, "w2").Height; got != h2 {
			t.Errorf("#w2 height %.1f after a message from %s, want %.1f", got, foreign, h2)
		}
	})
	assertNoConsoleErrors(t, ctx)
}

// domClick clicks an element with HTMLElement.click(), which scrolls nothing.
func domClick(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (e) e.click(); return !!e; })()`, jsString(sel))) {
		t.Fatalf("domClick: nothing matches %s", sel)
	}
}

// hostEventType is the event the next step must bring: a step while
// questions remain, complete after the last answer.
func hostEventType(c *decision.Content, answers decision.Answers) string {
	if rp := c.Replay(answers); rp.Complete() {
		return "nest-next-wizard:complete"
	}
	return "nest-next-wizard:step"
}

// TestEmbedPagesAccessible runs axe on the /embed/ pages opened directly
// in a tab, and checks their framing headers as the browser sees them.
func TestEmbedPagesAccessible(t *testing.T) {
	base, c := startApp(t)
	ctx := newBrowser(t)
	pages := []struct{ name, path string }{
		{"embed start page", "/embed/"},
		{"embed first question", "/embed/q/" + c.Questions[0].ID + "?" + c.Encode(decision.Answers{})},
		{"embed question, dark with an accent", "/embed/q/" + c.Questions[0].ID + "?" + c.Encode(decision.Answers{}) + "&theme=dark&accent=ff8800"},
		{"embed error state", "/embed/next?build=site&q=logic&v=3"},
		{"embed result", "/embed/result?" + c.Encode(ecommerce)},
		{"embed result, light", "/embed/result?" + c.Encode(backendAPI) + "&theme=light&accent=0b5d73"},
		{"embedding page", "/embedding?accent=%234a3a94&theme=dark&intro=0"},
	}
	for _, pg := range pages {
		navigate(t, ctx, base+pg.path)
		assertNoAxeViolations(t, ctx, pg.name)
	}
	assertNoCSPViolations(t, ctx)
	assertNoConsoleErrorsExcept(t, ctx, expectedLoadError{Status: http.StatusUnprocessableEntity, Path: "/embed/next"})
}

// TestEmbeddingPagePreview checks the "Embed this wizard" page in the
// browser: the live preview runs /embed.js under the page's CSP, fits its
// content, and follows the options after an in-place (htmx) submit.
func TestEmbeddingPagePreview(t *testing.T) {
	base, _ := startApp(t)
	ctx := newBrowser(t)
	if status := navigate(t, ctx, base+"/embedding"); status != http.StatusOK {
		t.Fatalf("GET /embedding: %d", status)
	}
	waitPreview := func(src string) {
		t.Helper()
		deadline := time.Now().Add(stepTimeout)
		for {
			f := evalJS[iframeAttrs](t, ctx, `(() => { const f = document.querySelector("main [data-nest-next-wizard] iframe");
			  return f ? {src: f.getAttribute("src"), height: f.getBoundingClientRect().height, count: 1} : {count: 0}; })()`)
			// 640px is the initial height: a change proves the frame's messages arrived.
			if f.Count == 1 && f.Src == src && f.Height != 640 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("preview: %+v; want src %s and a fitted height", f, src)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	evalJS[bool](t, ctx, `(document.querySelector("main [data-nest-next-wizard]").scrollIntoView(), true)`)
	waitPreview(base + "/embed/")
	showIntent(t, ctx)
	setNavMarker(t, ctx)

	click(t, ctx, `main label[for="embed-theme-dark"]`)
	click(t, ctx, `main label[for="embed-intro"]`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#embed-accent`), "#0B5D73")); err != nil {
		t.Fatalf("type accent: %v", err)
	}
	click(t, ctx, `main form button[type=submit]`)
	p := waitPage(t, ctx, "the updated options", func(p pageInfo) bool { return strings.Contains(p.Search, "theme=dark") })
	if u, _ := url.Parse(p.Href); u.Query().Get("accent") != "#0B5D73" || u.Query().Get("intro") != "0" {
		t.Errorf("options URL %s", p.Href)
	}
	if !markerPresent(t, ctx) {
		t.Error("the options form did a full page load; htmx should swap it in place")
	}
	snippet := text(t, ctx, "main pre code")
	if !strings.Contains(snippet, `data-accent="#0b5d73" data-theme="dark" data-intro="hide"`) {
		t.Errorf("snippet after submit: %s", snippet)
	}
	evalJS[bool](t, ctx, `(document.querySelector("main [data-nest-next-wizard]").scrollIntoView(), true)`)
	waitPreview(base + "/embed/?accent=0b5d73&theme=dark&intro=0")
	if n := count(t, ctx, "main iframe"); n != 1 {
		t.Errorf("%d preview iframes after the swap, want 1", n)
	}
	assertNoCSPViolations(t, ctx)
	assertNoConsoleErrors(t, ctx)
	assertNoAxeViolations(t, ctx, "embedding page after an update")
}

// phoneHostHTML is a host page with one wizard, read on a phone.
const phoneHostHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page on a phone</title>
<script>
window.__events = [];
window.__messages = [];
["ready", "step", "complete"].forEach(function (n) {
  document.addEventListener("nest-next-wizard:" + n, function (e) {
    window.__events.push({type: e.type, target: e.target.id, detail: e.detail || null});
  });
});
window.addEventListener("message", function (e) {
  var d = e.data;
  window.__messages.push({origin: e.origin, id: d && typeof d === "object" ? String(d.id) : String(d)});
});
</script>
</head>
<body style="margin:0">
<div id="w" data-nest-next-wizard></div>
<script src="%[1]s/embed.js" async></script>
</body>
</html>`

// TestEmbedOnAPhone: on a 390px phone, a result with every disclosure open fits the iframe (no
// clamp cuts it off); "Open in a new tab" always opens the page the visitor is on; and a question
// shown again with its error is not a new step.
func TestEmbedOnAPhone(t *testing.T) {
	wizard, c := startApp(t)
	page := fmt.Sprintf(phoneHostHTML, wizard)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(h.Close)
	host := strings.Replace(h.URL, "127.0.0.1", "localhost", 1)

	ctx := newBrowser(t, withTimeout(120*time.Second))
	setViewport(t, ctx, phoneW, phoneH, true)
	if status := navigate(t, ctx, host+"/"); status != http.StatusOK {
		t.Fatalf("GET host page: %d", status)
	}
	waitEvent(t, ctx, "w", 1, "nest-next-wizard:ready")
	f := frameTarget(t, ctx, "phone", func(u string) bool { return u == wizard+"/embed/" })
	openLink := func() string {
		return evalJS[string](t, f, `(document.querySelector(".embed-bar a") || {}).href || ""`)
	}
	// The same page: path and answers (their order in the query does not matter).
	same := func(a, b string) bool {
		ua, err1 := url.Parse(a)
		ub, err2 := url.Parse(b)
		return err1 == nil && err2 == nil && ua.Scheme+ua.Host+ua.Path == ub.Scheme+ub.Host+ub.Path &&
			ua.Query().Encode() == ub.Query().Encode()
	}
	wantOpen := func(what, want string) {
		t.Helper()
		deadline := time.Now().Add(stepTimeout)
		for !same(openLink(), want) {
			if time.Now().After(deadline) {
				t.Errorf("%s: Open in a new tab points to %s, want %s", what, openLink(), want)
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	wantOpen("start page", wizard+"/")

	first := &c.Questions[0]
	click(t, f, "main a.button-start")
	if e := waitEvent(t, ctx, "w", 2, "nest-next-wizard:step"); e.Detail.Question != first.ID || e.Detail.Index != 1 {
		t.Errorf("first step event: %s; want question %s, index 1", e, first.ID)
	}
	wantOpen("first question", wizard+"/q/"+first.ID+"?"+c.Encode(decision.Answers{}))

	// Continue with nothing chosen: the same question with its error, no second step event, and
	// the link still opens the question (not the form's target).
	domClick(t, f, continueButton)
	waitPage(t, f, "the error state", func(p pageInfo) bool { return p.Errors == 1 })
	wantOpen("error state", wizard+"/q/"+first.ID+"?"+c.Encode(decision.Answers{}))
	flushEvents(ctx)
	time.Sleep(200 * time.Millisecond)
	if evs := hostEvents(t, ctx, "w"); len(evs) != 2 {
		t.Errorf("after the error state the host saw %v; want only ready and one step", evs)
	}

	// Walk on to a rich result.
	answers := decision.Answers{}
	n := 2
	for i := 1; ; i++ {
		e := waitEvent(t, ctx, "w", n, hostEventType(c, answers))
		if e.Type == "nest-next-wizard:complete" {
			break
		}
		p := waitPage(t, f, "question "+e.Detail.Question, func(p pageInfo) bool { return p.Question == e.Detail.Question })
		wantOpen("question "+p.Question, wizard+"/q/"+p.Question+"?"+c.Encode(answers))
		opt, ok := ecommerce[p.Question]
		if !ok {
			t.Fatalf("question %q is not on the e-commerce path", p.Question)
		}
		chooseAnswer(t, f, p.Question, opt)
		domClick(t, f, continueButton)
		answers[p.Question] = opt
		n++
		if i > len(c.Questions) {
			t.Fatalf("no result after %d steps", i)
		}
	}
	if evs := hostEvents(t, ctx, "w"); len(evs) != n {
		t.Errorf("host events %v; want %d (ready, one step per question, complete)", evs, n)
	}
	share := wizard + "/result?" + c.Encode(answers)
	wantOpen("result", share)
	closed := waitFits(t, ctx, f, "w", "result, disclosures closed")

	// Every disclosure open: the iframe still fits the whole result.
	evalJS[bool](t, f, `(document.querySelectorAll("main details").forEach((d) => { d.open = true; }), true)`)
	evalJS[bool](t, ctx, `(document.getElementById("w").scrollIntoView(), true)`)
	open := waitFits(t, ctx, f, "w", "result, every disclosure open")
	content := evalJS[frameSize](t, f, frameSizeJS).Content
	t.Logf("result in a %dpx-wide phone frame: %.0fpx with disclosures closed, %.0fpx open", phoneW, closed, open)
	if content > embedMax {
		t.Errorf("the open result is %.0fpx tall, over the %dpx bound: it is cut off", content, embedMax)
	}
	assertNoConsoleErrors(t, ctx)
}
