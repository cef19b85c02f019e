package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
)

// checkMap fails for anything of c the map does not show: every need with its threshold, every
// combination of need states, every outcome, the confidence levels, and every question in order
// with every option in order, its evidence for each need, the questions it brings in or skips,
// its reason, quote and section. It walks the content, so a question or option added to the
// content file is checked too.
func checkMap(t *testing.T, doc *goquery.Document, c *decision.Content) {
	t.Helper()
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	has := func(sel *goquery.Selection, what, want string) {
		t.Helper()
		if want != "" && !strings.Contains(norm(sel.Text()), norm(want)) {
			t.Errorf("%s does not show %q", what, want)
		}
	}
	main := doc.Find("main")
	for _, n := range c.Needs {
		sel := main.Find("#need-" + n.ID)
		if sel.Length() != 1 {
			t.Errorf("need %s is missing", n.ID)
			continue
		}
		has(sel, "need "+n.ID, fmt.Sprintf("%s: met at %d or more", n.Name, n.Threshold))
		has(sel, "need "+n.ID, n.Met)
		has(sel, "need "+n.ID, n.Unmet)
		has(sel, "need "+n.ID, n.Open)
	}
	// One row per combination of need states (met, unmet, open), each with the outcome the
	// content gives it.
	combos := c.StateCombinations()
	if rows := main.Find("table.how-regions tbody tr"); rows.Length() != len(combos) {
		t.Errorf("%d rows of need states, want %d", rows.Length(), len(combos))
	} else {
		rows.Each(func(i int, tr *goquery.Selection) {
			if got := norm(tr.Find("th").Text()); got != combos[i].Outcome.Name {
				t.Errorf("need states %v show %q, want %q", combos[i].States, got, combos[i].Outcome.Name)
			}
		})
	}
	for _, r := range c.Rules {
		has(main.Find("#rule-"+r.ID), "rule "+r.ID, r.Text)
		has(main.Find("#rule-"+r.ID), "rule "+r.ID, r.Quote)
	}
	for _, o := range c.Outcomes {
		sel := main.Find("#outcome-" + o.ID)
		has(sel, "outcome "+o.ID, o.Name)
		has(sel, "outcome "+o.ID, o.Summary)
		has(main.Find("table.how-regions"), "the regions table", o.Name)
	}
	for _, l := range c.Confidence.Levels {
		has(main.Find("#confidence").NextUntil("h2"), "confidence", l.Label)
		has(main.Find("#confidence").NextUntil("h2"), "confidence", l.Explanation)
	}
	items := main.Find("li.how-question")
	if items.Length() != len(c.Questions) {
		t.Errorf("%d questions on the map, the content has %d", items.Length(), len(c.Questions))
	}
	for i := range c.Questions {
		q := &c.Questions[i]
		li := items.Eq(i)
		if id, _ := li.Attr("data-question"); id != q.ID {
			t.Errorf("question %d on the map is %q, want %q (content order)", i+1, id, q.ID)
			continue
		}
		what := "question " + q.ID
		has(li.Find("h3"), what, q.Text)
		has(li, what, q.Why)
		has(li, what, q.WhyQuote)
		if len(q.ShowIf) == 0 {
			has(li, what, "Asked of everyone.")
		}
		for on, opts := range q.ShowIf {
			gate := c.Question(on)
			has(li.Find(".how-when"), what, gate.Text)
			for _, id := range opts {
				has(li.Find(".how-when"), what, gate.Option(id).Label)
			}
		}
		opts := li.Find("li[data-option]")
		if opts.Length() != len(q.Options) {
			t.Errorf("%s: %d options on the map, the content has %d", what, opts.Length(), len(q.Options))
		}
		for j := range q.Options {
			o := &q.Options[j]
			ol := opts.Eq(j)
			if id, _ := ol.Attr("data-option"); id != o.ID {
				t.Errorf("%s: option %d on the map is %q, want %q", what, j+1, id, o.ID)
				continue
			}
			ow := what + " option " + o.ID
			has(ol, ow, o.Label)
			has(ol, ow, o.Reason)
			has(ol, ow, o.Quote)
			if o.Quote != "" {
				has(ol, ow, c.Section(o.Section).Title)
			}
			for k := range c.Needs {
				n := &c.Needs[k]
				switch w := o.Weight(n); {
				case w > 0:
					has(ol.Find(".effect"), ow, fmt.Sprintf("%s +%d", n.Name, w))
				case w < 0:
					has(ol.Find(".effect"), ow, fmt.Sprintf("%s −%d", n.Name, -w))
				}
			}
			for on, ids := range o.ShowIf {
				has(ol.Find(".how-when"), ow, "Offered only when")
				has(ol.Find(".how-when"), ow, c.Question(on).Text)
				for _, id := range ids {
					has(ol.Find(".how-when"), ow, c.Question(on).Option(id).Label)
				}
			}
			for k := q.Position + 1; k < len(c.Questions); k++ {
				g := &c.Questions[k]
				gate, ok := g.ShowIf[q.ID]
				if !ok {
					continue
				}
				link := ol.Find(`a[href="#q-` + g.ID + `"]`)
				if link.Length() != 1 {
					t.Errorf("%s: no link to %s, whose show_if looks at it", ow, g.ID)
					continue
				}
				brings := strings.HasPrefix(norm(link.Parent().Text()), "Then also asks")
				if want := slices.Contains(gate, o.ID); brings != want {
					t.Errorf("%s: brings in %s = %v, show_if says %v", ow, g.ID, brings, want)
				}
				if main.Find("#q-"+g.ID).Length() != 1 {
					t.Errorf("%s: link to #q-%s, which is not on the map", ow, g.ID)
				}
			}
		}
	}
}

func TestHowItDecidesShowsEverything(t *testing.T) {
	s, h := newTestServer(t)
	r := get(t, h, howPath)
	wantStatus(t, r, http.StatusOK)
	checkMap(t, r.doc, s.content)
	if r.doc.Find(`meta[name=robots][content=noindex]`).Length() != 0 {
		t.Error("the map is worth indexing")
	}
	if r.doc.Find("script:not([src])").Length() != 0 {
		t.Error("inline script on the map")
	}
	if r.doc.Find("h1").Length() != 1 {
		t.Error("want one h1")
	}
}

// TestHowItDecidesFile checks the file `wizard validate FILE --html` writes, for the embedded
// content and a minimal content file: the same map, standalone, with its stylesheet.
func TestHowItDecidesFile(t *testing.T) {
	def, err := decision.Default()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../decision/testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	minimal, err := decision.Load("minimal.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*decision.Content{"embedded": def, "minimal.yaml": minimal} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteHowHTML(&buf, c, name); err != nil {
				t.Fatal(err)
			}
			doc, err := goquery.NewDocumentFromReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			checkMap(t, doc, c)
			if css := doc.Find("head style").Text(); !strings.Contains(css, ".how-question") {
				t.Error("the file does not carry its stylesheet")
			}
			if doc.Find(`link[rel=stylesheet], script`).Length() != 0 {
				t.Error("the file must stand alone: no external stylesheet or script")
			}
			if !strings.Contains(doc.Find(".lead").Text(), name) {
				t.Errorf("the file does not name its content file %q", name)
			}
		})
	}
}

func TestHowItDecidesLinked(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	a := firstAnswers(t, c)
	for _, target := range []string{"/", "/result?" + c.Encode(a), "/embed/result?" + c.Encode(a)} {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusOK)
		if r.doc.Find(`main a[href="`+howPath+`"]`).Length() == 0 {
			t.Errorf("%s does not link to %s", target, howPath)
		}
	}
}
