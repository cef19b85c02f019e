package decision

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a content file, with where it is.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ValidationError lists every problem found in a content file.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "invalid content:\n" + strings.Join(lines, "\n")
}

// idPattern keeps ids short and readable: they appear in every share link.
var idPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// reservedParams are query parameters the wizard uses for itself, so no question may take them.
var reservedParams = []string{"v", "q", "error", "theme", "accent", "intro", "embed"}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Load decodes content strictly (unknown fields are errors), validates it and indexes it.
// Errors name the file and the line of each problem.
func Load(file string, data []byte) (*Content, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &ValidationError{Problems: yamlProblems(file, err)}
	}
	var c Content
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, &ValidationError{Problems: yamlProblems(file, err)}
	}
	v := validator{file: file, root: &root, c: &c}
	v.validate()
	if len(v.problems) > 0 {
		return nil, &ValidationError{Problems: v.problems}
	}
	c.collectHistoricalIDs()
	return &c, nil
}

// yamlProblems turns yaml's "line N: msg" errors into file:line problems.
func yamlProblems(file string, err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out []Problem
	for _, m := range msgs {
		p := Problem{File: file, Line: 1, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLine.FindStringSubmatch(strings.TrimSpace(m)); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Msg = sm[2]
		}
		out = append(out, p)
	}
	return out
}

type validator struct {
	file     string
	root     *yaml.Node
	c        *Content
	problems []Problem
}

// line finds the line of the node at path (map keys as strings, sequence indexes as ints), falling
// back to the deepest node found so a message always points somewhere useful.
func (v *validator) line(path ...any) int {
	n := v.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := n.Line
	for _, step := range path {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						next = n.Content[i+1]
						if next.Line == 0 {
							next.Line = n.Content[i].Line
						}
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			break
		}
		n = next
		best = n.Line
	}
	return best
}

func (v *validator) addf(path []any, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: v.file, Line: v.line(path...), Msg: fmt.Sprintf(format, args...)})
}

func at(path ...any) []any { return path }

func (v *validator) validate() {
	c := v.c
	if c.Version < 1 {
		v.addf(at("version"), "version must be a positive whole number, got %d", c.Version)
	}
	v.validateArticle()

	c.sectionIndex = map[string]int{}
	for i, s := range c.Sections {
		if v.checkID(at("sections", i, "id"), "section", s.ID) {
			if _, dup := c.sectionIndex[s.ID]; dup {
				v.addf(at("sections", i, "id"), "section id %q is used twice", s.ID)
			}
			c.sectionIndex[s.ID] = i
		}
		v.required(at("sections", i, "title"), "section "+s.ID+" title", s.Title)
	}

	c.rowIndex = map[string]int{}
	for i, r := range c.Table {
		if v.checkID(at("table", i, "id"), "table row", r.ID) {
			if _, dup := c.rowIndex[r.ID]; dup {
				v.addf(at("table", i, "id"), "table row id %q is used twice", r.ID)
			}
			c.rowIndex[r.ID] = i
		}
		v.required(at("table", i, "dimension"), "table row "+r.ID+" dimension", r.Dimension)
		for _, fw := range []struct {
			key  string
			cell Cell
		}{{NestJS, r.NestJS}, {NextJS, r.NextJS}} {
			v.required(at("table", i, fw.key, "text"), fmt.Sprintf("table row %s %s text", r.ID, fw.key), fw.cell.Text)
			v.sectionRef(at("table", i, fw.key, "section"), fmt.Sprintf("table row %s %s", r.ID, fw.key), fw.cell.Section)
		}
	}
	if len(c.Table) == 0 {
		v.addf(at("table"), "the comparison table has no rows")
	}

	for i, m := range c.Migrations {
		if m.From < 1 || m.From >= c.Version {
			v.addf(at("migrations", i, "from"), "migration from version %d must be below the current version %d", m.From, c.Version)
		}
		if i > 0 && m.From <= c.Migrations[i-1].From {
			v.addf(at("migrations", i, "from"), "migrations must be listed oldest first, one per version")
		}
	}
	v.validateOutcomes()
	v.validateRules()
	v.validateQuestions()
}

func (v *validator) validateArticle() {
	a := v.c.Article
	v.required(at("article", "title"), "article title", a.Title)
	v.required(at("article", "author"), "article author", a.Author)
	if u, err := url.Parse(a.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		v.addf(at("article", "url"), "article url must be an absolute https URL, got %q", a.URL)
	}
}

