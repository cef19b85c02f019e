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
		switch o := q.Option(val); {
		case given && o != nil && c.offered(o, r.Answers):
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
func (c *Content) shown(q *Question, answers Answers) bool { return holds(q.ShowIf, answers) }

// offered reports whether option o is offered given the answers so far (its own show_if).
func (c *Content) offered(o *Option, answers Answers) bool { return holds(o.ShowIf, answers) }

func holds(showIf map[string][]string, answers Answers) bool {
	for ref, allowed := range showIf {
		a, ok := answers[ref]
		if !ok || !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
}

// Offered lists the options of q offered given the replay's answers, in content order.
func (c *Content) Offered(r *Replay, q *Question) []*Option {
	out := make([]*Option, 0, len(q.Options))
	for i := range q.Options {
		if c.offered(&q.Options[i], r.Answers) {
			out = append(out, &q.Options[i])
		}
	}
	return out
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
	// certain[i] is whether question i's being asked is settled; asked[i] whether it is.
	certain := make([]bool, len(c.Questions))
	asked := make([]bool, len(c.Questions))
	for i := range c.Questions {
		p := &c.Questions[i]
		certain[i], asked[i] = c.askedGiven(p, settled, certain, asked)
		if !certain[i] {
			return 0, 0, false
		}
		if asked[i] {
			total++
			if p.Position <= q.Position {
				n++
			}
		}
	}
	return n, total, true
}

// askedGiven reports whether it is settled (known) that p is asked or not, given settled answers
// and what is known of the questions before p. A condition on an unanswered question is settled
// when that question's being asked is, and every option it may still offer gives the condition the
// same truth.
func (c *Content) askedGiven(p *Question, settled Answers, certain, asked []bool) (known, shown bool) {
	shown = true
	for ref, allowed := range p.ShowIf {
		rq := c.Question(ref)
		if a, ok := settled[ref]; ok {
			shown = shown && slices.Contains(allowed, a)
			continue
		}
		if !certain[rq.Position] {
			return false, false
		}
		if !asked[rq.Position] {
			shown = false
			continue
		}
		in, out := false, false
		for j := range rq.Options {
			o := &rq.Options[j]
			if !c.mayOffer(o, settled) {
				continue
			}
			if slices.Contains(allowed, o.ID) {
				in = true
			} else {
				out = true
			}
		}
		if in && out {
			return false, false
		}
		shown = shown && in
	}
	return true, shown
}

// mayOffer reports whether o may still be offered given settled answers: false only when one of
// its conditions fails on an answer already given.
func (c *Content) mayOffer(o *Option, settled Answers) bool {
	for ref, allowed := range o.ShowIf {
		if a, ok := settled[ref]; ok && !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
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
	// Deciding lists the needs whose state alone would change the outcome: the ones the result
	// is explained by.
	Deciding []*NeedValue
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
	// State is StateMet, StateUnmet or StateOpen (no answer on the path bears on the need).
	State string
	Met   bool
	// Distance is how much the evidence would have to change to flip the need's state: for a met
	// need, how much it may lose and stay met plus one; for an unmet one, how much it lacks; for
	// an open one, 1 (any answer that bears on it settles it).
	Distance int
}

// Open reports whether nothing on the path bears on the need.
func (nv *NeedValue) Open() bool { return nv.State == StateOpen }

// Line is the need's state in words: the content's met, unmet or open text.
func (nv *NeedValue) Line() string {
	switch nv.State {
	case StateMet:
		return nv.Need.Met
	case StateOpen:
		return nv.Need.Open
	}
	return nv.Need.Unmet
}

// Confidence says how firm the recommendation is.
type Confidence struct {
	// Level is clear, leaning, close or open (the outcome is undecided).
	Level       string
	Label       string
	Explanation string
	// Deciding are the single changes of an answer that flip the recommendation, most decisive
	// first; non-empty exactly when Level is close. Scope changes are never among them, except on
	// an undecided outcome, where Deciding lists every single change that names a framework.
	Deciding []Alternative
	// Unsettled is set when settling the "Not sure" answers (one or several together, without
	// contradicting a real answer) can change the recommendation: Questions are the "Not sure"
	// questions of one such settlement that all matter, and Example is its result. Nil when no
	// settlement changes it.
	Unsettled *Settlement
}

// Settlement is one way of answering "Not sure" questions for real, and where it leads.
type Settlement struct {
	Questions []*Question
	Example   Alternative
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
	// Stance is Supports when the answer's evidence in the recommendation's favour (for needs
	// that support it, against needs that count against it) is at least its evidence the other
	// way; Neutral when it bears on neither.
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
// in a stack array and need states in a small index.
const maxNeeds = 8

// needSums is the evidence per need position, and which needs some answer bears on (bit i for
// Needs[i]).
type needSums struct {
	v     [maxNeeds]int
	bears uint16
}

// add counts an option's evidence.
func (s *needSums) add(o *Option) {
	for i, w := range o.weights {
		if w != 0 {
			s.v[i] += w
			s.bears |= 1 << i
		}
	}
}

// state is the index of the need states these sums give (see stateDigit).
func (c *Content) state(s *needSums) int {
	k, mul := 0, 1
	for i := range c.Needs {
		switch {
		case s.bears&(1<<i) == 0:
			k += 2 * mul
		case s.v[i] >= c.Needs[i].Threshold:
			k += mul
		}
		mul *= 3
	}
	return k
}

// outcomeOf is the outcome these sums give.
func (c *Content) outcomeOf(s *needSums) *Outcome { return &c.Outcomes[c.outcomeByState[c.state(s)]] }

// sums adds up the evidence of the replay's answers.
func (c *Content) sums(r *Replay) needSums {
	var s needSums
	for _, q := range r.Path {
		s.add(q.Option(r.Answers[q.ID]))
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
	k := c.state(&sums)
	res := &Result{Outcome: &c.Outcomes[c.outcomeByState[k]], Needs: make([]NeedValue, len(c.Needs))}
	res.Margin = -1
	mul := 1
	for i := range c.Needs {
		n := &c.Needs[i]
		nv := NeedValue{Need: n, Value: sums.v[i], Threshold: n.Threshold}
		digit := k / mul % 3
		nv.State = needStates[digit]
		switch nv.State {
		case StateMet:
			nv.Met, nv.Distance = true, nv.Value-nv.Threshold+1
		case StateUnmet:
			nv.Distance = nv.Threshold - nv.Value
		default:
			nv.Distance = 1
		}
		res.Needs[i] = nv
		// The need decides the outcome when another state of it alone changes the outcome.
		for d := range 3 {
			if d != digit && c.outcomeByState[k+(d-digit)*mul] != c.outcomeByState[k] {
				res.Deciding = append(res.Deciding, &res.Needs[i])
				if res.Margin < 0 || nv.Distance < res.Margin {
					res.Margin = nv.Distance
				}
				break
			}
		}
		mul *= 3
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
		// Evidence against a need that counts against the recommendation supports it, and the
		// other way round.
		amount, stance := e.Amount, e.Stance
		if amount < 0 {
			amount = -amount
			switch stance {
			case Supports:
				stance = Against
			case Against:
				stance = Supports
			}
		}
		switch stance {
		case Supports:
			sup += amount
		case Against:
			ag += amount
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

// OpenOn lists the questions on the replay's path answered "Not sure" whose answers on offer bear
// on need n (some would add or take away evidence for it), in the order they are asked: the
// questions that would settle an open need.
func (c *Content) OpenOn(r *Replay, n *Need) []*Question {
	var out []*Question
	for _, q := range r.Path {
		if o := q.Option(r.Answers[q.ID]); o == nil || !o.Unsure {
			continue
		}
		for _, o := range c.Offered(r, q) {
			if o.Weight(n) != 0 {
				out = append(out, q)
				break
			}
		}
	}
	return out
}
