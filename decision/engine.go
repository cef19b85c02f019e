package decision

import (
	"errors"
	"slices"
)

// Answers maps question ids to option ids.
type Answers map[string]string

// Replay is what a set of raw answers means for the current content: which answers stand, which
// questions are asked, and what to ask next.
type Replay struct {
	// Answers holds the valid answers to questions on the path, including ones after Next (an
	// earlier answer changed but later ones still apply: they are kept).
	Answers Answers
	// Path is every question asked given Answers, answered or not, in content order.
	Path []*Question
	// Next is the first unanswered question on the path; nil when the answers are complete.
	Next *Question
	// Invalid lists questions on the path whose given value is not one of their options.
	Invalid []*Question
	// Dropped lists questions that were answered but are not on the path (an earlier answer made
	// them irrelevant); their answers are ignored.
	Dropped []*Question
}

// Complete reports whether every question on the path is answered.
func (r *Replay) Complete() bool { return r.Next == nil }

// IsInvalid reports whether q was given a value that is not one of its options.
func (r *Replay) IsInvalid(q *Question) bool { return slices.Contains(r.Invalid, q) }

// Replay walks the questions in order with the raw answers (question id to option id; unknown ids
// are ignored, empty values count as unanswered).
func (c *Content) Replay(raw map[string]string) Replay {
	return c.replay(raw, nil)
}

// override is one answer laid over a replay's raw answers (see replay).
type override struct{ id, val string }

// replay is Replay with overrides: an answer in over (the last one for an id) wins over raw. It
// lets Alternatives try a changed answer without copying the answer map first.
func (c *Content) replay(raw map[string]string, over []override) Replay {
	// Sized once: every question may be answered, and growing a map rehashes it.
	r := Replay{Answers: make(Answers, len(c.Questions)), Path: make([]*Question, 0, len(c.Questions))}
	for i := range c.Questions {
		q := &c.Questions[i]
		val, given := raw[q.ID]
		for j := len(over) - 1; j >= 0; j-- {
			if over[j].id == q.ID {
				val, given = over[j].val, true
				break
			}
		}
		given = given && val != ""
		if !c.shown(q, r.Answers) {
			if given {
				r.Dropped = append(r.Dropped, q)
			}
			continue
		}
		r.Path = append(r.Path, q)
		switch {
		case given && q.Option(val) != nil:
			r.Answers[q.ID] = val
		case given:
			r.Invalid = append(r.Invalid, q)
			fallthrough
		default:
			if r.Next == nil {
				r.Next = q
			}
		}
	}
	return r
}