func (v *validator) validateOutcomes() {
	c := v.c
	c.outcomeIndex = map[string]int{}
	for i, o := range c.Outcomes {
		switch o.ID {
		case NestJS, NextJS, Both:
		default:
			v.addf(at("outcomes", i, "id"), "outcome id %q is not one of %s, %s, %s (the decision rule knows only these)", o.ID, NestJS, NextJS, Both)
		}
		if _, dup := c.outcomeIndex[o.ID]; dup {
			v.addf(at("outcomes", i, "id"), "outcome id %q is used twice", o.ID)
		}
		c.outcomeIndex[o.ID] = i
		for _, f := range []struct{ key, val string }{{"name", o.Name}, {"headline", o.Headline}, {"summary", o.Summary}, {"explanation", o.Explanation}, {"quote", o.Quote}} {
			v.required(at("outcomes", i, f.key), "outcome "+o.ID+" "+f.key, f.val)
		}
		v.sectionRef(at("outcomes", i, "section"), "outcome "+o.ID, o.Section)
		if len(o.Consequences) == 0 {
			v.addf(at("outcomes", i), "outcome %q lists no consequences", o.ID)
		}
		for j, cq := range o.Consequences {
			v.required(at("outcomes", i, "consequences", j, "text"), "outcome "+o.ID+" consequence text", cq.Text)
			v.sectionRef(at("outcomes", i, "consequences", j, "section"), "outcome "+o.ID+" consequence", cq.Section)
		}
	}
	for _, id := range []string{NestJS, NextJS, Both} {
		if _, ok := c.outcomeIndex[id]; !ok {
			v.addf(at("outcomes"), "outcome %q is missing", id)
		}
	}
}

func (v *validator) validateRules() {
	r := v.c.Rules
	if r.BothAtLeast < 1 {
		v.addf(at("rules", "both_at_least"), "both_at_least must be at least 1, got %d", r.BothAtLeast)
	}
	if r.TieBreak != NestJS && r.TieBreak != NextJS {
		v.addf(at("rules", "tie_break"), "tie_break must be %s or %s, got %q", NestJS, NextJS, r.TieBreak)
	}
	v.required(at("rules", "tie_break_reason"), "tie_break_reason", r.TieBreakReason)
	v.required(at("rules", "tie_break_quote"), "tie_break_quote", r.TieBreakQuote)
	v.sectionRef(at("rules", "tie_break_section"), "tie_break", r.TieBreakSection)
	if len(r.Confidence) == 0 {
		v.addf(at("rules", "confidence"), "at least one confidence level is needed")
		return
	}
	for i, lvl := range r.Confidence {
		v.required(at("rules", "confidence", i, "label"), "confidence label", lvl.Label)
		v.required(at("rules", "confidence", i, "explanation"), "confidence explanation", lvl.Explanation)
		if i > 0 {
			prev := r.Confidence[i-1]
			if lvl.MinMargin >= prev.MinMargin || lvl.BothMinMargin >= prev.BothMinMargin {
				v.addf(at("rules", "confidence", i), "confidence levels must be listed from the largest margins down")
			}
		}
	}
	last := r.Confidence[len(r.Confidence)-1]
	if last.MinMargin != 0 || last.BothMinMargin != 0 {
		v.addf(at("rules", "confidence", len(r.Confidence)-1), "the last confidence level must have min_margin 0 and both_min_margin 0 so every result gets one")
	}
}

