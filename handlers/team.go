package handlers

// Deciding as a team. A team link is /team?m=TOKEN&m=TOKEN…&v=N: one m per member, in the order
// they joined (decision.EncodeMember writes the tokens). While a member answers the questions,
// every question page carries tm=SEAT~TOKEN~TOKEN… (the team so far, with the member's own
// place at SEAT: a new place is a token with no answers), and the journey ends on the team page
// instead of the result. All the state is in the URL.

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"nestnext/decision"
	"nestnext/serve"
	"nestnext/views"
)

const (
	memberParam = "m"
	journeySep  = "~"
)

// teamLink is what a team link's query says.
type teamLink struct {
	members []decision.TeamMember
	// old is set when the link names another content version: its answers were not read (they
	// are positions in that version's questions), only the names.
	old     bool
	version int
}

func badTeamLink(message string) error {
	return &httpError{status: http.StatusBadRequest, heading: "This team link cannot be read", message: message}
}

// parseTeamLink reads m= and v=. allowEmpty accepts a link without members (to start a team).
func (s *Server) parseTeamLink(q url.Values, allowEmpty bool) (teamLink, error) {
	c := s.content
	tl := teamLink{version: c.Version}
	if vs := q[decision.VersionParam]; len(vs) > 0 {
		n, err := strconv.Atoi(vs[0])
		if err != nil || n <= 0 {
			return tl, badTeamLink("The link's version (v=) is not a positive number. It may have been cut or altered on its way: ask for the team link again.")
		}
		tl.version, tl.old = n, n != c.Version
	}
	toks := q[memberParam]
	switch {
	case len(toks) == 0 && !allowEmpty:
		return tl, badTeamLink("The link names no members (no m= parameter). Ask for the team link again, or start the wizard and use “Decide with your team” on your result.")
	case len(toks) > decision.MaxTeamMembers:
		return tl, badTeamLink(fmt.Sprintf("The link names %d members; a team has at most %d.", len(toks), decision.MaxTeamMembers))
	}
	for i, tok := range toks {
		var m decision.TeamMember
		var err error
		if tl.old {
			// Only the name can be read across versions.
			_, name, _ := strings.Cut(tok, ".")
			m, err = c.DecodeMember("."+name, true)
			if name == "" {
				m, err = decision.TeamMember{}, nil
			}
		} else {
			m, err = c.DecodeMember(tok, false)
		}
		if err != nil {
			return tl, badTeamLink(fmt.Sprintf("The answers of member %d could not be read (%s). The link may have been cut or altered on its way: ask for it again.", i+1, strings.TrimPrefix(err.Error(), decision.ErrBadMember.Error()+": ")))
		}
		tl.members = append(tl.members, m)
	}
	return tl, nil
}

// teamQuery is a team link's query: the members' tokens, then the version.
func (s *Server) teamQuery(members []decision.TeamMember) string {
	var b strings.Builder
	for _, m := range members {
		b.WriteString(memberParam + "=")
		b.WriteString(s.content.EncodeMember(m))
		b.WriteByte('&')
	}
	b.WriteString(decision.VersionParam + "=" + strconv.Itoa(s.content.Version))
	return b.String()
}

// journey is a member answering the questions for a team.
type journey struct {
	seat    int
	members []decision.TeamMember
}

func (j journey) encode(c *decision.Content) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(j.seat))
	for _, m := range j.members {
		b.WriteString(journeySep)
		b.WriteString(c.EncodeMember(m))
	}
	return b.String()
}

// others are the members of the team without the seat when it has no answers yet.
func (j journey) others() []decision.TeamMember {
	if j.members[j.seat].Answers == nil {
		return append(j.members[:j.seat:j.seat], j.members[j.seat+1:]...)
	}
	return j.members
}

var errBadJourney = &httpError{
	status:  http.StatusBadRequest,
	heading: "This team link cannot be read",
	message: "The team this page was answering for (the tm= parameter) is malformed. The link may have been cut or altered on its way: open the team link again and choose “Answer the questions”.",
}

