package handlers

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
)

// walkAnswers answers the wizard's questions with pick (given the question, the option index),
// as a visitor would, until the answers are complete.
func walkAnswers(c *decision.Content, pick func(q *decision.Question) int) decision.Answers {
	a := decision.Answers{}
	for {
		rp := c.Replay(a)
		if rp.Complete() {
			return rp.Answers
		}
		// The pick, or the nearest option before it that is on offer here.
		offered := c.Offered(&rp, rp.Next)
		i := pick(rp.Next)
		for i > 0 && !slices.Contains(offered, &rp.Next.Options[i]) {
			i--
		}
		a[rp.Next.ID] = rp.Next.Options[i].ID
	}
}

func firstOption(*decision.Question) int { return 0 }

// lastRealOption picks the last option that is not "Not sure" and is offered on every path.
func lastRealOption(q *decision.Question) int {
	for i := len(q.Options) - 1; i >= 0; i-- {
		if !q.Options[i].Unsure && len(q.Options[i].ShowIf) == 0 {
			return i
		}
	}
	return 0
}

func location(t *testing.T, r response) string {
	t.Helper()
	if r.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body: %.300s", r.Code, r.Body.String())
	}
	return r.Header().Get("Location")
}

// answerAsForm steps through question pages from target the way a browser without JavaScript
// does: it submits each page's form with the option pick chooses, and follows the redirects. It
// returns the first URL that is not a question page.
func answerAsForm(t *testing.T, h http.Handler, target string, pick func(q *decision.Question) int, c *decision.Content) string {
	t.Helper()
	for range 40 {
		u, _ := url.Parse(target)
		if !strings.Contains(u.Path, "/q/") {
			return target
		}
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		form := r.doc.Find("form[data-question]")
		q := c.Question(form.AttrOr("data-question", ""))
		if q == nil {
			t.Fatalf("%s: no question form", target)
		}
		vals := url.Values{}
		form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
			vals.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
		})
		vals.Set(q.ID, q.Options[pick(q)].ID)
		target = location(t, get(t, h, form.AttrOr("action", "")+"?"+vals.Encode()))
	}
	t.Fatal("the journey did not end")
	return ""
}

