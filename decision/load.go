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
	v.validateNeeds()
	v.validateOutcomes()
	v.validateConfidence()
	v.validateQuestions()
	if len(v.problems) == 0 {
		v.validateExamples()
	}
}

func (v *validator) validateArticle() {
	a := v.c.Article
	v.required(at("article", "title"), "article title", a.Title)
	v.required(at("article", "author"), "article author", a.Author)
	if u, err := url.Parse(a.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		v.addf(at("article", "url"), "article url must be an absolute https URL, got %q", a.URL)
	}
}

func (v *validator) validateNeeds() {
	c := v.c
	c.needIndex = map[string]int{}
	if len(c.Needs) == 0 {
		v.addf(at("needs"), "no needs are declared: the outcomes are regions of need states")
	}
	if len(c.Needs) > maxNeeds {
		v.addf(at("needs"), "%d needs are declared; at most %d are supported", len(c.Needs), maxNeeds)
		c.Needs = c.Needs[:maxNeeds]
	}
	for i := range c.Needs {
		n := &c.Needs[i]
		n.Position = i
		if v.checkID(at("needs", i, "id"), "need", n.ID) {
			if _, dup := c.needIndex[n.ID]; dup {
				v.addf(at("needs", i, "id"), "need id %q is used twice", n.ID)
			}
			c.needIndex[n.ID] = i
		}
		v.required(at("needs", i, "name"), "need "+n.ID+" name", n.Name)
		v.required(at("needs", i, "met"), "need "+n.ID+" met", n.Met)
		v.required(at("needs", i, "unmet"), "need "+n.ID+" unmet", n.Unmet)
		v.sectionRef(at("needs", i, "section"), "need "+n.ID, n.Section)
		if n.Threshold < 1 {
			v.addf(at("needs", i, "threshold"), "need %q: threshold must be at least 1, got %d", n.ID, n.Threshold)
		}
	}
}

var stanceByName = map[string]Stance{"supports": Supports, "against": Against, "neutral": Neutral}

func (v *validator) validateOutcomes() {
	c := v.c
	c.outcomeIndex = map[string]int{}
	if len(c.Outcomes) == 0 {
		v.addf(at("outcomes"), "there are no outcomes")
	}
	for i := range c.Outcomes {
		o := &c.Outcomes[i]
		if v.checkID(at("outcomes", i, "id"), "outcome", o.ID) {
			if _, dup := c.outcomeIndex[o.ID]; dup {
				v.addf(at("outcomes", i, "id"), "outcome id %q is used twice", o.ID)
			}
			c.outcomeIndex[o.ID] = i
		}
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
		o.stances = make([]Stance, len(c.Needs))
		for _, id := range sortedKeys(o.When) {
			state := o.When[id]
			n := c.Need(id)
			switch {
			case n == nil:
				v.addf(at("outcomes", i, "when", id), "outcome %q: when refers to need %q, which does not exist", o.ID, id)
				continue
			case state == StateMet:
				o.stances[n.Position] = Supports
			case state == StateUnmet:
				o.stances[n.Position] = Against
			default:
				v.addf(at("outcomes", i, "when", id), "outcome %q: need %q must be %q or %q, got %q", o.ID, id, StateMet, StateUnmet, state)
			}
		}
		for j := range c.Needs {
			if _, named := o.When[c.Needs[j].ID]; !named {
				o.stances[j] = Neutral
			}
		}
		for _, id := range sortedKeys(o.Stance) {
			n := c.Need(id)
			st, known := stanceByName[o.Stance[id]]
			switch {
			case n == nil:
				v.addf(at("outcomes", i, "stance", id), "outcome %q: stance refers to need %q, which does not exist", o.ID, id)
			case !known:
				v.addf(at("outcomes", i, "stance", id), "outcome %q: stance for %q must be supports, against or neutral, got %q", o.ID, id, o.Stance[id])
			default:
				o.stances[n.Position] = st
			}
		}
	}
	if len(v.problems) > 0 || len(c.Needs) == 0 {
		return
	}
	// The regions must partition every combination of need states: exactly one outcome each.
	c.outcomeByMask = make([]int, 1<<len(c.Needs))
	for m := range c.outcomeByMask {
		found := -1
		for i := range c.Outcomes {
			if !c.Outcomes[i].covers(c, m) {
				continue
			}
			if found >= 0 {
				v.addf(at("outcomes", i, "when"), "outcomes %q and %q both cover %s: every combination of need states needs exactly one outcome", c.Outcomes[found].ID, c.Outcomes[i].ID, c.describeMask(m))
			}
			found = i
		}
		if found < 0 {
			v.addf(at("outcomes"), "no outcome covers %s: every combination of need states needs exactly one outcome", c.describeMask(m))
			found = 0
		}
		c.outcomeByMask[m] = found
	}
}

// covers reports whether the outcome's region holds the need states of mask m.
func (o *Outcome) covers(c *Content, m int) bool {
	for id, state := range o.When {
		n := c.Need(id)
		if n == nil {
			return false
		}
		if met := m&(1<<n.Position) != 0; met != (state == StateMet) {
			return false
		}
	}
	return true
}