func (s *Server) parseJourney(v string) (journey, error) {
	parts := strings.Split(v, journeySep)
	if len(parts) < 2 || len(parts)-1 > decision.MaxTeamMembers {
		return journey{}, errBadJourney
	}
	seat, err := strconv.Atoi(parts[0])
	if err != nil || seat < 0 || seat >= len(parts)-1 || strconv.Itoa(seat) != parts[0] {
		return journey{}, errBadJourney
	}
	j := journey{seat: seat}
	for i, tok := range parts[1:] {
		m, err := s.content.DecodeMember(tok, i == seat)
		if err != nil {
			return journey{}, errBadJourney
		}
		j.members = append(j.members, m)
	}
	return j, nil
}

// teamJourney puts a tm= parameter into the request's site, so every link and form the
// question pages make carries it. A malformed one gets the 400 page.
func (s *Server) teamJourney(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.RawQuery, journeyParam+"=") {
			next.ServeHTTP(w, r)
			return
		}
		v := r.URL.Query().Get(journeyParam)
		if v == "" {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := s.parseJourney(v); err != nil {
			s.renderError(w, r, err)
			return
		}
		next.ServeHTTP(w, withJourney(r, v))
	})
}

// journeyBack is where the first question of a team journey goes back to: the team page as it was.
func (s *Server) journeyBack(st site) string {
	j, err := s.parseJourney(st.team)
	if err != nil {
		return ""
	}
	st.team = ""
	others := j.others()
	if len(others) == 0 {
		return st.link("/", "")
	}
	return st.link("/team", s.teamQuery(others))
}

// finishJourney ends a team journey whose answers are complete: the member takes their seat and
// the visitor lands on the team page.
func (s *Server) finishJourney(w http.ResponseWriter, rq *request, answers decision.Answers) error {
	st := rq.Site()
	j, err := s.parseJourney(st.team)
	if err != nil {
		return err
	}
	j.members[j.seat].Answers = answers
	st.team = ""
	return redirect(w, rq.Request, st.link("/team", s.teamQuery(j.members)))
}

// team shows a team's decision. Opened from a question page of a team journey (tm= set, with the
// answers given so far), it is the team as it stands with the way back to those questions.
func (s *Server) team(w http.ResponseWriter, rq *request) error {
	r := rq.Request
	if rq.Site().team != "" {
		return s.servePage(w, rq, func() (built, error) { return s.teamResume(w, rq) })
	}
	tl, parseErr := s.parseTeamLink(r.URL.Query(), false)
	// The page depends on the members, the version and the embed theme only: the canonical team
	// link names them. A link that does not parse fails in build, and nothing is cached for it.
	key := func() string {
		if parseErr != nil || tl.old {
			return r.URL.Path + "?" + r.URL.RawQuery
		}
		q := s.teamQuery(tl.members)
		if st := rq.Site(); st.embed && st.theme.query() != "" {
			q += "&" + st.theme.query()
		}
		return r.URL.Path + "?" + q
	}
	return s.serveKeyed(w, rq, key, func() (built, error) {
		tl, err := tl, parseErr
		if err != nil {
			return built{}, err
		}
		page, _, err := s.teamPage(rq, tl)
		if err != nil {
			return built{}, err
		}
		return built{page: views.Team(page)}, nil
	})
}

// teamResume is the team page of a journey under way: the team without the member's new answers,
// and a link back to the question the answers lead to. The page is keyed as a question page is
// (the answers and tm=), since it depends on both.
func (s *Server) teamResume(w http.ResponseWriter, rq *request) (built, error) {
	c := s.content
	st := rq.Site()
	j, err := s.parseJourney(st.team)
	if err != nil {
		return built{}, err
	}
	state := rq.State()
	rp := c.Replay(state.Raw)
	others := j.others()
	if len(others) == 0 || rp.Complete() {
		// No team page to show yet, or answers that are done: where the answers lead.
		return built{}, redirect(w, rq.Request, s.nextURL(st, &rp, state))
	}
	page, _, err := s.teamPage(rq, teamLink{members: others, version: c.Version})
	if err != nil {
		return built{}, err
	}
	page.Join = nil
	page.Resume = &views.ResumeView{Answered: len(rp.Answers), URL: s.nextURL(st, &rp, decision.State{})}
	return built{page: views.Team(page)}, nil
}

