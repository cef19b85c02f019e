package handlers

import (
	"net/http"
	"strings"
	"time"

	"nestnext/decision"
	"nestnext/views"
)

func (s *Server) start(w http.ResponseWriter, rq *request) error {
	c := s.content
	if st := rq.Site(); st.embed && st.theme.hideIntro {
		// An embedder asked to skip the introduction: start at the first question.
		return redirect(w, rq.Request, st.link("/q/"+c.Questions[0].ID, c.Encode(decision.Answers{})))
	}
	return s.servePage(w, rq, func() (built, error) {
		lo, hi := c.PathLengths()
		published := c.Article.Published
		if t, err := time.Parse("2006-01-02", published); err == nil {
			published = t.Format("2 January 2006")
		}
		page := views.StartPage{
			Meta: s.meta(rq, siteName+" A decision wizard for CTOs",
				"Answer a few questions about your project and get a reasoned recommendation: NestJS, Next.js, or NestJS behind a Next.js front end, with a side-by-side comparison drawn from a CTO's article.",
				false),
			StartURL:      rq.Site().link("/q/"+c.Questions[0].ID, c.Encode(decision.Answers{})),
			MinQuestions:  lo,
			MaxQuestions:  hi,
			ArticleTitle:  c.Article.Title,
			ArticleAuthor: c.Article.Author,
			ArticleRole:   c.Article.AuthorRole,
			Publisher:     c.Article.Publisher,
			ArticleURL:    c.Article.URL,
			Published:     published,
		}
		for _, e := range c.Examples {
			if e.Kind != "case-study" {
				continue
			}
			ex := views.Example{
				Name:        e.Title,
				Description: e.Description,
				Quote:       s.quote(e.Quote, e.Section),
				URL:         rq.Site().link("/result", c.Encode(e.Answers)),
			}
			if o := c.Outcome(e.Outcome); o != nil {
				ex.Outcome = o.Name
			}
			if l := c.Confidence.Level(e.Confidence); l != nil {
				ex.Outcome += ", " + strings.ToLower(l.Label)
			}
			page.Examples = append(page.Examples, ex)
		}
		page.Canonical = s.publicURL("/")
		page.OG = s.openGraph("start", siteName, page.Description, page.Canonical)
		link := s.discoverable(rq, &page.Meta)
		return built{page: views.Start(page), header: link}, nil
	})
}
