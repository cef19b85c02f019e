package handlers

// The JSON API: the same engine as the HTML pages, for other programs. Handlers here only map
// engine values to JSON; every decision (replay, scoring, what-ifs) stays in package decision.
// openapi.json describes every body, and api_test.go validates real responses against it.

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"nestnext/decision"
	"nestnext/serve"
)

//go:embed openapi.json
var openAPIDocument []byte

// apiPreflight answers CORS preflight requests (and plain OPTIONS). Browsers send one before a
// cross-origin GET that carries If-None-Match; Max-Age lets them skip it for a day.
func apiPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", apiMethods)
	h.Set("Access-Control-Allow-Methods", apiMethods)
	h.Set("Access-Control-Allow-Headers", "If-None-Match, Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// api is the one place an API handler's error becomes a problem document: a problem is sent as
// it is, a page error (404) as a problem with its status, anything else as a 500.
func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var p apiError
		var he *httpError
		if errors.Is(err, serve.ErrBusy) {
			s.busy(w)
			err = errBusy
		}
		switch {
		case errors.As(err, &p):
		case errors.As(err, &he):
			p = newProblem(r, he.status, he.message)
		case r.Context().Err() != nil:
			return // the client went away: nobody to answer
		default:
			s.log.ErrorContext(r.Context(), "API request failed", "err", err, "request_id", serve.RequestID(w))
			p = newProblem(r, http.StatusInternalServerError, "The API could not answer this request.")
		}
		s.writeProblem(w, r, p)
	})
}

// apiDecision serves the content as JSON. The content never changes while the server runs, so the
// body is encoded and compressed once, on first use.
func (s *Server) apiDecision(w http.ResponseWriter, r *http.Request) error {
	return s.respond(w, r, entry{key: fixedKey(apiPrefix + "/decision?"), cacheControl: apiCacheControl,
		build: func() (*serve.Page, error) { return jsonPage(s.decisionBody()) }})
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	return s.respond(w, r, entry{key: fixedKey(apiPrefix + "/openapi.json?"), cacheControl: apiCacheControl,
		build: func() (*serve.Page, error) { return serve.NewPage(mediaJSON, openAPIDocument), nil }})
}

// apiResult reads the same query string as the HTML result page. Where that page redirects to
// the next question, the API answers 422 with the question, so a client can ask it. A canonical
// query (valid by construction) is served from the cache as it came; any other is read strictly.
func (s *Server) apiResult(w http.ResponseWriter, r *http.Request) error {
	c := s.content
	var state decision.State
	key := func() (string, error) {
		// Parsed strictly, unlike the forgiving HTML pages: a client that sends a malformed query
		// has a bug it should hear about, rather than a result built from the pairs that parsed.
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return "", newProblem(r, http.StatusBadRequest,
				"The query string is not valid URL encoding (for example a % not followed by two hex digits, or a ;). Send answers as question=option pairs joined by &.")
		}
		if v, ok := query[decision.VersionParam]; ok {
			if n, err := strconv.Atoi(v[0]); err != nil || n < 1 || n > c.Version {
				return "", newProblem(r, http.StatusBadRequest, fmt.Sprintf(
					"v=%q is not a content version this server knows: send v=%d (the current one, GET %s/decision), an older version's number, or no v.", v[0], c.Version, apiPrefix))
			}
		}
		state = s.parseState(query)
		// The body depends on the canonical answers only, so it is encoded and compressed once per
		// answer set, like the pages.
		k := apiPrefix + "/result?" + canonicalQuery(c, state)
		if state.Removed > 0 {
			k += " removed=" + strconv.Itoa(state.Removed)
		}
		return k, nil
	}
	return s.respond(w, r, entry{key: key, cacheControl: apiCacheControl, build: func() (*serve.Page, error) {
		rp := c.Replay(state.Raw)
		res, err := c.Evaluate(&rp)
		switch {
		case errors.Is(err, decision.ErrIncomplete):
			return nil, s.incompleteProblem(r, &rp)
		case err != nil:
			return nil, err
		}
		return jsonPage(s.resultBody(&rp, res))
	}})
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeProblem(w, r, newProblem(r, http.StatusNotFound,
		"There is nothing at this address. The API serves "+apiPrefix+"/decision, "+apiPrefix+"/result and "+apiPrefix+"/openapi.json."))
}

// jsonPage encodes v as a JSON body. json.Marshal escapes <, > and &, so no text can turn into
// markup even if a body is sniffed.
func jsonPage(v any) (*serve.Page, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return serve.NewPage(mediaJSON, body), nil
}

