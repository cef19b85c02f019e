package decision

// Alternative is the result of changing one answer.
type Alternative struct {
	Question *Question
	From, To *Option
	// Answers is the complete alternative answer set. A change that brings a new question onto the
	// path, or takes a later answer off offer, answers that question "Not sure" (Opened lists
	// those), so the alternative is still a full result.
	Answers Answers
	Opened  []*Question
	// Result is the alternative's recommendation, needs and reasons; its Confidence is nil (an
	// alternative's own alternatives are not worked out).
	Result *Result
}

// Flips reports whether the alternative changes the recommendation of base.
func (a *Alternative) Flips(base *Result) bool { return a.Result.Outcome != base.Outcome }

// IsScope reports whether the change is one of what the project is.
func (a *Alternative) IsScope() bool { return a.Question.IsScope(a.From) || a.Question.IsScope(a.To) }

// Alternatives re-evaluates r with every other option of question q, in option order. Options
// that would open a new question without a "Not sure" answer are left out: no honest complete
// alternative exists for them.
func (c *Content) Alternatives(r *Replay, q *Question) []Alternative {
	return c.alternatives(r, q, nil)
}

// alternatives is Alternatives; with keep set, it leaves out alternatives whose recommendation
// is keep, found by a replay that allocates nothing, before paying for a full Replay and Result.
func (c *Content) alternatives(r *Replay, q *Question, keep *Outcome) []Alternative {
	from := q.Option(r.Answers[q.ID])
	var out []Alternative
	// The changed answer and any opened "Not sure" answers are laid over r.Answers rather than
	// copied into a new map per try: only the final replay's Answers are kept.
	var overBuf [8]override
	var valsBuf optionIndexes
	var vals []int
	if keep != nil {
		vals = c.indexes(r.Answers, &valsBuf)
	}
	for i := range q.Options {
		to := &q.Options[i]
		if to == from {
			continue
		}
		if !c.offered(to, r.Answers) {
			continue
		}
		if keep != nil {
			sums, ok := c.sumsAt(vals, q.Position, i)
			if !ok || c.outcomeOf(&sums) == keep {
				continue
			}
		}
		over := append(overBuf[:0], override{q.ID, to.ID})
		alt := Alternative{Question: q, From: from, To: to}
		var rp Replay
		for {
			rp = c.replay(r.Answers, over)
			if rp.Complete() {
				break
			}
			unsure := rp.Next.UnsureOption()
			if unsure == nil {
				break
			}
			alt.Opened = append(alt.Opened, rp.Next)
			over = append(over, override{rp.Next.ID, unsure.ID})
		}
		if !rp.Complete() {
			continue
		}
		res, err := c.evaluate(&rp)
		if err != nil {
			continue
		}
		alt.Answers, alt.Result = rp.Answers, res
		if out == nil {
			out = make([]Alternative, 0, len(q.Options)-1)
		}
		out = append(out, alt)
	}
	return out
}

// optionIndexes holds, per question position, the index of the option answered (-1 for none).
type optionIndexes [32]int

// indexes resolves answers to option indexes by question position, in buf when it fits.
func (c *Content) indexes(answers Answers, buf *optionIndexes) []int {
	vals := buf[:]
	if len(c.Questions) > len(buf) {
		vals = make([]int, len(c.Questions))
	}
	vals = vals[:len(c.Questions)]
	for i := range c.Questions {
		q := &c.Questions[i]
		vals[i] = -1
		if a, ok := answers[q.ID]; ok {
			for j := range q.Options {
				if q.Options[j].ID == a {
					vals[i] = j
					break
				}
			}
		}
	}
	return vals
}

// sumsAt walks the questions with answers vals (option index per position), question qi answered
// oi instead (oi -1: unanswered), the way replay would: questions off the path count for nothing,
// an answer whose option is not offered counts as no answer, and questions without an answer are
// answered "Not sure" (ok is false when one has none, or when oi itself is not offered). It
// allocates nothing and leaves vals as it was.
func (c *Content) sumsAt(vals []int, qi, oi int) (sums needSums, ok bool) {
	// cur is the answer standing at each position on the walked path (-1 when none).
	var buf optionIndexes
	cur := buf[:]
	if len(vals) > len(buf) {
		cur = make([]int, len(vals))
	}
	for i := range c.Questions {
		q := &c.Questions[i]
		cur[i] = -1
		if !condsHold(q.conds, cur) {
			continue
		}
		a := vals[i]
		if i == qi {
			a = oi
		}
		if a >= 0 && q.gated && !condsHold(q.Options[a].conds, cur) {
			if i == qi {
				return sums, false
			}
			a = -1
		}
		if a < 0 {
			if a = q.unsure; a < 0 {
				return sums, false
			}
		}
		cur[i] = a
		sums.add(&q.Options[a])
	}
	return sums, true
}

// condsHold reports whether every condition holds for the answers standing in cur.
func condsHold(conds []cond, cur []int) bool {
	for _, cd := range conds {
		if a := cur[cd.ref]; a < 0 || !cd.allowed[a] {
			return false
		}
	}
	return true
}

// Counterfactuals lists every change of one answer (any option, not only single changes) that
// flips the recommendation, most decisive first (the alternative's own margin, then question
// order). Changes of what the project is are left out: ScopeChanges lists them.
func (c *Content) Counterfactuals(r *Replay, base *Result) []Alternative {
	return c.flips(r, base, false)
}

// ScopeChanges lists the changes of a scope question's answer (what the project is) that flip
// the recommendation, most decisive first: "if the project were something else".
func (c *Content) ScopeChanges(r *Replay, base *Result) []Alternative {
	return c.flips(r, base, true)
}

func (c *Content) flips(r *Replay, base *Result, scope bool) []Alternative {
	var flips []Alternative
	for _, q := range r.Path {
		for _, alt := range c.alternatives(r, q, base.Outcome) {
			if alt.Flips(base) && alt.IsScope() == scope {
				flips = append(flips, alt)
			}
		}
	}
	sortDecisive(flips)
	return flips
}

// OpenQuestion is a question answered "Not sure", with the real answers that would change the
// recommendation.
type OpenQuestion struct {
	Question *Question
	// Alternatives are the answers to it that change the recommendation of the result asked
	// about; empty when, whatever the answer, it stays.
	Alternatives []Alternative
}

// OpenQuestions lists the questions answered "Not sure", in question order, each with the
// alternatives that change the recommendation of base: what the result shows of them. Finding
// them skips building a full Result for each alternative that keeps base (18 times faster than
// working out every alternative, for a visitor unsure of everything).
func (c *Content) OpenQuestions(r *Replay, base *Result) []OpenQuestion {
	var out []OpenQuestion
	for _, q := range r.Path {
		if o := q.Option(r.Answers[q.ID]); o != nil && o.Unsure {
			var flips []Alternative
			for _, a := range c.alternatives(r, q, base.Outcome) {
				if a.Flips(base) {
					flips = append(flips, a)
				}
			}
			out = append(out, OpenQuestion{Question: q, Alternatives: flips})
		}
	}
	return out
}
