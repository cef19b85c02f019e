package decision

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestMinimalFixtureIsValid(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("minimal.yaml", data)
	if err != nil {
		t.Fatalf("minimal fixture should be valid: %v", err)
	}
	if lo, hi := c.PathLengths(); lo != 2 || hi != 3 {
		t.Fatalf("path lengths %d..%d, want 2..3", lo, hi)
	}
}

// TestValidatorRejectsBrokenContent breaks the minimal fixture one rule at a time; each message
// must name the file and the line of the broken part.
func TestValidatorRejectsBrokenContent(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(data)
	// at is a piece of the broken text: the problem must be reported on the line where it stands.
	tests := []struct {
		name     string
		old, new string
		at       string
		msg      string
	}{
		{"unknown field", "    text: \"Does SEO matter?\"", "    text: \"Does SEO matter?\"\n    colour: red", "colour: red", "field colour not found"},
		{"yaml syntax", "    text: \"Real-time?\"", "    text: \"Real-time?\"\n\twhy: tab", "\twhy: tab", "cannot start any token"},
		{"duplicate question id", "  - id: live", "  - id: build", "  - id: build\n    text: \"Real", `question id "build" is used twice`},
		{"duplicate option id", "      - id: site", "      - id: api", "      - id: api\n        label: \"A site", `option id "api" is used twice`},
		{"bad question id", "  - id: live", "  - id: Live Now", "Live Now", `question id "Live Now" must be`},
		{"reserved question id", "  - id: live", "  - id: v", "id: v", "reserved"},
		{"unknown section", "    why_section: two", "    why_section: three", "three", `section "three", which does not exist`},
		{"unknown table row", "        rows: [what]\n        answer_phrase: \"you build a site\"", "        rows: [how]\n        answer_phrase: \"you build a site\"", "how]", `table row "how"`},
		{"show_if unknown question", "show_if: {build: [site]}", "show_if: {built: [site]}", "built", `refers to question "built"`},
		{"show_if unknown answer", "show_if: {build: [site]}", "show_if: {build: [shop]}", "shop", `answer "shop"`},
		{"show_if forward reference", "show_if: {build: [site]}", "show_if: {live: [\"yes\"]}", "live: [", `comes later`},
		{"missing reason", "        reason: \"Real-time favours NestJS.\"\n", "", "      - id: \"yes\"\n        label: \"Yes\"\n        needs: {backend: 3}", "has no reason"},
		{"weighted option without quote", "        quote: \"A quote.\"\n        section: two\n  - id: seo", "        section: two\n  - id: seo", "      - id: site", "needs a quote"},
		{"unknown need", "needs: {backend: 3}\n        rows: [what]", "needs: {spring: 3}\n        rows: [what]", "spring", `need "spring" does not exist`},
		{"evidence range", "needs: {frontend: 2}", "needs: {frontend: 31}", "frontend: 31", "outside -30 to 30"},
		{"negative evidence range", "needs: {frontend: 2}", "needs: {frontend: -31}", "frontend: -31", "outside -30 to 30"},
		{"threshold", `threshold: 3, met: "Pages."`, `threshold: 0, met: "Pages."`, `threshold: 0`, "threshold must be at least 1"},
		{"duplicate need", `  - {id: backend, name:`, `  - {id: frontend, name:`, `  - {id: frontend, name: "Dedicated`, `need id "frontend" is used twice`},
		{"when unknown need", "when: {frontend: unmet}", "when: {front: unmet}", "front: unmet", `need "front", which does not exist`},
		{"when bad state", "when: {frontend: unmet}", "when: {frontend: low}", "frontend: low", `must be "met", "unmet" or "open"`},
		{"regions overlap", "when: {frontend: met, backend: met}", "when: {frontend: met}", "{frontend: met}, consequences: [{text: \"C\", section: two", `outcomes "nextjs" and "both" both cover frontend met, backend unmet`},
		{"regions leave a gap", "when: {frontend: unmet}", "when: {frontend: unmet, backend: unmet}", "  - {id: nestjs", `no outcome covers frontend unmet, backend met`},
		{"one option", "      - id: \"no\"\n        label: \"No\"\n        answer_phrase: \"no real-time\"\n        reason: \"Counts for neither.\"\n", "", "      - id: \"yes\"\n        label: \"Yes\"\n        needs: {backend: 3}", "at least two options"},
		{"unsure with evidence", "        label: \"Not sure\"\n", "        label: \"Not sure\"\n        unsure: true\n        needs: {frontend: 1}\n", "unsure: true", "must not add evidence"},
		{"example off the path", "table:\n", "examples:\n  - {id: ex, kind: typical, title: \"T\", description: \"D\", answers: {build: api, seo: \"yes\", live: \"no\"}, outcome: nestjs, confidence: clear}\ntable:\n", "seo: \"yes\", live", `question "seo" is not asked`},
		{"example incomplete", "table:\n", "examples:\n  - {id: ex, kind: typical, title: \"T\", description: \"D\", answers: {build: api}, outcome: nestjs, confidence: clear}\ntable:\n", "answers: {build: api}", `does not answer question "live"`},
		{"example unknown outcome", "table:\n", "examples:\n  - {id: ex, kind: typical, title: \"T\", description: \"D\", answers: {build: api, live: \"no\"}, outcome: remix, confidence: clear}\ntable:\n", "remix", `outcome "remix" does not exist`},
		{"duplicate outcome", "  - {id: both,", "  - {id: nextjs,", "{id: nextjs, name: \"Both\"", `outcome id "nextjs" is used twice`},
		{"confidence level id", "{id: leaning,", "{id: maybe,", "{id: maybe,", "must be one of clear, leaning, close, open"},
		{"need without open text", `open: "Backend unknown.", `, "", `  - {id: backend, name: "Dedicated`, "need backend open is missing"},
		{"two undecided outcomes", "when: {frontend: met, backend: met}, consequences", "when: {frontend: met, backend: met}, undecided: true, consequences", "  - {id: unknown", "only one outcome may be undecided"},
		{"option show_if unknown question", "        label: \"A site\"\n", "        label: \"A site\"\n        show_if: {built: [api]}\n", "built: [api]", `refers to question "built"`},
		{"option show_if forward", "        label: \"A site\"\n", "        label: \"A site\"\n        show_if: {live: [\"no\"]}\n", "live: [", "comes later"},
		{"unsure option gated", "        label: \"Not sure\"\n", "        label: \"Not sure\"\n        unsure: true\n        show_if: {build: [site]}\n", "unsure: true", "offered always"},
		{"option never offered", "      - id: notsure\n        label: \"Not sure\"\n", "      - id: notsure\n        label: \"Not sure\"\n        show_if: {build: [api]}\n", "show_if: {build: [api]}\n        answer", `option "notsure" is never offered`},
		{"rule unknown question", "table:\n", "rules:\n  - {id: r, text: \"T\", quote: \"Q\", section: one, if: [[{built: [api]}]], then: [nestjs]}\ntable:\n", "built: [api]", `refers to question "built"`},
		{"rule unknown answer", "table:\n", "rules:\n  - {id: r, text: \"T\", quote: \"Q\", section: one, if: [[{build: [shop]}]], then: [nestjs]}\ntable:\n", "shop", `refers to answer "shop"`},
		{"rule unknown outcome", "table:\n", "rules:\n  - {id: r, text: \"T\", quote: \"Q\", section: one, if: [[{build: [api]}]], then: [remix]}\ntable:\n", "remix", `outcome "remix" does not exist`},
		{"rule broken", "table:\n", "rules:\n  - {id: r, text: \"A site gets NestJS\", quote: \"Q\", section: one, if: [[{build: [site]}]], then: [nestjs]}\ntable:\n", "  - {id: r,", `rule "r" (A site gets NestJS) is broken: build=site`},
		{"confidence level missing", "    - {id: leaning, label: \"Leaning\", explanation: \"Leaning.\"}\n", "", "    - {id: clear", `confidence level "leaning" is missing`},
		{"article url", `url: "https://example.com/article"`, `url: "example.com"`, `"example.com"`, "absolute https URL"},
		{"duplicate table row", "table:\n  - id: what", "table:\n  - id: what\n    dimension: \"Again\"\n    nestjs: {text: \"B\", section: one}\n    nextjs: {text: \"F\", section: one}\n  - id: what\n", "  - id: what\n\n", `table row id "what" is used twice`},
		{"version", "version: 1", "version: 0", "version: 0", "version must be"},
	}
	lineRE := regexp.MustCompile(`^broken\.yaml:(\d+): `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("fixture does not contain %q", tt.old)
			}
			broken := strings.Replace(base, tt.old, tt.new, 1)
			idx := strings.Index(broken, tt.at)
			if idx < 0 {
				t.Fatalf("broken text does not contain %q", tt.at)
			}
			// The line of at's first non-blank character.
			idx += len(tt.at) - len(strings.TrimLeft(tt.at, " \t\n"))
			line := strings.Count(broken[:idx], "\n") + 1
			_, err := Load("broken.yaml", []byte(broken))
			if err == nil {
				t.Fatal("broken content was accepted")
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				m := lineRE.FindStringSubmatch(p.String())
				if m == nil {
					t.Fatalf("problem %q does not start with file:line", p)
				}
				if strings.Contains(p.Msg, tt.msg) && p.Line == line {
					return
				}
			}
			t.Fatalf("want a problem at line %d containing %q; got:\n%v", line, tt.msg, err)
		})
	}
}