func TestTeamJourneyOfTwo(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	ada := walkAnswers(c, firstOption)
	// Ada's result offers the team link, a team of one.
	res := get(t, h, "/result?"+c.Encode(ada))
	wantStatus(t, res, http.StatusOK)
	teamURL, ok := res.doc.Find(`a:contains("Decide with your team")`).Attr("href")
	if !ok {
		t.Fatal("the result page has no “Decide with your team” link")
	}
	one := get(t, h, teamURL)
	wantStatus(t, one, http.StatusOK)
	if n := one.doc.Find(".team-members > li").Length(); n != 1 {
		t.Fatalf("team of one lists %d members", n)
	}
	// Ada names herself.
	rename := one.doc.Find(`form:has(#team-rename)`)
	vals := url.Values{}
	rename.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	vals.Set("name", "  Ada  ")
	named := location(t, get(t, h, rename.AttrOr("action", "")+"?"+vals.Encode()))
	// Bob joins with a name and answers on his own, differently.
	page := get(t, h, named)
	wantStatus(t, page, http.StatusOK)
	if got := page.doc.Find(".team-members strong").First().Text(); got != "Ada" {
		t.Fatalf("first member %q, want Ada", got)
	}
	join := page.doc.Find(`form:has(#team-name)`)
	vals = url.Values{}
	join.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	vals.Set("name", "<b>Bob</b>")
	first := location(t, get(t, h, join.AttrOr("action", "")+"?"+vals.Encode()))
	q1 := get(t, h, first)
	wantStatus(t, q1, http.StatusOK)
	if back := q1.doc.Find("a.back-link"); back.Text() != "Back to the team" || back.AttrOr("href", "") != named {
		t.Errorf("first question's back link %q → %q, want the team page %q", back.Text(), back.AttrOr("href", ""), named)
	}
	end := answerAsForm(t, h, first, lastRealOption, c)
	// The journey ends on the team page, which now includes Bob.
	if !strings.HasPrefix(end, "/result?") {
		t.Fatalf("journey ended at %s, want the result redirect", end)
	}
	teamPage := location(t, get(t, h, end))
	if !strings.HasPrefix(teamPage, "/team?") || strings.Count(teamPage, "m=") != 2 {
		t.Fatalf("landed on %s, want a team of two", teamPage)
	}
	two := get(t, h, teamPage)
	wantStatus(t, two, http.StatusOK)
	body := two.Body.String()
	if strings.Contains(body, "<b>Bob</b>") || !strings.Contains(body, "&lt;b&gt;Bob&lt;/b&gt;") {
		t.Error("the name is not shown escaped")
	}
	if n := two.doc.Find(".team-members > li").Length(); n != 2 {
		t.Fatalf("team of two lists %d members", n)
	}
	heads := two.doc.Find(".team-matrix thead th")
	if heads.Length() != 4 || heads.Eq(1).Text() != "Ada" || heads.Eq(2).Text() != "<b>Bob</b>" {
		t.Errorf("matrix headers %q", heads.Text())
	}
	if two.doc.Find(".team-matrix tbody th[scope=row]").Length() == 0 {
		t.Error("matrix rows have no row headers")
	}
	summary := two.doc.Find(".team-summary").Text()
	if !strings.HasPrefix(summary, "You agree on ") {
		t.Errorf("summary %q", summary)
	}
	if two.doc.Find("#disagreements").Length() == 0 {
		t.Error("no disagreements section for two members who answered differently")
	}
	if og := two.doc.Find(`meta[property="og:image"]`).AttrOr("content", ""); !strings.Contains(og, "/og/v") {
		t.Errorf("og:image %q", og)
	}
	if canon := two.doc.Find(`link[rel=canonical]`).AttrOr("href", ""); !strings.HasSuffix(canon, teamPage) {
		t.Errorf("canonical %q, want the team link %q", canon, teamPage)
	}
	// Bob changes one answer: the Change link keeps Ada.
	change := two.doc.Find(".team-members > li").Eq(1).Find(".summary-action a").First().AttrOr("href", "")
	if !strings.Contains(change, "tm=1~") {
		t.Fatalf("Bob's change link %q does not carry the team", change)
	}
	end = answerAsForm(t, h, change, firstOption, c)
	changed := location(t, get(t, h, end))
	wantStatus(t, get(t, h, changed), http.StatusOK)
	q, _ := url.ParseQuery(strings.TrimPrefix(changed, "/team?"))
	if len(q["m"]) != 2 || q["m"][0] != c.EncodeMember(decision.TeamMember{Name: "Ada", Answers: ada}) {
		t.Errorf("after Bob's change the team is %v", q["m"])
	}
	// The decision record lists who answered what.
	md := get(t, h, strings.Replace(teamPage, "/team?", "/team.md?", 1))
	wantStatus(t, md, http.StatusOK)
	if ct := md.Header().Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
		t.Errorf("team.md Content-Type %q", ct)
	}
	for _, want := range []string{`| Question | Ada | \<b\>Bob\<\/b\> | Agreement |`, "## Open disagreements", "Ada**:"} {
		if !strings.Contains(md.Body.String(), want) {
			t.Errorf("team.md lacks %q:\n%s", want, md.Body.String())
		}
	}
}

