package decision

import (
	"fmt"
	"slices"
	"strings"
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

// forEachCombination calls fn with the replay of every reachable complete answer set (every
// option offered at its point on the path).
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
		for j := range q.Options {
			if !c.offered(&q.Options[j], answers) {
				continue
			}
			answers[q.ID] = q.Options[j].ID
			walk(i + 1)
		}
		delete(answers, q.ID)
	}
	walk(0)
}

// query names answers as the query string of their result URL, for violation messages.
func query(c *Content, a Answers) string { return "/result?" + c.Encode(a) }

// The tests' own reading of the answers, written from the article and the questions' wording
// rather than from the content's weights or rules.

// hasPages reports whether the visitor said the project has web pages of its own: what they are
// building, a real answer about search or rendering, an API only for "our own pages", or a web
// front end sharing code with the backend.
func hasPages(a Answers) bool {
	switch {
	case a["build"] == "site" || a["build"] == "app" || a["build"] == "platform":
		return true
	case a["seo"] == "critical" || a["seo"] == "helpful" || a["seo"] == "none":
		return true
	case a["render"] == "mixed" || a["render"] == "fast" || a["render"] == "client":
		return true
	}
	return a["api"] == "own" || a["share"] == "yes"
}

// noPages reports whether the visitor said the project has no web pages of its own.
func noPages(a Answers) bool {
	return a["build"] == "api" || a["seo"] == "nopages" || a["render"] == "nopages"
}

// backendJob reports whether the answers give the backend one of the jobs the article gives
// NestJS: "If you need to handle complex backend logic, REST APIs, GraphQL APIs, or real-time
// WebSockets, NestJS is built exactly for that"; "If your focus is backend development, scalable
// APIs and microservices - NestJS is the right choice". A backend only, called by other apps, is
// one too.
func backendJob(a Answers) bool {
	return a["build"] == "api" || a["logic"] == "complex" || a["growth"] == "services" ||
		a["api"] == "public" || a["api"] == "graphql" || a["realtime"] == "essential"
}

// lightBackend reports the backend the article gives API routes: "for smaller backend tasks it
// does the job just fine"; "a good match for things like form submissions, authentication, and
// fetching data from an external CMS or database".
func lightBackend(a Answers) bool {
	return a["logic"] == "simple" && (a["api"] == "own" || a["api"] == "none") && (a["realtime"] == "some" || a["realtime"] == "no")
}

// allUnsure reports whether every answer is "Not sure".
func allUnsure(c *Content, r *Replay) bool {
	for _, q := range r.Path {
		if !q.Option(r.Answers[q.ID]).Unsure {
			return false
		}
	}
	return true
}

// singleChangeFlips finds, by its own walk over every question and option, whether a single
// change (as Question.SingleChange defines it, and not one of what the project is) flips the
// outcome; it names one if so.
func singleChangeFlips(c *Content, r *Replay, res *Result) (string, bool) {
	var buf optionIndexes
	vals := c.indexes(r.Answers, &buf)
	for _, q := range r.Path {
		from := q.Option(r.Answers[q.ID])
		for i := range q.Options {
			to := &q.Options[i]
			if !q.SingleChange(from, to) || q.IsScope(from) || q.IsScope(to) {
				continue
			}
			if sums, ok := c.sumsAt(vals, q.Position, i); ok && c.outcomeOf(&sums) != res.Outcome {
				return q.ID + "=" + to.ID, true
			}
		}
	}
	return "", false
}

