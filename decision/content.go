// Package decision holds the wizard's content (questions, options, outcomes, the comparison table)
// and the engine that turns answers into the next question or a recommendation. It knows nothing of
// HTTP: handlers give it answers and render what it returns.
package decision

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// ContentFile is the name used in validation messages for the embedded content.
const ContentFile = "decision/content.yaml"

//go:embed content.yaml
var embeddedContent []byte

// Default loads and validates the embedded content.
func Default() (*Content, error) {
	return Load(ContentFile, embeddedContent)
}

// Content is the validated, indexed decision. It is read-only once loaded and safe for concurrent use.
type Content struct {
	Version  int       `yaml:"version"`
	Article  Article   `yaml:"article"`
	Sections []Section `yaml:"sections"`
	// Needs are what the answers are evidence for; each is met when its evidence reaches its
	// threshold. The outcomes are regions of need states.
	Needs      []Need          `yaml:"needs"`
	Confidence ConfidenceRules `yaml:"confidence"`
	Outcomes   []Outcome       `yaml:"outcomes"`
	Questions  []Question      `yaml:"questions"`
	Table      []Row           `yaml:"table"`
	// Examples are worked answer sets (typical projects, case-study illustrations) with the
	// result they are expected to give; tests check them against the engine.
	Examples []Example `yaml:"examples"`
	// Rules are what the article says about answers, as outcomes they may give; the validator
	// checks every reachable answer set against each.
	Rules []Rule `yaml:"rules"`
	// Migrations carry old share links' answers forward, one step per version bump.
	Migrations []Migration `yaml:"migrations"`

	questionIndex map[string]int
	outcomeIndex  map[string]int
	sectionIndex  map[string]int
	rowIndex      map[string]int
	needIndex     map[string]int
	// outcomeByState maps a combination of need states (see stateIndex) to the index of its
	// outcome.
	outcomeByState []int
	// branchPos are the positions of the questions some condition looks at, in order;
	// branchKeys is set when their answers pack into a settler's key.
	branchPos  []int
	branchKeys bool
	minPath    int
	maxPath    int
	// historicalIDs are the question ids links of any version may use.
	historicalIDs []string
}

// Article describes the source the content is drawn from.
type Article struct {
	Title      string `yaml:"title"`
	Author     string `yaml:"author"`
	AuthorRole string `yaml:"author_role"`
	Publisher  string `yaml:"publisher"`
	Published  string `yaml:"published"`
	URL        string `yaml:"url"`
}

// Section is a section of the article that quotes and table cells point to.
type Section struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
}

// Need is one thing a project may need, e.g. a web front end. Options add evidence to needs (or
// take it away); a need is open while no answer on the path bears on it, and otherwise met when the
// evidence adds up to at least Threshold, unmet when it does not.
type Need struct {
	ID        string `yaml:"id"`
	Name      string `yaml:"name"`
	Threshold int    `yaml:"threshold"`
	// Met, Unmet and Open say in words what each state means for the project.
	Met     string `yaml:"met"`
	Unmet   string `yaml:"unmet"`
	Open    string `yaml:"open"`
	Section string `yaml:"section"`

	// Position is the need's index in Content.Needs.
	Position int `yaml:"-"`
}

// The need states an outcome's region is written in: met, unmet, or open (nothing on the path
// bears on the need).
const (
	StateMet   = "met"
	StateUnmet = "unmet"
	StateOpen  = "open"
)

// needStates are the states in the order of their digit in a state index.
var needStates = [3]string{StateUnmet, StateMet, StateOpen}

// The confidence levels, by id.
const (
	Clear     = "clear"
	Leaning   = "leaning"
	CloseCall = "close"
	// Undecided is the level of an undecided outcome: nothing to be sure of yet.
	Undecided = "open"
)

// ConfidenceRules say in words what each confidence level means.
type ConfidenceRules struct {
	// Levels has one entry for each of clear, leaning, close and open.
	Levels []ConfidenceLevel `yaml:"levels"`
}

// ConfidenceLevel is one plain-words level of how firm a recommendation is.
type ConfidenceLevel struct {
	ID          string `yaml:"id"`
	Label       string `yaml:"label"`
	Explanation string `yaml:"explanation"`
	// WithUnsure replaces Explanation when some answers are "Not sure" (clear only: none of them
	// can change the result). "{outcome}" stands for the outcome's name.
	WithUnsure string `yaml:"with_unsure"`
}

// Level returns the confidence level with the given id, or nil.
func (cr *ConfidenceRules) Level(id string) *ConfidenceLevel {
	for i := range cr.Levels {
		if cr.Levels[i].ID == id {
			return &cr.Levels[i]
		}
	}
	return nil
}

