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
	// Fit is the points each framework collected (keys NestJS and NextJS).
	Fit map[string]int
	// Scores has one entry per outcome, in content order; Both's score is the weaker side's fit,
	// since Both needs strength on both sides.
	Scores     []Score
	Margin     int
	Confidence *Confidence
	// TieBreak is true when the fits were level below the bar and the rules' tie_break decided.
	TieBreak bool
	// Reasons has one entry per answered question: those for the recommendation first, then those
	// against it, then those that counted for neither; heavier first within each group.
	Reasons []Reason
	// Rows are the table rows the weighted answers touch, in table order.
	Rows []*Row
}

// Score is one outcome's score.
type Score struct {
	Outcome *Outcome
	Value   int
}

// Stance says how a reason relates to the recommendation.
type Stance int

const (
	Supports Stance = iota
	Against
	Neutral
)

// Reason is one answer's contribution to the result.
type Reason struct {
	Question *Question
	Option   *Option
	Stance   Stance
	// Favours is the outcome the answer pushes towards: NestJS, NextJS, Both (equal, non-zero fit
	// for each) or "" (no fit).
	Favours string
	Weight  int
}

// IsRelevant reports whether the row mattered for this result.
func (res *Result) IsRelevant(row *Row) bool { return slices.Contains(res.Rows, row) }

// Evaluate scores complete answers. It is deterministic: the same replay gives the same result.
func (c *Content) Evaluate(r *Replay) (*Result, error) {
	if !r.Complete() {
		return nil, ErrIncomplete
	}
	// Fit keys are only ever NestJS and NextJS (the validator rejects others), so the sums are
	// kept in two ints and the relevant rows in a small stack buffer: no maps per evaluation.
	var ns, nx int
	var relBuf [32]string
	relevant := relBuf[:0]
	for _, q := range r.Path {
		o := q.Option(r.Answers[q.ID])
		ons, onx := o.Fit[NestJS], o.Fit[NextJS]
		ns += ons
		nx += onx
		if ons+onx > 0 {
			relevant = append(relevant, o.Rows...)
		}
	}

	res := &Result{Fit: map[string]int{NestJS: ns, NextJS: nx}}
	rec, margin, tie := c.decide(ns, nx)
	res.Margin, res.TieBreak = margin, tie
	res.Outcome = c.Outcome(rec)
	for i := range c.Rules.Confidence {
		lvl := &c.Rules.Confidence[i]
		need := lvl.MinMargin
		if rec == Both {
			need = lvl.BothMinMargin
		}
		if res.Margin >= need {
			// A copy, as before: the result never points into the content it could change.
			cp := *lvl
			res.Confidence = &cp
			break
		}
	}
	res.Scores = make([]Score, 0, len(c.Outcomes))
	for i := range c.Outcomes {
		o := &c.Outcomes[i]
		var v int
		switch o.ID {
		case NestJS:
			v = ns
		case NextJS:
			v = nx
		case Both:
			v = min(ns, nx)
		}
		res.Scores = append(res.Scores, Score{Outcome: o, Value: v})
	}

	res.Reasons = make([]Reason, 0, len(r.Path))
	for _, q := range r.Path {
		o := q.Option(r.Answers[q.ID])
		res.Reasons = append(res.Reasons, c.reason(rec, q, o))
	}
	slices.SortStableFunc(res.Reasons, func(a, b Reason) int {
		if a.Stance != b.Stance {
			return int(a.Stance) - int(b.Stance)
		}
		return b.Weight - a.Weight
	})
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

// decide applies the decision rule to the two fits: the recommended outcome's id, its margin, and
// whether the tie break decided it.
func (c *Content) decide(ns, nx int) (rec string, margin int, tieBreak bool) {
	bar := c.Rules.BothAtLeast
	switch {
	case ns >= bar && nx >= bar:
		return Both, min(ns, nx) - bar, false
	case ns == nx:
		return c.Rules.TieBreak, 0, true
	case ns > nx:
		return NestJS, min(ns-nx, bar-nx), false
	default:
		return NextJS, min(nx-ns, bar-ns), false
	}
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

func (c *Content) reason(rec string, q *Question, o *Option) Reason {
	ns, nx := o.Fit[NestJS], o.Fit[NextJS]
	rs := Reason{Question: q, Option: o}
	switch {
	case ns > nx:
		rs.Favours = NestJS
	case nx > ns:
		rs.Favours = NextJS
	case ns > 0:
		rs.Favours = Both
	}
	switch {
	case ns == 0 && nx == 0:
		rs.Stance = Neutral
	case rec == Both:
		// Both needs each side above the bar, so any fit helps it.
		rs.Stance, rs.Weight = Supports, ns+nx
	case rec == NestJS && ns > nx, rec == NextJS && nx > ns:
		rs.Stance, rs.Weight = Supports, max(ns, nx)
	default:
		rs.Stance, rs.Weight = Against, max(ns, nx)
	}
	return rs
}
