package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"nestnext/decision"
	"nestnext/views"
)

// result shows the recommendation. Its URL is the share link: it renders in full for anyone who
// opens it. Incomplete answers redirect to the first unanswered question.
func (s *Server) result(w http.ResponseWriter, r *http.Request) error {
	return s.servePage(w, r, func() (built, error) {
		c := s.content
		state := c.ParseState(r.URL.Query())
		rp := c.Replay(state.Raw)
		if !rp.Complete() {
			return built{}, redirect(w, r, s.nextURL(siteOf(r), &rp, state))
		}
		if siteOf(r).team != "" {
			return built{}, s.finishJourney(w, r, rp.Answers)
		}
		res, err := c.Evaluate(&rp)
		if err != nil {
			return built{}, err
		}
		page := s.resultPage(r, &rp, res)
		page.Notes = s.linkNotes(siteOf(r), state, rp.Answers)
		return built{page: views.Result(page)}, nil
	})
}

// resultMarkdown serves the result as a Markdown Architecture Decision Record to download.
func (s *Server) resultMarkdown(w http.ResponseWriter, r *http.Request) error {
	c := s.content
	state := c.ParseState(r.URL.Query())
	rp := c.Replay(state.Raw)
	if !rp.Complete() {
		return &httpError{
			status:  http.StatusUnprocessableEntity,
			heading: "The answers are incomplete",
			message: "A decision record needs every question answered. Open the wizard from this link, finish the questions, and download the record from the result page.",
		}
	}
	res, err := c.Evaluate(&rp)
	if err != nil {
		return err
	}
	page := s.resultPage(r, &rp, res)
	a := c.Article
	adr := views.ADRPage{
		ResultPage:    page,
		Date:          s.now().Format("2006-01-02"),
		ShareURL:      page.ShareURL,
		ArticleAuthor: a.Author,
		ArticleRole:   a.AuthorRole,
		Publisher:     a.Publisher,
		Published:     a.Published,
	}
	st := siteOf(r)
	abs := func(alt decision.Alternative) views.ChangeView {
		cv := s.changeView(st, alt)
		cv.AbsURL = s.publicURL(r, cv.URL)
		return cv
	}
	for _, alt := range c.Counterfactuals(&rp, res) {
		adr.AllChanges = append(adr.AllChanges, abs(alt))
	}
	for _, alt := range res.Confidence.Deciding {
		adr.Deciding = append(adr.Deciding, abs(alt))
	}
	for _, alt := range c.ScopeChanges(&rp, res) {
		adr.ScopeChanges = append(adr.ScopeChanges, abs(alt))
	}
	for _, nv := range res.Needs {
		adr.Needs = append(adr.Needs, views.NeedLine{Name: nv.Need.Name, Value: nv.Value, Threshold: nv.Threshold, Met: nv.Met})
	}
	adr.Rule = s.ruleText()
	for _, ov := range page.Open {
		if len(ov.Changes) > 0 {
			adr.OpenFlipping = append(adr.OpenFlipping, ov)
		} else {
			adr.OpenSteady = append(adr.OpenSteady, ov.Question)
		}
	}
	var buf bytes.Buffer
	if err := views.ADR(&buf, adr); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/markdown; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="decision-record-`+res.Outcome.ID+`.md"`)
	h.Set("Cache-Control", "no-cache")
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) resultPage(r *http.Request, rp *decision.Replay, res *decision.Result) views.ResultPage {
	c := s.content
	st := siteOf(r)
	o := res.Outcome
	enc := c.Encode(rp.Answers)
	page := views.ResultPage{
		Meta:          s.meta(r, pageTitle("Recommendation: "+o.Name), o.Summary, true),
		OutcomeID:     o.ID,
		Headline:      o.Headline,
		Summary:       o.Summary,
		Explanation:   o.Explanation,
		Quote:         s.quote(o.Quote, o.Section),
		Confidence:    res.Confidence.Label,
		ConfidenceOf:  res.Confidence.Explanation,
		StartAgainURL: st.link("/", ""),
		ArticleTitle:  c.Article.Title,
		ArticleURL:    c.Article.URL,
	}
	for _, rs := range res.Reasons {
		v := views.ReasonView{
			Answer: "You said " + rs.Option.AnswerPhrase + ".",
			Text:   rs.Option.Reason,
			Quote:  s.quote(rs.Option.Quote, rs.Option.Section),
			Effect: s.effect(rs.Option),
		}
		switch rs.Stance {
		case decision.Supports:
			page.For = append(page.For, v)
		case decision.Against:
			page.Against = append(page.Against, v)
		default:
			page.Neutral = append(page.Neutral, v)
		}
	}
	for i := range c.Table {
		row := &c.Table[i]
		page.Table = append(page.Table, views.RowView{
			ID:            row.ID,
			Dimension:     row.Dimension,
			NestJS:        row.NestJS.Text,
			NextJS:        row.NextJS.Text,
			NestJSSection: s.sectionTitle(row.NestJS.Section),
			NextJSSection: s.sectionTitle(row.NextJS.Section),
			Relevant:      res.IsRelevant(row),
		})
	}
	page.Scores, page.BothRule = s.scores(res)
	for i, alt := range c.Counterfactuals(rp, res) {
		cv := s.changeView(st, alt)
		if i < 3 {
			page.Changes = append(page.Changes, cv)
		} else {
			page.MoreChanges = append(page.MoreChanges, cv)
		}
	}
	for _, oq := range c.OpenQuestionsFlipping(rp, res) {
		ov := views.OpenView{
			Question:  oq.Question.Text,
			ChangeURL: st.link("/q/"+oq.Question.ID, enc),
		}
		flips := oq.Alternatives
		ov.Statement = openStatement(o, flips)
		for _, alt := range flips {
			ov.Changes = append(ov.Changes, s.changeView(st, alt))
		}
		page.Open = append(page.Open, ov)
	}
	page.ADRURL = "/result.md?" + enc
	page.ShareURL = s.publicURL(r, "/result?"+enc)
	page.TeamURL = st.link("/team", s.teamQuery([]decision.TeamMember{{Answers: rp.Answers}}))
	page.Canonical = page.ShareURL
	topReason := o.Summary
	if len(page.For) > 0 {
		topReason = page.For[0].Answer + " " + page.For[0].Text
	}
	page.OG = s.openGraph(r, o.ID, "Recommendation: "+o.Headline, topReason, page.ShareURL)
	for _, cq := range o.Consequences {
		page.Consequences = append(page.Consequences, s.quote(cq.Text, cq.Section))
	}
	for _, q := range rp.Path {
		page.Answers = append(page.Answers, views.AnswerView{
			Question:  q.Text,
			Answer:    q.Option(rp.Answers[q.ID]).Label,
			ChangeURL: st.link("/q/"+q.ID, enc),
		})
	}
	return page
}

func (s *Server) quote(text, section string) views.Quote {
	return views.Quote{Text: text, Section: s.sectionTitle(section)}
}

func (s *Server) sectionTitle(id string) string {
	if sec := s.content.Section(id); sec != nil {
		return sec.Title
	}
	return ""
}

// effect states an answer's evidence for each need, e.g. "Web front end +4 · Dedicated backend +0".
func (s *Server) effect(o *decision.Option) string {
	parts := make([]string, len(s.content.Needs))
	weighted := false
	for i := range s.content.Needs {
		n := &s.content.Needs[i]
		parts[i] = fmt.Sprintf("%s +%d", n.Name, o.Weight(n))
		weighted = weighted || o.Weight(n) > 0
	}
	if !weighted {
		return ""
	}
	return strings.Join(parts, " · ")
}

// scores gives each need's evidence against its threshold, and the rule in words.
func (s *Server) scores(res *decision.Result) ([]views.ScoreView, string) {
	var out []views.ScoreView
	for _, nv := range res.Needs {
		state := "not met"
		if nv.Met {
			state = "met"
		}
		out = append(out, views.ScoreView{Name: nv.Need.Name, Value: nv.Value, Max: nv.Threshold, Recommended: nv.Met, State: state})
	}
	return out, s.ruleText()
}

// ruleText says in words which need states give which outcome, from the content.
func (s *Server) ruleText() string {
	c := s.content
	var parts []string
	for _, o := range c.Outcomes {
		var conds []string
		for _, n := range c.Needs {
			switch o.When[n.ID] {
			case decision.StateMet:
				conds = append(conds, strings.ToLower(n.Name)+" met")
			case decision.StateUnmet:
				conds = append(conds, strings.ToLower(n.Name)+" not met")
			}
		}
		parts = append(parts, o.Name+" when "+strings.Join(conds, " and "))
	}
	return "A need is met when your answers' evidence reaches its threshold. " + strings.Join(parts, "; ") + "."
}

func (s *Server) changeView(st site, alt decision.Alternative) views.ChangeView {
	cv := views.ChangeView{
		If:      alt.To.AnswerPhrase,
		Outcome: alt.Result.Outcome.Name,
		URL:     st.link("/result", s.content.Encode(alt.Answers)),
	}
	if len(alt.Opened) > 0 {
		qs := make([]string, len(alt.Opened))
		for i, q := range alt.Opened {
			qs[i] = "“" + q.Text + "”"
		}
		cv.Note = "(with " + strings.Join(qs, ", ") + " answered “Not sure”)"
	}
	return cv
}

// openStatement says how an open question would tip the recommendation, e.g.
// "Next.js, unless real-time features are essential (then Both)."
func openStatement(current *decision.Outcome, flips []decision.Alternative) string {
	if len(flips) == 0 {
		return "Whatever you answer, the recommendation stays " + current.Name + "."
	}
	parts := make([]string, len(flips))
	for i, alt := range flips {
		parts[i] = alt.To.AnswerPhrase + " (then " + alt.Result.Outcome.Name + ")"
	}
	return current.Name + ", unless " + strings.Join(parts, ", or ") + "."
}
