package decision

import "strings"

// How firm a result is, in the visitor's terms:
//   close    some single change of an answer flips the outcome (the result names each). A single
//            change is: settling a "Not sure" for real; on an ordered question a step to a
//            neighbouring real option; on any other question any other real option. Changes of
//            what the project is (scope questions and scope answers) never count: they are
//            listed apart.
//   leaning  no single change flips it, but settling several "Not sure" answers together could
//            (Unsettled names them);
//   clear    neither: whatever the visitor answers to what they were unsure of, it stays.
//   open     the outcome is undecided: it names no framework, and Deciding lists every single
//            change (scope ones included) that would name one.

// confide sets the result's confidence. With withDeciding false it only finds the level
// (without allocating the deciding changes' results) and leaves Deciding and Unsettled's example
// empty.
func (c *Content) confide(r *Replay, res *Result, withDeciding bool) {
	undecided := res.Outcome.Undecided
	var deciding []Alternative
	flipping := false
	var buf optionIndexes
	vals := c.indexes(r.Answers, &buf)
	for _, q := range r.Path {
		from := q.Option(r.Answers[q.ID])
		var flipBuf [8]*Option
		flips := flipBuf[:0]
		for i := range q.Options {
			to := &q.Options[i]
			if !q.SingleChange(from, to) || (!undecided && q.IsScope(from) || !undecided && q.IsScope(to)) {
				continue
			}
			if sums, ok := c.sumsAt(vals, q.Position, i); ok && c.outcomeOf(&sums) != res.Outcome {
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
			if containsOption(flips, alt.To) {
				deciding = append(deciding, alt)
			}
		}
	}
	sortDecisive(deciding)
	conf := &Confidence{Deciding: deciding}
	if !undecided {
		conf.Unsettled = c.settle(r, res, vals, withDeciding)
	}
	conf.Level = Clear
	switch {
	case undecided:
		conf.Level = Undecided
	case flipping:
		conf.Level = CloseCall
	case conf.Unsettled != nil:
		conf.Level = Leaning
	}
	lvl := c.Confidence.Level(conf.Level)
	conf.Label, conf.Explanation = lvl.Label, lvl.Explanation
	if conf.Level == Clear && res.Unsure > 0 && lvl.WithUnsure != "" {
		conf.Explanation = strings.ReplaceAll(lvl.WithUnsure, "{outcome}", res.Outcome.Name)
	}
	res.Confidence = conf
}

func containsOption(opts []*Option, o *Option) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}