// TestUnreachableQuestion needs a condition no path can satisfy, which the minimal fixture's
// single-clause show_if cannot express without another question.
func TestUnreachableQuestion(t *testing.T) {
	data, _ := os.ReadFile("testdata/minimal.yaml")
	broken := strings.Replace(string(data), "    why_section: one\n    options:\n      - id: \"yes\"\n        label: \"Yes\"\n        needs: {backend: 3}",
		"    why_section: one\n    show_if: {build: [api], seo: [\"yes\"]}\n    options:\n      - id: \"yes\"\n        label: \"Yes\"\n        needs: {backend: 3}", 1)
	_, err := Load("broken.yaml", []byte(broken))
	if err == nil || !strings.Contains(err.Error(), `broken.yaml:74: question "live" is never asked`) {
		t.Fatalf("want never-asked problem at line 74 (its show_if), got %v", err)
	}
}

// TestQuotesAreVerbatim checks every quote against the article text: quotes must be the author's
// words exactly (apostrophes and dashes normalised).
func TestQuotesAreVerbatim(t *testing.T) {
	c := mustDefault(t)
	article, err := os.ReadFile("testdata/article.txt")
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string {
		s = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`).Replace(s)
		return strings.Join(strings.Fields(s), " ")
	}
	text := norm(string(article))
	check := func(where, quote string) {
		if quote != "" && !strings.Contains(text, norm(quote)) {
			t.Errorf("%s: quote not found in the article: %q", where, quote)
		}
	}
	for _, e := range c.Examples {
		check("example "+e.ID, e.Quote)
	}
	for _, o := range c.Outcomes {
		check("outcome "+o.ID, o.Quote)
	}
	for _, q := range c.Questions {
		check("question "+q.ID+" why_quote", q.WhyQuote)
		for _, o := range q.Options {
			check("question "+q.ID+" option "+o.ID, o.Quote)
		}
	}
	for _, s := range c.Sections {
		if !strings.Contains(text, norm(s.Title)) {
			t.Errorf("section %q title not found in the article", s.Title)
		}
	}
}

func TestContentShape(t *testing.T) {
	c := mustDefault(t)
	if n := len(c.Questions); n < 8 || n > 12 {
		t.Errorf("%d questions, want 8 to 12", n)
	}
	dims := map[string]bool{}
	for _, r := range c.Table {
		dims[r.ID] = true
	}
	for _, want := range []string{"what", "purpose", "architecture", "rendering", "apis", "realtime", "deployment", "testing", "seo", "typical", "team", "sharing"} {
		if !dims[want] {
			t.Errorf("comparison table lacks row %q", want)
		}
	}
	lo, hi := c.PathLengths()
	if lo < 1 || hi > len(c.Questions) || lo > hi {
		t.Errorf("path lengths %d..%d", lo, hi)
	}
}

// TestRulesRejectContentThatBreaksThem weakens the embedded content the way version 2 had it
// (complex logic alone below a dedicated backend): the validator must name each broken rule of
// the article at its line, with answers that break it.
func TestRulesRejectContentThatBreaksThem(t *testing.T) {
	old := "        needs: {backend: 25}\n        rows: [architecture, purpose]"
	if !strings.Contains(string(embeddedContent), old) {
		t.Fatal("content.yaml no longer gives complex logic this evidence; update the test")
	}
	broken := strings.Replace(string(embeddedContent), old, "        needs: {backend: 6}\n        rows: [architecture, purpose]", 1)
	_, err := Load("content.yaml", []byte(broken))
	if err == nil {
		t.Fatal("content whose complex logic is not enough for a dedicated backend was accepted")
	}
	ruleLine := strings.Count(broken[:strings.Index(broken, "  - id: pages-and-job")], "\n") + 1
	want := []string{
		fmt.Sprintf("content.yaml:%d: rule \"pages-and-job\"", ruleLine),
		"logic=complex",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("want %q in the problems; got:\n%v", w, err)
		}
	}
}