// Outcome is one possible recommendation.
type Outcome struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Headline    string `yaml:"headline"`
	Summary     string `yaml:"summary"`
	Explanation string `yaml:"explanation"`
	Quote       string `yaml:"quote"`
	Section     string `yaml:"section"`
	// When is the outcome's region: one or more boxes of need states, each mapping need ids to
	// the states it allows ("met", "unmet", "open", or a list of them). Needs a box does not name
	// may be in any state. The regions of all outcomes partition every combination of states.
	When Region `yaml:"when"`
	// Undecided marks the outcome that names no framework: the answers do not yet say what the
	// project needs. Its confidence is always the "open" level.
	Undecided bool `yaml:"undecided"`
	// Stance overrides, per need, how evidence for that need relates to this outcome
	// ("supports", "against" or "neutral"). Without it: a need every box wants met supports, one
	// every box wants unmet or open counts against, any other is neutral (all are neutral for an
	// undecided outcome).
	Stance map[string]string `yaml:"stance"`
	// Consequences are what choosing this outcome means, each paraphrasing an article section,
	// under ConsequencesHeading (default "What choosing it means").
	Consequences        []Cell `yaml:"consequences"`
	ConsequencesHeading string `yaml:"consequences_heading"`

	// stances is Stance resolved, by need position.
	stances []Stance
}

// NeedStance returns how evidence for need n relates to this outcome.
func (o *Outcome) NeedStance(n *Need) Stance {
	if n == nil || n.Position >= len(o.stances) {
		return Neutral
	}
	return o.stances[n.Position]
}

// Question is one step of the wizard.
type Question struct {
	ID         string              `yaml:"id"`
	Text       string              `yaml:"text"`
	Hint       string              `yaml:"hint"`
	Why        string              `yaml:"why"`
	WhyQuote   string              `yaml:"why_quote"`
	WhySection string              `yaml:"why_section"`
	ShowIf     map[string][]string `yaml:"show_if"`
	// Ordered marks a scale of degree: its real options are listed from most to least, and a
	// single change of the answer is a step to a neighbouring real option.
	Ordered bool `yaml:"ordered"`
	// Scope marks a question whose answer says what the project is: changing it is listed apart
	// ("if the project were something else") and never decides the confidence. An option can be
	// marked scope on its own.
	Scope   bool     `yaml:"scope"`
	Options []Option `yaml:"options"`

	// Position is the question's index in Content.Questions.
	Position int `yaml:"-"`
	// conds is ShowIf by position: the question is asked when, for each, the answer to question
	// ref is an option whose index is allowed. unsure is the "Not sure" option's index, or -1.
	// gated is set when some option has a show_if of its own.
	conds  []cond
	unsure int
	gated  bool
}

// cond is one show_if clause by position.
type cond struct {
	ref     int
	allowed []bool
}

// Option is one answer to a question.
type Option struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	Hint  string `yaml:"hint"`
	// Needs is the evidence this answer adds to each need (need id to an amount; a negative one
	// is evidence against the need). Any amount but zero bears on the need, so it is not open.
	Needs        map[string]int `yaml:"needs"`
	Rows         []string       `yaml:"rows"`
	AnswerPhrase string         `yaml:"answer_phrase"`
	Reason       string         `yaml:"reason"`
	Quote        string         `yaml:"quote"`
	Section      string         `yaml:"section"`
	// Unsure marks the "Not sure" answer: it carries no evidence, and the result lists it as an
	// open question showing how each real answer would tip the recommendation.
	Unsure bool `yaml:"unsure"`
	// ShowIf offers the option only when earlier answers match, as a question's show_if does.
	ShowIf map[string][]string `yaml:"show_if"`
	// Scope marks an answer that says what the project is (as a scope question's do): a change
	// to or from it is listed apart and never decides the confidence.
	Scope bool `yaml:"scope"`

	// weights is Needs by need position; conds is ShowIf by position.
	weights []int
	conds   []cond
}

// IsScope reports whether changing q's answer to or from o changes what the project is.
func (q *Question) IsScope(o *Option) bool { return q.Scope || (o != nil && o.Scope) }

// Weight returns the evidence the option adds to need n.
func (o *Option) Weight(n *Need) int {
	if n == nil || n.Position >= len(o.weights) {
		return 0
	}
	return o.weights[n.Position]
}

// Example is a worked answer set with the result it must give.
type Example struct {
	ID string `yaml:"id"`
	// Kind is "typical" (a typical project the article names) or "case-study" (an illustration
	// built from one of the article's case studies; not a claim about that project's stack).
	Kind        string  `yaml:"kind"`
	Title       string  `yaml:"title"`
	Description string  `yaml:"description"`
	Quote       string  `yaml:"quote"`
	Section     string  `yaml:"section"`
	Answers     Answers `yaml:"answers"`
	// Outcome and Confidence (a level id) are what the answers must give.
	Outcome    string `yaml:"outcome"`
	Confidence string `yaml:"confidence"`
}

