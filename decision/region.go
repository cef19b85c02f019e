package decision

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Region is an outcome's part of the space of need states: a union of boxes, each naming the
// states it allows for some needs. In the content file it is one mapping
// (`{frontend: met, backend: [unmet, open]}`) or a list of them.
type Region struct {
	Boxes []Box
	// listed is set when the file wrote a list of boxes, so messages can point into it.
	listed bool
}

// Box maps need ids to the states a region allows for them.
type Box map[string]States

// States is one state or a list of them.
type States []string

// UnmarshalYAML reads a mapping or a sequence of mappings.
func (r *Region) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		var b Box
		if err := n.Decode(&b); err != nil {
			return err
		}
		r.Boxes = []Box{b}
	case yaml.SequenceNode:
		r.listed = true
		return n.Decode(&r.Boxes)
	default:
		return fmt.Errorf("line %d: when must be a mapping of need states or a list of them", n.Line)
	}
	return nil
}

// UnmarshalYAML reads a scalar or a sequence of scalars.
func (s *States) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = States{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*s = list
	return nil
}

// path is where box i's entry for need id stands in the file, for messages.
func (r *Region) path(outcome int, box int, id string) []any {
	if r.listed {
		return at("outcomes", outcome, "when", box, id)
	}
	return at("outcomes", outcome, "when", id)
}

// stateIndex numbers a combination of need states: digit i, base 3, is Needs[i]'s state in the
// order of needStates (unmet 0, met 1, open 2).
func stateDigit(state string) int {
	for d, s := range needStates {
		if s == state {
			return d
		}
	}
	return -1
}

// stateCount is how many combinations of states n needs have.
func stateCount(n int) int {
	k := 1
	for range n {
		k *= 3
	}
	return k
}

// statesOf spells out state index k for the content's needs.
func (c *Content) statesOf(k int) []string {
	out := make([]string, len(c.Needs))
	for i := range c.Needs {
		out[i] = needStates[k%3]
		k /= 3
	}
	return out
}

// covers reports whether the region holds the combination of need states with index k.
func (r *Region) covers(c *Content, k int) bool {
	states := c.statesOf(k)
	for _, b := range r.Boxes {
		in := true
		for id, allowed := range b {
			n := c.Need(id)
			if n == nil || !strings.Contains(" "+strings.Join(allowed, " ")+" ", " "+states[n.Position]+" ") {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

// describeStates names a combination of need states, e.g. "frontend met, backend open".
func (c *Content) describeStates(k int) string {
	states := c.statesOf(k)
	parts := make([]string, len(c.Needs))
	for i, n := range c.Needs {
		parts[i] = n.ID + " " + states[i]
	}
	return strings.Join(parts, ", ")
}

// StateCombination is one combination of need states and the outcome the content gives it.
type StateCombination struct {
	// States has one entry per need, in content order: "met", "unmet" or "open".
	States  []string
	Outcome *Outcome
}

// StateCombinations lists every combination of need states with its outcome, in index order:
// the whole map from needs to outcomes that the content's regions declare.
func (c *Content) StateCombinations() []StateCombination {
	out := make([]StateCombination, len(c.outcomeByState))
	for k, oi := range c.outcomeByState {
		out[k] = StateCombination{States: c.statesOf(k), Outcome: &c.Outcomes[oi]}
	}
	return out
}

// OutcomeForStates is the outcome of a combination of need states (one per need, in content
// order), or nil when states does not name one state per need.
func (c *Content) OutcomeForStates(states []string) *Outcome {
	if len(states) != len(c.Needs) {
		return nil
	}
	k, mul := 0, 1
	for _, s := range states {
		d := stateDigit(s)
		if d < 0 {
			return nil
		}
		k += d * mul
		mul *= 3
	}
	return &c.Outcomes[c.outcomeByState[k]]
}

// Describe puts the region in words with the needs' names, e.g. "web front end met and
// dedicated backend unmet or open; or web front end open".
func (r *Region) Describe(c *Content) string {
	var boxes []string
	for _, b := range r.Boxes {
		var conds []string
		for _, n := range c.Needs {
			allowed, ok := b[n.ID]
			if !ok {
				continue
			}
			words := make([]string, len(allowed))
			for i, s := range allowed {
				words[i] = StateWord(s)
			}
			conds = append(conds, strings.ToLower(n.Name)+" "+strings.Join(words, " or "))
		}
		if len(conds) == 0 {
			conds = []string{"any needs"}
		}
		boxes = append(boxes, strings.Join(conds, " and "))
	}
	return strings.Join(boxes, "; or ")
}

// StateWord is a need state as the pages say it.
func StateWord(state string) string {
	switch state {
	case StateMet:
		return "met"
	case StateUnmet:
		return "not met"
	case StateOpen:
		return "open"
	}
	return state
}

// RuleText says in words how need states give outcomes, from the content's regions.
func (c *Content) RuleText() string {
	parts := make([]string, len(c.Outcomes))
	for i := range c.Outcomes {
		o := &c.Outcomes[i]
		parts[i] = o.Name + " when " + o.When.Describe(c)
	}
	return "A need is open until an answer bears on it; then it is met when the evidence reaches its threshold. " + strings.Join(parts, "; ") + "."
}

// NeedLine is one need's standing in words, e.g. "Dedicated backend −14, threshold 10: not met,
// 24 short of Both." or "Web front end: open, no answer bears on it yet (met: Both; not met:
// NestJS)." An outcome is named only where the need's other state would change the result's.
func (c *Content) NeedLine(res *Result, nv *NeedValue) string {
	other := func(state string) *Outcome {
		states := make([]string, len(res.Needs))
		for i := range res.Needs {
			states[i] = res.Needs[i].State
		}
		states[nv.Need.Position] = state
		if o := c.OutcomeForStates(states); o != nil && o != res.Outcome {
			return o
		}
		return nil
	}
	switch nv.State {
	case StateMet:
		return fmt.Sprintf("%s %s, threshold %d: met.", nv.Need.Name, signed(nv.Value), nv.Threshold)
	case StateUnmet:
		l := fmt.Sprintf("%s %s, threshold %d: not met", nv.Need.Name, signed(nv.Value), nv.Threshold)
		if o := other(StateMet); o != nil {
			l += fmt.Sprintf(", %d short of %s", nv.Threshold-nv.Value, o.Name)
		}
		return l + "."
	}
	l := nv.Need.Name + ": open, no answer bears on it yet"
	var ifs []string
	if o := other(StateMet); o != nil {
		ifs = append(ifs, "met, it would be "+o.Name)
	}
	if o := other(StateUnmet); o != nil {
		ifs = append(ifs, "not met, "+o.Name)
	}
	if len(ifs) > 0 {
		l += " (" + strings.Join(ifs, "; ") + ")"
	}
	return l + "."
}

// signed writes a number with a true minus sign, as the pages print evidence.
func signed(n int) string {
	if n < 0 {
		return fmt.Sprintf("−%d", -n)
	}
	return fmt.Sprint(n)
}
