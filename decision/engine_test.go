package decision

import (
	"fmt"
	"slices"
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

// query names answers as the query string of their result URL, for violation messages.
func query(c *Content, a Answers) string { return "/result?" + c.Encode(a) }

// pageQuestions are the questions whose real answers say the project has web pages of its own
// (when the project itself is "not sure yet").
var pageQuestions = []string{"seo", "render"}

// hasPages reports whether the answers describe a project with web pages of its own.
func hasPages(a Answers) bool {
	switch a["build"] {
	case "site", "app", "platform":
		return true
	case "notsure":
		for _, id := range pageQuestions {
			if a[id] != "notsure" {
				return true
			}
		}
	}
	return false
}

// singleChangeFlips finds, by its own walk over every non-scope question and option, whether a
// single change (as Question.SingleChange defines it) flips the outcome; it names one if so.
func singleChangeFlips(c *Content, r *Replay, res *Result) (string, bool) {
	var buf optionIndexes
	vals := c.indexes(r.Answers, &buf)
	for _, q := range r.Path {
		if q.Scope {
			continue
		}
		from := q.Option(r.Answers[q.ID])
		for i := range q.Options {
			to := &q.Options[i]
			if !q.SingleChange(from, to) {
				continue
			}
			if sums, ok := c.sumsAt(vals, q.Position, i); ok && c.Outcomes[c.outcomeByMask[c.mask(&sums)]].ID != res.Outcome.ID {
				return q.ID + "=" + to.ID, true
			}
		}
	}
	return "", false
}

// TestExhaustive evaluates every reachable answer combination and checks the rules the article
// states, monotonicity, the structural promises and the confidence's consistency. A violation
// names the answers as a result URL.
func TestExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive enumeration skipped in -short mode")
	}
	c := mustDefault(t)
	outcomes := map[string]int{}
	levels := map[string]int{}
	total, failures := 0, 0
	var valsBuf optionIndexes
	fail := func(r *Replay, format string, args ...any) {
		failures++
		if failures <= 20 {
			t.Errorf("%s: %s", query(c, r.Answers), fmt.Sprintf(format, args...))
		}
	}
	forEachCombination(c, func(r *Replay) {
		total++
		if !r.Complete() || len(r.Invalid) > 0 || len(r.Dropped) > 0 {
			t.Fatalf("combination %v: replay not clean: next=%v invalid=%v dropped=%v", r.Answers, r.Next, r.Invalid, r.Dropped)
		}
		// The confidence level comes from the same allocation-free flip check Evaluate uses;
		// every 50th combination also gets the full result with its deciding changes, checked
		// below, and must agree.
		res, err := c.evaluate(r)
		if err != nil {
			t.Fatalf("combination %v: %v", r.Answers, err)
		}
		c.confide(r, res, false)
		if total%50 == 0 {
			full, _ := c.Evaluate(r)
			if full.Confidence.Level != res.Confidence.Level || full.Outcome != res.Outcome {
				fail(r, "Evaluate says %s/%s, the quick check %s/%s", full.Outcome.ID, full.Confidence.Level, res.Outcome.ID, res.Confidence.Level)
			}
			res = full
			if res.Confidence.Level == CloseCall && len(res.Confidence.Deciding) == 0 {
				fail(r, "close call names no deciding change")
			}
		}
		a := r.Answers
		out := res.Outcome.ID
		outcomes[out]++
		levels[res.Confidence.Level]++
		if len(res.Reasons) != len(r.Path) {
			fail(r, "%d reasons for %d answers", len(res.Reasons), len(r.Path))
		}
		pages := hasPages(a)
		// "NestJS is strictly a backend framework": no pages of its own -> NestJS.
		if !pages && out != NestJS {
			fail(r, "no web pages of its own, but %s", out)
		}
		// Any project with pages -> Next.js or both, never NestJS alone.
		if pages && out == NestJS {
			fail(r, "a project with web pages got NestJS alone")
		}
		// "If server-side rendering (SSR), static site generation (SSG), and SEO optimization
		// are critical, Next.js is the way to go."
		if a["seo"] == "critical" && out == NestJS {
			fail(r, "critical search visibility got NestJS")
		}
		if pages && a["logic"] == "complex" {
			// Complex logic with microservices or an API for other apps: "NestJS as the backend,
			// handling APIs and business logic, and Next.js as the frontend".
			if (a["growth"] == "services" || a["api"] == "public") && out != Both {
				fail(r, "pages, complex logic and microservices or a public API got %s", out)
			}
			// "complex backend logic ... or real-time WebSockets, NestJS is built exactly for that"
			if a["realtime"] == "essential" && out != Both {
				fail(r, "pages, complex logic and central real-time got %s", out)
			}
		}
		// A light backend: "for smaller backend tasks it does the job just fine".
		if pages && a["logic"] == "simple" && (a["api"] == "own" || a["api"] == "none") && a["realtime"] != "essential" && out != NextJS {
			fail(r, "pages with simple logic, an API only for its own pages (or none) and no central real-time got %s", out)
		}
		// The needs are what their evidence says.
		for _, nv := range res.Needs {
			if nv.Met != (nv.Value >= nv.Threshold) || nv.Distance < 1 {
				fail(r, "need %s: %+v", nv.Need.ID, nv)
			}
		}
		// Confidence: close call exactly when a single change flips it, and then it is named.
		named, flips := singleChangeFlips(c, r, res)
		switch lvl := res.Confidence.Level; {
		case flips && lvl != CloseCall:
			fail(r, "%s, but the single change %s flips it", lvl, named)
		case !flips && lvl == CloseCall:
			fail(r, "close call with no single change that flips it")
		case lvl == Clear && (res.Answered < c.Confidence.MinAnswered || res.Unsure > c.Confidence.MaxUnsure):
			fail(r, "clear with %d real and %d unsure answers", res.Answered, res.Unsure)
		case lvl == Leaning && res.Answered >= c.Confidence.MinAnswered && res.Unsure <= c.Confidence.MaxUnsure:
			fail(r, "leaning with enough firm answers")
		}
		for _, d := range res.Confidence.Deciding {
			if d.Question.Scope || !d.Flips(res) || !d.Question.SingleChange(d.From, d.To) {
				fail(r, "deciding change %s=%s is not a flipping single change", d.Question.ID, d.To.ID)
			}
		}
		// Monotonic: more evidence for a need never moves the outcome away from that need.
		// Raising backend evidence never turns both into Next.js; raising front-end evidence
		// never turns Next.js or both into NestJS. Checked for every change of one answer that
		// lowers no need's evidence.
		vals := c.indexes(a, &valsBuf)
		for _, q := range r.Path {
			for i := range q.Options {
				if q.Options[i].ID == a[q.ID] {
					continue
				}
				alt, ok := c.sumsAt(vals, q.Position, i)
				if !ok {
					continue
				}
				higher := true
				for j, nv := range res.Needs {
					higher = higher && alt[j] >= nv.Value
				}
				if !higher {
					continue
				}
				if to := c.Outcomes[c.outcomeByMask[c.mask(&alt)]].ID; (out == Both && to != Both) || (out == NextJS && to == NestJS) {
					fail(r, "changing %s to %s lowers no need's evidence, but turns %s into %s", q.ID, q.Options[i].ID, out, to)
				}
			}
		}
		// Rows decided: only rows of answers that support the outcome with evidence.
		for _, row := range res.Rows {
			ok := false
			for _, rs := range res.Reasons {
				ok = ok || (rs.Stance == Supports && rs.Weight > 0 && slices.Contains(rs.Option.Rows, row.ID))
			}
			if !ok {
				fail(r, "row %s marked as deciding without a supporting answer", row.ID)
			}
		}
	})
	for _, o := range c.Outcomes {
		if outcomes[o.ID] == 0 {
			t.Errorf("outcome %q is never recommended", o.ID)
		}
	}
	for _, l := range c.Confidence.Levels {
		if levels[l.ID] == 0 {
			t.Errorf("confidence %q is never reached", l.ID)
		}
	}
	if failures > 0 {
		t.Errorf("%d violations in %d combinations", failures, total)
	}
	t.Logf("%d combinations; outcomes %v; confidence %v", total, outcomes, levels)
}

