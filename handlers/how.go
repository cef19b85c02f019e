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
func (s *Server) how(w http.ResponseWriter, r *http.Request) error {
	return s.servePage(w, r, func() (built, error) {
		page := HowPage(s.content, decision.ContentFile)
		page.Meta = s.meta(r, pageTitle("How the wizard decides"),
			"Every question, answer, threshold and outcome of the NestJS, Next.js, or both? wizard, with the article's reasons: how the recommendation is reached.",
			false)
		page.Canonical = s.publicURL(r, howPath)
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
// states and its outcome, the confidence rules, and every question in order with every option's
// evidence, the questions it brings in or skips, its reason and its source.
func HowPage(c *decision.Content, file string) views.HowPage {
	p := views.HowPage{
		Source:       fmt.Sprintf("%s, version %d", file, c.Version),
		ArticleTitle: c.Article.Title,
		ArticleURL:   c.Article.URL,
	}
	section := func(id string) string {
		if sec := c.Section(id); sec != nil {
			return sec.Title
		}
		return ""
	}
	for i := range c.Needs {
		n := &c.Needs[i]
		p.Needs = append(p.Needs, views.HowNeed{ID: n.ID, Name: n.Name, Threshold: n.Threshold, Met: n.Met, Unmet: n.Unmet, Section: section(n.Section)})
	}
	// Bit i of a mask is "Needs[i] is met".
	for m := 0; m < 1<<len(c.Needs); m++ {
		row := views.HowRegion{}
		for i := range c.Needs {
			row.States = append(row.States, needState(&c.Needs[i], m&(1<<i) != 0))
		}
		if o := c.OutcomeForStates(m); o != nil {
			row.Outcome, row.OutcomeID = o.Name, o.ID
		}
		p.Regions = append(p.Regions, row)
	}
	for i := range c.Outcomes {
		o := &c.Outcomes[i]
		var when []string
		for j := range c.Needs {
			n := &c.Needs[j]
			switch o.When[n.ID] {
			case decision.StateMet:
				when = append(when, n.Name+" met")
			case decision.StateUnmet:
				when = append(when, n.Name+" not met")
			}
		}
		p.Outcomes = append(p.Outcomes, views.HowOutcome{
			ID: o.ID, Name: o.Name, Summary: o.Summary, Region: strings.Join(when, ", "),
			Quote: views.Quote{Text: o.Quote, Section: section(o.Section)},
		})
	}
	cr := c.Confidence
	for _, l := range cr.Levels {
		p.Confidence = append(p.Confidence, views.HowLevel{Label: l.Label, Explanation: l.Explanation})
	}
	if l := cr.Level(decision.Clear); l != nil {
		p.ConfidenceRule = fmt.Sprintf("“%s” also needs at least %d real answers and at most %d “Not sure” answers.", l.Label, cr.MinAnswered, cr.MaxUnsure)
	}
	for i := range c.Questions {
		p.Questions = append(p.Questions, howQuestion(c, &c.Questions[i], section))
	}
	return p
}

func needState(n *decision.Need, met bool) string {
	if met {
		return fmt.Sprintf("met (%d or more)", n.Threshold)
	}
	return fmt.Sprintf("not met (under %d)", n.Threshold)
}

func howQuestion(c *decision.Content, q *decision.Question, section func(string) string) views.HowQuestion {
	hq := views.HowQuestion{
		ID: q.ID, Number: q.Position + 1, Text: q.Text, Hint: q.Hint, Why: q.Why,
		WhyQuote:  views.Quote{Text: q.WhyQuote, Section: section(q.WhySection)},
		AskedWhen: askedWhen(c, q),
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
			Quote: views.Quote{Text: o.Quote, Section: section(o.Section)},
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

// askedWhen puts a question's show_if in words, in question order, or "" when everyone is asked.
func askedWhen(c *decision.Content, q *decision.Question) string {
	var conds []string
	for i := range c.Questions {
		on := &c.Questions[i]
		ids, ok := q.ShowIf[on.ID]
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

// optionEffect states an answer's evidence for every need, e.g. "Web front end +4 · Dedicated
// backend +0", or that it has none.
func optionEffect(c *decision.Content, o *decision.Option) string {
	parts := make([]string, len(c.Needs))
	total := 0
	for i := range c.Needs {
		w := o.Weight(&c.Needs[i])
		total += w
		parts[i] = fmt.Sprintf("%s +%d", c.Needs[i].Name, w)
	}
	if total == 0 {
		if o.Unsure {
			return "No evidence for any need: the result lists it as an open question."
		}
		return "No evidence for any need."
	}
	return strings.Join(parts, " · ")
}
