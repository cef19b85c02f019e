package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"nestnext/decision"
)

// walk answers the wizard with pick (the option index for each question asked, or the nearest
// option before it that is on offer there) until complete.
func walk(c *decision.Content, pick func(q *decision.Question) int) decision.Answers {
	a := decision.Answers{}
	for {
		rp := c.Replay(a)
		if rp.Complete() {
			return rp.Answers
		}
		offered := c.Offered(&rp, rp.Next)
		i := pick(rp.Next)
		for i > 0 && !slices.Contains(offered, &rp.Next.Options[i]) {
			i--
		}
		a[rp.Next.ID] = rp.Next.Options[i].ID
	}
}

// TestTeamJourney is issue 14's "Done when": two people go from one person's result, through
// "Decide with your team", to a team page that shows both of them, their disagreements and what
// settles them; without JavaScript (full page loads) and with htmx (swaps).
func TestTeamJourney(t *testing.T) {
	for _, mode := range []string{"NoJS", "JS"} {
		t.Run(mode, func(t *testing.T) {
			base, c := startApp(t)
			var ctx context.Context
			if mode == "NoJS" {
				ctx = newBrowser(t, withJSDisabled())
			} else {
				ctx = newBrowser(t)
			}
			// follow clicks sel and waits for the page ok accepts: a full load without JavaScript,
			// an htmx swap with it.
			follow := func(sel, what string, ok func(p pageInfo) bool) pageInfo {
				t.Helper()
				if mode == "NoJS" {
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
			open := func(u string) {
				t.Helper()
				if status := navigate(t, ctx, u); status != http.StatusOK {
					t.Fatalf("GET %s = %d", u, status)
				}
				if mode == "JS" {
					showIntent(t, ctx)
				}
			}
			isTeam := func(p pageInfo) bool { return p.Path == "/team" }
			setValue := func(sel, v string) {
				t.Helper()
				if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
					t.Fatalf("set %s: %v", sel, err)
				}
			}

			// Ada answers alone and opens her result.
			ada := walk(c, func(*decision.Question) int { return 0 })
			open(base + "/result?" + c.Encode(ada))
			p := follow("main .team-entry a", "the team page of one", isTeam)
			if n := count(t, ctx, "main .team-members > li"); n != 1 {
				t.Fatalf("team of one: %d members listed", n)
			}
			// Renaming is its own action, behind "Rename …".
			click(t, ctx, "main details.team-rename > summary")
			setValue("#team-rename", "Ada")
			p = follow(`main form:has(#team-rename) button[type=submit]`, "the team page with Ada named", func(p pageInfo) bool {
				return isTeam(p) && strings.Contains(p.Search, ".QWRh")
			})
			// She passes the link on; Bob opens it in his browser.
			link := evalJS[string](t, ctx, `document.getElementById('share-url').value`)
			if !strings.Contains(link, "/team?m=") {
				t.Fatalf("share link %q", link)
			}
			open(link)
			if mode == "JS" {
				setNavMarker(t, ctx)
			}
			setValue("#team-name", "Bob")
			first := &c.Questions[0]
			p = follow(`main form:has(#team-name) button[type=submit]`, "Bob's first question", func(p pageInfo) bool {
				return p.Question == first.ID
			})
			if got := text(t, ctx, "main a.back-link"); got != "Back to the team" {
				t.Errorf("first question's back link %q", got)
			}
			// Bob answers differently: the last real option each time.
			for step := 0; ; step++ {
				if step > len(c.Questions) {
					t.Fatalf("no team page after %d steps: %s", step, p)
				}
				if isTeam(p) {
					break
				}
				q := c.Question(p.Question)
				if q == nil {
					t.Fatalf("step %d: not a question page: %s", step, p)
				}
				pick := len(q.Options) - 1
				for q.Options[pick].Unsure || len(q.Options[pick].ShowIf) > 0 {
					pick--
				}
				chooseAnswer(t, ctx, q.ID, q.Options[pick].ID)
				// app.js rewrites the current entry's URL with the answer before leaving, so wait
				// for another question, or the team page.
				p = follow(continueButton, "the step after "+q.ID, func(n pageInfo) bool {
					return (n.Question != "" && n.Question != q.ID) || isTeam(n)
				})
			}
			// The team page shows both, their disagreements and what settles them.
			if p.Status != http.StatusOK && mode == "NoJS" {
				t.Errorf("team page status %d", p.Status)
			}
			names := evalJS[[]string](t, ctx, `[...document.querySelectorAll('main .team-members > li > h3 strong')].map(e => e.textContent)`)
			if strings.Join(names, ",") != "Ada,Bob" {
				t.Errorf("members %v, want Ada,Bob", names)
			}
			heads := evalJS[[]string](t, ctx, `[...document.querySelectorAll('main .team-matrix thead th')].map(e => e.textContent.trim())`)
			if len(heads) != 4 || heads[1] != "Ada" || heads[2] != "Bob" {
				t.Errorf("matrix headers %v", heads)
			}
			if n := count(t, ctx, "main .team-matrix tbody tr.differs"); n == 0 {
				t.Error("the matrix marks no disagreement")
			}
			summary := text(t, ctx, "main .team-summary")
			if !strings.HasPrefix(summary, "You agree on ") {
				t.Errorf("summary %q", summary)
			}
			if !exists(t, ctx, "main #disagreements") || count(t, ctx, "main .disagreements > li") == 0 {
				t.Error("no disagreements listed")
			}
			if mode == "JS" {
				if p.Active != "H1" {
					t.Errorf("after the swap focus is on %q, want the H1", p.Active)
				}
				if !markerPresent(t, ctx) {
					t.Error("Bob's journey had a full page load; with htmx every step swaps")
				}
			}
			assertNoAxeViolations(t, ctx, "team page ("+mode+")")
			if mode == "NoJS" {
				assertNoConsoleErrors(t, ctx)
			}
			assertNoCSPViolations(t, ctx)
		})
	}
}

// teamPath is a team of two who disagree, one of them named.
func teamPath(c *decision.Content) string {
	ada := walk(c, func(*decision.Question) int { return 0 })
	bob := walk(c, func(q *decision.Question) int {
		i := len(q.Options) - 1
		for q.Options[i].Unsure || len(q.Options[i].ShowIf) > 0 {
			i--
		}
		return i
	})
	return "/team?m=" + c.EncodeMember(decision.TeamMember{Name: "Ada", Answers: ada}) + "&m=" + c.EncodeMember(decision.TeamMember{Answers: bob}) + "&v=" + strconv.Itoa(c.Version)
}