// SingleChange reports whether answering to instead of from is one plausible step: settling a
// "Not sure" for real; on an ordered question a step to a neighbouring real option; on any other
// question any other real option. Changing a real answer to "Not sure" is not one. (Whether the
// step changes what the project is, see IsScope, is the caller's concern.)
func (q *Question) SingleChange(from, to *Option) bool {
	if to == nil || to == from || to.Unsure {
		return false
	}
	if from == nil || from.Unsure || !q.Ordered || from.Scope || to.Scope {
		return true
	}
	// Neighbours among the real options of the scale, in content order.
	fi, ti := -1, -1
	n := 0
	for i := range q.Options {
		o := &q.Options[i]
		if o.Unsure || o.Scope {
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

// settle looks for a settlement of the replay's "Not sure" answers that changes the outcome: each
// "Not sure" answered for real or left open, questions the new answers bring onto the path
// answered too, and no real answer contradicted (dropped from the path or no longer offered).
// It returns nil when none exists. With withExample set, the settlement found is reduced to the
// questions that all matter and its result is worked out.
func (c *Content) settle(r *Replay, res *Result, vals []int, withExample bool) *Settlement {
	if res.Unsure == 0 {
		return nil
	}
	s := settler{c: c, vals: vals, base: res.Outcome}
	var curBuf optionIndexes
	cur := curBuf[:len(vals)]
	if !s.search(0, cur, needSums{}) {
		return nil
	}
	found := s.found[:len(vals)]
	// Reduce: put each settled question back to "Not sure" while the outcome still changes.
	for i := range c.Questions {
		q := &c.Questions[i]
		if found[i] < 0 || found[i] == vals[i] || q.unsure < 0 {
			continue
		}
		keep := found[i]
		found[i] = q.unsure
		if !s.changes(found) {
			found[i] = keep
		}
	}
	st := &Settlement{}
	var over []override
	for i := range c.Questions {
		q := &c.Questions[i]
		if found[i] >= 0 && found[i] != vals[i] && found[i] != q.unsure {
			st.Questions = append(st.Questions, q)
			over = append(over, override{q.ID, q.Options[found[i]].ID})
		}
	}
	if !withExample {
		return st
	}
	rp := c.replay(r.Answers, over)
	for !rp.Complete() && rp.Next.UnsureOption() != nil {
		over = append(over, override{rp.Next.ID, rp.Next.UnsureOption().ID})
		rp = c.replay(r.Answers, over)
	}
	if alt, err := c.evaluate(&rp); err == nil {
		st.Example = Alternative{Question: st.Questions[0], Answers: rp.Answers, Result: alt}
	}
	return st
}

// settler is the search of settle: a depth-first walk over the questions in order, branching at
// every "Not sure" and every question newly brought onto the path. States already searched
// without success (same position, same answers to the questions conditions look at, same sums)
// are not searched again, so the walk stays small however many answers are open.
type settler struct {
	c     *Content
	vals  []int
	base  *Outcome
	found optionIndexes
	dead  map[settleKey]bool
	steps int
}

type settleKey struct {
	pos    int
	branch uint64
	sums   needSums
}

func (s *settler) search(pos int, cur []int, sums needSums) bool {
	c := s.c
	if pos == len(c.Questions) {
		if c.outcomeOf(&sums) != s.base {
			copy(s.found[:], cur)
			return true
		}
		return false
	}
	// Only walks that grow need remembering: most end in a few hundred steps, where a plain walk
	// is cheaper than hashing its states (four times, over every answer set of the content).
	var key settleKey
	memo := false
	if s.steps++; s.steps > 4096 && c.branchKeys {
		if s.dead == nil {
			s.dead = make(map[settleKey]bool)
		}
		key = settleKey{pos: pos, branch: c.branchKey(cur, pos), sums: sums}
		if s.dead[key] {
			return false
		}
		memo = true
	}
	if s.step(pos, cur, sums) {
		return true
	}
	if memo {
		s.dead[key] = true
	}
	return false
}

// step searches on from question pos.
func (s *settler) step(pos int, cur []int, sums needSums) bool {
	q := &s.c.Questions[pos]
	cur[pos] = -1
	a := s.vals[pos]
	real := a >= 0 && a != q.unsure
	if !condsHold(q.conds, cur) {
		// Off the path: fine for a "Not sure", a contradiction for a real answer.
		return !real && s.search(pos+1, cur, sums)
	}
	if real {
		if q.gated && !condsHold(q.Options[a].conds, cur) {
			return false // the real answer would no longer be offered
		}
		cur[pos] = a
		sums.add(&q.Options[a])
		return s.search(pos+1, cur, sums)
	}
	// Open: "Not sure" (if it has one), or any real option offered.
	for i := range q.Options {
		o := &q.Options[i]
		if q.gated && !condsHold(o.conds, cur) {
			continue
		}
		cur[pos] = i
		next := sums
		next.add(o)
		if s.search(pos+1, cur, next) {
			return true
		}
	}
	cur[pos] = -1
	return false
}

// changes reports whether the complete settlement cur (an option index per position on its
// path, -1 off it) gives another outcome than the base.
func (s *settler) changes(cur []int) bool {
	sums, ok := s.c.sumsAt(cur, -1, -1)
	return ok && s.c.outcomeOf(&sums) != s.base
}

// branchKey packs the answers standing before pos at the positions some condition looks at (six
// bits each; branchKeys is false when they do not fit in 64 bits).
func (c *Content) branchKey(cur []int, pos int) uint64 {
	var k uint64
	for _, p := range c.branchPos {
		if p >= pos {
			break
		}
		k = k<<6 | uint64(cur[p]+1)
	}
	return k
}
