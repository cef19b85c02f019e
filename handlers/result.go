package handlers

import (
	"bytes"
	"net/http"
	"strings"

	"nestnext/decision"
	"nestnext/serve"
	"nestnext/views"
)

// result shows the recommendation. Its URL is the share link: it renders in full for anyone who
// opens it. Incomplete answers redirect to the first unanswered question.
func (s *Server) result(w http.ResponseWriter, rq *request) error {
	return s.servePage(w, rq, func() (built, error) {
		c := s.content
		state := rq.State()
		rp := c.Replay(state.Raw)
		if !rp.Complete() {
			return built{}, redirect(w, rq.Request, s.nextURL(rq.Site(), &rp, state))
		}
		if rq.Site().team != "" {
			return built{}, s.finishJourney(w, rq, rp.Answers)
		}
		res, err := c.Evaluate(&rp)
		if err != nil {
			return built{}, err
		}
		page := s.resultPage(rq, &rp, res)
		page.Notes = s.linkNotes(rq.Site(), state, rp.Answers)
		link := s.discoverable(rq, &page.Meta)
		return built{page: views.Result(page), header: link}, nil
	})
}

// resultMarkdown serves the result as a Markdown Architecture Decision Record to download. The
// record is dated, so it is cached per canonical answers and day.
func (s *Server) resultMarkdown(w http.ResponseWriter, rq *request) error {
	date := s.now().Format("2006-01-02")
	return s.respond(w, rq.Request, entry{
		key:          func() (string, error) { return "/result.md?" + rq.Query(), nil },
		variant:      date,
		cacheControl: pageCacheControl,
		build:        func() (*serve.Page, error) { return s.decisionRecord(rq, date) },
	})
}

// decisionRecord is the record of rq's answers on date.
func (s *Server) decisionRecord(rq *request, date string) (*serve.Page, error) {
	c := s.content
	state := rq.State()
	{
		s.countRecordBuilt("result")
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
		page := s.resultPage(rq, &rp, res)
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
		st := rq.Site()
		abs := func(alt decision.Alternative) views.ChangeView {
			cv := s.changeView(st, alt)
			cv.AbsURL = s.publicURL(cv.URL)
			return cv
		}
		for _, alt := range c.Counterfactuals(&rp, res) {
			adr.AllChanges = append(adr.AllChanges, abs(alt))
		}
		for _, alt := range res.Confidence.Deciding {
			adr.Deciding = append(adr.Deciding, abs(alt))
		}
		for i := range adr.Deciders {
			if q := &adr.Deciders[i].Question; q.URL != "" {
				q.URL = s.publicURL(q.URL)
			}
		}
		for _, alt := range c.ScopeChanges(&rp, res) {
			adr.ScopeChanges = append(adr.ScopeChanges, abs(alt))
		}
		for i := range res.Needs {
			adr.Needs = append(adr.Needs, c.NeedLine(res, &res.Needs[i]))
		}
		adr.Rule = c.RuleText()
		for _, ov := range page.Open {
			if len(ov.Changes) > 0 {
				adr.OpenFlipping = append(adr.OpenFlipping, ov)
			} else {
				adr.OpenSteady = append(adr.OpenSteady, ov.Question)
			}
		}
		var buf bytes.Buffer
		if err := views.ADR(&buf, adr); err != nil {
			return nil, err
		}
		p := serve.NewPage("text/markdown; charset=utf-8", buf.Bytes())
		p.Header = http.Header{"Content-Disposition": {`attachment; filename="decision-record-` + res.Outcome.ID + `.md"`}}
		return p, nil
	}
}

