package decision

import (
	"fmt"
	"testing"
)

func mustDefault(t testing.TB) *Content {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("embedded content: %v", err)
	}
	return c
}

// forEachCombination calls fn with the replay of every reachable complete answer set.
func forEachCombination(c *Content, fn func(r *Replay)) {
	answers := Answers{}
	var walk func(i int)
	walk = func(i int) {
		if i == len(c.Questions) {
			r := c.Replay(answers)
			fn(&r)
			return
		}
		q := &c.Questions[i]
		if !c.shown(q, answers) {
			walk(i + 1)
			return
		}
		for _, o := range q.Options {
			answers[q.ID] = o.ID
			walk(i + 1)
		}
		delete(answers, q.ID)
	}
	walk(0)
}

// TestExhaustive evaluates every reachable answer combination: each ends in a result, nothing
// panics, every outcome and confidence level is reached, and the structural promises hold.
func TestExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive enumeration skipped in -short mode")
	}
	c := mustDefault(t)
	outcomes := map[string]int{}
	levels := map[string]int{}
	total := 0
	forEachCombination(c, func(r *Replay) {
		total++
		if !r.Complete() || len(r.Invalid) > 0 || len(r.Dropped) > 0 {
			t.Fatalf("combination %v: replay not clean: next=%v invalid=%v dropped=%v", r.Answers, r.Next, r.Invalid, r.Dropped)
		}
		res, err := c.Evaluate(r)
		if err != nil {
			t.Fatalf("combination %v: %v", r.Answers, err)
		}
		outcomes[res.Outcome.ID]++
		levels[res.Confidence.Label]++
		if len(res.Reasons) != len(r.Path) {
			t.Fatalf("combination %v: %d reasons for %d answers", r.Answers, len(res.Reasons), len(r.Path))
		}
		// A backend-only project has no web front end: Next.js alone or both would contradict it.
		if r.Answers["build"] == "api" && res.Outcome.ID != NestJS {
			t.Fatalf("combination %v: backend-only project recommended %s", r.Answers, res.Outcome.ID)
		}
		// Both means strong needs on both sides.
		if res.Outcome.ID == Both && (res.Fit[NestJS] < c.Rules.BothAtLeast || res.Fit[NextJS] < c.Rules.BothAtLeast) {
			t.Fatalf("combination %v: both recommended with fit %v", r.Answers, res.Fit)
		}
	})
	for _, o := range c.Outcomes {
		if outcomes[o.ID] == 0 {
			t.Errorf("outcome %q is never recommended", o.ID)
		}
	}
	for _, l := range c.Rules.Confidence {
		if levels[l.Label] == 0 {
			t.Errorf("confidence %q is never reached", l.Label)
		}
	}
	t.Logf("%d combinations; outcomes %v; confidence %v", total, outcomes, levels)
}

func TestEvaluateDeterministic(t *testing.T) {
	c := mustDefault(t)
	raw := map[string]string{"build": "platform", "logic": "complex", "growth": "services", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "deploy": "servers", "team": "fullstack", "share": "yes", "quality": "helpful"}
	r := c.Replay(raw)
	first, err := c.Evaluate(&r)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		r2 := c.Replay(raw)
		again, _ := c.Evaluate(&r2)
		if fmt.Sprint(summary(again)) != fmt.Sprint(summary(first)) {
			t.Fatalf("results differ: %v vs %v", summary(again), summary(first))
		}
	}
}

func summary(r *Result) []string {
	s := []string{r.Outcome.ID, r.Confidence.Label, fmt.Sprint(r.Fit)}
	for _, rs := range r.Reasons {
		s = append(s, rs.Question.ID)
	}
	return s
}

func TestEvaluateIncomplete(t *testing.T) {
	c := mustDefault(t)
	r := c.Replay(map[string]string{"build": "site"})
	if _, err := c.Evaluate(&r); err != ErrIncomplete {
		t.Fatalf("got %v, want ErrIncomplete", err)
	}
}
