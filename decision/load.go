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
	v.validateRules()
	if len(v.problems) == 0 {
		v.validateExamples()
		v.checkRules()
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
		v.required(at("needs", i, "open"), "need "+n.ID+" open", n.Open)
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
	undecided := 0
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
		if o.Undecided {
			undecided++
			if undecided > 1 {
				v.addf(at("outcomes", i, "undecided"), "outcome %q: only one outcome may be undecided", o.ID)
			}
		}
		if len(o.When.Boxes) == 0 {
			v.addf(at("outcomes", i), "outcome %q has no when: its region of need states is missing", o.ID)
		}
		// Default stances: a need every box wants met supports the outcome; one every box wants
		// unmet or open counts against it; any other is neutral.
		o.stances = make([]Stance, len(c.Needs))
		for j := range c.Needs {
			met, other := 0, 0
			for _, b := range o.When.Boxes {
				allowed, named := b[c.Needs[j].ID]
				if !named {
					other, met = other+1, met+1
					continue
				}
				for _, s := range allowed {
					if s == StateMet {
						met++
					} else {
						other++
					}
				}
			}
			switch {
			case o.Undecided:
				o.stances[j] = Neutral
			case other == 0 && met > 0:
				o.stances[j] = Supports
			case met == 0 && other > 0:
				o.stances[j] = Against
			default:
				o.stances[j] = Neutral
			}
		}
		for bi, b := range o.When.Boxes {
			for _, id := range sortedKeys(b) {
				if c.Need(id) == nil {
					v.addf(o.When.path(i, bi, id), "outcome %q: when refers to need %q, which does not exist", o.ID, id)
					continue
				}
				if len(b[id]) == 0 {
					v.addf(o.When.path(i, bi, id), "outcome %q: when lists no state for need %q", o.ID, id)
				}
				for _, s := range b[id] {
					if stateDigit(s) < 0 {
						v.addf(o.When.path(i, bi, id), "outcome %q: need %q must be %q, %q or %q, got %q", o.ID, id, StateMet, StateUnmet, StateOpen, s)
					}
				}
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
	c.outcomeByState = make([]int, stateCount(len(c.Needs)))
	for k := range c.outcomeByState {
		found := -1
		for i := range c.Outcomes {
			if !c.Outcomes[i].When.covers(c, k) {
				continue
			}
			if found >= 0 {
				v.addf(at("outcomes", i, "when"), "outcomes %q and %q both cover %s: every combination of need states needs exactly one outcome", c.Outcomes[found].ID, c.Outcomes[i].ID, c.describeStates(k))
			}
			found = i
		}
		if found < 0 {
			v.addf(at("outcomes"), "no outcome covers %s: every combination of need states needs exactly one outcome", c.describeStates(k))
			found = 0
		}
		c.outcomeByState[k] = found
	}
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
	ids := []string{Clear, Leaning, CloseCall, Undecided}
	seen := map[string]bool{}
	for i, lvl := range cr.Levels {
		if !slices.Contains(ids, lvl.ID) {
			v.addf(at("confidence", "levels", i, "id"), "confidence level id %q must be one of %s", lvl.ID, strings.Join(ids, ", "))
		}
		if seen[lvl.ID] {
			v.addf(at("confidence", "levels", i, "id"), "confidence level %q is listed twice", lvl.ID)
		}
		seen[lvl.ID] = true
		v.required(at("confidence", "levels", i, "label"), "confidence label", lvl.Label)
		v.required(at("confidence", "levels", i, "explanation"), "confidence explanation", lvl.Explanation)
		if lvl.WithUnsure != "" && lvl.ID != Clear {
			v.addf(at("confidence", "levels", i, "with_unsure"), "confidence level %q: only clear has a with_unsure text (the others name the open answers that matter)", lvl.ID)
		}
	}
	for _, id := range ids {
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

		v.showIf(qp("show_if"), fmt.Sprintf("question %q", q.ID), i, q.ShowIf)

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
				if n < -maxEvidence || n > maxEvidence {
					v.addf(op("needs", id), "%s: evidence %d is outside %d to %d", name, n, -maxEvidence, maxEvidence)
				}
				q.Options[j].weights[need.Position] = n
				weighted = weighted || n != 0
			}
			v.showIf(op("show_if"), name, i, o.ShowIf)
			if len(o.ShowIf) > 0 {
				q.gated = true
			}
			if o.Unsure {
				unsure++
				if weighted {
					v.addf(op("unsure"), "%s is marked unsure, so it must not add evidence: what the visitor did not say is unknown, not a “no”", name)
				}
				if o.Scope || len(o.ShowIf) > 0 {
					v.addf(op("unsure"), "%s is marked unsure, so it is offered always and is no scope answer of its own", name)
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

// showIf checks a show_if (a question's or an option's): every question it names comes before
// question i, and every answer it lists is one of that question's options.
func (v *validator) showIf(path []any, what string, i int, showIf map[string][]string) {
	for _, ref := range sortedKeys(showIf) {
		answers := showIf[ref]
		p := append(slices.Clip(path), ref)
		refQ := v.c.Question(ref)
		switch {
		case refQ == nil || refQ.Position >= i:
			v.addf(p, "%s: show_if refers to question %q, which does not exist (or comes later: conditions may only use earlier questions)", what, ref)
			continue
		case len(answers) == 0:
			v.addf(p, "%s: show_if for %q lists no answers", what, ref)
		}
		for j, a := range answers {
			if refQ.Option(a) == nil {
				v.addf(append(slices.Clip(p), j), "%s: show_if refers to answer %q, which question %q does not have", what, a, ref)
			}
		}
	}
}

// maxEvidence bounds an option's evidence for one need, either way.
const maxEvidence = 30

// checkPaths walks every path through the questions: every question must be asked, and every
// option offered, on some path, and every path must ask at least one question (and so end at a
// result).
func (v *validator) checkPaths() {
	c := v.c
	asked := make([]bool, len(c.Questions))
	offered := map[*Option]bool{}
	c.minPath, c.maxPath = len(c.Questions)+1, 0
	c.walkPaths(func(path []*Question, answers Answers) {
		for _, q := range path {
			asked[q.Position] = true
			for j := range q.Options {
				if c.offered(&q.Options[j], answers) {
					offered[&q.Options[j]] = true
				}
			}
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
			continue
		}
		for j := range c.Questions[i].Options {
			if o := &c.Questions[i].Options[j]; !offered[o] {
				v.addf(at("questions", i, "options", j, "show_if"), "question %q option %q is never offered: no answers to earlier questions satisfy its show_if", c.Questions[i].ID, o.ID)
			}
		}
	}
}

// walkPaths calls fn with the questions asked on every distinct path, and the answers to the
// branching questions that lead there. Only answers to branching questions change the path (and
// which options are offered), so only those are enumerated.
func (c *Content) walkPaths(fn func(path []*Question, answers Answers)) {
	branching := map[string]bool{}
	for _, id := range c.branchingQuestions() {
		branching[id] = true
	}
	answers := Answers{}
	var path []*Question
	var walk func(i int)
	walk = func(i int) {
		if i == len(c.Questions) {
			fn(path, answers)
			return
		}
		q := &c.Questions[i]
		if !c.shown(q, answers) {
			walk(i + 1)
			return
		}
		path = append(path, q)
		if branching[q.ID] {
			for j := range q.Options {
				if !c.offered(&q.Options[j], answers) {
					continue
				}
				answers[q.ID] = q.Options[j].ID
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
		q.conds = c.conditions(q.ShowIf)
		for j := range q.Options {
			q.Options[j].conds = c.conditions(q.Options[j].ShowIf)
		}
	}
	c.branchPos = c.branchPos[:0]
	for _, id := range c.branchingQuestions() {
		c.branchPos = append(c.branchPos, c.questionIndex[id])
	}
	c.branchKeys = len(c.branchPos) <= 10
	for _, q := range c.Questions {
		c.branchKeys = c.branchKeys && len(q.Options) < 63
	}
}

// conditions resolves a show_if to positions.
func (c *Content) conditions(showIf map[string][]string) []cond {
	var out []cond
	for _, ref := range sortedKeys(showIf) {
		rq := c.Question(ref)
		cd := cond{ref: rq.Position, allowed: make([]bool, len(rq.Options))}
		for j := range rq.Options {
			cd.allowed[j] = slices.Contains(showIf[ref], rq.Options[j].ID)
		}
		out = append(out, cd)
	}
	return out
}
