package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nestnext/decision"
	"nestnext/handlers"
)

// Helpers for the wizard's journeys: the app in-process, a snapshot of what
// the tab shows, and polling waits that fail with that snapshot.

// stepTimeout bounds one wait for a step (a swap or a page load), so a stuck
// step fails with the page's state instead of eating the test's timeout.
const stepTimeout = 15 * time.Second

// siteSuffix ends every page title but the start page's.
const siteSuffix = " – NestJS, Next.js, or both?"

// startApp serves the wizard on a local port for the test's life and
// returns its base URL and the content it serves, so tests can compute
// expected questions, titles and outcomes instead of hard-coding the order.
func startApp(t *testing.T) (string, *decision.Content) {
	t.Helper()
	c, err := decision.Default()
	if err != nil {
		t.Fatalf("decision.Default: %v", err)
	}
	// As the binary runs without PUBLIC_URL: absolute links from its own address, local embedders
	// allowed.
	srv := httptest.NewUnstartedServer(nil)
	public := &url.URL{Scheme: "http", Host: srv.Listener.Addr().String()}
	srv.Config.Handler = handlers.New(c, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{PublicURL: public, EmbedAllowedOrigins: handlers.DevEmbedAllowedOrigins})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, c
}

// pageInfo is what the tab shows at one moment.
type pageInfo struct {
	Href     string `json:"href"`
	Path     string `json:"path"`
	Search   string `json:"search"`
	Title    string `json:"title"`
	H1       string `json:"h1"`
	Active   string `json:"active"`   // tag and classes of document.activeElement, e.g. "H1" or "DIV.error-summary"
	Question string `json:"question"` // data-question of the question form, "" elsewhere
	Status   int    `json:"status"`   // HTTP status of the last full document load (not of htmx swaps)
	Errors   int    `json:"errors"`   // .error-summary elements inside main
}

func (p pageInfo) String() string {
	return fmt.Sprintf("url=%s title=%q h1=%q active=%s question=%q status=%d errorSummaries=%d",
		p.Href, p.Title, p.H1, p.Active, p.Question, p.Status, p.Errors)
}

const pageInfoJS = `(() => {
  const main = document.getElementById('main');
  const h1 = main && main.querySelector('h1');
  const a = document.activeElement;
  const form = main && main.querySelector('form[data-question]');
  const nav = performance.getEntriesByType('navigation')[0];
  let active = a ? a.tagName : '';
  if (a && typeof a.className === 'string' && a.className.trim()) active += '.' + a.className.trim().split(/\s+/).join('.');
  return {
    href: location.href, path: location.pathname, search: location.search, title: document.title,
    h1: h1 ? h1.textContent.replace(/\s+/g, ' ').trim() : '',
    active: active, question: form ? form.dataset.question : '',
    status: nav && nav.responseStatus ? nav.responseStatus : 0,
    errors: main ? main.querySelectorAll('.error-summary').length : 0,
  };
})()`

// readPage snapshots the tab. It works with page JavaScript off.
func readPage(t testing.TB, ctx context.Context) pageInfo {
	t.Helper()
	return evalJS[pageInfo](t, ctx, pageInfoJS)
}