// Example returns the example with the given id, or nil.
func (c *Content) Example(id string) *Example {
	for i := range c.Examples {
		if c.Examples[i].ID == id {
			return &c.Examples[i]
		}
	}
	return nil
}

// Need returns the need with the given id, or nil.
func (c *Content) Need(id string) *Need {
	i, ok := c.needIndex[id]
	if !ok {
		return nil
	}
	return &c.Needs[i]
}

// Rule is one thing the article says about a kind of project, as the outcomes such a project may
// get. A project is of that kind when every group of If holds; a group holds when any of its
// clauses does; a clause holds when every question it names is on the path and answered with one
// of the options it lists.
type Rule struct {
	ID string `yaml:"id"`
	// Text is the rule in our words; Quote and Section are where the article says it.
	Text    string                  `yaml:"text"`
	Quote   string                  `yaml:"quote"`
	Section string                  `yaml:"section"`
	If      [][]map[string][]string `yaml:"if"`
	// Then lists the outcome ids such a project may get.
	Then []string `yaml:"then"`
}

// Row is one dimension of the comparison table.
type Row struct {
	ID        string `yaml:"id"`
	Dimension string `yaml:"dimension"`
	NestJS    Cell   `yaml:"nestjs"`
	NextJS    Cell   `yaml:"nextjs"`
}

// Cell is one framework's entry in a table row.
type Cell struct {
	Text    string `yaml:"text"`
	Section string `yaml:"section"`
}

// The outcome ids of the embedded content, for callers that style or test them. The engine
// itself knows no outcome by name: it maps need states to outcomes as the content declares.
const (
	NestJS  = "nestjs"
	NextJS  = "nextjs"
	Both    = "both"
	NotSure = "undecided"
)

// Question returns the question with the given id, or nil.
func (c *Content) Question(id string) *Question {
	i, ok := c.questionIndex[id]
	if !ok {
		return nil
	}
	return &c.Questions[i]
}

// Outcome returns the outcome with the given id, or nil.
func (c *Content) Outcome(id string) *Outcome {
	i, ok := c.outcomeIndex[id]
	if !ok {
		return nil
	}
	return &c.Outcomes[i]
}

// Section returns the article section with the given id, or nil.
func (c *Content) Section(id string) *Section {
	i, ok := c.sectionIndex[id]
	if !ok {
		return nil
	}
	return &c.Sections[i]
}

// Row returns the table row with the given id, or nil.
func (c *Content) Row(id string) *Row {
	i, ok := c.rowIndex[id]
	if !ok {
		return nil
	}
	return &c.Table[i]
}

// PathLengths is the fewest and the most questions any visitor is asked.
func (c *Content) PathLengths() (min, max int) { return c.minPath, c.maxPath }

// Option returns the option with the given id, or nil.
func (q *Question) Option(id string) *Option {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i]
		}
	}
	return nil
}

// UnsureOption returns the question's "Not sure" option, or nil.
func (q *Question) UnsureOption() *Option {
	for i := range q.Options {
		if q.Options[i].Unsure {
			return &q.Options[i]
		}
	}
	return nil
}

// branchingQuestions are the ids referenced by some show_if, in content order: only their answers
// change which questions are asked.
func (c *Content) branchingQuestions() []string {
	seen := map[string]bool{}
	for _, q := range c.Questions {
		for ref := range q.ShowIf {
			seen[ref] = true
		}
		for _, o := range q.Options {
			for ref := range o.ShowIf {
				seen[ref] = true
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return c.questionIndex[ids[i]] < c.questionIndex[ids[j]] })
	return ids
}

// SectionTitle is the title of the article section with the given id, or "".
func (c *Content) SectionTitle(id string) string {
	if s := c.Section(id); s != nil {
		return s.Title
	}
	return ""
}

// Effect states an option's evidence for each need it bears on, e.g. "Web front end +4 ·
// Dedicated backend −12"; "" when it bears on none.
func (c *Content) Effect(o *Option) string {
	var parts []string
	for i := range c.Needs {
		n := &c.Needs[i]
		switch w := o.Weight(n); {
		case w > 0:
			parts = append(parts, fmt.Sprintf("%s +%d", n.Name, w))
		case w < 0:
			parts = append(parts, fmt.Sprintf("%s −%d", n.Name, -w))
		}
	}
	return strings.Join(parts, " · ")
}

// StateText is a need state with its threshold in words, e.g. "met (3 or more)".
func (n *Need) StateText(state string) string {
	switch state {
	case StateMet:
		return fmt.Sprintf("met (%d or more)", n.Threshold)
	case StateUnmet:
		return fmt.Sprintf("not met (under %d)", n.Threshold)
	}
	return "open (no answer bears on it)"
}