// incompleteProblem is the 422 for answers that do not reach a result yet: it says what to ask
// next, and which given values were not options of their question.
type incompleteProblem struct {
	problem
	NextQuestion apiQuestion `json:"next_question"`
	Invalid      []string    `json:"invalid"`
}

func (s *Server) incompleteProblem(r *http.Request, rp *decision.Replay) incompleteProblem {
	next := rp.Next
	invalid := make([]string, 0, len(rp.Invalid))
	for _, q := range rp.Invalid {
		invalid = append(invalid, q.ID)
	}
	detail := fmt.Sprintf("Answer “%s” (%s) to get a recommendation: next_question lists its options.", next.Text, next.ID)
	if len(invalid) > 0 {
		detail = fmt.Sprintf("Not an option of its question, so asked again: %s. ", strings.Join(invalid, ", ")) + detail
	}
	return incompleteProblem{
		problem: problem{
			// The type is documented by the schema it points to.
			Type:     s.publicURL(apiPrefix + "/openapi.json#/components/schemas/IncompleteAnswersProblem"),
			Title:    "Answers are incomplete",
			Status:   http.StatusUnprocessableEntity,
			Detail:   detail,
			Instance: r.URL.EscapedPath(),
		},
		NextQuestion: s.apiQuestion(next),
		Invalid:      invalid,
	}
}

// The JSON shapes. Optional texts are null rather than absent, so every key is always there.

type apiSection struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type apiQuote struct {
	Text    string     `json:"text"`
	Section apiSection `json:"section"`
}

type apiCell struct {
	Text    string     `json:"text"`
	Section apiSection `json:"section"`
}

type apiRow struct {
	ID        string  `json:"id"`
	Dimension string  `json:"dimension"`
	NestJS    apiCell `json:"nestjs"`
	NextJS    apiCell `json:"nextjs"`
}

type apiArticle struct {
	Title      string `json:"title"`
	Author     string `json:"author"`
	AuthorRole string `json:"author_role"`
	Publisher  string `json:"publisher"`
	Published  string `json:"published"`
	URL        string `json:"url"`
}

// apiNeedAmounts is evidence per need id, every need present (JSON sorts the keys).
type apiNeedAmounts map[string]int

type apiOption struct {
	ID     string         `json:"id"`
	Label  string         `json:"label"`
	Hint   *string        `json:"hint"`
	Unsure bool           `json:"unsure"`
	Scope  bool           `json:"scope"`
	ShowIf *apiShowIf     `json:"show_if"`
	Needs  apiNeedAmounts `json:"needs"`
}

// apiShowIf is a question's condition: it is asked only when, for every entry, the answer to
// that earlier question is one of the listed options.
type apiShowIf struct {
	All []apiCondition `json:"all"`
}

type apiCondition struct {
	Question string   `json:"question"`
	In       []string `json:"in"`
}

type apiQuestion struct {
	ID         string      `json:"id"`
	Text       string      `json:"text"`
	Hint       *string     `json:"hint"`
	Why        string      `json:"why"`
	WhyQuote   string      `json:"why_quote"`
	WhySection apiSection  `json:"why_section"`
	ShowIf     *apiShowIf  `json:"show_if"`
	Ordered    bool        `json:"ordered"`
	Scope      bool        `json:"scope"`
	Options    []apiOption `json:"options"`
}

type apiOutcome struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Headline  string `json:"headline"`
	Summary   string `json:"summary"`
	Undecided bool   `json:"undecided"`
	// When is the outcome's region: boxes of need id to the states each allows.
	When []decision.Box `json:"when"`
}

type apiNeed struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Threshold int        `json:"threshold"`
	Met       string     `json:"met"`
	Unmet     string     `json:"unmet"`
	Open      string     `json:"open"`
	Section   apiSection `json:"section"`
}

type apiRule struct {
	ID      string                  `json:"id"`
	Text    string                  `json:"text"`
	Quote   string                  `json:"quote"`
	Section apiSection              `json:"section"`
	If      [][]map[string][]string `json:"if"`
	Then    []string                `json:"then"`
}

type apiConfidenceLevel struct {
	ID          string  `json:"id"`
	Label       string  `json:"label"`
	Explanation string  `json:"explanation"`
	WithUnsure  *string `json:"with_unsure"`
}

