package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"nestnext/decision"
	"nestnext/serve"
)

// The team decision as JSON: /api/v1/team?m=TOKEN&m=TOKEN…&v=N, the team page's query string.

type apiTeam struct {
	Version        int                `json:"version"`
	ShareURL       string             `json:"share_url"`
	Summary        string             `json:"summary"`
	Asked          int                `json:"asked"`
	Agreed         int                `json:"agreed"`
	Recommendation *string            `json:"recommendation"`
	Confidence     *apiTeamConfidence `json:"confidence"`
	Blocking       *string            `json:"blocking"`
	TeamAnswers    map[string]string  `json:"team_answers"`
	ResultURL      *string            `json:"result_url"`
	Members        []apiTeamMember    `json:"members"`
	Disagreements  []apiDisagreement  `json:"disagreements"`
	Together       []apiCombination   `json:"together"`
}

type apiCombination struct {
	Member         int      `json:"member"`
	Questions      []string `json:"questions"`
	Recommendation string   `json:"recommendation"`
	URL            string   `json:"url"`
}

type apiTeamConfidence struct {
	Label       string `json:"label"`
	Explanation string `json:"explanation"`
}

type apiTeamMember struct {
	Name           *string           `json:"name"`
	Label          string            `json:"label"`
	Recommendation string            `json:"recommendation"`
	Confidence     apiTeamConfidence `json:"confidence"`
	Answers        map[string]string `json:"answers"`
	ResultURL      string            `json:"result_url"`
}

type apiDisagreement struct {
	Question  string        `json:"question"`
	Decides   bool          `json:"decides"`
	Majority  *string       `json:"majority"`
	Positions []apiPosition `json:"positions"`
	NotAsked  []int         `json:"not_asked"`
}

type apiPosition struct {
	Answer         string  `json:"answer"`
	Members        []int   `json:"members"`
	Recommendation *string `json:"recommendation"`
	URL            *string `json:"url"`
}

// apiTeam is cached by the canonical team link, as the team page is: a request for it is looked
// up as it came, and a miss is built in one of the page cache's build slots.
func (s *Server) apiTeam(w http.ResponseWriter, r *http.Request) error {
	c := s.content
	var tl teamLink
	key := func() (string, error) {
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return "", newProblem(r, http.StatusBadRequest, "The query string is not valid URL encoding. Send the team page's query string: m=TOKEN for each member, then v=VERSION.")
		}
		tl, err = s.parseTeamLink(query, false)
		var he *httpError
		switch {
		case errors.As(err, &he):
			return "", newProblem(r, he.status, he.message)
		case err != nil:
			return "", newProblem(r, http.StatusBadRequest, err.Error())
		case tl.old:
			return "", newProblem(r, http.StatusUnprocessableEntity, fmt.Sprintf(
				"This team link was made with version %d of the content, and this is version %d. Team links record answers by position among a version's questions and options, so its answers cannot be read: each member must answer again.", tl.version, c.Version))
		}
		return apiPrefix + "/team?" + s.teamQuery(tl.members), nil
	}
	return s.respond(w, r, entry{key: key, cacheControl: apiCacheControl, build: func() (*serve.Page, error) {
		t, err := s.teamDecision(tl)
		if err != nil {
			return nil, newProblem(r, http.StatusBadRequest, err.Error())
		}
		return jsonPage(s.teamBody(tl, t))
	}})
}

func (s *Server) teamBody(tl teamLink, t *decision.Team) apiTeam {
	c := s.content
	body := apiTeam{
		Version:       c.Version,
		ShareURL:      s.publicURL("/team?" + s.teamQuery(tl.members)),
		Summary:       t.Summary(),
		Asked:         t.Asked,
		Agreed:        t.Agreed,
		TeamAnswers:   map[string]string(t.Answers),
		Members:       []apiTeamMember{},
		Disagreements: []apiDisagreement{},
		Together:      []apiCombination{},
	}
	for _, cb := range t.Together {
		ac := apiCombination{Member: cb.Member, Recommendation: cb.Result.Outcome.ID, URL: s.publicURL("/result?" + c.Encode(cb.Answers))}
		for _, q := range cb.Questions {
			ac.Questions = append(ac.Questions, q.ID)
		}
		body.Together = append(body.Together, ac)
	}
	if t.Result != nil {
		body.Recommendation = &t.Result.Outcome.ID
		body.Confidence = &apiTeamConfidence{Label: t.Result.Confidence.Label, Explanation: t.Result.Confidence.Explanation}
		body.ResultURL = nullable(s.publicURL("/result?" + c.Encode(t.Answers)))
	} else if t.Blocking != nil {
		body.Blocking = &t.Blocking.ID
	}
	for i, m := range t.Members {
		body.Members = append(body.Members, apiTeamMember{
			Name:           nullable(m.Name),
			Label:          t.MemberName(i),
			Recommendation: m.Result.Outcome.ID,
			Confidence:     apiTeamConfidence{Label: m.Result.Confidence.Label, Explanation: m.Result.Confidence.Explanation},
			Answers:        map[string]string(m.Answers),
			ResultURL:      s.publicURL("/result?" + c.Encode(m.Answers)),
		})
	}
	for _, d := range t.Disagreements {
		ad := apiDisagreement{Question: d.Question.ID, Decides: d.Decides, Positions: []apiPosition{}, NotAsked: d.NotAsked}
		if ad.NotAsked == nil {
			ad.NotAsked = []int{}
		}
		if d.Majority >= 0 {
			ad.Majority = &d.Positions[d.Majority].Option.ID
		}
		for _, p := range d.Positions {
			ap := apiPosition{Answer: p.Option.ID, Members: p.Members}
			if p.Result != nil {
				ap.Recommendation = &p.Result.Outcome.ID
				ap.URL = nullable(s.publicURL("/result?" + c.Encode(p.Answers)))
			}
			ad.Positions = append(ad.Positions, ap)
		}
		body.Disagreements = append(body.Disagreements, ad)
	}
	return body
}