// TestExamples checks every worked example in the content against the engine.
func TestExamples(t *testing.T) {
	c := mustDefault(t)
	kinds := map[string]int{}
	for _, e := range c.Examples {
		kinds[e.Kind]++
		r := c.Replay(e.Answers)
		res, err := c.Evaluate(&r)
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		if res.Outcome.ID != e.Outcome || res.Confidence.Level != e.Confidence {
			t.Errorf("example %s (%s): got %s/%s, content says %s/%s", e.ID, query(c, e.Answers), res.Outcome.ID, res.Confidence.Level, e.Outcome, e.Confidence)
		}
	}
	if kinds["typical"] < 7 || kinds["case-study"] < 2 {
		t.Errorf("examples %v: want the seven typical projects and the two case studies", kinds)
	}
	for _, id := range []string{"delivery-app", "ikea-validation"} {
		if c.Example(id) == nil {
			t.Errorf("case study %q is missing (the start page links it)", id)
		}
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	c := mustDefault(t)
	raw := map[string]string{"build": "platform", "logic": "complex", "growth": "services", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "team": "fullstack", "share": "yes", "quality": "helpful"}
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
	s := []string{r.Outcome.ID, r.Confidence.Label}
	for _, nv := range r.Needs {
		s = append(s, fmt.Sprint(nv.Need.ID, nv.Value))
	}
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

// TestSingleChange pins what one plausible step is.
func TestSingleChange(t *testing.T) {
	c := mustDefault(t)
	logic, team := c.Question("logic"), c.Question("team")
	tests := []struct {
		q        *Question
		from, to string
		want     bool
	}{
		{logic, "complex", "moderate", true},
		{logic, "complex", "simple", false},
		{logic, "simple", "moderate", true},
		{logic, "notsure", "simple", true},
		{logic, "moderate", "notsure", false},
		{team, "react", "java", true},
		{team, "react", "notsure", false},
		{team, "react", "react", false},
	}
	for _, tt := range tests {
		if got := tt.q.SingleChange(tt.q.Option(tt.from), tt.q.Option(tt.to)); got != tt.want {
			t.Errorf("%s %s -> %s: %v, want %v", tt.q.ID, tt.from, tt.to, got, tt.want)
		}
	}
}

// TestStances pins how evidence relates to each outcome: for Both all evidence supports; for
// Next.js front-end evidence supports and backend evidence counts against; for NestJS backend
// evidence supports and front-end evidence counts against. Rows marked as deciding come only
// from supporting answers.
func TestStances(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		answers       Answers
		want          string
		supports, ags []string // question ids
	}{
		{Answers{"build": "platform", "logic": "moderate", "growth": "small", "seo": "critical", "render": "fast", "api": "own", "realtime": "no", "team": "java", "share": "no", "quality": "no"}, NextJS, []string{"build", "seo", "render"}, []string{"logic", "team"}},
		{Answers{"build": "notsure", "logic": "complex", "growth": "services", "seo": "notsure", "render": "notsure", "api": "public", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, NestJS, []string{"logic", "growth", "api"}, []string{"build"}},
		{Answers{"build": "platform", "logic": "complex", "growth": "services", "seo": "helpful", "render": "client", "api": "own", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, Both, []string{"build", "logic", "growth", "seo", "render"}, nil},
	}
	for _, tt := range tests {
		r := c.Replay(tt.answers)
		res, err := c.Evaluate(&r)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome.ID != tt.want {
			t.Fatalf("%s: got %s, want %s", query(c, tt.answers), res.Outcome.ID, tt.want)
		}
		var sup, ag []string
		for _, rs := range res.Reasons {
			switch rs.Stance {
			case Supports:
				sup = append(sup, rs.Question.ID)
			case Against:
				ag = append(ag, rs.Question.ID)
			}
			if len(rs.Effects) != len(c.Needs) {
				t.Errorf("%s: %d effects", rs.Question.ID, len(rs.Effects))
			}
		}
		slices.Sort(sup)
		slices.Sort(ag)
		want, wantAg := slices.Clone(tt.supports), slices.Clone(tt.ags)
		slices.Sort(want)
		slices.Sort(wantAg)
		if !slices.Equal(sup, want) || !slices.Equal(ag, wantAg) {
			t.Errorf("%s (%s): supports %v against %v; want %v and %v", query(c, tt.answers), tt.want, sup, ag, want, wantAg)
		}
	}
}
