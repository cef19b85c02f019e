package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
	"nestnext/serve"
)

// formTarget is where submitting a page's GET form with name=value set goes.
func formTarget(t *testing.T, r response, form, name, value string) string {
	t.Helper()
	f := r.doc.Find(form)
	if f.Length() == 0 {
		t.Fatalf("no form %s", form)
	}
	vals := url.Values{}
	f.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	vals.Set(name, value)
	return f.AttrOr("action", "") + "?" + vals.Encode()
}

// exampleTeam is issue 20's example: Ada and Bo build a web product where search is critical,
// Cy a backend only; each answers the rest their own way.
func exampleTeam(t *testing.T, c *decision.Content) []decision.TeamMember {
	t.Helper()
	with := func(fixed decision.Answers, pick func(*decision.Question) int) decision.Answers {
		a := decision.Answers{}
		for k, v := range fixed {
			a[k] = v
		}
		for {
			rp := c.Replay(a)
			if rp.Complete() {
				return rp.Answers
			}
			a[rp.Next.ID] = rp.Next.Options[pick(rp.Next)].ID
		}
	}
	web := decision.Answers{"build": "platform", "seo": "critical"}
	return []decision.TeamMember{
		{Name: "Ada", Answers: with(web, firstOption)},
		{Name: "Bo", Answers: with(web, lastRealOption)},
		{Name: "Cy", Answers: with(decision.Answers{"build": "api"}, lastRealOption)},
	}
}

// The team page leads with what the colleague who opens it needs: the team's recommendation, who
// has answered, then one name field and one button; the majority and who differs, one entry per
// disagreement; the members' own results closed.
func TestTeamPageForTheColleague(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	r := get(t, h, "/team?"+s.teamQuery(exampleTeam(t, c)))
	wantStatus(t, r, http.StatusOK)
	main := r.doc.Find("main")
	html, _ := main.Html()
	order := []string{".team-deciding", ".panel h1", ".team-who", ".team-summary", "#team-name", "#disagreements", "details#members-section", "details#matrix", "#share-url"}
	last := -1
	for _, sel := range order {
		outer, _ := goquery.OuterHtml(main.Find(sel).First())
		at := strings.Index(html, outer)
		if outer == "" || at < last {
			t.Errorf("%s is missing or out of order (want %v)", sel, order)
		}
		last = at
	}
	if n := main.Find("form:has(#team-name) input:not([type=hidden])").Length(); n != 1 {
		t.Errorf("the join form has %d visible fields, want one name field", n)
	}
	if got := main.Find("form:has(#team-name) button[type=submit]").Text(); got != "Add your answers" {
		t.Errorf("join button %q", got)
	}
	// Renaming is its own, labelled action: a member to choose and a new name, not "Your name".
	rename := main.Find("details.team-rename")
	if !strings.HasPrefix(strings.TrimSpace(rename.Find("summary").Text()), "Rename") || rename.Find("select#team-rename-seat option").Length() != 3 || rename.Find(`label[for=team-rename]`).Text() != "New name" {
		t.Errorf("rename: %q", rename.Text())
	}
	if main.Find(`label:contains("Your name")`).Length() != 1 {
		t.Error("“Your name” labels more than the join field")
	}
	if main.Find(".panel-nestjs").Length() != 0 {
		t.Error("two of three members build a web product where search is critical, and the team is told NestJS")
	}
	if who := main.Find(".team-who").Text(); !strings.Contains(who, "Ada, Bo and Cy") {
		t.Errorf("who has answered: %q", who)
	}
	var build *goquery.Selection
	main.Find(".disagreements > li").Each(func(_ int, li *goquery.Selection) {
		if strings.HasPrefix(li.Find("strong").First().Text(), c.Question("build").Text) {
			build = li
		}
	})
	if build == nil {
		t.Fatal("no disagreement on what is being built")
	}
	if text := strings.Join(strings.Fields(build.Text()), " "); !strings.Contains(text, "Cy differs: “"+c.Question("build").Option("api").Label+"”") || !strings.Contains(text, "most of those asked (Ada and Bo)") {
		t.Errorf("the build disagreement does not say the majority and who differs: %q", text)
	}
	if main.Find("details[open]").Length() != 0 {
		t.Error("a disclosure is open on load")
	}
	if !strings.Contains(main.Find(".team-summary").Text(), "counting each among the members who were asked it") {
		t.Errorf("summary %q", main.Find(".team-summary").Text())
	}
}

