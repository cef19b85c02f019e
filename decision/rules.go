package decision

import (
	"fmt"
	"slices"
	"strings"
)

// The article's rules as data: each names a kind of project by its answers and the outcomes such
// a project may get. The validator walks every reachable complete answer set and rejects content
// whose outcome for some answer set breaks a rule, naming the rule's line and the answers.

// compiledRule is a rule by positions: all groups must hold, a group holds when any clause does.
type compiledRule struct {
	groups  [][][]cond
	allowed []bool // by outcome index
}

func (v *validator) validateRules() {
	c := v.c
	seen := map[string]bool{}
	for i, r := range c.Rules {
		rp := func(rest ...any) []any { return append([]any{"rules", i}, rest...) }
		if v.checkID(rp("id"), "rule", r.ID) {
			if seen[r.ID] {
				v.addf(rp("id"), "rule id %q is used twice", r.ID)
			}
			seen[r.ID] = true
		}
		v.required(rp("text"), "rule "+r.ID+" text", r.Text)
		v.required(rp("quote"), "rule "+r.ID+" quote", r.Quote)
		v.sectionRef(rp("section"), "rule "+r.ID, r.Section)
		if len(r.If) == 0 {
			v.addf(rp("if"), "rule %q has no if: it must say which projects it is about", r.ID)
		}
		for g, group := range r.If {
			if len(group) == 0 {
				v.addf(rp("if", g), "rule %q: an if group lists no clauses", r.ID)
			}
			for k, clause := range group {
				if len(clause) == 0 {
					v.addf(rp("if", g, k), "rule %q: a clause names no question", r.ID)
				}
				for _, qid := range sortedKeys(clause) {
					q := c.Question(qid)
					if q == nil {
						v.addf(rp("if", g, k, qid), "rule %q refers to question %q, which does not exist", r.ID, qid)
						continue
					}
					for j, oid := range clause[qid] {
						if q.Option(oid) == nil {
							v.addf(rp("if", g, k, qid, j), "rule %q refers to answer %q, which question %q does not have", r.ID, oid, qid)
						}
					}
				}
			}
		}
		if len(r.Then) == 0 {
			v.addf(rp("then"), "rule %q lists no outcomes", r.ID)
		}
		for j, id := range r.Then {
			if c.Outcome(id) == nil {
				v.addf(rp("then", j), "rule %q: outcome %q does not exist", r.ID, id)
			}
		}
	}
}

// checkRules walks every reachable complete answer set and reports, for each rule, the first
// answer set whose outcome the rule does not allow.
func (v *validator) checkRules() {
	c := v.c
	if len(c.Rules) == 0 {
		return
	}
	rules := make([]compiledRule, len(c.Rules))
	// Questions no rule and no condition looks at matter only through their evidence: options
	// with the same evidence are walked once.
	looked := make([]bool, len(c.Questions))
	for _, p := range c.branchPos {
		looked[p] = true
	}
	for i := range c.Questions {
		looked[i] = looked[i] || c.Questions[i].gated
	}
	for i, r := range c.Rules {
		cr := compiledRule{allowed: make([]bool, len(c.Outcomes))}
		for _, id := range r.Then {
			cr.allowed[c.outcomeIndex[id]] = true
		}
		for _, group := range r.If {
			var clauses [][]cond
			for _, clause := range group {
				clauses = append(clauses, c.conditions(clause))
				for qid := range clause {
					looked[c.questionIndex[qid]] = true
				}
			}
			cr.groups = append(cr.groups, clauses)
		}
		rules[i] = cr
	}
	walked := make([][]int, len(c.Questions))
	for i := range c.Questions {
		q := &c.Questions[i]
		for j := range q.Options {
			if looked[i] || !slices.ContainsFunc(walked[i], func(k int) bool { return slices.Equal(q.Options[k].weights, q.Options[j].weights) }) {
				walked[i] = append(walked[i], j)
			}
		}
	}
	broken := make([]string, len(rules))
	cur := make([]int, len(c.Questions))
	var walk func(pos int, sums needSums)
	walk = func(pos int, sums needSums) {
		if pos == len(c.Questions) {
			oi := c.outcomeByState[c.state(&sums)]
			for i := range rules {
				if broken[i] == "" && !rules[i].allowed[oi] && rules[i].holds(cur) {
					broken[i] = c.describeAnswers(cur) + " gives " + c.Outcomes[oi].ID
				}
			}
			return
		}
		q := &c.Questions[pos]
		cur[pos] = -1
		if !condsHold(q.conds, cur) {
			walk(pos+1, sums)
			return
		}
		for _, j := range walked[pos] {
			if q.gated && !condsHold(q.Options[j].conds, cur) {
				continue
			}
			cur[pos] = j
			next := sums
			next.add(&q.Options[j])
			walk(pos+1, next)
		}
		cur[pos] = -1
	}
	walk(0, needSums{})
	for i, b := range broken {
		if b != "" {
			r := c.Rules[i]
			v.addf(at("rules", i), "rule %q (%s) is broken: %s, which the rule does not allow (%s)", r.ID, r.Text, b, strings.Join(r.Then, " or "))
		}
	}
}

func (r *compiledRule) holds(cur []int) bool {
	for _, group := range r.groups {
		if !slices.ContainsFunc(group, func(clause []cond) bool { return condsHold(clause, cur) }) {
			return false
		}
	}
	return true
}

// describeAnswers names answers by position as a query string, e.g. "build=site&logic=complex".
func (c *Content) describeAnswers(cur []int) string {
	var parts []string
	for i, a := range cur {
		if a >= 0 {
			parts = append(parts, fmt.Sprintf("%s=%s", c.Questions[i].ID, c.Questions[i].Options[a].ID))
		}
	}
	return strings.Join(parts, "&")
}
