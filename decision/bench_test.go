package decision

import (
	"net/url"
	"reflect"
	"testing"
)

// Micro-benchmarks for the request hot path. They report time and allocations only; they assert
// correctness of what they measure, never wall-clock time. Run:
//
//	go test ./decision/ -run '^$' -bench . -benchmem

// benchAnswers are the answer sets the benchmarks use: a long path with no open question, and a
// long path with many "Not sure" answers (the worst case for open questions and counterfactuals).
var benchAnswers = []struct {
	name    string
	answers Answers
}{
	{"platform", Answers{"build": "platform", "logic": "complex", "growth": "monolith", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "team": "fullstack", "share": "yes", "quality": "helpful"}},
	{"unsure", Answers{"build": "site", "logic": "notsure", "growth": "small", "seo": "critical", "render": "mixed", "api": "none", "realtime": "no", "team": "notsure", "share": "notsure", "quality": "notsure"}},
}

func benchContent(b *testing.B) *Content {
	b.Helper()
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkDefault is start-up work: decode the embedded YAML, validate it, index it.
func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embeddedContent)))
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplay(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rp := c.Replay(tc.answers)
				if !rp.Complete() {
					b.Fatal("incomplete")
				}
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		rp := c.Replay(tc.answers)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Evaluate(&rp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCounterfactuals(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		rp := c.Replay(tc.answers)
		res, err := c.Evaluate(&rp)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Counterfactuals(&rp, res)
			}
		})
	}
}

// BenchmarkOpenQuestions is what the result page needs of open questions: the alternatives that
// change the recommendation.
func BenchmarkOpenQuestions(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		rp := c.Replay(tc.answers)
		res, err := c.Evaluate(&rp)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.OpenQuestions(&rp, res)
			}
		})
	}
}

// BenchmarkResultEngine is the engine work a result page needs: replay the answers, evaluate
// them, every counterfactual, and the open questions with the answers that would change it.
func BenchmarkResultEngine(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rp := c.Replay(tc.answers)
				res, err := c.Evaluate(&rp)
				if err != nil {
					b.Fatal(err)
				}
				c.Counterfactuals(&rp, res)
				c.OpenQuestions(&rp, res)
			}
		})
	}
}

// TestOpenQuestionsListWhatChangesIt, on a sample of every answer combination: each "Not sure"
// answer is an open question, listed with exactly those of its question's alternatives that
// change the recommendation.
func TestOpenQuestionsListWhatChangesIt(t *testing.T) {
	c := mustDefault(t)
	step := 251
	if testing.Short() {
		step = 4999
	}
	n := 0
	forEachCombination(c, func(r *Replay) {
		if n++; n%step != 0 {
			return
		}
		base, err := c.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		open := c.OpenQuestions(r, base)
		if len(open) != base.Unsure {
			t.Fatalf("%v: %d open questions for %d Not sure answers", r.Answers, len(open), base.Unsure)
		}
		for _, oq := range open {
			var want []string
			for _, a := range c.Alternatives(r, oq.Question) {
				if a.Result.Outcome != base.Outcome {
					want = append(want, a.To.ID)
				}
			}
			var got []string
			for _, a := range oq.Alternatives {
				got = append(got, a.To.ID)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%v: open question %s lists %v, the answers that change it are %v", r.Answers, oq.Question.ID, got, want)
			}
		}
	})
}

func BenchmarkParseState(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		q, err := url.ParseQuery(c.Encode(tc.answers))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s := c.ParseState(q); len(s.Raw) != len(tc.answers) {
					b.Fatalf("parsed %d answers, want %d", len(s.Raw), len(tc.answers))
				}
			}
		})
	}
	// The whole decode a handler does: parse the raw query string, then read the state.
	b.Run("query", func(b *testing.B) {
		raw := c.Encode(benchAnswers[0].answers)
		b.ReportAllocs()
		for b.Loop() {
			q, _ := url.ParseQuery(raw)
			c.ParseState(q)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	c := benchContent(b)
	for _, tc := range benchAnswers {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Encode(tc.answers)
			}
		})
	}
}
