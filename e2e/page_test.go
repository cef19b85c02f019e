package e2e

import (
	"context"
	"testing"

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
