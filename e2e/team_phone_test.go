package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nestnext/decision"
)

// threeMembers is issue 20's example team: Ada and Bo build a web product whose search is
// critical (one answering the first option everywhere else, the other the last real one), Cy a
// backend only. It returns the team link's path and query.
func threeMembers(c *decision.Content) string {
	lastReal := func(q *decision.Question) int {
		i := len(q.Options) - 1
		for q.Options[i].Unsure || len(q.Options[i].ShowIf) > 0 {
			i--
		}
		return i
	}
	with := func(fixed decision.Answers, pick func(*decision.Question) int) decision.Answers {
		return walk(c, func(q *decision.Question) int {
			if v, ok := fixed[q.ID]; ok {
				for i, o := range q.Options {
					if o.ID == v {
						return i
					}
				}
			}
			return pick(q)
		})
	}
	web := decision.Answers{"build": "platform", "seo": "critical"}
	members := []decision.TeamMember{
		{Name: "Ada", Answers: with(web, func(*decision.Question) int { return 0 })},
		{Name: "Bo", Answers: with(web, lastReal)},
		{Name: "Cy", Answers: with(decision.Answers{"build": "api"}, lastReal)},
	}
	var q []string
	for _, m := range members {
		q = append(q, "m="+c.EncodeMember(m))
	}
	return "/team?" + strings.Join(q, "&") + "&v=" + strconv.Itoa(c.Version)
}

// follow clicks sel and waits for the page ok accepts: a full load without JavaScript, an htmx
// swap with it.
func follow(t *testing.T, ctx context.Context, sel, what string, ok func(p pageInfo) bool) pageInfo {
	t.Helper()
	if jsDisabled(t, ctx) {
		clickAndWaitLoad(t, ctx, sel)
		p := readPage(t, ctx)
		if !ok(p) {
			t.Fatalf("%s: landed on %s", what, p)
		}
		return p
	}
	click(t, ctx, sel)
	return waitPage(t, ctx, what, ok)
}