func (s *Server) resultPage(rq *request, rp *decision.Replay, res *decision.Result) views.ResultPage {
	c := s.content
	st := rq.Site()
	o := res.Outcome
	enc := c.Encode(rp.Answers)
	title := resultTitle(o)
	page := views.ResultPage{
		Meta:                s.meta(rq, pageTitle(title), o.Summary, true),
		OutcomeID:           o.ID,
		Undecided:           o.Undecided,
		Headline:            o.Headline,
		Summary:             o.Summary,
		Explanation:         o.Explanation,
		Quote:               s.quote(o.Quote, o.Section),
		Confidence:          res.Confidence.Label,
		ConfidenceOf:        res.Confidence.Explanation,
		StartAgainURL:       st.link("/", ""),
		ArticleTitle:        c.Article.Title,
		ArticleURL:          c.Article.URL,
		ConsequencesHeading: o.ConsequencesHeading,
		Caption:             "Our recommendation",
	}
	if o.Undecided {
		page.Caption = "Your result"
	}
	for _, rs := range res.Reasons {
		v := views.ReasonView{
			Answer: "You said " + rs.Option.AnswerPhrase + ".",
			Text:   rs.Option.Reason,
			Quote:  s.quote(rs.Option.Quote, rs.Option.Section),
			Effect: c.Effect(rs.Option),
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
			NestJSSection: c.SectionTitle(row.NestJS.Section),
			NextJSSection: c.SectionTitle(row.NextJS.Section),
			Relevant:      res.IsRelevant(row),
		})
	}
	page.Scores, page.BothRule = s.scores(res), c.RuleText()
	page.Needs = s.needsChart(res)
	for _, row := range page.Table {
		if row.Relevant {
			page.Decided++
		}
	}
	// What would change this: the plausible single changes that make this a close call first,
	// then bigger changes of one answer, then (apart) changes of what the project is.
	deciding := map[*decision.Option]bool{}
	for _, alt := range res.Confidence.Deciding {
		deciding[alt.To] = true
		page.Changes = append(page.Changes, s.changeView(st, alt))
	}
	for _, alt := range c.Counterfactuals(rp, res) {
		if !deciding[alt.To] {
			page.MoreChanges = append(page.MoreChanges, s.changeView(st, alt))
		}
	}
	for _, alt := range c.ScopeChanges(rp, res) {
		page.ScopeChanges = append(page.ScopeChanges, s.changeView(st, alt))
	}
	page.CloseCall = res.Confidence.Level == decision.CloseCall
	if o.Undecided {
		page.Deciders = s.deciders(st, enc, rp, res)
	}
	// A settlement of several "Not sure" answers is news only where no single settled answer is
	// already named among the changes that flip it.
	if u := res.Confidence.Unsettled; u != nil && u.Example.Result != nil && !settlesOne(res.Confidence.Deciding) {
		sv := &views.SettlementView{Outcome: u.Example.Result.Outcome.Name, URL: st.link("/result", c.Encode(u.Example.Answers))}
		for _, q := range u.Questions {
			sv.Questions = append(sv.Questions, "“"+q.Text+"”")
			sv.Answers = append(sv.Answers, q.Option(u.Example.Answers[q.ID]).AnswerPhrase)
		}
		page.Unsettled = sv
	}
	for _, oq := range c.OpenQuestions(rp, res) {
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
	page.ShareURL = s.publicURL("/result?" + enc)
	page.TeamURL = st.link("/team", s.teamQuery([]decision.TeamMember{{Answers: rp.Answers}}))
	page.Canonical = page.ShareURL
	if st.embed {
		page.OpenURL = page.ShareURL
	}
	page.Why = whyShort(res)
	// The preview says what the result is, in the words the page leads with.
	page.OG = s.openGraph(o.ID, title, o.Summary, page.ShareURL)
	page.OG.ImageAlt = title + ". The two needs, web front end and dedicated backend, with the " + o.Name + " region outlined."
	if o.Undecided {
		page.OG.ImageAlt = title + ". The two needs, web front end and dedicated backend, with the answers still open."
	}
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
	return views.Quote{Text: text, Section: s.content.SectionTitle(section)}
}

// settlesOne reports whether one of the deciding changes settles a "Not sure" answer.
func settlesOne(deciding []decision.Alternative) bool {
	for _, alt := range deciding {
		if alt.From != nil && alt.From.Unsure {
			return true
		}
	}
	return false
}

// resultTitle names a result: "Recommendation: Both", or an undecided outcome's headline.
func resultTitle(o *decision.Outcome) string {
	if o.Undecided {
		return o.Headline
	}
	return "Recommendation: " + o.Name
}

