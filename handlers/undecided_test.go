package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nestnext/decision"
)

// TestUndecidedEverywhere: a visitor who answers every question "Not sure" gets a result that
// names no framework, wherever a result goes: the page, the embed, the API, the decision record,
// the preview card, oEmbed, and the team page and its record and API.
func TestUndecidedEverywhere(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	all := decision.Answers{}
	for _, q := range c.Questions {
		all[q.ID] = q.UnsureOption().ID
	}
	rp := c.Replay(all)
	enc := c.Encode(rp.Answers)
	o := c.Outcome(decision.NotSure)
	framework := func(where, text string) {
		t.Helper()
		for _, name := range []string{"NestJS", "Next.js", "Both"} {
			if strings.Contains(text, name) {
				t.Errorf("%s names %s: %q", where, name, text)
			}
		}
	}

	for _, path := range []string{"/result?", "/embed/result?"} {
		r := get(t, h, path+enc)
		wantStatus(t, r, http.StatusOK)
		panel := r.doc.Find("[data-outcome]")
		if panel.AttrOr("data-outcome", "") != decision.NotSure || panel.Find("h1").Text() != o.Headline {
			t.Errorf("%s: panel %q / %q", path, panel.AttrOr("data-outcome", ""), panel.Find("h1").Text())
		}
		framework(path+" panel", panel.Text())
		framework(path+" why", r.doc.Find(".why-short").Text())
		// What would decide it: one question for each open need, first what the project is.
		links := r.doc.Find(".deciders a.button")
		if links.Length() != 2 || !strings.Contains(links.First().AttrOr("href", ""), "/q/build") || !strings.Contains(links.Eq(1).AttrOr("href", ""), "/q/logic") {
			t.Errorf("%s: deciders %d, %q", path, links.Length(), links.Text())
		}
	}

	api := get(t, h, "/api/v1/result?"+enc)
	wantStatus(t, api, http.StatusOK)
	var body struct {
		Recommendation string `json:"recommendation"`
		Confidence     struct {
			Level string `json:"level"`
		} `json:"confidence"`
	}
	if err := json.Unmarshal(api.Body.Bytes(), &body); err != nil || body.Recommendation != decision.NotSure || body.Confidence.Level != decision.Undecided {
		t.Errorf("API: %+v (%v)", body, err)
	}

	md := get(t, h, "/result.md?"+enc)
	wantStatus(t, md, http.StatusOK)
	if first, _, _ := strings.Cut(md.Body.String(), "\n"); first != "# ADR: "+o.Headline {
		t.Errorf("decision record title %q", first)
	}
	if cd := md.Header().Get("Content-Disposition"); !strings.Contains(cd, "decision-record-undecided.md") {
		t.Errorf("decision record file %q", cd)
	}

	card := get(t, h, s.ogPath(decision.NotSure))
	wantStatus(t, card, http.StatusOK)

	emb := get(t, h, "/oembed?format=json&url="+url.QueryEscape("http://example.com/result?"+enc))
	wantStatus(t, emb, http.StatusOK)
	var oe map[string]any
	if err := json.Unmarshal(emb.Body.Bytes(), &oe); err != nil || !strings.HasPrefix(oe["title"].(string), o.Headline) {
		t.Errorf("oEmbed title %v (%v)", oe["title"], err)
	}

	team := s.teamQuery([]decision.TeamMember{{Name: "Ada", Answers: rp.Answers}, {Name: "Bo", Answers: rp.Answers}})
	tp := get(t, h, "/team?"+team)
	wantStatus(t, tp, http.StatusOK)
	if !strings.Contains(tp.doc.Find("main").Text(), o.Headline) {
		t.Error("the team page does not say the team's answers decide nothing yet")
	}
	tmd := get(t, h, "/team.md?"+team)
	wantStatus(t, tmd, http.StatusOK)
	if !strings.Contains(tmd.Body.String(), o.Headline) {
		t.Error("the team's decision record does not say so either")
	}
	tapi := get(t, h, "/api/v1/team?"+team)
	wantStatus(t, tapi, http.StatusOK)
	if !strings.Contains(tapi.Body.String(), `"recommendation":"undecided"`) {
		t.Errorf("team API: %.300s", tapi.Body.String())
	}
}