// waitPage polls until ok accepts the tab's state, and fails after
// stepTimeout with the last state. Waiting on the state a step must reach
// (URL, title, heading) replaces sleeps.
func waitPage(t testing.TB, ctx context.Context, what string, ok func(pageInfo) bool) pageInfo {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var last pageInfo
	var lastErr error
	for {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[pageInfo](pageInfoJS))
		if err == nil {
			last, lastErr = p, nil
			if ok(p) {
				return p
			}
		} else {
			lastErr = err // mid-navigation: the document may be gone for a moment
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up; last state: %s (eval error: %v, ctx: %v)", what, last, lastErr, ctx.Err())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// questionTitle is the <title> of question q, without the error prefix.
func questionTitle(q *decision.Question) string { return q.Text + siteSuffix }

// resultTitle is the <title> of the result for outcome o.
func resultTitle(o *decision.Outcome) string { return "Recommendation: " + o.Name + siteSuffix }

// expectedNext returns the path the wizard must lead to after answers (the
// next question or /result), with the page title it must show.
func expectedNext(t testing.TB, c *decision.Content, answers decision.Answers) (path, title string, res *decision.Result) {
	t.Helper()
	rp := c.Replay(answers)
	if !rp.Complete() {
		return "/q/" + rp.Next.ID, questionTitle(rp.Next), nil
	}
	res, err := c.Evaluate(&rp)
	if err != nil {
		t.Fatalf("evaluate %v: %v", answers, err)
	}
	return "/result", resultTitle(res.Outcome), res
}

// assertQuery checks that a URL's query holds exactly the answers and the
// content version (order-insensitive: the order is the server's business).
func assertQuery(t testing.TB, c *decision.Content, href string, answers decision.Answers) {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatalf("parse %s: %v", href, err)
	}
	got := map[string]string{}
	for k, vs := range u.Query() {
		if len(vs) != 1 {
			t.Errorf("%s: parameter %s given %d times", href, k, len(vs))
		}
		got[k] = vs[0]
	}
	want := maps.Clone(map[string]string(answers))
	want[decision.VersionParam] = strconv.Itoa(c.Version)
	if !maps.Equal(got, want) {
		t.Errorf("%s: query = %v, want %v", href, sortedPairs(got), sortedPairs(want))
	}
}

func sortedPairs(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, "&")
}

// optionInputID is the id of a question's radio for option opt.
func optionInputID(qid, opt string) string { return "opt-" + qid + "-" + opt }

// chooseAnswer clicks the label of the option, as a visitor would, and
// checks that it selected the radio.
func chooseAnswer(t testing.TB, ctx context.Context, qid, opt string) {
	t.Helper()
	id := optionInputID(qid, opt)
	click(t, ctx, fmt.Sprintf(`main label[for=%q]`, id))
	if !radioChecked(t, ctx, qid, opt) {
		t.Fatalf("clicking the label of %s did not check its radio", id)
	}
}

// radioChecked reports whether the radio for opt is checked.
func radioChecked(t testing.TB, ctx context.Context, qid, opt string) bool {
	t.Helper()
	return evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const r = document.getElementById(%s); return !!(r && r.checked); })()`, jsString(optionInputID(qid, opt))))
}

// checkedOption returns the value of the checked radio of question qid, or "".
func checkedOption(t testing.TB, ctx context.Context, qid string) string {
	t.Helper()
	return evalJS[string](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector('main input[type=radio][name=' + CSS.escape(%s) + ']:checked'); return r ? r.value : ''; })()`, jsString(qid)))
}

// continueButton is the question form's submit button.
const continueButton = `main form[data-question] button[type="submit"]`

