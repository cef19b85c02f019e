package e2e

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nestnext/decision"
)

// ecommerce answers every question for an e-commerce platform: strong needs
// on both sides, so the wizard recommends both.
var ecommerce = decision.Answers{
	"build": "platform", "logic": "complex", "growth": "monolith", "seo": "critical",
	"render": "mixed", "api": "public", "realtime": "some",
	"team": "fullstack", "share": "yes", "quality": "helpful",
}

// backendAPI answers for a backend-only API: the short path.
var backendAPI = decision.Answers{
	"build": "api", "logic": "simple", "realtime": "essential",
	"team": "java", "quality": "essential",
}

// TestJourneyWithoutJavaScript walks the wizard with page JavaScript off:
// every step is a plain link or GET form and a full page load.
func TestJourneyWithoutJavaScript(t *testing.T) {
	base, c := startApp(t)
	ctx := newBrowser(t, withJSDisabled())

	if status := navigate(t, ctx, base+"/"); status != http.StatusOK {
		t.Fatalf("GET / = %d", status)
	}
	clickAndWaitLoad(t, ctx, "main a.button-start")

	answers := decision.Answers{}
	var asked []string
	sawError := false
	for step := 0; ; step++ {
		if step > len(c.Questions) {
			t.Fatalf("no result after %d steps; asked %v", step, asked)
		}
		p := readPage(t, ctx)
		if p.Path == "/result" {
			break
		}
		q := c.Question(p.Question)
		if q == nil || p.Path != "/q/"+q.ID {
			t.Fatalf("step %d: not a question page: %s", step, p)
		}
		if p.Status != http.StatusOK || p.H1 != q.Text || p.Title != questionTitle(q) {
			t.Errorf("step %d (%s): status %d, h1 %q, title %q; want 200, %q, %q", step, q.ID, p.Status, p.H1, p.Title, q.Text, questionTitle(q))
		}
		wantPath, _, _ := expectedNext(t, c, answers)
		if p.Path != wantPath {
			t.Errorf("step %d: at %s, want %s", step, p.Path, wantPath)
		}
		assertQuery(t, c, p.Href, answers)
		opt, ok := ecommerce[q.ID]
		if !ok {
			t.Fatalf("step %d: question %q is not on the e-commerce path", step, q.ID)
		}

		// On the second question, first press Continue with nothing chosen.
		if step == 1 {
			clickAndWaitLoad(t, ctx, continueButton)
			e := readPage(t, ctx)
			if e.Status != http.StatusUnprocessableEntity {
				t.Errorf("Continue without an answer: status %d, want 422: %s", e.Status, e)
			}
			if !strings.HasPrefix(e.Title, "Error: ") || e.Title != "Error: "+questionTitle(q) {
				t.Errorf("error page title = %q, want %q", e.Title, "Error: "+questionTitle(q))
			}
			if e.Errors != 1 || e.Question != q.ID || e.H1 != q.Text {
				t.Errorf("error page: want one .error-summary and the same question: %s", e)
			}
			if !exists(t, ctx, "main .error-summary a[href='#"+optionInputID(q.ID, q.Options[0].ID)+"']") {
				t.Errorf("error summary does not link to the first radio #%s", optionInputID(q.ID, q.Options[0].ID))
			}
			if msg := text(t, ctx, "main .error-message"); !strings.Contains(msg, q.Text) {
				t.Errorf("inline .error-message = %q, want it to name the question", msg)
			}
			if got := checkedOption(t, ctx, q.ID); got != "" {
				t.Errorf("error page has %q checked", got)
			}
			// The form on the error page still carries the earlier answers.
			for id, v := range answers {
				if got := evalJS[string](t, ctx, `(document.querySelector('main form input[type=hidden][name=`+id+`]') || {}).value || ''`); got != v {
					t.Errorf("error page: hidden input %s = %q, want %q", id, got, v)
				}
			}
			sawError = true
		}

		chooseAnswer(t, ctx, q.ID, opt)
		clickAndWaitLoad(t, ctx, continueButton)
		answers[q.ID] = opt
		asked = append(asked, q.ID)
	}
	if !sawError {
		t.Error("the journey never reached a second question to test the error state")
	}
	if len(asked) != len(ecommerce) {
		t.Errorf("asked %v; want each of the %d e-commerce questions once", asked, len(ecommerce))
	}

	p := readPage(t, ctx)
	if p.Status != http.StatusOK {
		t.Errorf("result status %d", p.Status)
	}
	if !strings.Contains(p.H1, "Both") {
		t.Errorf("e-commerce result h1 = %q, want it to contain %q", p.H1, "Both")
	}
	assertResultPage(t, ctx, c, ecommerce)

	// Change the first answer (build) to a backend-only API: the branching
	// drops the front-end questions and the wizard goes straight back to a
	// result, since every remaining question is answered.
	click(t, ctx, "details#answers > summary") // the details start closed
	clickAndWaitLoad(t, ctx, `main .summary-list a[href^="/q/build?"]`)
	p = readPage(t, ctx)
	if p.Path != "/q/build" || p.Question != "build" {
		t.Fatalf("Change for build: %s", p)
	}
	if got := checkedOption(t, ctx, "build"); got != "platform" {
		t.Errorf("Change for build: checked %q, want the earlier answer platform", got)
	}
	if got := text(t, ctx, "main a.back-link"); got == "" {
		t.Error("changed question has no Back link")
	}
	chooseAnswer(t, ctx, "build", "api")
	clickAndWaitLoad(t, ctx, continueButton)
	rp := c.Replay(ecommerce.With("build", "api"))
	changed := rp.Answers
	if !rp.Complete() {
		t.Fatalf("test data: %v is not complete", changed)
	}
	assertResultPage(t, ctx, c, changed)

	// Start again leads to the start page.
	clickAndWaitLoad(t, ctx, `main a[href="/"]`)
	if p := readPage(t, ctx); p.Path != "/" || !exists(t, ctx, "main a.button-start") {
		t.Errorf("Start again: %s", p)
	}

	assertNoConsoleErrorsExcept(t, ctx, expectedLoadError{http.StatusUnprocessableEntity, "/next"})
	assertNoCSPViolations(t, ctx)
}