// teamJoin starts a member's journey: from a team link's form (m=…, v=, name=) to the first
// question. With seat= set, it only renames that member and goes back to the team page.
func (s *Server) teamJoin(w http.ResponseWriter, rq *request) error {
	c, r := s.content, rq.Request
	q := r.URL.Query()
	tl, err := s.parseTeamLink(q, true)
	if err != nil {
		return err
	}
	if tl.old {
		tl.members = nil
	}
	name, err := decision.CleanName(q.Get("name"))
	if err != nil {
		return &httpError{status: http.StatusBadRequest, heading: "This name cannot be used",
			message: fmt.Sprintf("A name is plain text of at most %d characters, without line breaks or control characters. Go back and shorten or retype it.", decision.MaxNameRunes)}
	}
	st := rq.Site()
	if seat := q.Get("seat"); seat != "" {
		i, err := strconv.Atoi(seat)
		if err != nil || i < 0 || i >= len(tl.members) {
			return badTeamLink("The member to rename (seat=) is not one of the team's.")
		}
		tl.members[i].Name = name
		st.team = ""
		return redirect(w, r, st.link("/team", s.teamQuery(tl.members)))
	}
	if len(tl.members) >= decision.MaxTeamMembers {
		return badTeamLink(fmt.Sprintf("This team already has %d members, as many as a team link holds.", decision.MaxTeamMembers))
	}
	j := journey{seat: len(tl.members), members: append(tl.members, decision.TeamMember{Name: name})}
	st.team = j.encode(c)
	return redirect(w, r, st.link("/q/"+c.Questions[0].ID, c.Encode(nil)))
}

// teamDecision decides a current-version team link.
func (s *Server) teamDecision(tl teamLink) (*decision.Team, error) {
	t, err := s.content.DecideTeam(tl.members)
	if err != nil {
		// Members were decoded strictly, so only a limit can fail here.
		return nil, badTeamLink("This team link cannot be decided: " + err.Error())
	}
	return t, nil
}