// TestTeamColleagueOnAPhone is issue 22's colleague: they open a three-member team link on a
// 390x844 phone, find "Add your answers" within two screens of a page at most five long (details
// closed), answer with the team banner on every question, and land back on the team page with
// four members. Without JavaScript and with htmx.
func TestTeamColleagueOnAPhone(t *testing.T) {
	for _, mode := range []string{"NoJS", "JS"} {
		t.Run(mode, func(t *testing.T) {
			base, c := startApp(t)
			var opts []tabOption
			if mode == "NoJS" {
				opts = append(opts, withJSDisabled())
			}
			ctx := newBrowser(t, opts...)
			setViewport(t, ctx, phoneW, phoneH, true)
			if status := navigate(t, ctx, base+threeMembers(c)); status != http.StatusOK {
				t.Fatalf("GET the team link: %d", status)
			}
			h := docHeight(t, ctx)
			join := boxOf(t, ctx, `main form:has(#team-name) button[type=submit]`)
			t.Logf("three-member team page: %.0fpx (%.2f screens); Add your answers ends at %.0fpx", h, h/phoneH, join.Bottom)
			if h > 5*phoneH {
				t.Errorf("the three-member team page is %.0fpx, over 5 phone screens (%dpx)", h, 5*phoneH)
			}
			if !join.Found || join.Bottom > 2*phoneH {
				t.Errorf("“Add your answers” ends at %.0fpx, not within 2 phone screens (%dpx)", join.Bottom, 2*phoneH)
			}
			if n := count(t, ctx, "main details[open]"); n != 0 {
				t.Errorf("%d disclosures open on load", n)
			}
			if mode == "NoJS" {
				fullScreenshot(t, ctx, "team-of-three-phone")
			}
			assertNoAxeViolations(t, ctx, "three-member team page on a phone ("+mode+")")
			if mode == "JS" {
				showIntent(t, ctx)
				setNavMarker(t, ctx)
			}

			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#team-name"), "Dee")); err != nil {
				t.Fatal(err)
			}
			p := follow(t, ctx, `main form:has(#team-name) button[type=submit]`, "the first question", func(p pageInfo) bool { return p.Question != "" })
			for step := 0; p.Path != "/team"; step++ {
				if step > len(c.Questions) {
					t.Fatalf("no team page after %d questions: %s", step, p)
				}
				banner := text(t, ctx, "main .team-banner")
				if !strings.HasPrefix(banner, "Answering for the team of Ada, Bo and Cy") {
					t.Errorf("question %s: banner %q", p.Question, banner)
				}
				if step > 0 && !exists(t, ctx, `main .team-banner a[href^="/team?"], main .team-banner a[href^="/result?"]`) {
					t.Errorf("question %s: the banner has no way back to the team page", p.Question)
				}
				if step == 1 && mode == "NoJS" {
					fullScreenshot(t, ctx, "team-question-phone")
					setViewport(t, ctx, desktopW, desktopH, false)
					fullScreenshot(t, ctx, "team-question-desktop")
					setViewport(t, ctx, phoneW, phoneH, true)
				}
				if step == 1 {
					assertNoAxeViolations(t, ctx, "team question page ("+mode+")")
				}
				q := c.Question(p.Question)
				chooseAnswer(t, ctx, q.ID, q.Options[0].ID)
				p = follow(t, ctx, continueButton, "the step after "+q.ID, func(n pageInfo) bool {
					return (n.Question != "" && n.Question != q.ID) || n.Path == "/team"
				})
			}
			names := evalJS[[]string](t, ctx, `[...document.querySelectorAll('main .team-members > li > h3 strong')].map(e => e.textContent)`)
			if strings.Join(names, ",") != "Ada,Bo,Cy,Dee" {
				t.Errorf("members %v, want Ada, Bo, Cy and Dee", names)
			}
			if q, _ := url.ParseQuery(strings.TrimPrefix(p.Search, "?")); len(q["m"]) != 4 {
				t.Errorf("the team link %s does not hold four members", p.Search)
			}
			if mode == "JS" && !markerPresent(t, ctx) {
				t.Error("the journey had a full page load; with htmx every step swaps")
			}
			if h := docHeight(t, ctx); h > 5*phoneH {
				t.Logf("four-member team page: %.0fpx (%.2f screens)", h, h/phoneH)
			}
			assertNoAxeViolations(t, ctx, "four-member team page ("+mode+")")
			assertNoCSPViolations(t, ctx)
		})
	}
}

