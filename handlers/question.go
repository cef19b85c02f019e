package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"nestnext/decision"
	"nestnext/views"
)

// question shows one question. The URL carries every answer so far; a question that is not yet
// due (an earlier one is unanswered) or no longer asked redirects to where the answers lead.
func (s *Server) question(w http.ResponseWriter, rq *request) error {
	q := s.content.Question(chi.URLParam(rq.Request, "id"))
	if q == nil {
		return &httpError{
			status:  http.StatusNotFound,
			heading: "Question not found",
			message: "This link points to a question the wizard does not have (it may have been renamed). Start again, or go back to the page you came from.",
		}
	}
	return s.servePage(w, rq, func() (built, error) {
		st := rq.Site()
		state := rq.State()
		rp := s.content.Replay(state.Raw)
		if !rp.OnPath(q) || (rp.Next != nil && rp.Next.Position < q.Position) {
			return built{}, redirect(w, rq.Request, s.nextURL(st, &rp, state))
		}
		page := s.questionPage(rq, &rp, q, "")
		page.Notes = append(s.linkNotes(st, state, rp.Answers), page.Notes...)
		first := q.Position == 0 && len(state.Raw) == 0
		view := s.viewCounter(q.ID)
		link := s.discoverable(rq, &page.Meta)
		return built{page: views.Question(page), header: link, seen: func() {
			if first {
				s.countStart()
			}
			view()
		}}, nil
	})
}

// next receives a question's GET form: with an answer it redirects to the next step, without one
// it shows the question again with an error (422, so tools and tests can tell it apart; htmx is
// told to swap it in without changing the URL).
func (s *Server) next(w http.ResponseWriter, rq *request) error {
	r, st := rq.Request, rq.Site()
	query := r.URL.Query()
	state := rq.State()
	rp := s.content.Replay(state.Raw)
	q := s.content.Question(query.Get("q"))
	if q == nil || !rp.OnPath(q) {
		return redirect(w, r, s.nextURL(st, &rp, state))
	}
	if _, answered := rp.Answers[q.ID]; answered {
		s.countAnswer(q.ID)
		if rp.Complete() {
			if res, err := s.content.Evaluate(&rp); err == nil {
				s.countCompletion(res.Outcome.ID)
			}
		}
		return redirect(w, r, s.nextURL(st, &rp, state))
	}
	page := s.questionPage(rq, &rp, q, "Select an answer to “"+q.Text+"”")
	page.Title = "Error: " + page.Title
	if st.embed {
		// Opened in a new tab, this is the question itself, not the form's target.
		page.OpenURL = s.publicURL("/q/" + q.ID + "?" + s.content.Encode(rp.Answers))
	}
	return render(w, r, http.StatusUnprocessableEntity, views.Question(page))
}

// nextURL is where a replay leads: the first unanswered question, or the result. Unrecognised
// values stay in the URL (escaped, never shown) so their question can say it is asked again.
// Questions an old link's answers could not be carried to ride along as changed=, so the page
// the visitor lands on can still say so.
func (s *Server) nextURL(st site, rp *decision.Replay, state decision.State) string {
	query := ""
	if rp.Complete() {
		query = s.content.Encode(rp.Answers)
	} else {
		answers := rp.Answers
		for _, q := range rp.Invalid {
			answers = answers.With(q.ID, state.Raw[q.ID])
		}
		query = s.content.Encode(answers)
	}
	if len(state.Changed) > 0 {
		query += "&" + decision.ChangedParam + "=" + url.QueryEscape(strings.Join(state.Changed, ","))
	}
	if rp.Complete() {
		return st.link("/result", query)
	}
	return st.link("/q/"+rp.Next.ID, query)
}

// linkNotes explains what happened to an old or newer link's answers.
func (s *Server) linkNotes(st site, state decision.State, answers decision.Answers) []views.Note {
	c := s.content
	var notes []views.Note
	if state.Newer {
		notes = append(notes, views.Note{Text: fmt.Sprintf("This link comes from a newer version of the wizard (v%d) than this one (v%d). Your answers were read as far as possible; check them before relying on the result.", state.Version, c.Version)})
	}
	if n := len(state.Changed) + state.Removed; n > 0 {
		text := fmt.Sprintf("%d of your answers refer to questions that changed since this link was made", n)
		them, were := "them", "They were"
		if n == 1 {
			text = "1 of your answers refers to a question that changed since this link was made"
			them, were = "it", "It was"
		}
		note := views.Note{Text: text + ". " + were + " left out."}
		if len(state.Changed) > 0 {
			note.Text = text + ". Review " + them + ":"
			for _, id := range state.Changed {
				q := c.Question(id)
				note.Links = append(note.Links, views.Link{Label: q.Text, URL: st.link("/q/"+id, c.Encode(answers))})
			}
		}
		notes = append(notes, note)
	}
	return notes
}

func (s *Server) questionPage(rq *request, rp *decision.Replay, q *decision.Question, errMsg string) views.QuestionPage {
	c := s.content
	st := rq.Site()
	page := views.QuestionPage{
		Meta:       s.meta(rq, pageTitle(q.Text), "", true),
		Question:   q,
		Options:    c.Offered(rp, q),
		Selected:   rp.Answers[q.ID],
		FormAction: st.prefix() + "/next",
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
	if rp.Complete() {
		// Every answer is given, so this is a Change page: the visitor may go back unchanged. In
		// a team journey the result takes them to the team page (finishJourney).
		page.DoneURL, page.DoneLabel = st.link("/result", c.Encode(rp.Answers)), "Back to the result"
		if st.team != "" {
			page.DoneLabel = "Back to the team page"
		}
	}
	if st.team != "" {
		page.Team = s.teamBanner(st, rp, q)
	}
	if prev := rp.Before(q); prev != nil {
		page.BackURL = st.link("/q/"+prev.ID, c.Encode(rp.Answers))
		page.BackLabel = "Back"
	} else if st.team != "" {
		page.BackURL = s.journeyBack(st)
		page.BackLabel = "Back to the team"
	} else {
		page.BackURL = st.link("/", "")
		page.BackLabel = "Back to the start"
	}
	if sec := c.Section(q.WhySection); sec != nil {
		page.WhySection = sec.Title
	}
	page.ArticleTitle = c.Article.Title
	if rp.IsInvalid(q) && errMsg == "" {
		page.Notes = append(page.Notes, views.Note{Text: "Your link had an answer to this question that the wizard does not recognise, so it is asked again."})
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
		for _, p := range st.theme.params() {
			page.HiddenAfter = append(page.HiddenAfter, views.Field{Name: p[0], Value: p[1]})
		}
	}
	if st.team != "" {
		page.HiddenAfter = append(page.HiddenAfter, views.Field{Name: journeyParam, Value: st.team})
	}
	return page
}
