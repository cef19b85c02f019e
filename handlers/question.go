package handlers

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"nestnext/decision"
	"nestnext/views"
)

// question shows one question. The URL carries every answer so far; a question that is not yet
// due (an earlier one is unanswered) or no longer asked redirects to where the answers lead.
func (s *Server) question(w http.ResponseWriter, r *http.Request) error {
	q := s.content.Question(chi.URLParam(r, "id"))
	if q == nil {
		return &httpError{
			status:  http.StatusNotFound,
			heading: "Question not found",
			message: "This link points to a question the wizard does not have (it may have been renamed). Start again, or go back to the page you came from.",
		}
	}
	st := siteOf(r)
	state := s.content.ParseState(r.URL.Query())
	rp := s.content.Replay(state.Raw)
	if !rp.OnPath(q) || (rp.Next != nil && rp.Next.Position < q.Position) {
		return redirect(w, r, s.nextURL(st, &rp, state.Raw))
	}
	render(w, r, http.StatusOK, views.Question(s.questionPage(r, &rp, q, "")))
	return nil
}

// next receives a question's GET form: with an answer it redirects to the next step, without one
// it shows the question again with an error (422, so tools and tests can tell it apart; htmx is
// told to swap it in without changing the URL).
func (s *Server) next(w http.ResponseWriter, r *http.Request) error {
	st := siteOf(r)
	query := r.URL.Query()
	state := s.content.ParseState(query)
	rp := s.content.Replay(state.Raw)
	q := s.content.Question(query.Get("q"))
	if q == nil || !rp.OnPath(q) {
		return redirect(w, r, s.nextURL(st, &rp, state.Raw))
	}
	if _, answered := rp.Answers[q.ID]; answered {
		return redirect(w, r, s.nextURL(st, &rp, state.Raw))
	}
	page := s.questionPage(r, &rp, q, "Select an answer to “"+q.Text+"”")
	page.Title = "Error: " + page.Title
	render(w, r, http.StatusUnprocessableEntity, views.Question(page))
	return nil
}

// nextURL is where a replay leads: the first unanswered question, or the result. Unrecognised
// values stay in the URL (escaped, never shown) so their question can say it is asked again.
func (s *Server) nextURL(st site, rp *decision.Replay, raw map[string]string) string {
	if rp.Complete() {
		return st.link("/result", s.content.Encode(rp.Answers))
	}
	answers := rp.Answers
	for _, q := range rp.Invalid {
		answers = answers.With(q.ID, raw[q.ID])
	}
	return st.link("/q/"+rp.Next.ID, s.content.Encode(answers))
}

func (s *Server) questionPage(r *http.Request, rp *decision.Replay, q *decision.Question, errMsg string) views.QuestionPage {
	c := s.content
	st := siteOf(r)
	page := views.QuestionPage{
		Meta:       s.meta(r, pageTitle(q.Text), "", true),
		Question:   q,
		Selected:   rp.Answers[q.ID],
		FormAction: st.link("/next", ""),
		Error:      errMsg,
	}
	for i, p := range rp.Path {
		if p == q {
			page.Step = i + 1
		}
	}
	if n, total, ok := c.Progress(rp, q); ok {
		page.Progress = fmt.Sprintf("Question %d of %d", n, total)
	}
	if prev := rp.Before(q); prev != nil {
		page.BackURL = st.link("/q/"+prev.ID, c.Encode(rp.Answers))
		page.BackLabel = "Back"
	} else {
		page.BackURL = st.link("/", "")
		page.BackLabel = "Back to the start"
	}
	if sec := c.Section(q.WhySection); sec != nil {
		page.WhySection = sec.Title
	}
	page.ArticleTitle = c.Article.Title
	if rp.IsInvalid(q) && errMsg == "" {
		page.Notes = append(page.Notes, "Your link had an answer to this question that the wizard does not recognise, so it is asked again.")
	}
	for _, p := range rp.Path {
		a, ok := rp.Answers[p.ID]
		switch {
		case !ok || p == q:
		case p.Position < q.Position:
			page.HiddenBefore = append(page.HiddenBefore, views.Field{Name: p.ID, Value: a})
		default:
			page.HiddenAfter = append(page.HiddenAfter, views.Field{Name: p.ID, Value: a})
		}
	}
	page.HiddenAfter = append(page.HiddenAfter,
		views.Field{Name: decision.VersionParam, Value: fmt.Sprint(c.Version)},
		views.Field{Name: "q", Value: q.ID})
	if st.embed {
		// The form's action URL loses its query, so the theme rides along as fields.
		for k, vs := range mustParseQuery(st.theme.query()) {
			page.HiddenAfter = append(page.HiddenAfter, views.Field{Name: k, Value: vs[0]})
		}
	}
	return page
}
