package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"nestnext/decision"
)

// TestAccessibility runs axe (WCAG 2.1 A and AA) on every kind of page the
// wizard serves, loaded in full.
func TestAccessibility(t *testing.T) {
	base, c := startApp(t)
	resultURL := base + "/result?" + c.Encode(ecommerce)
	if rp := c.Replay(ecommerce); !rp.Complete() {
		t.Fatalf("test data: e-commerce answers are incomplete, next %s", rp.Next.ID)
	}
	pages := []struct {
		name, path string
		status     int
	}{
		{"start page", "/", http.StatusOK},
		{"question page", "/q/" + c.Questions[0].ID + "?" + c.Encode(decision.Answers{}), http.StatusOK},
		{"question error state", "/next?build=site&q=logic&v=3", http.StatusUnprocessableEntity},
		{"result page", "/result?" + c.Encode(ecommerce), http.StatusOK},
		{"404 page", "/no-such-page", http.StatusNotFound},
		{"how it decides", "/how-it-decides", http.StatusOK},
		{"team page", teamPath(c), http.StatusOK},
		{"embedded team page", "/embed" + teamPath(c), http.StatusOK},
		{"team link from another version", "/team?m=0.QWRh&v=1", http.StatusOK},
		{"team of one", "/team?m=" + c.EncodeMember(decision.TeamMember{Answers: ecommerce}) + "&v=" + strconv.Itoa(c.Version), http.StatusOK},
		{"team of three", threeMembers(c), http.StatusOK},
		{"team question page with its banner", teamJourneyPath(c, "/q/logic", decision.Answers{"build": "site"}), http.StatusOK},
		{"team page from a journey under way", teamJourneyPath(c, "/team", decision.Answers{"build": "site"}), http.StatusOK},
		{"Change page from a result", "/q/seo?" + c.Encode(ecommerce), http.StatusOK},
		{"bad team link", "/team?m=zz&v=" + strconv.Itoa(c.Version), http.StatusBadRequest},
	}

	t.Run("JS", func(t *testing.T) {
		ctx := newBrowser(t)
		for _, pg := range pages {
			if status := navigate(t, ctx, base+pg.path); status != int64(pg.status) {
				t.Errorf("%s: GET %s = %d, want %d", pg.name, pg.path, status, pg.status)
			}
			if pg.status == http.StatusUnprocessableEntity && !exists(t, ctx, "main .error-summary") {
				t.Errorf("%s: no .error-summary", pg.name)
			}
			assertNoAxeViolations(t, ctx, pg.name)
		}
	})

	t.Run("NoJS", func(t *testing.T) {
		ctx := newBrowser(t, withJSDisabled())
		for _, pg := range pages[len(pages)-5:] {
			if status := navigate(t, ctx, base+pg.path); status != int64(pg.status) {
				t.Errorf("%s: GET %s = %d, want %d", pg.name, pg.path, status, pg.status)
			}
			assertNoAxeViolations(t, ctx, pg.name+" without JavaScript")
		}
	})

	t.Run("NoJS-result-and-team", func(t *testing.T) {
		ctx := newBrowser(t, withJSDisabled())
		if status := navigate(t, ctx, resultURL); status != http.StatusOK {
			t.Errorf("GET result = %d", status)
		}
		assertNoAxeViolations(t, ctx, "result page without JavaScript")
		if status := navigate(t, ctx, base+teamPath(c)); status != http.StatusOK {
			t.Errorf("GET team page = %d", status)
		}
		assertNoAxeViolations(t, ctx, "team page without JavaScript")
	})
}

// teamJourneyPath is path in the journey of a newcomer, Dee, answering for teamPath's team, with
// the answers given so far.
func teamJourneyPath(c *decision.Content, path string, answers decision.Answers) string {
	q, _ := url.ParseQuery(strings.TrimPrefix(teamPath(c), "/team?"))
	tm := "2~" + strings.Join(q["m"], "~") + "~" + c.EncodeMember(decision.TeamMember{Name: "Dee"})
	return path + "?" + c.Encode(answers) + "&tm=" + url.QueryEscape(tm)
}