func (v *validator) validateQuestions() {
	c := v.c
	c.questionIndex = map[string]int{}
	if n := len(c.Questions); n == 0 {
		v.addf(at("questions"), "there are no questions")
		return
	}
	for i := range c.Questions {
		q := &c.Questions[i]
		q.Position = i
		qp := func(rest ...any) []any { return append([]any{"questions", i}, rest...) }
		if v.checkID(qp("id"), "question", q.ID) {
			if slices.Contains(reservedParams, q.ID) {
				v.addf(qp("id"), "question id %q is reserved for the wizard's own URL parameters", q.ID)
			}
			if _, dup := c.questionIndex[q.ID]; dup {
				v.addf(qp("id"), "question id %q is used twice", q.ID)
			}
			c.questionIndex[q.ID] = i
		}
		v.required(qp("text"), "question "+q.ID+" text", q.Text)
		v.required(qp("why"), "question "+q.ID+" why", q.Why)
		v.required(qp("why_quote"), "question "+q.ID+" why_quote", q.WhyQuote)
		v.sectionRef(qp("why_section"), "question "+q.ID+" why", q.WhySection)

		refs := make([]string, 0, len(q.ShowIf))
		for ref := range q.ShowIf {
			refs = append(refs, ref)
		}
		slices.Sort(refs)
		for _, ref := range refs {
			answers := q.ShowIf[ref]
			refQ := v.c.Question(ref)
			switch {
			case refQ == nil || refQ.Position >= i:
				v.addf(qp("show_if", ref), "question %q: show_if refers to question %q, which does not exist (or comes later: conditions may only use earlier questions)", q.ID, ref)
				continue
			case len(answers) == 0:
				v.addf(qp("show_if", ref), "question %q: show_if for %q lists no answers", q.ID, ref)
			}
			for j, a := range answers {
				if refQ.Option(a) == nil {
					v.addf(qp("show_if", ref, j), "question %q: show_if refers to answer %q, which question %q does not have", q.ID, a, ref)
				}
			}
		}

		if len(q.Options) < 2 {
			v.addf(qp("options"), "question %q needs at least two options", q.ID)
		}
		seen := map[string]bool{}
		unsure := 0
		for j, o := range q.Options {
			op := func(rest ...any) []any { return append([]any{"questions", i, "options", j}, rest...) }
			if v.checkID(op("id"), "option", o.ID) {
				if seen[o.ID] {
					v.addf(op("id"), "question %q: option id %q is used twice", q.ID, o.ID)
				}
				seen[o.ID] = true
			}
			name := fmt.Sprintf("question %q option %q", q.ID, o.ID)
			v.required(op("label"), name+" label", o.Label)
			v.required(op("answer_phrase"), name+" answer_phrase", o.AnswerPhrase)
			if strings.TrimSpace(o.Reason) == "" {
				v.addf(op(), "%s has no reason: every option must say what it means for the decision", name)
			}
			weighted := false
			for fw, n := range o.Fit {
				if fw != NestJS && fw != NextJS {
					v.addf(op("fit", fw), "%s: fit key %q must be %s or %s", name, fw, NestJS, NextJS)
				}
				if n < 0 || n > 10 {
					v.addf(op("fit", fw), "%s: fit %d is outside 0 to 10", name, n)
				}
				weighted = weighted || n > 0
			}
			if o.Unsure {
				unsure++
				if weighted {
					v.addf(op("unsure"), "%s is marked unsure, so it must not add fit", name)
				}
				if unsure > 1 {
					v.addf(op("unsure"), "question %q has more than one unsure option", q.ID)
				}
			}
			if weighted && o.Quote == "" {
				v.addf(op(), "%s adds fit, so it needs a quote from the article", name)
			}
			if o.Quote != "" || o.Section != "" {
				v.sectionRef(op("section"), name, o.Section)
			}
			for k, r := range o.Rows {
				if c.Row(r) == nil {
					v.addf(op("rows", k), "%s refers to table row %q, which does not exist", name, r)
				}
			}
		}
	}
	if len(v.problems) == 0 {
		v.checkPaths()
	}
}

// checkPaths walks every path through the questions: every question must be asked on some path and
// every path must ask at least one question (and so end at a result).
func (v *validator) checkPaths() {
	c := v.c
	asked := make([]bool, len(c.Questions))
	c.minPath, c.maxPath = len(c.Questions)+1, 0
	c.walkPaths(func(path []*Question) {
		for _, q := range path {
			asked[q.Position] = true
		}
		c.minPath = min(c.minPath, len(path))
		c.maxPath = max(c.maxPath, len(path))
		if len(path) == 0 {
			v.addf(at("questions"), "some answers lead to a path with no questions")
		}
	})
	for i, ok := range asked {
		if !ok {
			v.addf(at("questions", i, "show_if"), "question %q is never asked: no answers to earlier questions satisfy its show_if", c.Questions[i].ID)
		}
	}
}

// walkPaths calls fn with the questions asked on every distinct path. Only answers to branching
// questions change the path, so only those are enumerated.
func (c *Content) walkPaths(fn func(path []*Question)) {
	branching := map[string]bool{}
	for _, id := range c.branchingQuestions() {
		branching[id] = true
	}
	answers := Answers{}
	var path []*Question
	var walk func(i int)
	walk = func(i int) {
		if i == len(c.Questions) {
			fn(path)
			return
		}
		q := &c.Questions[i]
		if !c.shown(q, answers) {
			walk(i + 1)
			return
		}
		path = append(path, q)
		if branching[q.ID] {
			for _, o := range q.Options {
				answers[q.ID] = o.ID
				walk(i + 1)
			}
			delete(answers, q.ID)
		} else {
			walk(i + 1)
		}
		path = path[:len(path)-1]
	}
	walk(0)
}

func (v *validator) checkID(path []any, kind, id string) bool {
	if !idPattern.MatchString(id) {
		v.addf(path, "%s id %q must be 1 to 16 lower-case letters, digits or hyphens, starting with a letter", kind, id)
		return false
	}
	return true
}

func (v *validator) required(path []any, what, val string) {
	if strings.TrimSpace(val) == "" {
		v.addf(path, "%s is missing", what)
	}
}

func (v *validator) sectionRef(path []any, what, id string) {
	if id == "" {
		v.addf(path, "%s needs a section", what)
		return
	}
	if v.c.Section(id) == nil {
		v.addf(path, "%s refers to section %q, which does not exist", what, id)
	}
}