// TestChangeYourAnswersFromTheTop: "Change your answers" near the recommendation opens the list
// of answers; a Change page from it offers "Back to the result", which returns to the same
// result. Then the same from the team page, for a member's own answers.
func TestChangeYourAnswersFromTheTop(t *testing.T) {
	for _, mode := range []string{"NoJS", "JS"} {
		t.Run(mode, func(t *testing.T) {
			base, c := startApp(t)
			var opts []tabOption
			if mode == "NoJS" {
				opts = append(opts, withJSDisabled())
			}
			ctx := newBrowser(t, opts...)
			setViewport(t, ctx, phoneW, phoneH, true)
			result := "/result?" + c.Encode(ecommerce)
			navigate(t, ctx, base+result)
			if mode == "JS" {
				showIntent(t, ctx)
			}
			top := boxOf(t, ctx, "main .change-answers a")
			if !top.Found || top.Bottom > 2*phoneH {
				t.Errorf("“Change your answers” ends at %.0fpx, not near the recommendation", top.Bottom)
			}
			click(t, ctx, "main .change-answers a")
			deadline := time.Now().Add(stepTimeout)
			for !exists(t, ctx, "main details#answers[open]") {
				if time.Now().After(deadline) {
					t.Fatal("“Change your answers” did not open the list of answers")
				}
				time.Sleep(25 * time.Millisecond)
			}
			p := follow(t, ctx, `main details#answers .summary-action a[href^="/q/seo?"]`, "the Change page", func(p pageInfo) bool { return p.Question == "seo" })
			if got := checkedOption(t, ctx, "seo"); got != ecommerce["seo"] {
				t.Errorf("Change page: %q checked, want %q", got, ecommerce["seo"])
			}
			if got := text(t, ctx, "main form[data-question] .form-actions a"); got != "Back to the result" {
				t.Fatalf("Change page offers %q, want Back to the result", got)
			}
			if !exists(t, ctx, continueButton) {
				t.Error("the Change page has no Continue")
			}
			if mode == "NoJS" {
				fullScreenshot(t, ctx, "change-page-phone")
			}
			assertNoAxeViolations(t, ctx, "Change page from a result ("+mode+")")
			p = follow(t, ctx, "main form[data-question] .form-actions a", "back to the result", func(p pageInfo) bool { return p.Path == "/result" })
			assertQuery(t, c, p.Href, ecommerce)

			// On the team page: a member's own answers, and the way back to the team.
			team := threeMembers(c)
			navigate(t, ctx, base+team)
			if mode == "JS" {
				showIntent(t, ctx)
			}
			click(t, ctx, "main .team-who a")
			deadline = time.Now().Add(stepTimeout)
			for !exists(t, ctx, "main details#members-section[open]") {
				if time.Now().After(deadline) {
					t.Fatal("“Change your answers” on the team page did not open the members’ answers")
				}
				time.Sleep(25 * time.Millisecond)
			}
			follow(t, ctx, "main .team-members > li:nth-child(2) .summary-action a", "Bo's Change page", func(p pageInfo) bool { return p.Question != "" })
			if got := text(t, ctx, "main form[data-question] .form-actions a"); got != "Back to the team page" {
				t.Fatalf("team Change page offers %q", got)
			}
			p = follow(t, ctx, "main form[data-question] .form-actions a", "back to the team page", func(p pageInfo) bool { return p.Path == "/team" })
			if p.Path+p.Search != team {
				t.Errorf("back on %s, want the team as it was, %s", p.Path+p.Search, team)
			}
		})
	}
}

// TestTeamOfOneOnAPhoneAndDesktop: the page the first member gets has no agreement rows, says the
// others have not answered yet and how to share, and passes axe.
func TestTeamOfOneOnAPhoneAndDesktop(t *testing.T) {
	base, c := startApp(t)
	ctx := newBrowser(t, withJSDisabled())
	one := "/team?m=" + c.EncodeMember(decision.TeamMember{Name: "Ada", Answers: walk(c, func(*decision.Question) int { return 0 })}) + "&v=" + strconv.Itoa(c.Version)
	for _, vp := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{{"phone", phoneW, phoneH, true}, {"desktop", desktopW, desktopH, false}} {
		setViewport(t, ctx, vp.w, vp.h, vp.mobile)
		navigate(t, ctx, base+one)
		text := evalJS[string](t, ctx, `document.querySelector("main").innerText`)
		if strings.Contains(text, "agree") && !strings.Contains(text, "disagree") || strings.Contains(text, "All agree") {
			t.Errorf("%s: a team of one shows agreement", vp.name)
		}
		if !strings.Contains(text, "until the others add theirs") || !exists(t, ctx, "main .team-share-first #share-url") {
			t.Errorf("%s: the page does not say the others have not answered and how to share", vp.name)
		}
		share := boxOf(t, ctx, "main #share-url")
		if share.Bottom > float64(2*vp.h) {
			t.Errorf("%s: the team link ends at %.0fpx, not within two screens", vp.name, share.Bottom)
		}
		fullScreenshot(t, ctx, "team-of-one-"+vp.name)
		assertNoAxeViolations(t, ctx, "team of one ("+vp.name+")")
	}
	setViewport(t, ctx, desktopW, desktopH, false)
	navigate(t, ctx, base+threeMembers(c))
	fullScreenshot(t, ctx, "team-of-three-desktop")
	navigate(t, ctx, base+"/result?"+c.Encode(ecommerce))
	fullScreenshot(t, ctx, "result-desktop")
	setViewport(t, ctx, phoneW, phoneH, true)
	navigate(t, ctx, base+"/result?"+c.Encode(ecommerce))
	fullScreenshot(t, ctx, "result-phone")
}