// describeMask names a combination of need states, e.g. "frontend met, backend unmet".
func (c *Content) describeMask(m int) string {
	parts := make([]string, len(c.Needs))
	for i, n := range c.Needs {
		state := StateUnmet
		if m&(1<<i) != 0 {
			state = StateMet
		}
		parts[i] = n.ID + " " + state
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (v *validator) validateConfidence() {
	cr := v.c.Confidence
	if cr.MinAnswered < 0 {
		v.addf(at("confidence", "min_answered"), "min_answered must not be negative, got %d", cr.MinAnswered)
	}
	if cr.MaxUnsure < 0 {
		v.addf(at("confidence", "max_unsure"), "max_unsure must not be negative, got %d", cr.MaxUnsure)
	}
	seen := map[string]bool{}
	for i, lvl := range cr.Levels {
		switch lvl.ID {
		case Clear, Leaning, CloseCall:
		default:
			v.addf(at("confidence", "levels", i, "id"), "confidence level id %q must be %s, %s or %s", lvl.ID, Clear, Leaning, CloseCall)
		}
		if seen[lvl.ID] {
			v.addf(at("confidence", "levels", i, "id"), "confidence level %q is listed twice", lvl.ID)
		}
		seen[lvl.ID] = true
		v.required(at("confidence", "levels", i, "label"), "confidence label", lvl.Label)
		v.required(at("confidence", "levels", i, "explanation"), "confidence explanation", lvl.Explanation)
	}
	for _, id := range []string{Clear, Leaning, CloseCall} {
		if !seen[id] {
			v.addf(at("confidence", "levels"), "confidence level %q is missing", id)
		}
	}
}

func (v *validator) validateExamples() {
	c := v.c
	seen := map[string]bool{}
	for i, e := range c.Examples {
		ep := func(rest ...any) []any { return append([]any{"examples", i}, rest...) }
		if v.checkID(ep("id"), "example", e.ID) {
			if seen[e.ID] {
				v.addf(ep("id"), "example id %q is used twice", e.ID)
			}
			seen[e.ID] = true
		}
		if e.Kind != "typical" && e.Kind != "case-study" {
			v.addf(ep("kind"), "example %q: kind must be typical or case-study, got %q", e.ID, e.Kind)
		}
		v.required(ep("title"), "example "+e.ID+" title", e.Title)
		v.required(ep("description"), "example "+e.ID+" description", e.Description)
		if e.Quote != "" || e.Section != "" {
			v.sectionRef(ep("section"), "example "+e.ID, e.Section)
		}
		if c.Outcome(e.Outcome) == nil {
			v.addf(ep("outcome"), "example %q: outcome %q does not exist", e.ID, e.Outcome)
		}
		if c.Confidence.Level(e.Confidence) == nil {
			v.addf(ep("confidence"), "example %q: confidence %q is not a confidence level id", e.ID, e.Confidence)
		}
		r := c.Replay(e.Answers)
		switch {
		case len(r.Invalid) > 0:
			v.addf(ep("answers", r.Invalid[0].ID), "example %q: answer %q is not an option of question %q", e.ID, e.Answers[r.Invalid[0].ID], r.Invalid[0].ID)
		case len(r.Dropped) > 0:
			v.addf(ep("answers", r.Dropped[0].ID), "example %q: question %q is not asked with these answers", e.ID, r.Dropped[0].ID)
		case !r.Complete():
			v.addf(ep("answers"), "example %q does not answer question %q", e.ID, r.Next.ID)
		}
		for id := range e.Answers {
			if c.Question(id) == nil {
				v.addf(ep("answers", id), "example %q answers question %q, which does not exist", e.ID, id)
			}
		}
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
			q.Options[j].weights = make([]int, len(c.Needs))
			for _, id := range sortedKeys(o.Needs) {
				n := o.Needs[id]
				need := c.Need(id)
				if need == nil {
					v.addf(op("needs", id), "%s: need %q does not exist", name, id)
					continue
				}
				if n < 0 || n > 10 {
					v.addf(op("needs", id), "%s: evidence %d is outside 0 to 10", name, n)
				}
				q.Options[j].weights[need.Position] = n
				weighted = weighted || n > 0
			}
			if o.Unsure {
				unsure++
				if weighted && !q.Scope {
					v.addf(op("unsure"), "%s is marked unsure, so it must not add evidence (only a scope question's may)", name)
				}
				if unsure > 1 {
					v.addf(op("unsure"), "question %q has more than one unsure option", q.ID)
				}
			}
			if weighted && o.Quote == "" && !o.Unsure {
				v.addf(op(), "%s adds evidence, so it needs a quote from the article", name)
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
		c.indexConditions()
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

// indexConditions resolves every question's show_if and "Not sure" option to positions, for the
// allocation-free walks of whatif.go.
func (c *Content) indexConditions() {
	for i := range c.Questions {
		q := &c.Questions[i]
		q.unsure = -1
		for j := range q.Options {
			if q.Options[j].Unsure {
				q.unsure = j
			}
		}
		q.conds = q.conds[:0]
		for _, ref := range sortedKeys(q.ShowIf) {
			rq := c.Question(ref)
			cd := cond{ref: rq.Position, allowed: make([]bool, len(rq.Options))}
			for j := range rq.Options {
				cd.allowed[j] = slices.Contains(q.ShowIf[ref], rq.Options[j].ID)
			}
			q.conds = append(q.conds, cd)
		}
	}
}