// teamPage is the team page's view. Its links never carry a journey's tm=: they lead out of it
// (member change links start their own).
func (s *Server) teamPage(rq *request, tl teamLink) (views.TeamPage, *decision.Team, error) {
	c := s.content
	st := rq.Site()
	st.team = ""
	page := views.TeamPage{
		StartURL:     st.link("/", ""),
		ArticleTitle: c.Article.Title,
		ArticleURL:   c.Article.URL,
		ArticleQuote: s.quote(decision.TeamQuote, decision.TeamQuoteSection),
		MaxMembers:   decision.MaxTeamMembers,
	}
	if tl.old {
		page.Old = true
		page.Meta = s.meta(rq, pageTitle("Team link from another version"), "", true)
		for i, m := range tl.members {
			name := m.Name
			if name == "" {
				name = "Member " + strconv.Itoa(i+1)
			}
			page.Members = append(page.Members, views.TeamMemberView{Name: name})
		}
		page.Notes = []views.Note{{Text: fmt.Sprintf("This team link was made with version %d of the wizard, and this is version %d. A team link records each answer by its position among that version's questions and options, which have changed, so its answers cannot be carried over. Each member, please answer again: start a new team link and pass it on.", tl.version, c.Version)}}
		page.NewTeamURL = st.link("/team/join", c.Encode(nil))
		return page, nil, nil
	}
	t, err := s.teamDecision(tl)
	if err != nil {
		return page, nil, err
	}
	tq := s.teamQuery(tl.members)
	page.ShareURL = s.publicURL("/team?" + tq)
	page.MDURL = "/team.md?" + tq
	page.TeamSummary = t.Summary()
	title := "Team decision: not decided yet"
	desc := page.TeamSummary
	ogName := "start"
	if t.Result != nil {
		o := t.Result.Outcome
		page.OutcomeID, page.Headline, page.Summary = o.ID, o.Headline, o.Summary
		page.Confidence, page.ConfidenceOf = t.Result.Confidence.Label, t.Result.Confidence.Explanation
		page.TeamResultURL = st.link("/result", c.Encode(t.Answers))
		title = "Team recommendation: " + o.Name
		ogName = o.ID
	} else {
		page.NoResult = "“" + t.Blocking.Text + "” has no answer most of you gave, and no “Not sure” answer for the team to fall back on. Settle it first."
	}
	page.Meta = s.meta(rq, pageTitle(title), desc, true)
	page.Canonical = page.ShareURL
	page.OG = s.openGraph(ogName, title, desc, page.ShareURL)

	for i, m := range t.Members {
		name := t.MemberName(i)
		page.MemberNames = append(page.MemberNames, name)
		mst := st
		mst.team = journey{seat: i, members: tl.members}.encode(c)
		enc := c.Encode(m.Answers)
		mv := views.TeamMemberView{
			Name:       name,
			Outcome:    m.Result.Outcome.Name,
			Confidence: m.Result.Confidence.Label,
			ResultURL:  st.link("/result", enc),
		}
		for _, q := range m.Replay.Path {
			mv.Answers = append(mv.Answers, views.AnswerView{
				Question:  q.Text,
				Answer:    q.Option(m.Answers[q.ID]).Label,
				ChangeURL: mst.link("/q/"+q.ID, enc),
			})
		}
		page.Members = append(page.Members, mv)
	}
	page.Rename = &views.TeamForm{Action: st.prefix() + "/team/join", Fields: s.teamFields(st, tl.members), Seats: page.MemberNames}
	if len(tl.members) < decision.MaxTeamMembers {
		page.Join = &views.TeamForm{Action: st.prefix() + "/team/join", Fields: s.teamFields(st, tl.members)}
	}
	for i := range c.Questions {
		q := &c.Questions[i]
		row := views.TeamRowView{Question: q.Text, Agreed: true}
		asked := false
		for _, m := range t.Members {
			a, ok := m.Answers[q.ID]
			label := ""
			if ok {
				asked = true
				label = q.Option(a).Label
			}
			row.Cells = append(row.Cells, label)
		}
		if !asked {
			continue
		}
		_, row.Agreed = t.Shared[q.ID]
		page.Rows = append(page.Rows, row)
	}
	for _, cb := range t.Together {
		tv := views.TogetherView{Who: t.MemberName(cb.Member), Outcome: cb.Result.Outcome.Name, URL: st.link("/result", c.Encode(cb.Answers))}
		for _, q := range cb.Questions {
			tv.Questions = append(tv.Questions, q.Text)
		}
		page.Together = append(page.Together, tv)
	}
	for _, d := range t.Disagreements {
		dv := s.disagreementView(st, t, &d)
		if d.Decides {
			page.Disagreements = append(page.Disagreements, dv)
		} else {
			page.Quiet = append(page.Quiet, dv)
		}
	}
	for _, q := range t.Unasked {
		page.Unasked = append(page.Unasked, q.Text)
	}
	return page, t, nil
}

// teamFields are a team form's hidden fields: the members, the version, and the embed theme (a GET
// form's action loses its query).
func (s *Server) teamFields(st site, members []decision.TeamMember) []views.Field {
	var out []views.Field
	for _, m := range members {
		out = append(out, views.Field{Name: memberParam, Value: s.content.EncodeMember(m)})
	}
	out = append(out, views.Field{Name: decision.VersionParam, Value: strconv.Itoa(s.content.Version)})
	if st.embed {
		for _, p := range st.theme.params() {
			out = append(out, views.Field{Name: p[0], Value: p[1]})
		}
	}
	return out
}

// memberNames joins the named members as a sentence does ("Ada, Bo and Cy").
func memberNames(t *decision.Team, idx []int) string {
	ns := make([]string, len(idx))
	for i, m := range idx {
		ns[i] = t.MemberName(m)
	}
	return joinNames(ns)
}

