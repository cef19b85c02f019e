package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"nestnext/decision"
	"nestnext/serve"
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
		res, err := c.Evaluate(&rp)
		if err != nil {
			return built{}, err
		}
		page := s.resultPage(r, &rp, res)
		page.Notes = s.linkNotes(siteOf(r), state, rp.Answers)
		return built{page: views.Result(page)}, nil
	})
}

// resultMarkdown serves the result as a Markdown Architecture Decision Record to download. The
// record is dated, so it is cached per canonical answers and day.
func (s *Server) resultMarkdown(w http.ResponseWriter, r *http.Request) error {
	c := s.content
	state := c.ParseState(r.URL.Query())
	date := s.now().Format("2006-01-02")
	p, err := s.pages.Get("/result.md?"+s.canonicalQuery(state)+" "+date, func() (*serve.Page, error) {
		rp := c.Replay(state.Raw)
		if !rp.Complete() {
			return nil, &httpError{
				status:  http.StatusUnprocessableEntity,
				heading: "The answers are incomplete",
				message: "A decision record needs every question answered. Open the wizard from this link, finish the questions, and download the record from the result page.",
			}
		}
		res, err := c.Evaluate(&rp)
		if err != nil {
			return nil, err
		}
		page := s.resultPage(r, &rp, res)
		a := c.Article
		adr := views.ADRPage{
			ResultPage:    page,
			Date:          date,
			ShareURL:      page.ShareURL,
			ArticleAuthor: a.Author,
			ArticleRole:   a.AuthorRole,
			Publisher:     a.Publisher,
			Published:     a.Published,
		}
		for _, cv := range append(page.Changes, page.MoreChanges...) {
			cv.AbsURL = s.publicURL(r, cv.URL)
			adr.AllChanges = append(adr.AllChanges, cv)
		}
		var buf bytes.Buffer
		if err := views.ADR(&buf, adr); err != nil {
			return nil, err
		}
		p := serve.NewPage("text/markdown; charset=utf-8", buf.Bytes())
		p.Header = http.Header{"Content-Disposition": {`attachment; filename="decision-record-` + res.Outcome.ID + `.md"`}}
		return p, nil
	})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", pageCacheControl)
	serve.Write(w, r, http.StatusOK, p)
	return nil
}

var favourLabel = map[string]string{
	decision.NestJS: "Favours NestJS",
	decision.NextJS: "Favours Next.js",
	decision.Both:   "Favours both",
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
	if res.TieBreak {
		page.TieBreak = c.Rules.TieBreakReason
		page.TieBreakQuote = s.quote(c.Rules.TieBreakQuote, c.Rules.TieBreakSection)
	}
	for _, rs := range res.Reasons {
		v := views.ReasonView{
			Answer:  "You said " + rs.Option.AnswerPhrase + ".",
			Text:    rs.Option.Reason,
			Quote:   s.quote(rs.Option.Quote, rs.Option.Section),
			Favours: favourLabel[rs.Favours],
			Effect:  effect(rs.Option),
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

// effect states an answer's consequence for each framework.
func effect(o *decision.Option) string {
	if o.Fit[decision.NestJS] == 0 && o.Fit[decision.NextJS] == 0 {
		return ""
	}
	return fmt.Sprintf("NestJS +%d · Next.js +%d", o.Fit[decision.NestJS], o.Fit[decision.NextJS])
}

// scores gives one bar per outcome on a shared scale, and the Both rule in words.
func (s *Server) scores(res *decision.Result) ([]views.ScoreView, string) {
	bar := s.content.Rules.BothAtLeast
	top := bar
	for _, sc := range res.Scores {
		top = max(top, sc.Value)
	}
	var out []views.ScoreView
	for _, sc := range res.Scores {
		name := sc.Outcome.Name + " fit"
		if sc.Outcome.ID == decision.Both {
			name = "Both (the weaker side)"
		}
		out = append(out, views.ScoreView{Name: name, Value: sc.Value, Max: top, Recommended: sc.Outcome == res.Outcome})
	}
	rule := fmt.Sprintf("Both is recommended when NestJS and Next.js each reach %d points: strong backend needs and strong web front-end needs. Otherwise the framework with more points wins.", bar)
	return out, rule
}

func (s *Server) changeView(st site, alt decision.Alternative) views.ChangeView {
	cv := views.ChangeView{
		If:      alt.To.AnswerPhrase,
		Outcome: alt.Result.Outcome.Name,
		URL:     st.link("/result", s.content.Encode(alt.Answers)),
	}
	for _, q := range alt.Opened {
		cv.Note = "(with “" + q.Text + "” answered “Not sure”)"
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
