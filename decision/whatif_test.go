package decision

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// explain writes a result's reasons, counterfactuals and open questions as stable text.
func explain(c *Content, answers Answers) string {
	r := c.Replay(answers)
	res, err := c.Evaluate(&r)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "recommendation: %s (%s, margin %d;", res.Outcome.ID, res.Confidence.Label, res.Margin)
	for _, nv := range res.Needs {
		fmt.Fprintf(&b, " %s %d/%d met=%v", nv.Need.ID, nv.Value, nv.Threshold, nv.Met)
	}
	fmt.Fprintf(&b, "; %d real, %d unsure)\n", res.Answered, res.Unsure)
	for _, d := range res.Confidence.Deciding {
		fmt.Fprintf(&b, "deciding %s=%s (was %s) -> %s\n", d.Question.ID, d.To.ID, d.From.ID, d.Result.Outcome.ID)
	}
	stances := []string{"for", "against", "neither"}
	for _, rs := range res.Reasons {
		fmt.Fprintf(&b, "reason %-7s %-8s = %-9s", stances[rs.Stance], rs.Question.ID, rs.Option.ID)
		for _, e := range rs.Effects {
			fmt.Fprintf(&b, " %s+%d", e.Need.ID, e.Amount)
		}
		fmt.Fprintf(&b, " weight=%d\n", rs.Weight)
	}
	for _, a := range c.ScopeChanges(&r, res) {
		fmt.Fprintf(&b, "if the project were %s=%s -> %s\n", a.Question.ID, a.To.ID, a.Result.Outcome.ID)
	}
	cfs := c.Counterfactuals(&r, res)
	if len(cfs) == 0 {
		b.WriteString("robust to any single answer\n")
	}
	for _, a := range cfs {
		fmt.Fprintf(&b, "if %s=%s (was %s) -> %s (margin %d)", a.Question.ID, a.To.ID, a.From.ID, a.Result.Outcome.ID, a.Result.Margin)
		for _, o := range a.Opened {
			fmt.Fprintf(&b, " [opens %s]", o.ID)
		}
		b.WriteString("\n")
	}
	for _, oq := range c.OpenQuestions(&r, res) {
		fmt.Fprintf(&b, "open %s:", oq.Question.ID)
		for _, a := range oq.Alternatives {
			fmt.Fprintf(&b, " %s->%s", a.To.ID, a.Result.Outcome.ID)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestExplanationsGolden pins reasons, counterfactuals and open questions for every persona and
// worked example.
// Run `go test ./decision/ -run Golden -update` after an intended content change, and review the diff.
func TestExplanationsGolden(t *testing.T) {
	c := mustDefault(t)
	var b strings.Builder
	for _, p := range personas {
		fmt.Fprintf(&b, "## %s\n%s\n", p.name, explain(c, p.answers))
	}
	for _, e := range c.Examples {
		fmt.Fprintf(&b, "## example %s: %s\n%s\n", e.ID, e.Title, explain(c, e.Answers))
	}
	path := filepath.Join("testdata", "golden", "explanations.txt")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("explanations differ from %s (run with -update and review the diff):\n%s", path, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b))
		}
	}
	return strings.Join(out, "\n")
}

// TestCounterfactualsHold: on a deterministic sample of every reachable combination, each stated
// counterfactual really yields its recommendation when its answers are replayed afresh, and each
// open question's alternatives are complete results.
func TestCounterfactualsHold(t *testing.T) {
	c := mustDefault(t)
	step := 97
	if testing.Short() {
		step = 4099
	}
	n, checked := 0, 0
	forEachCombination(c, func(r *Replay) {
		n++
		if n%step != 0 {
			return
		}
		checked++
		base, _ := c.Evaluate(r)
		for _, a := range c.Counterfactuals(r, base) {
			rp := c.Replay(a.Answers)
			res, err := c.Evaluate(&rp)
			if err != nil {
				t.Fatalf("%v: counterfactual %s=%s does not replay to a result: %v", r.Answers, a.Question.ID, a.To.ID, err)
			}
			if res.Outcome != a.Result.Outcome || res.Outcome == base.Outcome {
				t.Fatalf("%v: counterfactual %s=%s states %s, replay gives %s (base %s)", r.Answers, a.Question.ID, a.To.ID, a.Result.Outcome.ID, res.Outcome.ID, base.Outcome.ID)
			}
			if rp.Answers[a.Question.ID] != a.To.ID {
				t.Fatalf("counterfactual answers lost the changed answer")
			}
		}
		for _, oq := range c.OpenQuestions(r, base) {
			if !oq.Question.Option(r.Answers[oq.Question.ID]).Unsure {
				t.Fatalf("open question %s was not answered unsure", oq.Question.ID)
			}
		}
	})
	t.Logf("checked %d of %d combinations", checked, n)
}

func TestRobustResultHasNoCounterfactuals(t *testing.T) {
	c := mustDefault(t)
	r := c.Replay(Answers{"build": "api", "logic": "complex", "growth": "services", "realtime": "essential", "team": "java", "quality": "essential"})
	res, _ := c.Evaluate(&r)
	if cfs := c.Counterfactuals(&r, res); len(cfs) != 0 {
		t.Fatalf("a backend-only, all-NestJS project should be robust; got %d flips, first %s=%s", len(cfs), cfs[0].Question.ID, cfs[0].To.ID)
	}
}

func TestChangeThatOpensQuestionAnswersItUnsure(t *testing.T) {
	c := mustDefault(t)
	answers := Answers{"build": "site", "logic": "simple", "seo": "critical", "render": "fast", "api": "own", "realtime": "no", "team": "react", "share": "no", "quality": "no"}
	r := c.Replay(answers)
	for _, a := range c.Alternatives(&r, c.Question("logic")) {
		if a.To.ID == "complex" {
			if len(a.Opened) != 1 || a.Opened[0].ID != "growth" || a.Answers["growth"] != "notsure" {
				t.Fatalf("logic=complex should open growth answered notsure; opened %v answers %v", a.Opened, a.Answers)
			}
			return
		}
	}
	t.Fatal("no alternative for logic=complex")
}
