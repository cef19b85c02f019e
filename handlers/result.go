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
	for _, cv := range append(page.Changes, page.MoreChanges...) {
		cv.AbsURL = s.publicURL(r, cv.URL)
		adr.AllChanges = append(adr.AllChanges, cv)
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
	page.Needs = s.needsChart(res)
	for _, row := range page.Table {
		if row.Relevant {
			page.Decided++
		}
	}
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
	if st.embed {
		page.OpenURL = page.ShareURL
	}
	topReason := o.Summary
	if len(page.For) > 0 {
		topReason = page.For[0].Answer + " " + page.For[0].Text
	}
	page.Why = whyShort(o, page.For)
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

// whyShort is the recommendation in two or three sentences: what the outcome is, and the
// answers that weighed most for it.
func whyShort(o *decision.Outcome, reasons []views.ReasonView) []string {
	why := []string{o.Summary}
	if len(reasons) > 0 {
		why = append(why, reasons[0].Answer+" "+reasons[0].Text)
	}
	return why
}

// The two needs' names and the labels of their regions, on the page and on the preview cards.
const (
	needFrontEnd = "Web front end"
	needBackend  = "Dedicated backend"
)

var needsLabels = map[string]string{
	decision.NestJS: "NestJS: no pages",
	decision.NextJS: "Next.js",
	decision.Both:   "Both",
}

// needsChart draws where the answers put the project.
// TODO(v2): the two needs from the engine; until then NestJS fit stands for the backend need
// and Next.js fit for the front-end need.
func (s *Server) needsChart(res *decision.Result) views.NeedsChart {
	bar := s.content.Rules.BothAtLeast
	var fe, be int
	for _, sc := range res.Scores {
		switch sc.Outcome.ID {
		case decision.NestJS:
			be = sc.Value
		case decision.NextJS:
			fe = sc.Value
		}
	}
	c := views.NeedsChart{
		ID:       "needs",
		FrontEnd: views.NeedView{Name: needFrontEnd, Value: fe, Threshold: bar, Max: max(2*bar, fe+1)},
		Backend:  views.NeedView{Name: needBackend, Value: be, Threshold: bar, Max: max(2*bar, be+1)},
		Outcome:  res.Outcome.ID,
		NestJS:   needsLabels[decision.NestJS],
		NextJS:   needsLabels[decision.NextJS],
		Both:     needsLabels[decision.Both],
		Title:    "Where your answers put the project",
	}
	c.Lines = []string{needLine(c.FrontEnd, ""), needLine(c.Backend, "Both")}
	return c
}

// needLine is one need in words: "Dedicated backend 5, threshold 8: not met, 3 short of Both."
func needLine(n views.NeedView, short string) string {
	l := fmt.Sprintf("%s %d, threshold %d: ", n.Name, n.Value, n.Threshold)
	if n.Value >= n.Threshold {
		return l + "met."
	}
	l += "not met"
	if short != "" {
		l += fmt.Sprintf(", %d short of %s", n.Threshold-n.Value, short)
	}
	return l + "."
}
