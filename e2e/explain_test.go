package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// An open-questions answer set: its result lists several single-answer changes that flip it.
const flippableResult = "/result?build=platform&logic=moderate&growth=notsure&seo=critical&render=mixed&api=own&realtime=notsure&team=react&share=notsure&quality=notsure&v=3"

// TestChangeLinksWorkInBrowser follows "What would change this" links with htmx: each swaps in a
// result that recommends what the link said, and the pages stay free of axe violations.
func TestChangeLinksWorkInBrowser(t *testing.T) {
	base, _ := startApp(t)
	ctx := newBrowser(t)
	navigate(t, ctx, base+flippableResult)
	assertNoAxeViolations(t, ctx, "result with open questions")
	n := count(t, ctx, "#change .section-body > .changes a")
	if n < 2 {
		t.Fatalf("want several change links, got %d", n)
	}
	for i := range min(n, 3) {
		navigate(t, ctx, base+flippableResult)
		showIntent(t, ctx)
		setNavMarker(t, ctx)
		click(t, ctx, "details#change > summary") // the details start closed
		sel := "#change .section-body > .changes li:nth-child(" + itoa(i+1) + ") a"
		want := text(t, ctx, sel+" strong")
		click(t, ctx, sel)
		p := waitPage(t, ctx, "the changed result", func(p pageInfo) bool {
			return p.Path == "/result" && p.Search != strings.TrimPrefix(flippableResult, "/result") && p.H1 != ""
		})
		if !strings.HasPrefix(p.H1, want) {
			t.Errorf("change link %d said %q, the page recommends %q", i+1, want, p.H1)
		}
		if !markerPresent(t, ctx) {
			t.Error("a change link should swap the result in place")
		}
		if p.Active != "H1" {
			t.Errorf("focus after the swap is on %s, want the new heading", p.Active)
		}
		assertNoAxeViolations(t, ctx, "changed result "+itoa(i+1))
	}
	assertNoConsoleErrors(t, ctx)
	assertNoCSPViolations(t, ctx)
}

// TestPrintLayout renders the result page for print: navigation chrome and buttons are hidden,
// the comparison table is all there, and link URLs are spelled out. It saves a print-media
// screenshot and a PDF to look at ($E2E_SCREENSHOT_DIR keeps them).
func TestPrintLayout(t *testing.T) {
	base, _ := startApp(t)
	ctx := newBrowser(t)
	navigate(t, ctx, base+flippableResult)
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	hidden := evalJS[[]string](t, ctx, `['.site-header', '.site-footer', '.back-link', '.skip-link', '.actions', '.share-actions', '.share-status', '.share-url', '.adr-link']
		.filter(s => document.querySelector(s) && getComputedStyle(document.querySelector(s)).display !== 'none')`)
	if len(hidden) > 0 {
		t.Errorf("visible in print: %v", hidden)
	}
	// Every disclosure prints open, even without app.js opening them: their content has a size.
	if closed := evalJS[[]string](t, ctx, `[...document.querySelectorAll('main details:not([open])')]
		.filter(d => { const b = d.querySelector(':scope > :not(summary)'); return !b || b.getBoundingClientRect().height === 0; })
		.map(d => d.id)`); len(closed) > 0 {
		t.Errorf("disclosures printed closed: %v", closed)
	}
	// The result link prints in full, as text.
	share := evalJS[string](t, ctx, `document.getElementById('share-url').value`)
	if got := evalJS[string](t, ctx, `(() => { const p = document.querySelector('.share-print'); return p && getComputedStyle(p).display !== 'none' ? p.textContent : ''; })()`); got != share {
		t.Errorf("printed share link %q, want %q", got, share)
	}
	if got := evalJS[string](t, ctx, `getComputedStyle(document.querySelector('.table-scroll')).overflowX`); got == "auto" || got == "scroll" {
		t.Errorf("the table must not be clipped by a scroll box in print (overflow-x %s)", got)
	}
	after := evalJS[string](t, ctx, `getComputedStyle(document.querySelector('.source a'), '::after').content`)
	if !strings.Contains(after, "http") {
		t.Errorf("printed links should show their URL, ::after content is %s", after)
	}
	dir := os.Getenv("E2E_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "result-print.png"), shot, 0o644)
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		t.Fatal(err)
	}
	if len(pdf.Data) < 1000 {
		t.Fatalf("PDF of %d bytes", len(pdf.Data))
	}
	os.WriteFile(filepath.Join(dir, "result-a4.pdf"), pdf.Data, 0o644)
	t.Logf("print screenshot and A4 PDF in %s", dir)
}

func itoa(i int) string { return strconv.Itoa(i) }
