package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestHowItDecidesOnPhoneAndPaper opens the decision map on a 390×844 phone without JavaScript:
// every question is there, nothing is wider than the screen, axe finds nothing. Printed, nothing
// is clipped and it makes a PDF.
func TestHowItDecidesOnPhoneAndPaper(t *testing.T) {
	base, c := startApp(t)
	ctx := newBrowser(t, withJSDisabled())
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 3, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if status := navigate(t, ctx, base+"/how-it-decides"); status != http.StatusOK {
		t.Fatalf("GET /how-it-decides: %d", status)
	}
	if n := count(t, ctx, "main li.how-question"); n != len(c.Questions) {
		t.Errorf("%d questions on the map, want %d", n, len(c.Questions))
	}
	if w := evalJS[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %.0fpx wide on a 390px phone", w)
	}
	wide := evalJS[[]string](t, ctx, `[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + "." + e.className).slice(0, 5)`)
	if len(wide) > 0 {
		t.Errorf("wider than the phone: %v", wide)
	}
	assertNoAxeViolations(t, ctx, "how it decides, phone, no JavaScript")

	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if got := evalJS[string](t, ctx, `getComputedStyle(document.querySelector('.table-scroll')).overflowX`); got == "auto" || got == "scroll" {
		t.Errorf("the outcomes table must not be clipped in print (overflow-x %s)", got)
	}
	if hidden := evalJS[int](t, ctx, `[...document.querySelectorAll("main li.how-question")].filter(e => e.getBoundingClientRect().height === 0).length`); hidden != 0 {
		t.Errorf("%d questions are not printed", hidden)
	}
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf.Data) < 1000 {
		t.Fatalf("PDF of %d bytes", len(pdf.Data))
	}
	if !strings.Contains(text(t, ctx, "main"), c.Questions[len(c.Questions)-1].Text) {
		t.Error("the last question is missing")
	}
}