// settlementFlips looks, by brute force over option indexes, for a way of answering the
// replay's "Not sure" questions (and any question that brings onto the path) for real that keeps
// every real answer on the path and on offer and changes the outcome.
func settlementFlips(c *Content, r *Replay, base *Outcome) bool {
	var buf optionIndexes
	vals := c.indexes(r.Answers, &buf)
	cur := make([]int, len(c.Questions))
	var try func(pos int) bool
	try = func(pos int) bool {
		if pos == len(c.Questions) {
			sums, ok := c.sumsAt(cur, -1, -1)
			return ok && c.outcomeOf(&sums) != base
		}
		q := &c.Questions[pos]
		cur[pos] = -1
		real := vals[pos] >= 0 && !q.Options[vals[pos]].Unsure
		if !condsHold(q.conds, cur) {
			return !real && try(pos+1)
		}
		if real {
			cur[pos] = vals[pos]
			return condsHold(q.Options[vals[pos]].conds, cur) && try(pos+1)
		}
		for i := range q.Options {
			if condsHold(q.Options[i].conds, cur) {
				cur[pos] = i
				if try(pos + 1) {
					return true
				}
			}
		}
		cur[pos] = -1
		return false
	}
	return try(0)
}

// TestExhaustive evaluates every reachable answer combination and checks the rules the article
// states, the structural promises and the confidence's honesty. A violation names the answers
// as a result URL.
func TestExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive enumeration skipped in -short mode")
	}
	c := mustDefault(t)
	outcomes := map[string]int{}
	levels := map[string]int{}
	total, failures, settled := 0, 0, 0
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
		// The confidence level comes from the same allocation-free check Evaluate uses; every
		// 50th combination also gets the full result with its deciding changes, checked below,
		// and must agree.
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
			if (res.Confidence.Level == CloseCall || res.Confidence.Level == Undecided) && len(res.Confidence.Deciding) == 0 {
				fail(r, "%s names no deciding change", res.Confidence.Level)
			}
			for _, d := range res.Confidence.Deciding {
				if !d.Flips(res) || !d.Question.SingleChange(d.From, d.To) || (d.IsScope() && res.Confidence.Level != Undecided) {
					fail(r, "deciding change %s=%s is not a flipping single change", d.Question.ID, d.To.ID)
				}
			}
			if u := res.Confidence.Unsettled; u != nil && (len(u.Questions) == 0 || u.Example.Result == nil || !u.Example.Flips(res)) {
				fail(r, "the settlement it names does not change the outcome")
			}
		}
		a := r.Answers
		out := res.Outcome.ID
		outcomes[out]++
		levels[res.Confidence.Level]++
		if len(res.Reasons) != len(r.Path) {
			fail(r, "%d reasons for %d answers", len(res.Reasons), len(r.Path))
		}
		pages, none := hasPages(a), noPages(a)
		if pages && none {
			fail(r, "the answers say both that there are web pages and that there are none")
		}
		// "NestJS is strictly a backend framework": no pages of its own -> NestJS.
		if none && out != NestJS {
			fail(r, "no web pages of its own, but %s", out)
		}
		// Pages of its own -> Next.js or both, never NestJS alone: "Next.js is designed to render
		// web pages efficiently".
		if pages && out != NextJS && out != Both {
			fail(r, "a project with web pages got %s", out)
		}
		// "If server-side rendering (SSR), static site generation (SSG), and SEO optimization
		// are critical, Next.js is the way to go."
		if a["seo"] == "critical" && out != NextJS && out != Both {
			fail(r, "critical search visibility got %s", out)
		}
		// Pages plus any one backend job -> both: "If you need to handle complex backend logic,
		// REST APIs, GraphQL APIs, or real-time WebSockets, NestJS is built exactly for that";
		// "these API routes aren't a full replacement for a dedicated backend like NestJS".
		if pages && backendJob(a) && out != Both {
			fail(r, "pages and a backend job got %s", out)
		}
		// A backend job puts NestJS in the result, whatever is said of pages.
		if backendJob(a) && out != NestJS && out != Both {
			fail(r, "a backend job got %s", out)
		}
		// A light backend: "for smaller backend tasks it does the job just fine".
		if pages && lightBackend(a) && out != NextJS {
			fail(r, "pages with simple logic, an API only for its own pages (or none) and no central real-time got %s", out)
		}
		// Unknown is not "no": nothing said about pages never reads as "no pages".
		if !pages && !none && res.Need("frontend").State == StateUnmet {
			fail(r, "nothing was said about pages, yet the front-end need is not met rather than open")
		}
		// The words never contradict the answers: a backend job never reads "the backend work
		// you describe is the kind API routes carry", nor the Next.js outcome's "smaller backend
		// tasks".
		if backendJob(a) {
			for _, nv := range res.Deciding {
				if nv.Line() == nv.Need.Unmet && nv.Need.ID == "backend" {
					fail(r, "a backend job, yet the result says: %s", nv.Line())
				}
			}
			if strings.Contains(res.Outcome.Summary+res.Outcome.Explanation, "smaller backend tasks") {
				fail(r, "a backend job, yet the outcome says the backend is smaller tasks")
			}
		}
		// Every answer "Not sure": no framework.
		if allUnsure(c, r) && !res.Outcome.Undecided {
			fail(r, "every answer is Not sure, but the result is %s", out)
		}
		// An undecided result only while nothing names a framework: pages open and no backend job.
		if res.Outcome.Undecided && (pages || none || backendJob(a)) {
			fail(r, "undecided although the answers say enough to name a framework")
		}
		for _, nv := range res.Needs {
			if nv.Met != (nv.State == StateMet) || nv.Distance < 1 || (nv.State != StateOpen && nv.Met != (nv.Value >= nv.Threshold)) {
				fail(r, "need %s: %+v", nv.Need.ID, nv)
			}
		}
		// Confidence: close exactly when a single change flips it (undecided results have their
		// own level), and "Not sure" answers are blamed exactly when settling them can flip it.
		named, flips := singleChangeFlips(c, r, res)
		lvl := res.Confidence.Level
		switch {
		case res.Outcome.Undecided && lvl != Undecided, !res.Outcome.Undecided && lvl == Undecided:
			fail(r, "outcome %s with level %s", out, lvl)
		case res.Outcome.Undecided:
		case flips && lvl != CloseCall:
			fail(r, "%s, but the single change %s flips it", lvl, named)
		case !flips && lvl == CloseCall:
			fail(r, "close call with no single change that flips it")
		}
		if !res.Outcome.Undecided && res.Unsure > 0 && (res.Unsure <= 4 || total%7 == 0) {
			settled++
			if can := settlementFlips(c, r, res.Outcome); can != (res.Confidence.Unsettled != nil) {
				fail(r, "settling the Not sure answers can flip it: %v; the result says %v (%s: %s)", can, res.Confidence.Unsettled != nil, lvl, res.Confidence.Explanation)
			}
		}
		if lvl == Leaning && res.Confidence.Unsettled == nil || lvl == Clear && res.Confidence.Unsettled != nil {
			fail(r, "%s with Unsettled %v", lvl, res.Confidence.Unsettled)
		}
		if lvl == Clear && res.Unsure > 0 && !strings.Contains(res.Confidence.Explanation, "stays "+res.Outcome.Name) {
			fail(r, "clear with Not sure answers, but the text does not say they cannot change it: %s", res.Confidence.Explanation)
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
	t.Logf("%d combinations (%d settlements checked by brute force); outcomes %v; confidence %v", total, settled, outcomes, levels)
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
		{Answers{"build": "platform", "logic": "moderate", "growth": "small", "seo": "critical", "render": "fast", "api": "own", "realtime": "no", "team": "java", "share": "no", "quality": "no"}, NextJS, []string{"build", "growth", "seo", "render", "api"}, []string{"logic", "team"}},
		{Answers{"build": "notsure", "logic": "complex", "growth": "services", "seo": "notsure", "render": "notsure", "api": "public", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, NestJS, []string{"logic", "growth", "api"}, nil},
		{Answers{"build": "platform", "logic": "complex", "growth": "services", "seo": "helpful", "render": "client", "api": "own", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, Both, []string{"build", "logic", "growth", "seo", "render", "api"}, nil},
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