func joinNames(ns []string) string {
	if len(ns) <= 1 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func (s *Server) disagreementView(st site, t *decision.Team, d *decision.Disagreement) views.DisagreementView {
	dv := views.DisagreementView{Question: d.Question.Text}
	for i, p := range d.Positions {
		pv := views.PositionView{Answer: p.Option.Label, Who: memberNames(t, p.Members)}
		if p.Result != nil {
			pv.Outcome = p.Result.Outcome.Name
			pv.URL = st.link("/result", s.content.Encode(p.Answers))
		}
		if i == d.Majority {
			dv.Majority = &pv
		} else {
			dv.Others = append(dv.Others, pv)
		}
	}
	if len(d.NotAsked) > 0 {
		dv.NotAsked = memberNames(t, d.NotAsked)
	}
	return dv
}

// teamMarkdown serves the team's decision record. Like the result's (resultMarkdown), it is dated,
// so it is cached per team and day.
func (s *Server) teamMarkdown(w http.ResponseWriter, rq *request) error {
	date := s.now().Format("2006-01-02")
	var tl teamLink
	key := func() (string, error) {
		var err error
		if tl, err = s.parseTeamLink(rq.URL.Query(), false); err != nil {
			return "", err
		}
		if tl.old {
			return "", &httpError{status: http.StatusUnprocessableEntity, heading: "This team link needs new answers",
				message: "It was made with another version of the wizard, so its answers cannot be read. Open the team link for the notice and start a new one."}
		}
		return "/team.md?" + s.teamQuery(tl.members), nil
	}
	return s.respond(w, rq.Request, entry{key: key, variant: date, cacheControl: pageCacheControl,
		build: func() (*serve.Page, error) { return s.teamRecord(rq, tl, date) }})
}

// teamRecord builds the team's decision record for date.
func (s *Server) teamRecord(rq *request, tl teamLink, date string) (*serve.Page, error) {
	s.countRecordBuilt("team")
	page, t, err := s.teamPage(rq, tl)
	if err != nil {
		return nil, err
	}
	rec := views.TeamADRPage{TeamPage: page, Date: date, Article: s.content.Article,
		MDSummary: t.SummaryNamed(func(i int) string { return views.MarkdownText(t.MemberName(i)) })}
	if page.TeamResultURL != "" {
		rec.TeamResultAbs = s.publicURL(page.TeamResultURL)
	}
	var buf bytes.Buffer
	if err := views.TeamADR(&buf, rec); err != nil {
		return nil, err
	}
	p := serve.NewPage("text/markdown; charset=utf-8", buf.Bytes())
	p.Header = http.Header{"Content-Disposition": {`attachment; filename="team-decision-record.md"`}}
	return p, nil
}

// teamBanner is what a question page of a team journey says of the team: its members so far,
// the progress where it is reliable, and the way back to the team page that keeps the answers
// given so far. On the journey's first question the Back link already leads to the team.
func (s *Server) teamBanner(st site, rp *decision.Replay, q *decision.Question) *views.TeamBanner {
	c := s.content
	j, err := s.parseJourney(st.team)
	if err != nil {
		return nil
	}
	others := j.others()
	ns := make([]string, len(others))
	for i, m := range others {
		ns[i] = m.Name
		if ns[i] == "" {
			ns[i] = "Member " + strconv.Itoa(i+1)
		}
	}
	b := &views.TeamBanner{Names: joinNames(ns)}
	if n, total, ok := c.Progress(rp, q); ok {
		b.Progress = fmt.Sprintf("%d of %d", n, total)
	} else {
		// How many questions are left could still change: only say where the visitor is.
		b.Progress = fmt.Sprintf("question %d", slices.Index(rp.Path, q)+1)
	}
	switch {
	case len(others) == 0 || rp.Before(q) == nil:
	case rp.Complete():
		// The answers as they stand are the member's: the result link lands on the team page.
		b.BackURL = st.link("/result", c.Encode(rp.Answers))
	default:
		b.BackURL = st.link("/team", c.Encode(rp.Answers))
	}
	return b
}