func TestTeamBadLinks(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	tok := c.EncodeMember(decision.TeamMember{Answers: walkAnswers(c, firstOption)})
	cv := strconv.Itoa(c.Version)
	v := "&v=" + cv
	nine := strings.Repeat("m="+tok+"&", 9)
	for name, target := range map[string]string{
		"no members":       "/team?v=" + cv,
		"garbage token":    "/team?m=%3Cscript%3E" + v,
		"short token":      "/team?m=" + tok[1:] + v,
		"bad name":         "/team?m=" + tok + ".%2A%2A" + v,
		"nine members":     "/team?" + nine + "v=" + cv,
		"bad version":      "/team?m=" + tok + "&v=x",
		"bad journey":      "/q/" + c.Questions[0].ID + "?v=" + cv + "&tm=9~" + tok,
		"journey seat":     "/q/" + c.Questions[0].ID + "?v=" + cv + "&tm=x~" + tok,
		"join full":        "/team/join?" + strings.Repeat("m="+tok+"&", 8) + "v=" + cv,
		"join long name":   "/team/join?v=" + cv + "&name=" + strings.Repeat("x", 41),
		"join control":     "/team/join?v=" + cv + "&name=a%0Ab",
		"rename bad seat":  "/team/join?m=" + tok + "&v=" + cv + "&seat=3&name=x",
		"embed bad token":  "/embed/team?m=zz" + v,
		"record bad token": "/team.md?m=zz" + v,
	} {
		r := get(t, h, target)
		if r.Code != http.StatusBadRequest {
			t.Errorf("%s (%s): status %d, want 400; body %.200s", name, target, r.Code, r.Body.String())
			continue
		}
		if r.doc != nil && r.doc.Find("h1").Length() == 0 {
			t.Errorf("%s: the 400 page has no heading", name)
		}
	}
	// Too long for any link: the 414 page.
	if r := get(t, h, "/team?m="+strings.Repeat("a", 5000)); r.Code != http.StatusRequestURITooLong {
		t.Errorf("over-long team link: %d", r.Code)
	}
}

func TestTeamLinkFromAnotherVersion(t *testing.T) {
	s, h := newTestServer(t)
	old := "/team?m=0.QWRh&m=1&v=" + strconv.Itoa(s.content.Version+1)
	r := get(t, h, old)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.doc.Find(".notice").Text(), "cannot be carried over") {
		t.Errorf("no migration notice: %.500s", r.doc.Find("main").Text())
	}
	if got := r.doc.Find("main li").First().Text(); got != "Ada" {
		t.Errorf("first member %q, want Ada (names survive)", got)
	}
	if href := r.doc.Find(`a:contains("Start a new team link")`).AttrOr("href", ""); !strings.HasPrefix(href, "/team/join?") {
		t.Errorf("new team link %q", href)
	}
	if r := get(t, h, strings.Replace(old, "/team?", "/api/v1/team?", 1)); r.Code != http.StatusUnprocessableEntity || r.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("API for an old team link: %d %s", r.Code, r.Header().Get("Content-Type"))
	}
}

func TestTeamInEmbed(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	tok := c.EncodeMember(decision.TeamMember{Answers: walkAnswers(c, firstOption)})
	r := get(t, h, "/embed/team?m="+tok+"&v="+strconv.Itoa(c.Version)+"&accent=%23336699")
	wantStatus(t, r, http.StatusOK)
	action := r.doc.Find(`form:has(#team-name)`).AttrOr("action", "")
	if action != "/embed/team/join" {
		t.Errorf("embed join form action %q", action)
	}
	if r.doc.Find(`form:has(#team-name) input[name=accent]`).Length() != 1 {
		t.Error("the embed theme is not carried by the join form")
	}
	first := location(t, get(t, h, "/embed/team/join?m="+tok+"&v="+strconv.Itoa(c.Version)+"&accent=336699&name=Eve"))
	if !strings.HasPrefix(first, "/embed/q/") || !strings.Contains(first, "accent=336699") || !strings.Contains(first, "tm=1~") {
		t.Errorf("embed journey starts at %s", first)
	}
	end := answerAsForm(t, h, first, lastRealOption, c)
	team := location(t, get(t, h, end))
	if !strings.HasPrefix(team, "/embed/team?") || !strings.Contains(team, "accent=336699") {
		t.Errorf("embed journey ends at %s", team)
	}
}