// shown reports whether q is asked given the answers so far: every show_if clause must hold.
func (c *Content) shown(q *Question, answers Answers) bool {
	for ref, allowed := range q.ShowIf {
		a, ok := answers[ref]
		if !ok || !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
}

// Before returns the question asked before q on the replay's path, or nil for the first.
func (r *Replay) Before(q *Question) *Question {
	for i, p := range r.Path {
		if p == q && i > 0 {
			return r.Path[i-1]
		}
	}
	return nil
}

// OnPath reports whether q is asked given the replay's answers.
func (r *Replay) OnPath(q *Question) bool { return slices.Contains(r.Path, q) }

// Progress returns q's position among the questions asked and how many there will be. ok is false
// when the total could still change with answers not yet given (then no count should be shown).
// Only answers to questions before q count: later answers may yet change.
func (c *Content) Progress(r *Replay, q *Question) (n, total int, ok bool) {
	settled := make(Answers, len(r.Answers))
	for id, a := range r.Answers {
		if c.questionIndex[id] < q.Position {
			settled[id] = a
		}
	}
	for i := range c.Questions {
		p := &c.Questions[i]
		for ref := range p.ShowIf {
			if _, known := settled[ref]; !known {
				return 0, 0, false
			}
		}
		if c.shown(p, settled) {
			total++
			if p.Position <= q.Position {
				n++
			}
		}
	}
	return n, total, true
}

// ErrIncomplete is returned by Evaluate when a question on the path is unanswered.
var ErrIncomplete = errors.New("decision: answers are incomplete")

// Result is the recommendation for a complete set of answers.
type Result struct {
	Outcome *Outcome
	// Needs has one entry per need, in content order: the evidence these answers add up to and
	// how it stands against the need's threshold.
	Needs []NeedValue
	// Margin is how far these answers are from a need state that changes the outcome: the
	// smallest Distance among the needs whose state alone would change it (0 when none would).
	Margin int
	// Confidence is nil only on the results inside an Alternative's.
	Confidence *Confidence
	// Answered counts the real answers on the path, Unsure the "Not sure" ones.
	Answered, Unsure int
	// Reasons has one entry per answered question: those for the recommendation first, then those
	// against it, then those that counted for neither; heavier first within each group.
	Reasons []Reason
	// Rows are the table rows of answers that support the recommendation, in table order.
	Rows []*Row
}

// NeedValue is one need's standing in a result.
type NeedValue struct {
	Need      *Need
	Value     int
	Threshold int
	Met       bool
	// Distance is how much the evidence would have to change to flip the need's state: for a met
	// need, how much it may lose and stay met plus one; for an unmet one, how much it lacks.
	Distance int
}

// Confidence says how firm the recommendation is.
type Confidence struct {
	// Level is clear, leaning or close.
	Level       string
	Label       string
	Explanation string
	// Deciding are the single changes of an answer that flip the recommendation, most decisive
	// first; non-empty exactly when Level is close. Scope questions are never among them.
	Deciding []Alternative
}

// Stance says how a reason relates to the recommendation.
type Stance int

const (
	Supports Stance = iota
	Against
	Neutral
)

// Effect is one answer's evidence for one need.
type Effect struct {
	Need   *Need
	Amount int
	// Stance is how evidence for this need relates to the recommendation.
	Stance Stance
}

// Reason is one answer's contribution to the result.
type Reason struct {
	Question *Question
	Option   *Option
	// Stance is Supports when the answer's evidence for needs that support the recommendation is
	// at least its evidence against it; Neutral when it adds evidence to neither.
	Stance Stance
	// Effects has one entry per need, in content order (zero amounts included).
	Effects []Effect
	// Weight is the answer's evidence in the direction of its Stance.
	Weight int
}

// IsRelevant reports whether the row decided this result.
func (res *Result) IsRelevant(row *Row) bool { return slices.Contains(res.Rows, row) }

// Need returns the result's standing for the need with the given id, or nil.
func (res *Result) Need(id string) *NeedValue {
	for i := range res.Needs {
		if res.Needs[i].Need.ID == id {
			return &res.Needs[i]
		}
	}
	return nil
}

// maxNeeds bounds the needs a content file may declare (the validator enforces it), so sums fit
// in a stack array and need states in a small bit mask.
const maxNeeds = 8

// needSums is the evidence per need position.
type needSums [maxNeeds]int

// OutcomeForStates is the outcome whose region holds the need states of mask (bit i set: Needs[i]
// is met), as the content's `when` clauses declare it; the validator makes it exactly one.
func (c *Content) OutcomeForStates(mask int) *Outcome {
	if mask < 0 || mask >= len(c.outcomeByMask) {
		return nil
	}
	return &c.Outcomes[c.outcomeByMask[mask]]
}

// mask is the set of met needs.
func (c *Content) mask(sums *needSums) int {
	m := 0
	for i := range c.Needs {
		if sums[i] >= c.Needs[i].Threshold {
			m |= 1 << i
		}
	}
	return m
}

// sums adds up the evidence of the replay's answers.
func (c *Content) sums(r *Replay) needSums {
	var s needSums
	for _, q := range r.Path {
		o := q.Option(r.Answers[q.ID])
		for i, w := range o.weights {
			s[i] += w
		}
	}
	return s
}

// Evaluate scores complete answers. It is deterministic: the same replay gives the same result.
func (c *Content) Evaluate(r *Replay) (*Result, error) {
	res, err := c.evaluate(r)
	if err != nil {
		return nil, err
	}
	c.confide(r, res, true)
	return res, nil
}

// evaluate is Evaluate without the confidence.
func (c *Content) evaluate(r *Replay) (*Result, error) {
	if !r.Complete() {
		return nil, ErrIncomplete
	}
	sums := c.sums(r)
	m := c.mask(&sums)
	res := &Result{Outcome: &c.Outcomes[c.outcomeByMask[m]], Needs: make([]NeedValue, len(c.Needs))}
	res.Margin = -1
	for i := range c.Needs {
		n := &c.Needs[i]
		nv := NeedValue{Need: n, Value: sums[i], Threshold: n.Threshold, Met: sums[i] >= n.Threshold}
		if nv.Met {
			nv.Distance = nv.Value - nv.Threshold + 1
		} else {
			nv.Distance = nv.Threshold - nv.Value
		}
		res.Needs[i] = nv
		if c.outcomeByMask[m^(1<<i)] != c.outcomeByMask[m] && (res.Margin < 0 || nv.Distance < res.Margin) {
			res.Margin = nv.Distance
		}
	}
	res.Margin = max(res.Margin, 0)

	res.Reasons = make([]Reason, 0, len(r.Path))
	// One backing array for every reason's effects.
	effects := make([]Effect, len(r.Path)*len(c.Needs))
	for i, q := range r.Path {
		o := q.Option(r.Answers[q.ID])
		if o.Unsure {
			res.Unsure++
		} else {
			res.Answered++
		}
		n := len(c.Needs)
		res.Reasons = append(res.Reasons, c.reason(res.Outcome, q, o, effects[i*n:(i+1)*n:(i+1)*n]))
	}
	slices.SortStableFunc(res.Reasons, func(a, b Reason) int {
		if a.Stance != b.Stance {
			return int(a.Stance) - int(b.Stance)
		}
		return b.Weight - a.Weight
	})
	var relBuf [32]string
	relevant := relBuf[:0]
	for _, rs := range res.Reasons {
		if rs.Stance == Supports && rs.Weight > 0 {
			relevant = append(relevant, rs.Option.Rows...)
		}
	}
	if n := c.countRelevant(relevant); n > 0 {
		res.Rows = make([]*Row, 0, n)
		for i := range c.Table {
			if slices.Contains(relevant, c.Table[i].ID) {
				res.Rows = append(res.Rows, &c.Table[i])
			}
		}
	}
	return res, nil
}

// confide sets the result's confidence: a close call when a single change of a non-scope answer
// flips the recommendation; otherwise clear when enough answers are real, else leaning. With
// withDeciding false it only finds whether one flips (allocation-free) and leaves Deciding empty.
func (c *Content) confide(r *Replay, res *Result, withDeciding bool) {
	var deciding []Alternative
	flipping := false
	var buf optionIndexes
	vals := c.indexes(r.Answers, &buf)
	for _, q := range r.Path {
		if q.Scope {
			continue
		}
		from := q.Option(r.Answers[q.ID])
		var flipBuf [8]*Option
		flips := flipBuf[:0]
		for i := range q.Options {
			to := &q.Options[i]
			if !q.SingleChange(from, to) {
				continue
			}
			if sums, ok := c.sumsAt(vals, q.Position, i); ok && &c.Outcomes[c.outcomeByMask[c.mask(&sums)]] != res.Outcome {
				flips = append(flips, to)
			}
		}
		if len(flips) == 0 {
			continue
		}
		flipping = true
		if !withDeciding {
			break
		}
		for _, alt := range c.alternatives(r, q, res.Outcome) {
			if slices.Contains(flips, alt.To) {
				deciding = append(deciding, alt)
			}
		}
	}
	sortDecisive(deciding)
	id := Leaning
	switch {
	case flipping:
		id = CloseCall
	case res.Answered >= c.Confidence.MinAnswered && res.Unsure <= c.Confidence.MaxUnsure:
		id = Clear
	}
	lvl := c.Confidence.Level(id)
	res.Confidence = &Confidence{Level: id, Label: lvl.Label, Explanation: lvl.Explanation, Deciding: deciding}
}

// SingleChange reports whether answering to instead of from is one plausible step: resolving a
// "Not sure" to any real answer; on an ordered question a step to a neighbouring real option;
// on any other question any other real option. Changing a real answer to "Not sure" is not one.
func (q *Question) SingleChange(from, to *Option) bool {
	if to == nil || to == from || to.Unsure {
		return false
	}
	if from == nil || from.Unsure || !q.Ordered {
		return true
	}
	// Neighbours among the real options, in content order.
	fi, ti := -1, -1
	n := 0
	for i := range q.Options {
		o := &q.Options[i]
		if o.Unsure {
			continue
		}
		if o == from {
			fi = n
		}
		if o == to {
			ti = n
		}
		n++
	}
	return fi >= 0 && ti >= 0 && (fi-ti == 1 || ti-fi == 1)
}

// sortDecisive orders alternatives most decisive first: the alternative's own margin (how firmly
// it lands in its outcome), then question order, then option order.
func sortDecisive(alts []Alternative) {
	slices.SortStableFunc(alts, func(a, b Alternative) int {
		if a.Result.Margin != b.Result.Margin {
			return b.Result.Margin - a.Result.Margin
		}
		return a.Question.Position - b.Question.Position
	})
}

// countRelevant counts the table rows named in relevant.
func (c *Content) countRelevant(relevant []string) int {
	n := 0
	if len(relevant) == 0 {
		return 0
	}
	for i := range c.Table {
		if slices.Contains(relevant, c.Table[i].ID) {
			n++
		}
	}
	return n
}

func (c *Content) reason(rec *Outcome, q *Question, o *Option, effects []Effect) Reason {
	rs := Reason{Question: q, Option: o, Stance: Neutral, Effects: effects}
	var sup, ag int
	for i := range c.Needs {
		n := &c.Needs[i]
		e := Effect{Need: n, Amount: o.Weight(n), Stance: rec.NeedStance(n)}
		rs.Effects[i] = e
		switch e.Stance {
		case Supports:
			sup += e.Amount
		case Against:
			ag += e.Amount
		}
	}
	switch {
	case sup == 0 && ag == 0:
	case sup >= ag:
		rs.Stance, rs.Weight = Supports, sup
	default:
		rs.Stance, rs.Weight = Against, ag
	}
	return rs
}