// One member: nothing to agree on yet. No agreement rows; the page says the others have not
// answered and how to share, before the form for the colleague who opens it.
func TestTeamOfOnePage(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	r := get(t, h, "/team?"+s.teamQuery([]decision.TeamMember{{Answers: walkAnswers(c, firstOption)}}))
	wantStatus(t, r, http.StatusOK)
	main := r.doc.Find("main")
	text := main.Text()
	for _, no := range []string{"All agree", "asked agree", "agree on", "Differs"} {
		if strings.Contains(text, no) {
			t.Errorf("a team of one shows %q", no)
		}
	}
	if main.Find(".team-matrix").Length() != 0 {
		t.Error("a team of one has a matrix")
	}
	if !strings.Contains(main.Find(".team-who").Text(), "the others add theirs") {
		t.Errorf("who has answered: %q", main.Find(".team-who").Text())
	}
	html, _ := main.Html()
	if share, join := strings.Index(html, `id="share-url"`), strings.Index(html, `id="team-name"`); share < 0 || join < 0 || share > join {
		t.Error("a team of one should offer the link to share before the form to join")
	}
	if main.Find("details.team-rename input[name=seat][value='0']").Length() != 1 {
		t.Error("a team of one renames its member without choosing one")
	}
}

// Every question page of a team journey says whom the visitor answers for, with the progress
// only where the engine can count it, and a way back to the team page that keeps the answers:
// that page continues where they were.
func TestTeamJourneyBanner(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	team := exampleTeam(t, c)[:2]
	page := get(t, h, "/team?"+s.teamQuery(team))
	target := location(t, get(t, h, formTarget(t, page, "form:has(#team-name)", "name", "Dee")))
	answered := decision.Answers{}
	resumed := false
	for step := 0; strings.Contains(target, "/q/"); step++ {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		banner := r.doc.Find("main .team-banner")
		if !strings.Contains(banner.Text(), "Answering for the team of Ada and Bo") {
			t.Fatalf("step %d: banner %q", step, banner.Text())
		}
		q := c.Question(r.doc.Find("form[data-question]").AttrOr("data-question", ""))
		rp := c.Replay(answered)
		n, total, ok := c.Progress(&rp, q)
		if hasCount := regexp.MustCompile(`\d+ of \d+`).MatchString(banner.Text()); hasCount != ok || (ok && !strings.Contains(banner.Text(), strconv.Itoa(n)+" of "+strconv.Itoa(total))) {
			t.Errorf("step %d: banner %q; the engine's count %d of %d is reliable: %v", step, banner.Text(), n, total, ok)
		}
		back := banner.Find("a").AttrOr("href", "")
		if step == 0 && back != "" {
			t.Errorf("the first question's banner links %q; its Back link leads to the team", back)
		}
		if step > 0 && back == "" {
			t.Fatalf("step %d: no way back to the team page", step)
		}
		if step == 2 && !resumed {
			resumed = true
			tp := get(t, h, back)
			wantStatus(t, tp, http.StatusOK)
			if n := tp.doc.Find(".team-members > li").Length(); n != 2 {
				t.Errorf("the team page from a journey lists %d members, want the 2 so far", n)
			}
			if tp.doc.Find("#team-name").Length() != 0 {
				t.Error("the team page from a journey offers to join again")
			}
			cont := tp.doc.Find(`a:contains("Continue your answers")`).AttrOr("href", "")
			if cont != target {
				t.Errorf("Continue your answers leads to %q, want the question the visitor left, %q", cont, target)
			}
		}
		vals := url.Values{}
		r.doc.Find("form[data-question] input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
		vals.Set(q.ID, q.Options[lastRealOption(q)].ID)
		answered[q.ID] = q.Options[lastRealOption(q)].ID
		target = location(t, get(t, h, "/next?"+vals.Encode()))
	}
	if !resumed {
		t.Fatal("the journey was too short to try the way back")
	}
	end := location(t, get(t, h, target))
	if q, _ := url.ParseQuery(strings.TrimPrefix(end, "/team?")); len(q["m"]) != 3 {
		t.Errorf("the journey ends at %s, want a team of three", end)
	}
}

// A Change page opened from a result offers the way back to it, unchanged, as well as Continue;
// opened from the team page, the way back to the team page. A question on the way to a first
// result has no such link.
func TestChangePageGoesBack(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	res := get(t, h, "/result?"+fullPlatform)
	wantStatus(t, res, http.StatusOK)
	top := res.doc.Find(`main .change-answers a:contains("Change your answers")`)
	html, _ := res.doc.Find("main").Html()
	if top.Length() == 0 || strings.Index(html, `class="change-answers"`) > strings.Index(html, `id="take-it"`) {
		t.Fatal("no “Change your answers” near the recommendation, before “Take it to your team”")
	}
	// It leads into the list of answers, each with a Change link.
	change := res.doc.Find("main " + top.AttrOr("href", "") + " .summary-action a")
	if change.Length() == 0 {
		t.Fatalf("“Change your answers” leads to %q, which has no Change links", top.AttrOr("href", ""))
	}
	q := get(t, h, change.Eq(2).AttrOr("href", ""))
	wantStatus(t, q, http.StatusOK)
	back := q.doc.Find("main form[data-question] .form-actions a")
	if back.Text() != "Back to the result" || back.AttrOr("href", "") != "/result?"+fullPlatform {
		t.Errorf("Change page: %q → %q, want Back to the result → /result?%s", back.Text(), back.AttrOr("href", ""), fullPlatform)
	}
	if q.doc.Find("main form[data-question] button[type=submit]").Text() != "Continue" {
		t.Error("the Change page lost its Continue")
	}
	if first := get(t, h, "/q/logic?build=site&v="+strconv.Itoa(c.Version)); first.doc.Find(".form-actions a").Length() != 0 {
		t.Error("a question before any result offers a way back to one")
	}
	// From the team page: a member's Change link.
	team := exampleTeam(t, c)
	tp := get(t, h, "/team?"+s.teamQuery(team))
	link := tp.doc.Find(".team-members > li").Eq(1).Find(".summary-action a").Eq(1).AttrOr("href", "")
	cq := get(t, h, link)
	wantStatus(t, cq, http.StatusOK)
	back = cq.doc.Find("main form[data-question] .form-actions a")
	if back.Text() != "Back to the team page" {
		t.Fatalf("team Change page offers %q", back.Text())
	}
	if got := location(t, get(t, h, back.AttrOr("href", ""))); got != "/team?"+s.teamQuery(team) {
		t.Errorf("Back to the team page lands on %s, want the team as it was", got)
	}
}

// The team's decision record is built once per team and day: a second request, or one with a
// tracking parameter, is served from memory (the same ETag, and the build counter does not move).
func TestTeamRecordIsCached(t *testing.T) {
	s, h := newTestServer(t, withConfig(Config{Metrics: serve.NewMetrics(), ServeMetrics: true}))
	c := s.content
	built := func() string {
		m := get(t, h, "/metrics").Body.String()
		return regexp.MustCompile(`(?m)^wizard_records_built_total\{kind="team"\} (\d+)$`).FindString(m)
	}
	target := "/team.md?" + s.teamQuery(exampleTeam(t, c))
	// Uncompressed, so the record's bytes do not depend on when its cache recompresses it.
	a := get(t, h, target)
	if a.Code != http.StatusOK || built() != `wizard_records_built_total{kind="team"} 1` {
		t.Fatalf("first request: %d, %q", a.Code, built())
	}
	for _, again := range []string{target, target + "&utm_source=x"} {
		b := get(t, h, again)
		if b.Code != http.StatusOK || b.Header().Get("ETag") != a.Header().Get("ETag") || b.Body.String() != a.Body.String() {
			t.Errorf("%s: another record (%d, ETag %s, first %s)", again, b.Code, b.Header().Get("ETag"), a.Header().Get("ETag"))
		}
	}
	if got := built(); got != `wizard_records_built_total{kind="team"} 1` {
		t.Errorf("the record was built again: %q", got)
	}
}