func TestTeamOfEightFitsTheQueryLimit(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	var members []decision.TeamMember
	for i := range decision.MaxTeamMembers {
		// The longest names: 40 characters of 4 UTF-8 bytes each.
		members = append(members, decision.TeamMember{Name: strings.Repeat("😀", decision.MaxNameRunes), Answers: walkAnswers(c, func(q *decision.Question) int { return (i + q.Position) % len(q.Options) })})
	}
	query := s.teamQuery(members)
	// A member answering for a full team carries the team plus their own answers.
	journey := c.Encode(walkAnswers(c, lastRealOption)) + "&tm=" + url.QueryEscape(journey{seat: 7, members: members}.encode(c))
	t.Logf("team link query for 8 members with 40-character names: %d bytes; a question page of that journey: %d bytes", len(query), len(journey))
	if len(query) > maxQuery/2 || len(journey) > maxQuery/2 {
		t.Errorf("team link %d bytes, journey %d bytes: not well under the %d-byte limit", len(query), len(journey), maxQuery)
	}
	wantStatus(t, get(t, h, "/team?"+query), http.StatusOK)
}

func TestTeamAPI(t *testing.T) {
	contract := loadContract(t)
	s, h := newTestServer(t)
	c := s.content
	a, b := walkAnswers(c, firstOption), walkAnswers(c, lastRealOption)
	query := s.teamQuery([]decision.TeamMember{{Name: "Ada", Answers: a}, {Answers: b}})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/team?"+query, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	contract.check(t, req, rec, true)
	var body struct {
		Members []struct {
			Name           *string `json:"name"`
			Label          string  `json:"label"`
			Recommendation string  `json:"recommendation"`
		} `json:"members"`
		Disagreements []struct {
			Decides bool `json:"decides"`
		} `json:"disagreements"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Members) != 2 || body.Members[0].Name == nil || *body.Members[0].Name != "Ada" || body.Members[1].Name != nil || body.Members[1].Label != "Member 2" {
		t.Errorf("members %+v", body.Members)
	}
	for i, ans := range []decision.Answers{a, b} {
		rp := c.Replay(ans)
		res, _ := c.Evaluate(&rp)
		if body.Members[i].Recommendation != res.Outcome.ID {
			t.Errorf("member %d: %s, want their own result %s", i, body.Members[i].Recommendation, res.Outcome.ID)
		}
	}
	if len(body.Disagreements) == 0 {
		t.Error("no disagreements")
	}
	for _, target := range []string{"/api/v1/team", "/api/v1/team?m=zz&v=" + strconv.Itoa(c.Version), "/api/v1/team?m=%zz"} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", target, rec.Code)
		}
		contract.check(t, req, rec, false)
	}
}

func TestTeamParamsAreNotQuestionIDs(t *testing.T) {
	s, _ := newTestServer(t)
	for _, p := range []string{memberParam, journeyParam, "name", "seat"} {
		if s.content.Question(p) != nil {
			t.Errorf("%q is a question id: team links would read it as an answer", p)
		}
	}
}

// TestTeamNamesAreShownEscaped puts each hostile payload in a member's name (a valid one: plain
// text) and checks that the team page, its embed, its record and the API show it as text only.
func TestTeamNamesAreShownEscaped(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	a := walkAnswers(c, firstOption)
	for _, p := range hostilePayloads {
		name, err := decision.CleanName(p.value)
		if err != nil || name == "" {
			continue // not plain text: refused, as TestDecodeMemberRejectsMalformed checks
		}
		q := s.teamQuery([]decision.TeamMember{{Name: name, Answers: a}, {Answers: walkAnswers(c, lastRealOption)}})
		for _, target := range []string{"/team?" + q, "/embed/team?" + q} {
			r := get(t, h, target)
			wantStatus(t, r, http.StatusOK)
			if got := r.doc.Find(".team-members strong").First().Text(); got != name {
				t.Errorf("%s: member name %q, want %q", p.name, got, name)
			}
			for _, problem := range hostileInjected(r.doc) {
				// The name is meant to be seen, as text: only injected markup is a failure.
				if !strings.Contains(problem, "payload in") {
					t.Errorf("%s %s: %s", p.name, target, problem)
				}
			}
			if strings.Contains(r.Body.String(), name) && strings.ContainsAny(name, `<>"&`) {
				t.Errorf("%s %s: the name appears unescaped in the HTML", p.name, target)
			}
		}
		api := get(t, h, "/api/v1/team?"+q)
		wantStatus(t, api, http.StatusOK)
		if strings.ContainsAny(name, "<>&") && strings.Contains(api.Body.String(), name) {
			t.Errorf("%s: the API returns the name with <, > or & unescaped", p.name)
		}
	}
}