// count returns how many elements match the CSS selector.
func count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	return evalJS[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// summaryRow is one line of "Your answers" on the result page.
type summaryRow struct {
	Question   string `json:"question"`
	Answer     string `json:"answer"`
	ChangeHref string `json:"changeHref"`
	ChangeText string `json:"changeText"`
}

func summaryRows(t testing.TB, ctx context.Context) []summaryRow {
	t.Helper()
	return evalJS[[]summaryRow](t, ctx, `[...document.querySelectorAll('main .summary-list .summary-row')].map((r) => {
  const a = r.querySelector('.summary-action a');
  const dd = r.querySelector('dd:not(.summary-action)');
  return {question: (r.querySelector('dt') || {}).textContent || '', answer: dd ? dd.textContent.trim() : '',
    changeHref: a ? a.getAttribute('href') : '', changeText: a ? a.textContent.replace(/\s+/g, ' ').trim() : ''};
})`)
}

// assertResultPage checks the result page for answers: the outcome the
// engine computes, relevant table rows, reasons and "Your answers" with a
// Change link per question asked.
func assertResultPage(t testing.TB, ctx context.Context, c *decision.Content, answers decision.Answers) {
	t.Helper()
	p := readPage(t, ctx)
	if p.Path != "/result" {
		t.Fatalf("not on the result page: %s", p)
	}
	assertQuery(t, c, p.Href, answers)
	rp := c.Replay(answers)
	res, err := c.Evaluate(&rp)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	if p.H1 != res.Outcome.Headline {
		t.Errorf("result h1 = %q, want %q", p.H1, res.Outcome.Headline)
	}
	if p.Title != resultTitle(res.Outcome) {
		t.Errorf("result title = %q, want %q", p.Title, resultTitle(res.Outcome))
	}
	if n := count(t, ctx, "main table.compare tbody tr"); n != len(c.Table) {
		t.Errorf("comparison table has %d rows, want %d", n, len(c.Table))
	}
	if n := count(t, ctx, "main table.compare tr.relevant"); n == 0 || n != len(res.Rows) {
		t.Errorf("comparison table marks %d rows relevant, want %d (>0)", n, len(res.Rows))
	}
	if n := count(t, ctx, "main ol.reasons li.reason"); n == 0 || n != len(res.Reasons) {
		t.Errorf("%d reasons listed, want %d (>0)", n, len(res.Reasons))
	}
	if h := text(t, ctx, "main details#answers summary h2"); !strings.HasPrefix(h, "Your answers") {
		t.Errorf("answers heading = %q", h)
	}
	rows := summaryRows(t, ctx)
	if len(rows) != len(rp.Path) {
		t.Fatalf("Your answers lists %d rows, want %d: %+v", len(rows), len(rp.Path), rows)
	}
	for i, q := range rp.Path {
		r := rows[i]
		wantHref := "/q/" + q.ID + "?"
		if r.Question != q.Text || r.Answer != q.Option(answers[q.ID]).Label ||
			!strings.HasPrefix(r.ChangeHref, wantHref) || !strings.HasPrefix(r.ChangeText, "Change") {
			t.Errorf("answer row %d = %+v; want question %q, answer %q, a Change link to %s…", i, r, q.Text, q.Option(answers[q.ID]).Label, wantHref)
			continue
		}
		assertQuery(t, c, "http://x"+r.ChangeHref, answers)
	}
	if n := count(t, ctx, `main a[href="/"]`); n == 0 || !strings.Contains(text(t, ctx, `main a[href="/"]`), "Start again") {
		t.Errorf("no Start again link to / on the result page")
	}
}

// expectedLoadError is an HTTP error response the test causes on purpose
// (the 422 of Continue without an answer). Chromium logs every 4xx/5xx
// response as a network console error; only these may be excused.
type expectedLoadError struct {
	Status int
	Path   string
}

// assertNoConsoleErrorsExcept is assertNoConsoleErrors, except that it
// excuses exactly one "Failed to load resource" network line for each
// expected response. Anything else, or a surplus, fails the test.
func assertNoConsoleErrorsExcept(t testing.TB, ctx context.Context, expected ...expectedLoadError) {
	t.Helper()
	left := slices.Clone(expected)
	var bad []string
	for _, e := range consoleErrors(t, ctx) {
		if i := slices.IndexFunc(left, func(x expectedLoadError) bool { return x.matches(e) }); i >= 0 {
			left = slices.Delete(left, i, i+1)
			continue
		}
		bad = append(bad, e.String())
	}
	if len(bad) > 0 {
		t.Errorf("%d console error(s):\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	if len(left) > 0 {
		t.Errorf("expected error responses never showed in the console (did the request happen?): %+v", left)
	}
}

func (x expectedLoadError) matches(e consoleEntry) bool {
	if e.Source != "network" || !strings.Contains(e.Text, fmt.Sprintf("status of %d ", x.Status)) {
		return false
	}
	u, err := url.Parse(e.URL)
	return err == nil && u.Path == x.Path
}