// TestJourneyWithHTMX walks the wizard with JavaScript: htmx swaps <main>
// in place, pushes each step's URL, and app.js moves focus and keeps
// browser Back working.
func TestJourneyWithHTMX(t *testing.T) {
	base, c := startApp(t)
	ctx := newBrowser(t)

	if status := navigate(t, ctx, base+"/"); status != http.StatusOK {
		t.Fatalf("GET / = %d", status)
	}
	startTitle := readPage(t, ctx).Title
	showIntent(t, ctx)
	setNavMarker(t, ctx)
	hist := historyLength(t, ctx)

	// assertSwapped checks a step that htmx swapped in: no full load, one
	// new history entry, the new title, focus on the heading.
	assertSwapped := func(what string, p pageInfo, pushed bool) {
		t.Helper()
		if !markerPresent(t, ctx) {
			t.Errorf("%s: a full page load happened (navigation marker lost)", what)
		}
		if pushed {
			hist++
		}
		if h := historyLength(t, ctx); h != hist {
			t.Errorf("%s: history.length = %d, want %d", what, h, hist)
		}
		if p.Active != "H1" {
			t.Errorf("%s: focus is on %q, want the page's H1", what, p.Active)
		}
		if p.Errors != 0 {
			t.Errorf("%s: unexpected .error-summary", what)
		}
	}

	// step answers the question on screen and waits for where the answers
	// must lead, which it checks.
	answers := decision.Answers{}
	step := func(opt string) pageInfo {
		t.Helper()
		p := readPage(t, ctx)
		chooseAnswer(t, ctx, p.Question, opt)
		click(t, ctx, continueButton)
		answers[p.Question] = opt
		wantPath, wantTitle, _ := expectedNext(t, c, answers)
		n := waitPage(t, ctx, "the step after "+p.Question+"="+opt, func(n pageInfo) bool {
			return n.Path == wantPath && n.Title == wantTitle
		})
		assertQuery(t, c, n.Href, answers)
		assertSwapped("after "+p.Question+"="+opt, n, true)
		return n
	}

	// Start now is a boosted link inside main: it swaps too.
	first := &c.Questions[0]
	click(t, ctx, "main a.button-start")
	p := waitPage(t, ctx, "the first question", func(p pageInfo) bool {
		return p.Path == "/q/"+first.ID && p.Title == questionTitle(first)
	})
	if p.Title == startTitle || p.H1 != first.Text || p.Question != first.ID {
		t.Errorf("first question: %s", p)
	}
	assertQuery(t, c, p.Href, answers)
	assertSwapped("Start now", p, true)

	// Continue with nothing chosen: the 422 page swaps in, the URL and the
	// history stay, focus goes to the error summary.
	before := p
	click(t, ctx, continueButton)
	p = waitPage(t, ctx, "the error state", func(p pageInfo) bool {
		return p.Title == "Error: "+questionTitle(first)
	})
	if p.Href != before.Href {
		t.Errorf("error state changed the URL: %s -> %s", before.Href, p.Href)
	}
	if p.Errors != 1 || p.Question != first.ID || p.H1 != first.Text {
		t.Errorf("error state: want one .error-summary on the same question: %s", p)
	}
	if !strings.HasPrefix(p.Active, "DIV.error-summary") {
		t.Errorf("error state: focus is on %q, want the .error-summary", p.Active)
	}
	if !exists(t, ctx, "main .error-message") {
		t.Error("error state: no inline .error-message")
	}
	if !markerPresent(t, ctx) {
		t.Error("error state: a full page load happened")
	}
	if h := historyLength(t, ctx); h != hist {
		t.Errorf("error state: history.length = %d, want %d (no push)", h, hist)
	}

	// Answer two questions from the error state on.
	q1 := p.Question
	p = step(backendAPI[q1])
	q2 := p.Question
	if q2 == "" {
		t.Fatalf("second step is not a question: %s", p)
	}
	p = step(backendAPI[q2])
	afterTwo := p
	if afterTwo.Question == "" {
		t.Fatalf("third step is not a question: %s", p)
	}

	// Browser Back restores the previous question with its answer checked
	// (app.js rewrote that history entry before leaving it).
	evalJS[bool](t, ctx, `(history.back(), true)`)
	q2q := c.Question(q2)
	p = waitPage(t, ctx, "Back to "+q2, func(p pageInfo) bool {
		return p.Path == "/q/"+q2 && p.Title == questionTitle(q2q) && p.Question == q2
	})
	assertQuery(t, c, p.Href, decision.Answers{q1: backendAPI[q1], q2: backendAPI[q2]})
	if got := checkedOption(t, ctx, q2); got != backendAPI[q2] {
		t.Errorf("after Back, %s has %q checked, want %q", q2, got, backendAPI[q2])
	}
	assertSwapped("Back to "+q2, p, false)

	// Forward returns to the third question.
	evalJS[bool](t, ctx, `(history.forward(), true)`)
	p = waitPage(t, ctx, "Forward to "+afterTwo.Question, func(p pageInfo) bool {
		return p.Href == afterTwo.Href && p.Title == afterTwo.Title && p.Question == afterTwo.Question
	})
	assertSwapped("Forward", p, false)

	// Reload of a mid-journey URL is a full page load of the same question.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	p = readPage(t, ctx)
	if markerPresent(t, ctx) {
		t.Error("reload kept the window: not a full load")
	}
	q3 := c.Question(afterTwo.Question)
	if p.Href != afterTwo.Href || p.Status != http.StatusOK || p.Title != afterTwo.Title || p.H1 != q3.Text || p.Question != q3.ID || p.Errors != 0 {
		t.Errorf("reload: %s; want %s", p, afterTwo)
	}
	if n := count(t, ctx, "main form[data-question] input[type=radio][name="+q3.ID+"]"); n != len(q3.Options) {
		t.Errorf("reload: %d radios, want %d", n, len(q3.Options))
	}
	for _, id := range []string{q1, q2} {
		if v := evalJS[string](t, ctx, `(document.querySelector('main form input[type=hidden][name=`+id+`]') || {}).value || ''`); v != backendAPI[id] {
			t.Errorf("reload: hidden input %s = %q, want %q", id, v, backendAPI[id])
		}
	}
	if href := evalJS[string](t, ctx, `(document.querySelector('main a.back-link') || {}).pathname || ''`); href != "/q/"+q2 {
		t.Errorf("reload: Back link goes to %q, want /q/%s", href, q2)
	}
	showIntent(t, ctx)
	setNavMarker(t, ctx)
	hist = historyLength(t, ctx)

	// The rest of the questions, whatever their order.
	for i := 0; ; i++ {
		p = readPage(t, ctx)
		if p.Path == "/result" {
			break
		}
		if i > len(c.Questions) {
			t.Fatalf("no result after %d more steps: %s", i, p)
		}
		opt, ok := backendAPI[p.Question]
		if !ok {
			t.Fatalf("question %q is not on the backend-API path: %s", p.Question, p)
		}
		step(opt)
	}
	if !maps.Equal(answers, backendAPI) {
		t.Errorf("answered %v, want %v", answers, backendAPI)
	}
	assertResultPage(t, ctx, c, backendAPI)
	if !markerPresent(t, ctx) {
		t.Error("result: a full page load happened")
	}
	assertNoAxeViolations(t, ctx, "result page swapped in by htmx")

	// Change an answer from the result page: the question swaps in with the
	// old answer checked, and Continue goes straight back to the result.
	click(t, ctx, "details#answers > summary") // the details start closed
	click(t, ctx, `main .summary-list a[href^="/q/team?"]`)
	team := c.Question("team")
	p = waitPage(t, ctx, "Change team", func(p pageInfo) bool {
		return p.Path == "/q/team" && p.Title == questionTitle(team)
	})
	assertSwapped("Change team", p, true)
	if got := checkedOption(t, ctx, "team"); got != backendAPI["team"] {
		t.Errorf("Change team: checked %q, want %q", got, backendAPI["team"])
	}
	p = step("react")
	if p.Path != "/result" {
		t.Fatalf("after changing team: %s", p)
	}
	assertResultPage(t, ctx, c, answers)

	// Start again swaps the start page in; focus moves to its heading too.
	click(t, ctx, `main a[href="/"]`)
	p = waitPage(t, ctx, "Start again", func(p pageInfo) bool { return p.Path == "/" && p.Title == startTitle })
	assertSwapped("Start again", p, true)

	assertNoConsoleErrorsExcept(t, ctx, expectedLoadError{http.StatusUnprocessableEntity, "/next"})
	assertNoCSPViolations(t, ctx)
}
