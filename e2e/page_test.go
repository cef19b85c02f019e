package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Phone and desktop viewports the page layout is held to.
const (
	phoneW, phoneH     = 390, 844
	desktopW, desktopH = 1280, 800
)

// setViewport emulates a width×height viewport at scale 1; mobile also turns on the mobile
// viewport (meta viewport honoured) and touch.
func setViewport(t testing.TB, ctx context.Context, w, h int64, mobile bool) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1), chromedp.EmulatePortrait}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, opts...)); err != nil {
		t.Fatalf("emulate a %dx%d viewport: %v", w, h, err)
	}
}

// box is an element's place in the document (not the viewport), in CSS pixels.
type box struct {
	Found  bool    `json:"found"`
	Top    float64 `json:"top"`
	Bottom float64 `json:"bottom"`
}

func boxOf(t testing.TB, ctx context.Context, sel string) box {
	t.Helper()
	return evalJS[box](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`);
  if (!e) return {found: false};
  const r = e.getBoundingClientRect();
  return {found: true, top: r.top + scrollY, bottom: r.bottom + scrollY}; })()`)
}

// docHeight is the document's full height in CSS pixels.
func docHeight(t testing.TB, ctx context.Context) float64 {
	t.Helper()
	return evalJS[float64](t, ctx, `document.documentElement.scrollHeight`)
}

// TestStartNowAboveTheFold: "Start now" is fully visible without scrolling on a phone and on a
// desktop, with and without JavaScript.
func TestStartNowAboveTheFold(t *testing.T) {
	base, _ := startApp(t)
	for _, js := range []bool{true, false} {
		var opts []tabOption
		if !js {
			opts = append(opts, withJSDisabled())
		}
		ctx := newBrowser(t, opts...)
		for _, vp := range []struct {
			name   string
			w, h   int64
			mobile bool
		}{{"phone", phoneW, phoneH, true}, {"desktop", desktopW, desktopH, false}} {
			setViewport(t, ctx, vp.w, vp.h, vp.mobile)
			navigate(t, ctx, base+"/")
			b := boxOf(t, ctx, "main a.button-start")
			if !b.Found || b.Bottom > float64(vp.h) {
				t.Errorf("%s (js %v): Start now ends at %.0fpx, below the %dpx fold", vp.name, js, b.Bottom, vp.h)
			}
			if js {
				screenshot(t, ctx, "start-"+vp.name)
			}
		}
	}
}

// richResults are result pages with the most to show: Both with open questions, close calls
// (one of them the article's IKEA case study), the visitor unsure of everything, a NestJS API.
var richResults = []struct{ name, query, outcome string }{
	{"both-with-open-questions", "build=platform&logic=complex&growth=notsure&seo=critical&render=notsure&api=public&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=3", "both"},
	{"close-call-startup-graphql", "build=platform&logic=moderate&growth=monolith&seo=critical&render=fast&api=graphql&realtime=no&team=fullstack&share=yes&quality=helpful&v=3", "both"},
	{"undecided-unsure-of-everything", "build=notsure&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=3", "undecided"},
	{"close-call-ikea", "build=notsure&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=yes&quality=notsure&v=3", "both"},
	{"nestjs-enterprise-api", "build=api&logic=complex&growth=monolith&realtime=no&team=java&quality=essential&v=3", "nestjs"},
}

// TestResultFitsOnAPhone: on a 390x844 phone without JavaScript, a rich result with its
// disclosures closed is at most 5 screens, and the decision-record link starts within the
// first 2. Above the fold: the recommendation, its confidence and why.
func TestResultFitsOnAPhone(t *testing.T) {
	base, _ := startApp(t)
	ctx := newBrowser(t, withJSDisabled())
	setViewport(t, ctx, phoneW, phoneH, true)
	for _, rr := range richResults {
		navigate(t, ctx, base+"/result?"+rr.query)
		if got := evalJS[string](t, ctx, `document.querySelector("[data-outcome]").dataset.outcome`); got != rr.outcome {
			t.Errorf("%s: outcome %s, want %s", rr.name, got, rr.outcome)
		}
		h := docHeight(t, ctx)
		adr := boxOf(t, ctx, "main a[download]")
		why := boxOf(t, ctx, "main .why-short")
		conf := boxOf(t, ctx, "main .panel .confidence")
		t.Logf("%s: %.0fpx (%.2f screens); decision record at %.0fpx; why ends at %.0fpx", rr.name, h, h/phoneH, adr.Top, why.Bottom)
		if h > 5*phoneH {
			t.Errorf("%s: the page is %.0fpx, over 5 phone screens (%dpx)", rr.name, h, 5*phoneH)
		}
		if !adr.Found || adr.Top >= 2*phoneH {
			t.Errorf("%s: the decision-record link starts at %.0fpx, not within 2 screens (%dpx)", rr.name, adr.Top, 2*phoneH)
		}
		if !conf.Found || conf.Bottom > phoneH || !why.Found || why.Top > phoneH {
			t.Errorf("%s: the confidence (ends %.0fpx) and why (starts %.0fpx) should be above the fold", rr.name, conf.Bottom, why.Top)
		}
		if n := count(t, ctx, "main details[open]"); n != 0 {
			t.Errorf("%s: %d disclosures open on load", rr.name, n)
		}
		assertNoAxeViolations(t, ctx, "phone result "+rr.name)
		fullScreenshot(t, ctx, "phone-nojs-"+rr.name)
		// And with every disclosure open, as a reader who wants the detail has it.
		evalJS[bool](t, ctx, `(document.querySelectorAll("main details").forEach((d) => { d.open = true; }), true)`)
		t.Logf("%s: %.0fpx with every disclosure open", rr.name, docHeight(t, ctx))
		assertNoAxeViolations(t, ctx, "phone result "+rr.name+", disclosures open")
	}
}

// fullScreenshot saves the whole page, as screenshot does the viewport.
func fullScreenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("E2E_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		os.WriteFile(filepath.Join(dir, safeName(t.Name()+"-"+name)+".png"), buf, 0o644)
	}
}

// TestCloseCallNamesItsChanges: a close call names its first changes under the confidence, and
// "and N more" opens the list of them in the closed disclosure, without JavaScript.
func TestCloseCallNamesItsChanges(t *testing.T) {
	base, _ := startApp(t)
	ctx := newBrowser(t, withJSDisabled())
	setViewport(t, ctx, phoneW, phoneH, true)
	navigate(t, ctx, base+"/result?"+richResults[3].query) // the IKEA case study: a close call
	if n := count(t, ctx, "main .panel .flips:not(.settles) a[href^='/result?']"); n != 2 {
		t.Fatalf("%d changes named under the confidence, want 2", n)
	}
	if exists(t, ctx, "main details#change[open]") {
		t.Fatal("set-up: the disclosure should start closed")
	}
	click(t, ctx, `main .panel .flips a[href="#deciding"]`)
	deadline := time.Now().Add(stepTimeout)
	for !exists(t, ctx, "main details#change[open]") {
		if time.Now().After(deadline) {
			t.Fatal("“and N more” did not open What would change this")
		}
		time.Sleep(25 * time.Millisecond)
	}
}
