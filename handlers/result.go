package handlers

import (
	"net/http"

	"nestnext/decision"
	"nestnext/views"
)

// result shows the recommendation. Its URL is the share link: it renders in full for anyone who
// opens it. Incomplete answers redirect to the first unanswered question.
func (s *Server) result(w http.ResponseWriter, r *http.Request) error {
	c := s.content
	state := c.ParseState(r.URL.Query())
	rp := c.Replay(state.Raw)
	if !rp.Complete() {
		return redirect(w, r, s.nextURL(&rp, state.Raw))
	}
	res, err := c.Evaluate(&rp)
	if err != nil {
		return err
	}
	render(w, r, http.StatusOK, views.Result(s.resultPage(&rp, res)))
	return nil
}

var favourLabel = map[string]string{
	decision.NestJS: "Favours NestJS",
	decision.NextJS: "Favours Next.js",
	decision.Both:   "Favours both",
}

func (s *Server) resultPage(rp *decision.Replay, res *decision.Result) views.ResultPage {
	c := s.content
	o := res.Outcome
	page := views.ResultPage{
		Meta:          s.meta(pageTitle("Recommendation: "+o.Name), o.Summary, true),
		OutcomeID:     o.ID,
		Headline:      o.Headline,
		Summary:       o.Summary,
		Explanation:   o.Explanation,
		Quote:         s.quote(o.Quote, o.Section),
		Confidence:    res.Confidence.Label,
		ConfidenceOf:  res.Confidence.Explanation,
		StartAgainURL: "/",
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
	for _, q := range rp.Path {
		page.Answers = append(page.Answers, views.AnswerView{
			Question:  q.Text,
			Answer:    q.Option(rp.Answers[q.ID]).Label,
			ChangeURL: "/q/" + q.ID + "?" + c.Encode(rp.Answers),
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
