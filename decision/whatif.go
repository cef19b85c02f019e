package decision

import (
	"slices"
)

// Alternative is the result of changing one answer.
type Alternative struct {
	Question *Question
	From, To *Option
	// Answers is the complete alternative answer set. A change that brings a new question onto the
	// path answers it "Not sure" (Opened lists those), so the alternative is still a full result.
	Answers Answers
	Opened  []*Question
	Result  *Result
}

// Flips reports whether the alternative changes the recommendation of base.
func (a *Alternative) Flips(base *Result) bool { return a.Result.Outcome != base.Outcome }

// Alternatives re-evaluates r with every other option of question q, in option order. Options
// that would open a new question without a "Not sure" answer are left out: no honest complete
// alternative exists for them.
func (c *Content) Alternatives(r *Replay, q *Question) []Alternative {
	from := q.Option(r.Answers[q.ID])
	var out []Alternative
	for i := range q.Options {
		to := &q.Options[i]
		if to == from {
			continue
		}
		answers := r.Answers.With(q.ID, to.ID)
		alt := Alternative{Question: q, From: from, To: to}
		var rp Replay
		for {
			rp = c.Replay(answers)
			if rp.Complete() {
				break
			}
			unsure := rp.Next.UnsureOption()
			if unsure == nil {
				break
			}
			alt.Opened = append(alt.Opened, rp.Next)
			answers = answers.With(rp.Next.ID, unsure.ID)
		}
		if !rp.Complete() {
			continue
		}
		res, err := c.Evaluate(&rp)
		if err != nil {
			continue
		}
		alt.Answers, alt.Result = rp.Answers, res
		out = append(out, alt)
	}
	return out
}

// Counterfactuals lists every single-answer change that flips the recommendation, most decisive
// first (the alternative's own margin, then question order).
func (c *Content) Counterfactuals(r *Replay, base *Result) []Alternative {
	var flips []Alternative
	for _, q := range r.Path {
		for _, alt := range c.Alternatives(r, q) {
			if alt.Flips(base) {
				flips = append(flips, alt)
			}
		}
	}
	slices.SortStableFunc(flips, func(a, b Alternative) int {
		if a.Result.Margin != b.Result.Margin {
			return b.Result.Margin - a.Result.Margin
		}
		return a.Question.Position - b.Question.Position
	})
	return flips
}

// OpenQuestion is a question answered "Not sure", with what each real answer would do.
type OpenQuestion struct {
	Question     *Question
	Alternatives []Alternative
}

// Flipping returns the alternatives that change the recommendation of base.
func (o *OpenQuestion) Flipping(base *Result) []Alternative {
	var out []Alternative
	for _, a := range o.Alternatives {
		if a.Flips(base) {
			out = append(out, a)
		}
	}
	return out
}

// OpenQuestions lists the questions answered "Not sure", in question order.
func (c *Content) OpenQuestions(r *Replay) []OpenQuestion {
	var out []OpenQuestion
	for _, q := range r.Path {
		if o := q.Option(r.Answers[q.ID]); o != nil && o.Unsure {
			out = append(out, OpenQuestion{Question: q, Alternatives: c.Alternatives(r, q)})
		}
	}
	return out
}
