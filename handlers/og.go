package handlers

import (
	"fmt"
	"image/color"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"nestnext/decision"
	"nestnext/ogimage"
	"nestnext/serve"
	"nestnext/views"
)

// Preview-card accents, matching each outcome's colour on the result page.
var cardAccents = map[string]color.RGBA{
	"start":         {0x0f, 0x7a, 0x45, 0xff},
	decision.NestJS: {0xb0, 0x17, 0x3d, 0xff},
	decision.NextJS: {0x0b, 0x5d, 0x73, 0xff},
	decision.Both:   {0x4a, 0x3a, 0x94, 0xff},
	// Names no framework: the neutral ink of the page.
	decision.NotSure: {0x4b, 0x55, 0x63, 0xff},
}

// ogPath is the card image for an outcome ("start" for the start page). The content version is in
// the path because crawlers cache previews hard: new content gets a new URL.
func (s *Server) ogPath(name string) string {
	return fmt.Sprintf("/og/v%d/%s.png", s.content.Version, name)
}

// ogImage serves a preview card. There is one per outcome and content version, rendered once and
// kept for the life of the process, with no personal data, so it can be cached forever.
func (s *Server) ogImage(w http.ResponseWriter, r *http.Request) error {
	if chi.URLParam(r, "version") != strconv.Itoa(s.content.Version) {
		return errNotFound
	}
	name := chi.URLParam(r, "name")
	card, ok := s.card(name)
	if !ok {
		return errNotFound
	}
	return s.respond(w, r, entry{key: fixedKey("og " + name), fixed: true, cacheControl: immutable,
		build: func() (*serve.Page, error) {
			png, err := ogimage.Render(card)
			if err != nil {
				return nil, err
			}
			return serve.NewPage("image/png", png), nil
		}})
}

func (s *Server) card(name string) (ogimage.Card, bool) {
	c := s.content
	footer := fmt.Sprintf("Based on a CTO's comparison by %s, %s", c.Article.Author, c.Article.Publisher)
	if name == "start" {
		return ogimage.Card{
			Eyebrow:  "Decision wizard",
			Title:    siteName,
			Subtitle: "Answer a few questions, get a reasoned recommendation for your stack.",
			Footer:   footer,
			Accent:   cardAccents["start"],
		}, true
	}
	o := c.Outcome(name)
	if o == nil {
		return ogimage.Card{}, false
	}
	return ogimage.Card{
		Eyebrow:  siteName + " · " + cardEyebrow(o),
		Title:    o.Headline,
		Subtitle: o.Summary,
		Footer:   footer,
		Accent:   cardAccents[o.ID],
		// The outcome's region of the result page's picture of the two needs.
		Needs: &ogimage.Needs{Region: o.ID, NestJS: needsLabels[decision.NestJS], NextJS: needsLabels[decision.NextJS],
			Both: needsLabels[decision.Both], FrontEnd: s.needName(needUp), Backend: s.needName(needRight)},
	}, true
}

// openGraph describes a page's preview card.
func (s *Server) openGraph(name, title, description, pageURL string) *views.OpenGraph {
	return &views.OpenGraph{
		Title:       title,
		Description: description,
		Type:        "website",
		URL:         pageURL,
		Image:       s.publicURL(s.ogPath(name)),
		ImageAlt:    title,
		ImageWidth:  ogimage.Width,
		ImageHeight: ogimage.Height,
		SiteName:    siteName,
	}
}

func (s *Server) needName(id string) string {
	if n := s.content.Need(id); n != nil {
		return n.Name
	}
	return id
}

// cardEyebrow is the line above a card's title: a result that names no framework is no
// recommendation.
func cardEyebrow(o *decision.Outcome) string {
	if o.Undecided {
		return "Result"
	}
	return "Recommendation"
}