// TestTeamTogether: when no disagreement decides alone but a member's own outcome differs, the
// page names the disagreements that decide together.
func TestTeamTogether(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	rng := rand.New(rand.NewPCG(14, 14))
	random := func(q *decision.Question) int { return rng.IntN(len(q.Options)) }
	for range 500 {
		{
			members := []decision.TeamMember{{Answers: walkAnswers(c, random)}, {Answers: walkAnswers(c, random)}}
			team, err := c.DecideTeam(members)
			if err != nil || len(team.Together) == 0 {
				continue
			}
			r := get(t, h, "/team?"+s.teamQuery(members))
			wantStatus(t, r, http.StatusOK)
			if r.doc.Find(`h3:contains("Together, these change it")`).Length() != 1 {
				t.Fatal("no “Together” block")
			}
			if !strings.Contains(r.doc.Find(".team-summary").Text(), "together they do") {
				t.Errorf("summary %q", r.doc.Find(".team-summary").Text())
			}
			return
		}
	}
	t.Fatal("no random pair of 500 decides only together")
}

// Team pages are cached by their members: two teams never share a page, and a team link with
// junk parameters shares its team's page.
func TestTeamPagesAreKeyedByMembers(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	cv := "&v=" + strconv.Itoa(c.Version)
	first := "/team?m=" + c.EncodeMember(decision.TeamMember{Name: "Ada", Answers: walkAnswers(c, firstOption)}) + cv
	last := "/team?m=" + c.EncodeMember(decision.TeamMember{Name: "Bo", Answers: walkAnswers(c, lastRealOption)}) + cv
	a, b := get(t, h, first), get(t, h, last)
	if a.Code != http.StatusOK || b.Code != http.StatusOK {
		t.Fatalf("team pages: %d, %d", a.Code, b.Code)
	}
	if a.Body.String() == b.Body.String() || !strings.Contains(b.Body.String(), "Bo") {
		t.Error("two different teams got the same page")
	}
	if junk := get(t, h, first+"&utm_source=x"); junk.Body.String() != a.Body.String() {
		t.Error("a team link with a tracking parameter got another page")
	}
}

// A page's oEmbed discovery names its canonical URL, never the query one request came with.
func TestDiscoveryNamesTheCanonicalURL(t *testing.T) {
	_, h := newTestServer(t)
	rec := get(t, h, "/result?utm_source=news&"+fullPlatform+"&fbclid=abc123")
	for _, where := range []string{rec.Header().Get("Link"), rec.Body.String()} {
		if strings.Contains(where, "utm_source") || strings.Contains(where, "fbclid") {
			t.Errorf("discovery carries the request's junk parameters: %.200s", where)
		}
	}
	if !strings.Contains(rec.Header().Get("Link"), "application/json+oembed") {
		t.Errorf("no discovery Link header: %q", rec.Header().Get("Link"))
	}
}
