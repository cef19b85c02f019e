// Package decision holds the wizard's content (questions, options, outcomes, the comparison table)
// and the engine that turns answers into the next question or a recommendation. It knows nothing of
// HTTP: handlers give it answers and render what it returns.
package decision

import (
	_ "embed"
	"sort"
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
	Version   int        `yaml:"version"`
	Article   Article    `yaml:"article"`
	Sections  []Section  `yaml:"sections"`
	Rules     Rules      `yaml:"rules"`
	Outcomes  []Outcome  `yaml:"outcomes"`
	Questions []Question `yaml:"questions"`
	Table     []Row      `yaml:"table"`
	// Migrations carry old share links' answers forward, one step per version bump.
	Migrations []Migration `yaml:"migrations"`

	questionIndex map[string]int
	outcomeIndex  map[string]int
	sectionIndex  map[string]int
	rowIndex      map[string]int
	minPath       int
	maxPath       int
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

// Rules are the decision rule's parameters.
type Rules struct {
	BothAtLeast     int          `yaml:"both_at_least"`
	TieBreak        string       `yaml:"tie_break"`
	TieBreakReason  string       `yaml:"tie_break_reason"`
	TieBreakQuote   string       `yaml:"tie_break_quote"`
	TieBreakSection string       `yaml:"tie_break_section"`
	Confidence      []Confidence `yaml:"confidence"`
}

// Confidence is one plain-words level of how strong a recommendation is.
type Confidence struct {
	Label         string `yaml:"label"`
	MinMargin     int    `yaml:"min_margin"`
	BothMinMargin int    `yaml:"both_min_margin"`
	Explanation   string `yaml:"explanation"`
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
	// Consequences are what choosing this outcome means, each paraphrasing an article section.
	Consequences []Cell `yaml:"consequences"`
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
	Options    []Option            `yaml:"options"`

	// Position is the question's index in Content.Questions.
	Position int `yaml:"-"`
}

// Option is one answer to a question.
type Option struct {
	ID           string         `yaml:"id"`
	Label        string         `yaml:"label"`
	Hint         string         `yaml:"hint"`
	Fit          map[string]int `yaml:"fit"`
	Rows         []string       `yaml:"rows"`
	AnswerPhrase string         `yaml:"answer_phrase"`
	Reason       string         `yaml:"reason"`
	Quote        string         `yaml:"quote"`
	Section      string         `yaml:"section"`
	// Unsure marks the "Not sure" answer: it carries no fit, and the result lists it as an open
	// question showing how each real answer would tip the recommendation.
	Unsure bool `yaml:"unsure"`
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

// The two frameworks that collect fit, and the outcome that combines them.
const (
	NestJS = "nestjs"
	NextJS = "nextjs"
	Both   = "both"
)

// Frameworks lists the fit keys an option may use, in display order.
var Frameworks = []string{NestJS, NextJS}

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
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return c.questionIndex[ids[i]] < c.questionIndex[ids[j]] })
	return ids
}