// scores gives each need's evidence against its threshold.
func (s *Server) scores(res *decision.Result) []views.ScoreView {
	var out []views.ScoreView
	for _, nv := range res.Needs {
		out = append(out, views.ScoreView{Name: nv.Need.Name, Value: nv.Value, Max: nv.Threshold, Recommended: nv.Met, State: decision.StateWord(nv.State)})
	}
	return out
}

// deciders says, for an undecided result, what would decide it: each open need that decides the
// outcome, what its states would mean, and the question to answer for it: the first one answered
// "Not sure" that bears on the need and is not named for another need already (so the all-unsure
// visitor gets "What are you building?" and the logic question, one each).
func (s *Server) deciders(st site, enc string, rp *decision.Replay, res *decision.Result) []views.DeciderView {
	var out []views.DeciderView
	named := map[*decision.Question]bool{}
	for _, nv := range res.Deciding {
		if !nv.Open() {
			continue
		}
		d := views.DeciderView{Need: nv.Need.Name, Line: nv.Line()}
		for _, q := range s.content.OpenOn(rp, nv.Need) {
			if !named[q] {
				named[q] = true
				d.Question = views.Link{Label: q.Text, URL: st.link("/q/"+q.ID, enc)}
				break
			}
		}
		out = append(out, d)
	}
	return out
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
// "Next.js, unless live chat or live dashboards over WebSockets are central (then Both)."
func openStatement(current *decision.Outcome, flips []decision.Alternative) string {
	if len(flips) == 0 {
		if current.Undecided {
			return "On its own, no answer to it would name a framework."
		}
		return "Whatever you answer, the recommendation stays " + current.Name + "."
	}
	parts := make([]string, len(flips))
	for i, alt := range flips {
		parts[i] = alt.To.AnswerPhrase + " (then " + alt.Result.Outcome.Name + ")"
	}
	if current.Undecided {
		return "It names a framework if " + strings.Join(parts, ", or if ") + "."
	}
	return current.Name + ", unless " + strings.Join(parts, ", or ") + "."
}

// whyShort is the recommendation in two or three sentences: what the outcome is, and what the
// project's standing on each need that decides it means.
func whyShort(res *decision.Result) []string {
	why := []string{res.Outcome.Summary}
	if res.Outcome.Undecided {
		// What would decide it says each need's state, with the question to answer for it.
		return why
	}
	for _, nv := range res.Deciding {
		why = append(why, nv.Line())
	}
	return why
}

// The needs on the picture's axes: the web front end up, the dedicated backend to the right.
const (
	needUp    = "frontend"
	needRight = "backend"
)

// The labels of the picture's regions, on the page and on the preview cards.
var needsLabels = map[string]string{
	decision.NestJS: "NestJS: no pages",
	decision.NextJS: "Next.js",
	decision.Both:   "Both",
}

// needsChart is the picture of where the answers put the project on the two needs.
func (s *Server) needsChart(res *decision.Result) views.NeedsChart {
	c := views.NeedsChart{
		ID: "needs",
		// A region is outlined only when the answers put the project inside it: with a need
		// open, the marker sits on that need's threshold, between regions.
		Outcome: res.Outcome.ID,
		NestJS:  needsLabels[decision.NestJS],
		NextJS:  needsLabels[decision.NextJS],
		Both:    needsLabels[decision.Both],
		Title:   "Where your answers put the project",
	}
	for i := range res.Needs {
		nv := &res.Needs[i]
		// The axis runs to twice the threshold, so the threshold sits in the middle; evidence
		// past either end is drawn at the edge (the text says the number). An open need is drawn
		// on its threshold: nothing yet puts it on either side.
		v := views.NeedView{Name: nv.Need.Name, Value: nv.Value, Threshold: nv.Threshold, Max: max(2*nv.Threshold, 1), Open: nv.Open()}
		if v.Open {
			v.Value = nv.Threshold
		}
		switch nv.Need.ID {
		case needUp:
			c.FrontEnd = v
		case needRight:
			c.Backend = v
		}
		c.Lines = append(c.Lines, s.content.NeedLine(res, nv))
		if nv.Open() {
			c.Outcome = ""
		}
	}
	return c
}