type apiConfidenceRules struct {
	Levels []apiConfidenceLevel `json:"levels"`
}

type apiExample struct {
	ID          string            `json:"id"`
	Kind        string            `json:"kind"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Answers     map[string]string `json:"answers"`
	Outcome     string            `json:"outcome"`
	Confidence  string            `json:"confidence"`
	URL         string            `json:"url"`
}

type apiDecision struct {
	Version    int                `json:"version"`
	Article    apiArticle         `json:"article"`
	Needs      []apiNeed          `json:"needs"`
	Questions  []apiQuestion      `json:"questions"`
	Outcomes   []apiOutcome       `json:"outcomes"`
	Confidence apiConfidenceRules `json:"confidence"`
	Rules      []apiRule          `json:"rules"`
	Examples   []apiExample       `json:"examples"`
	Table      []apiRow           `json:"table"`
}

type apiNeedValue struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Value     int    `json:"value"`
	Threshold int    `json:"threshold"`
	State     string `json:"state"`
	Met       bool   `json:"met"`
	Distance  int    `json:"distance"`
}

type apiConfidence struct {
	Level       string           `json:"level"`
	Label       string           `json:"label"`
	Explanation string           `json:"explanation"`
	Margin      int              `json:"margin"`
	Answered    int              `json:"answered"`
	Unsure      int              `json:"unsure"`
	Deciding    []apiAlternative `json:"deciding"`
	Unsettled   *apiSettlement   `json:"unsettled"`
}

// apiSettlement is a way of settling "Not sure" answers that changes the recommendation.
type apiSettlement struct {
	Questions      []string          `json:"questions"`
	Answers        map[string]string `json:"answers"`
	Recommendation string            `json:"recommendation"`
	URL            string            `json:"url"`
}

type apiReason struct {
	Question     string         `json:"question"`
	QuestionText string         `json:"question_text"`
	Answer       string         `json:"answer"`
	AnswerLabel  string         `json:"answer_label"`
	Text         string         `json:"text"`
	Quote        *string        `json:"quote"`
	Section      *apiSection    `json:"section"`
	Needs        apiNeedAmounts `json:"needs"`
	Stance       string         `json:"stance"`
	Weight       int            `json:"weight"`
}

// apiAlternative is one changed answer and where it leads. Opened lists questions the change
// brings onto the path; the alternative answers them "Not sure", and its url says so.
type apiAlternative struct {
	Question              string   `json:"question"`
	Answer                string   `json:"answer"`
	Recommendation        string   `json:"recommendation"`
	ChangesRecommendation bool     `json:"changes_recommendation"`
	Opened                []string `json:"opened"`
	URL                   string   `json:"url"`
}

type apiOpenQuestion struct {
	Question     string           `json:"question"`
	Alternatives []apiAlternative `json:"alternatives"`
}

type apiResultRow struct {
	apiRow
	Relevant bool `json:"relevant"`
}

type apiResult struct {
	Version         int               `json:"version"`
	Recommendation  string            `json:"recommendation"`
	Name            string            `json:"name"`
	Headline        string            `json:"headline"`
	Summary         string            `json:"summary"`
	Explanation     string            `json:"explanation"`
	Quote           apiQuote          `json:"quote"`
	Needs           []apiNeedValue    `json:"needs"`
	Confidence      apiConfidence     `json:"confidence"`
	Reasons         []apiReason       `json:"reasons"`
	Counterfactuals []apiAlternative  `json:"counterfactuals"`
	ScopeChanges    []apiAlternative  `json:"scope_changes"`
	OpenQuestions   []apiOpenQuestion `json:"open_questions"`
	Table           []apiResultRow    `json:"table"`
	Ignored         []string          `json:"ignored"`
	ShareURL        string            `json:"share_url"`
}

// stanceName is the API's word for each stance; "neither" matches the HTML page's wording.
var stanceName = map[decision.Stance]string{
	decision.Supports: "for",
	decision.Against:  "against",
	decision.Neutral:  "neither",
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) apiSection(id string) apiSection {
	return apiSection{ID: id, Title: s.content.SectionTitle(id)}
}

func (s *Server) apiQuote(text, section string) apiQuote {
	return apiQuote{Text: text, Section: s.apiSection(section)}
}

func (s *Server) apiRow(row *decision.Row) apiRow {
	return apiRow{
		ID:        row.ID,
		Dimension: row.Dimension,
		NestJS:    apiCell{Text: row.NestJS.Text, Section: s.apiSection(row.NestJS.Section)},
		NextJS:    apiCell{Text: row.NextJS.Text, Section: s.apiSection(row.NextJS.Section)},
	}
}

func (s *Server) apiQuestion(q *decision.Question) apiQuestion {
	out := apiQuestion{
		ID:         q.ID,
		Text:       q.Text,
		Hint:       nullable(q.Hint),
		Why:        q.Why,
		WhyQuote:   q.WhyQuote,
		WhySection: s.apiSection(q.WhySection),
		ShowIf:     s.apiShowIf(q.ShowIf),
		Ordered:    q.Ordered,
		Scope:      q.Scope,
		Options:    make([]apiOption, 0, len(q.Options)),
	}
	for _, o := range q.Options {
		out.Options = append(out.Options, apiOption{
			ID:     o.ID,
			Label:  o.Label,
			Hint:   nullable(o.Hint),
			Unsure: o.Unsure,
			Scope:  q.IsScope(&o),
			ShowIf: s.apiShowIf(o.ShowIf),
			Needs:  s.apiAmounts(&o),
		})
	}
	return out
}

// apiShowIf lists a question's (or an option's) conditions in question order: the content holds
// them in a map, whose order would change the body, and with it the ETag, from one request to the
// next.
func (s *Server) apiShowIf(showIf map[string][]string) *apiShowIf {
	if len(showIf) == 0 {
		return nil
	}
	conds := make([]apiCondition, 0, len(showIf))
	for ref, in := range showIf {
		conds = append(conds, apiCondition{Question: ref, In: in})
	}
	slices.SortFunc(conds, func(a, b apiCondition) int {
		return s.content.Question(a.Question).Position - s.content.Question(b.Question).Position
	})
	return &apiShowIf{All: conds}
}

func (s *Server) decisionBody() apiDecision {
	c := s.content
	a := c.Article
	out := apiDecision{
		Version: c.Version,
		Article: apiArticle{Title: a.Title, Author: a.Author, AuthorRole: a.AuthorRole, Publisher: a.Publisher, Published: a.Published, URL: a.URL},
		Rules:   make([]apiRule, 0, len(c.Rules)),
	}
	for _, n := range c.Needs {
		out.Needs = append(out.Needs, apiNeed{ID: n.ID, Name: n.Name, Threshold: n.Threshold, Met: n.Met, Unmet: n.Unmet, Open: n.Open, Section: s.apiSection(n.Section)})
	}
	for _, r := range c.Rules {
		out.Rules = append(out.Rules, apiRule{ID: r.ID, Text: r.Text, Quote: r.Quote, Section: s.apiSection(r.Section), If: r.If, Then: r.Then})
	}
	out.Examples = make([]apiExample, 0, len(c.Examples))
	for _, e := range c.Examples {
		out.Examples = append(out.Examples, apiExample{ID: e.ID, Kind: e.Kind, Title: e.Title, Description: e.Description, Answers: e.Answers, Outcome: e.Outcome, Confidence: e.Confidence, URL: "/result?" + c.Encode(e.Answers)})
	}
	for i := range c.Questions {
		out.Questions = append(out.Questions, s.apiQuestion(&c.Questions[i]))
	}
	for _, o := range c.Outcomes {
		out.Outcomes = append(out.Outcomes, apiOutcome{ID: o.ID, Name: o.Name, Headline: o.Headline, Summary: o.Summary, Undecided: o.Undecided, When: o.When.Boxes})
	}
	for _, l := range c.Confidence.Levels {
		out.Confidence.Levels = append(out.Confidence.Levels, apiConfidenceLevel{ID: l.ID, Label: l.Label, Explanation: l.Explanation, WithUnsure: nullable(l.WithUnsure)})
	}
	for i := range c.Table {
		out.Table = append(out.Table, s.apiRow(&c.Table[i]))
	}
	return out
}

func (s *Server) resultBody(rp *decision.Replay, res *decision.Result) apiResult {
	c := s.content
	o := res.Outcome
	out := apiResult{
		Version:        c.Version,
		Recommendation: o.ID,
		Name:           o.Name,
		Headline:       o.Headline,
		Summary:        o.Summary,
		Explanation:    o.Explanation,
		Quote:          s.apiQuote(o.Quote, o.Section),
		Confidence: apiConfidence{
			Level:       res.Confidence.Level,
			Label:       res.Confidence.Label,
			Explanation: res.Confidence.Explanation,
			Margin:      res.Margin,
			Answered:    res.Answered,
			Unsure:      res.Unsure,
			Deciding:    make([]apiAlternative, 0, len(res.Confidence.Deciding)),
		},
		Needs: make([]apiNeedValue, 0, len(res.Needs)),
		// Empty lists are [] rather than null, so clients can iterate without checks.
		Reasons:         make([]apiReason, 0, len(res.Reasons)),
		Counterfactuals: []apiAlternative{},
		ScopeChanges:    []apiAlternative{},
		OpenQuestions:   []apiOpenQuestion{},
		Table:           make([]apiResultRow, 0, len(c.Table)),
		Ignored:         make([]string, 0, len(rp.Dropped)),
		ShareURL:        s.publicURL("/result?" + c.Encode(rp.Answers)),
	}
	for _, nv := range res.Needs {
		out.Needs = append(out.Needs, apiNeedValue{ID: nv.Need.ID, Name: nv.Need.Name, Value: nv.Value, Threshold: nv.Threshold, State: nv.State, Met: nv.Met, Distance: nv.Distance})
	}
	if u := res.Confidence.Unsettled; u != nil {
		st := &apiSettlement{Answers: map[string]string{}}
		for _, q := range u.Questions {
			st.Questions = append(st.Questions, q.ID)
			st.Answers[q.ID] = u.Example.Answers[q.ID]
		}
		if u.Example.Result != nil {
			st.Recommendation = u.Example.Result.Outcome.ID
			st.URL = s.publicURL("/result?" + c.Encode(u.Example.Answers))
		}
		out.Confidence.Unsettled = st
	}
	for i := range res.Confidence.Deciding {
		out.Confidence.Deciding = append(out.Confidence.Deciding, s.apiAlternative(&res.Confidence.Deciding[i], res))
	}
	for _, rs := range res.Reasons {
		reason := apiReason{
			Question:     rs.Question.ID,
			QuestionText: rs.Question.Text,
			Answer:       rs.Option.ID,
			AnswerLabel:  rs.Option.Label,
			Text:         rs.Option.Reason,
			Quote:        nullable(rs.Option.Quote),
			Needs:        s.apiAmounts(rs.Option),
			Stance:       stanceName[rs.Stance],
			Weight:       rs.Weight,
		}
		if rs.Option.Section != "" {
			sec := s.apiSection(rs.Option.Section)
			reason.Section = &sec
		}
		out.Reasons = append(out.Reasons, reason)
	}
	for _, alt := range c.Counterfactuals(rp, res) {
		out.Counterfactuals = append(out.Counterfactuals, s.apiAlternative(&alt, res))
	}
	for _, alt := range c.ScopeChanges(rp, res) {
		out.ScopeChanges = append(out.ScopeChanges, s.apiAlternative(&alt, res))
	}
	for _, oq := range c.OpenQuestions(rp, res) {
		v := apiOpenQuestion{Question: oq.Question.ID, Alternatives: make([]apiAlternative, 0, len(oq.Alternatives))}
		for _, alt := range oq.Alternatives {
			v.Alternatives = append(v.Alternatives, s.apiAlternative(&alt, res))
		}
		out.OpenQuestions = append(out.OpenQuestions, v)
	}
	for i := range c.Table {
		row := &c.Table[i]
		out.Table = append(out.Table, apiResultRow{apiRow: s.apiRow(row), Relevant: res.IsRelevant(row)})
	}
	for _, q := range rp.Dropped {
		out.Ignored = append(out.Ignored, q.ID)
	}
	return out
}

// apiAmounts is an option's evidence for every need.
func (s *Server) apiAmounts(o *decision.Option) apiNeedAmounts {
	out := make(apiNeedAmounts, len(s.content.Needs))
	for i := range s.content.Needs {
		n := &s.content.Needs[i]
		out[n.ID] = o.Weight(n)
	}
	return out
}

func (s *Server) apiAlternative(alt *decision.Alternative, base *decision.Result) apiAlternative {
	out := apiAlternative{
		Question:              alt.Question.ID,
		Answer:                alt.To.ID,
		Recommendation:        alt.Result.Outcome.ID,
		ChangesRecommendation: alt.Flips(base),
		Opened:                make([]string, 0, len(alt.Opened)),
		URL:                   s.publicURL("/result?" + s.content.Encode(alt.Answers)),
	}
	for _, q := range alt.Opened {
		out.Opened = append(out.Opened, q.ID)
	}
	return out
}
