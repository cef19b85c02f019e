package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"nestnext/decision"
	"nestnext/static"
	"nestnext/views"
)

// howPath is the "How it decides" page: the whole decision of the content file, as a map.
const howPath = "/how-it-decides"

// how serves the map of the content the server runs on. It depends on nothing but the content.
func (s *Server) how(w http.ResponseWriter, rq *request) error {
	return s.servePage(w, rq, func() (built, error) {
		page := HowPage(s.content, decision.ContentFile)
		page.Meta = s.meta(rq, pageTitle("How the wizard decides"),
			"Every question, answer, threshold and outcome of the NestJS, Next.js, or both? wizard, with the article's reasons: how the recommendation is reached.",
			false)
		page.Canonical = s.publicURL(howPath)
		page.StartURL = "/"
		return built{page: views.How(page)}, nil
	})
}

// WriteHowHTML writes the map of c as a standalone HTML file (the stylesheet inlined), for
// `wizard validate FILE --html out.html`: a reviewer of a content change sees the decision before
// and after. file names the content file in the page.
func WriteHowHTML(w io.Writer, c *decision.Content, file string) error {
	page := HowPage(c, file)
	page.Title = "How the wizard decides – " + file
	css := ""
	if a, _ := static.Lookup("app.css"); a != nil {
		css = string(a.Body)
	}
	return views.HowDocument(page, css).Render(context.Background(), w)
}

// HowPage builds the map's view of c: the needs with their thresholds, every combination of need
// states and its outcome, the article's rules, the confidence levels, and every question in order
// with every option's evidence, the questions it brings in or skips, its reason and its source.
func HowPage(c *decision.Content, file string) views.HowPage {
	p := views.HowPage{
		Source:       fmt.Sprintf("%s, version %d", file, c.Version),
		ArticleTitle: c.Article.Title,
		ArticleURL:   c.Article.URL,
	}
	for i := range c.Needs {
		n := &c.Needs[i]
		p.Needs = append(p.Needs, views.HowNeed{ID: n.ID, Name: n.Name, Threshold: n.Threshold, Met: n.Met, Unmet: n.Unmet, Open: n.Open, Section: c.SectionTitle(n.Section)})
	}
	for _, sc := range c.StateCombinations() {
		row := views.HowRegion{Outcome: sc.Outcome.Name, OutcomeID: sc.Outcome.ID}
		for i, st := range sc.States {
			row.States = append(row.States, c.Needs[i].StateText(st))
		}
		p.Regions = append(p.Regions, row)
	}
	for i := range c.Outcomes {
		o := &c.Outcomes[i]
		p.Outcomes = append(p.Outcomes, views.HowOutcome{
			ID: o.ID, Name: o.Name, Summary: o.Summary, Region: o.When.Describe(c),
			Quote: views.Quote{Text: o.Quote, Section: c.SectionTitle(o.Section)},
		})
	}
	for _, r := range c.Rules {
		var names []string
		for _, id := range r.Then {
			names = append(names, c.Outcome(id).Name)
		}
		p.Rules = append(p.Rules, views.HowRule{ID: r.ID, Text: r.Text, Outcomes: orList(names),
			Quote: views.Quote{Text: r.Quote, Section: c.SectionTitle(r.Section)}})
	}
	for _, l := range c.Confidence.Levels {
		p.Confidence = append(p.Confidence, views.HowLevel{Label: l.Label, Explanation: l.Explanation})
	}
	for i := range c.Questions {
		p.Questions = append(p.Questions, howQuestion(c, &c.Questions[i]))
	}
	return p
}

func howQuestion(c *decision.Content, q *decision.Question) views.HowQuestion {
	hq := views.HowQuestion{
		ID: q.ID, Number: q.Position + 1, Text: q.Text, Hint: q.Hint, Why: q.Why,
		WhyQuote:  views.Quote{Text: q.WhyQuote, Section: c.SectionTitle(q.WhySection)},
		AskedWhen: askedWhen(c, q.ShowIf),
	}
	switch {
	case q.Scope:
		hq.Kind = "This answer says what the project is: changing it is listed apart on the result, and never decides how sure the result is."
	case q.Ordered:
		hq.Kind = "The answers are a scale, from most to least: a single change is a step to the neighbouring answer."
	}
	// The later questions whose show_if looks at this one.
	var gated []*decision.Question
	for i := q.Position + 1; i < len(c.Questions); i++ {
		if _, ok := c.Questions[i].ShowIf[q.ID]; ok {
			gated = append(gated, &c.Questions[i])
		}
	}
	for i := range q.Options {
		o := &q.Options[i]
		ho := views.HowOption{
			ID: o.ID, Label: o.Label, Effect: optionEffect(c, o), Reason: o.Reason,
			Quote:       views.Quote{Text: o.Quote, Section: c.SectionTitle(o.Section)},
			OfferedWhen: askedWhen(c, o.ShowIf),
			Scope:       o.Scope && !q.Scope,
		}
		for _, g := range gated {
			l := views.Link{Label: fmt.Sprintf("%d. %s", g.Position+1, g.Text), URL: "#q-" + g.ID}
			if slices.Contains(g.ShowIf[q.ID], o.ID) {
				if len(g.ShowIf) > 1 {
					l.Label += " (if its other conditions hold)"
				}
				ho.BringsIn = append(ho.BringsIn, l)
			} else {
				ho.Skips = append(ho.Skips, l)
			}
		}
		hq.Options = append(hq.Options, ho)
	}
	return hq
}

// askedWhen puts a show_if (a question's or an option's) in words, in question order, or "" when
// there is none.
func askedWhen(c *decision.Content, showIf map[string][]string) string {
	var conds []string
	for i := range c.Questions {
		on := &c.Questions[i]
		ids, ok := showIf[on.ID]
		if !ok {
			continue
		}
		var labels []string
		for _, id := range ids {
			if o := on.Option(id); o != nil {
				labels = append(labels, "“"+o.Label+"”")
			}
		}
		conds = append(conds, "“"+on.Text+"” is answered "+orList(labels))
	}
	return strings.Join(conds, ", and ")
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// optionEffect states an answer's evidence for every need it bears on, or that it has none.
func optionEffect(c *decision.Content, o *decision.Option) string {
	if e := c.Effect(o); e != "" {
		return e
	}
	if o.Unsure {
		return "No evidence for any need: the result lists it as an open question."
	}
	return "No evidence for any need."
}