// teamEvent is one nest-next-wizard:* event the host saw, with the team flag.
type teamEvent struct {
	Type   string `json:"type"`
	Detail struct {
		Question       string `json:"question"`
		Recommendation string `json:"recommendation"`
		ShareURL       string `json:"shareUrl"`
		Team           bool   `json:"team"`
	} `json:"detail"`
}

// TestEmbeddedTeamJourney: in the embed, a visitor's result sends complete; "Decide with your
// team" sends complete again with the team link; a colleague's answers there send a step per
// question and, on the team page, complete with the new team link (two members).
func TestEmbeddedTeamJourney(t *testing.T) {
	wizard, c := startApp(t)
	page := fmt.Sprintf(phoneHostHTML, wizard)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(h.Close)
	ctx := newBrowser(t, withTimeout(120*time.Second))
	navigate(t, ctx, strings.Replace(h.URL, "127.0.0.1", "localhost", 1)+"/")
	waitEvent(t, ctx, "w", 1, "nest-next-wizard:ready")
	f := frameTarget(t, ctx, "wizard", func(u string) bool { return u == wizard+"/embed/" })
	events := func() []teamEvent {
		return evalJS[[]teamEvent](t, ctx, `window.__events.filter((e) => e.target === "w")`)
	}
	// waitComplete waits for the n-th event to be complete, with no other kind of event before it.
	waitComplete := func(n int) teamEvent {
		t.Helper()
		deadline := time.Now().Add(stepTimeout)
		for {
			if evs := events(); len(evs) >= n && evs[n-1].Type == "nest-next-wizard:complete" {
				return evs[n-1]
			}
			if time.Now().After(deadline) {
				t.Fatalf("no complete event %d: %+v", n, events())
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	// answer walks the questions in the frame with pick, from the first, until there is no
	// question form (embedded, htmx keeps the frame's address, so the page tells where it is).
	answer := func(pick func(q *decision.Question) int) int {
		p := waitPage(t, f, "the first question", func(p pageInfo) bool { return p.Question != "" })
		steps := 0
		for ; p.Question != ""; steps++ {
			q := c.Question(p.Question)
			chooseAnswer(t, f, q.ID, q.Options[pick(q)].ID)
			domClick(t, f, continueButton)
			p = waitPage(t, f, "the step after "+q.ID, func(n pageInfo) bool { return n.Question != q.ID })
		}
		return steps
	}
	click(t, f, "main a.button-start")
	n := 1 + answer(func(*decision.Question) int { return 0 })
	if e := waitComplete(n + 1); e.Detail.Team || !strings.Contains(e.Detail.ShareURL, "/result?") {
		t.Errorf("a visitor's result: %+v", e)
	}
	domClick(t, f, "main .team-entry a")
	e := waitComplete(n + 2)
	if !e.Detail.Team || !strings.HasPrefix(e.Detail.ShareURL, wizard+"/team?m=") || strings.Count(e.Detail.ShareURL, "m=") != 1 {
		t.Errorf("the team page of one: %+v", e)
	}
	waitVisible(t, f, "main #team-name")
	domClick(t, f, `main form:has(#team-name) button[type=submit]`)
	steps := answer(func(q *decision.Question) int { return len(q.Options) - 1 })
	evs := events()
	last := waitComplete(n + 2 + steps + 1)
	if !last.Detail.Team || strings.Count(last.Detail.ShareURL, "m=") != 2 || !strings.HasPrefix(last.Detail.ShareURL, wizard+"/team?") {
		t.Errorf("the colleague's team page: %+v", last)
	}
	for _, ev := range evs[n+2 : n+2+steps] {
		if ev.Type != "nest-next-wizard:step" {
			t.Errorf("between the team pages the host saw %+v; want one step per question", evs[n+2:])
			break
		}
	}
	assertNoConsoleErrors(t, ctx)
}
