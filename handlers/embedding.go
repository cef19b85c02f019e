package handlers

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"nestnext/serve"
	"nestnext/views"
)

// embedScriptPath is the stable URL host pages load the embed script from. Unlike /static/ assets
// it has no hash in its name, so it is cached for an hour, not a year.
const embedScriptPath = "/embed.js"

// embedScript serves static/embed.js at its stable URL. Any site may fetch it (CORS *), so module
// loaders and bundlers that fetch() scripts work too; it reads nothing from the request. After
// the hour a browser revalidates cheaply: the ETag changes with the content.
func (s *Server) embedScript(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	return s.respond(w, r, s.assetEntry("embed.js", embedScriptCacheControl))
}

// embedding is the "Embed this wizard" page: options in a GET form, the snippets for them, a live
// preview, and what a host page needs to know. The options go through parseTheme, exactly as the
// embed pages read them, so the snippet never offers what the embed would ignore. The page depends
// on the theme options and whether an accent was given but invalid.
func (s *Server) embedding(w http.ResponseWriter, rq *request) error {
	q := rq.URL.Query()
	t := parseTheme(q)
	invalid := strings.TrimSpace(q.Get("accent")) != "" && t.accent == ""
	key := "/embedding?" + t.query()
	if invalid {
		key += " invalid"
	}
	return s.respond(w, rq.Request, entry{key: fixedKey(key), cacheControl: pageCacheControl, build: func() (*serve.Page, error) {
		return renderHTML(views.Embedding(s.embeddingPage(rq, t, invalid)))
	}})
}

func (s *Server) embeddingPage(rq *request, t theme, invalid bool) views.EmbeddingPage {
	page := views.EmbeddingPage{
		Meta: s.meta(rq, pageTitle("Embed this wizard"),
			"Put the NestJS, Next.js, or both? decision wizard on your own site with two lines of HTML: an iframe that fits each step, your accent colour, light or dark, and events for your page.",
			false),
		Theme:          "auto",
		HideIntro:      t.hideIntro,
		AccentInvalid:  invalid,
		ScriptURL:      s.publicURL(embedScriptPath),
		IframeURL:      s.publicURL(embedStartLink(t)),
		AllowedOrigins: strings.Join(s.cfg.EmbedAllowedOrigins, " "),
		DefaultOrigins: strings.Join(DefaultEmbedAllowedOrigins, " "),
		Preview:        templ.Attributes{},
	}
	// The preview runs the real script from this origin, which the CSP's script-src 'self' allows.
	page.Scripts = append(page.Scripts, embedScriptPath)
	page.Canonical = s.publicURL("/embedding")
	if o := s.ownOrigin(); o != nil {
		page.OEmbedURL = o.String() + oembedPath
		page.PasteExample = o.String() + "/"
	}
	if t.accent != "" {
		page.Accent = "#" + t.accent
		page.Preview["data-accent"] = page.Accent
	}
	if t.scheme != "" {
		page.Theme = t.scheme
		page.Preview["data-theme"] = t.scheme
	}
	if t.hideIntro {
		page.Preview["data-intro"] = "hide"
	}
	page.ScriptSnippet = views.Snippet(views.ScriptSnippet(page.Accent, t.scheme, t.hideIntro, page.ScriptURL))
	page.IframeSnippet = views.Snippet(views.IframeSnippet(page.IframeURL))
	return page
}

// embedStartLink is the embed start page with the theme options: what an iframe's src points at.
func embedStartLink(t theme) string {
	return site{embed: true, theme: t}.link("/", "")
}
