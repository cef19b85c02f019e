package handlers

import (
	"html"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"nestnext/serve"
	"nestnext/static"
	"nestnext/views"
)

// embedScriptPath is the stable URL host pages load the embed script from. Unlike /static/ assets
// it has no hash in its name, so it is cached for an hour, not a year.
const embedScriptPath = "/embed.js"

// embedScript serves static/embed.js at its stable URL. Any site may fetch it (CORS *), so module
// loaders and bundlers that fetch() scripts work too; it reads nothing from the request.
func (s *Server) embedScript(w http.ResponseWriter, r *http.Request) error {
	a, _ := static.Lookup("embed.js")
	if a == nil {
		return errNotFound
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	// The ETag changes with the content: after the hour a browser revalidates cheaply.
	serve.Write(w, r, http.StatusOK, s.asset(a))
	return nil
}

const frameTitle = "NestJS, Next.js, or both? decision wizard"

// embedding is the "Embed this wizard" page: options in a GET form, the snippets for them, a live
// preview, and what a host page needs to know. The options go through parseTheme, exactly as the
// embed pages read them, so the snippet never offers what the embed would ignore.
func (s *Server) embedding(w http.ResponseWriter, r *http.Request) error {
	if p, ok := s.pages.Lookup(r.URL.Path + "?" + r.URL.RawQuery); ok { // see cached
		w.Header().Set("Cache-Control", pageCacheControl)
		serve.Write(w, r, http.StatusOK, p)
		return nil
	}
	q := r.URL.Query()
	t := parseTheme(q)
	page := views.EmbeddingPage{
		Meta: s.meta(r, pageTitle("Embed this wizard"),
			"Put the NestJS, Next.js, or both? decision wizard on your own site with two lines of HTML: an iframe that fits each step, your accent colour, light or dark, and events for your page.",
			false),
		Theme:          "auto",
		HideIntro:      t.hideIntro,
		AccentInvalid:  strings.TrimSpace(q.Get("accent")) != "" && t.accent == "",
		ScriptURL:      s.publicURL(r, embedScriptPath),
		IframeURL:      s.publicURL(r, embedStartLink(t)),
		AllowedOrigins: strings.Join(s.cfg.EmbedAllowedOrigins, " "),
		DefaultOrigins: strings.Join(DefaultEmbedAllowedOrigins, " "),
		Preview:        templ.Attributes{},
	}
	// The preview runs the real script from this origin, which the CSP's script-src 'self' allows.
	page.Scripts = append(page.Scripts, embedScriptPath)
	page.Canonical = s.publicURL(r, "/embedding")
	if o := s.ownOrigin(); o != nil {
		page.OEmbedURL = o.String() + oembedPath
		page.PasteExample = o.String() + "/"
	}

	// Attributes in snippet order; values are validated, and escaped anyway.
	var attrs []string
	if t.accent != "" {
		page.Accent = "#" + t.accent
		attrs = append(attrs, `data-accent="`+html.EscapeString(page.Accent)+`"`)
		page.Preview["data-accent"] = page.Accent
	}
	if t.scheme != "" {
		page.Theme = t.scheme
		attrs = append(attrs, `data-theme="`+html.EscapeString(t.scheme)+`"`)
		page.Preview["data-theme"] = t.scheme
	}
	if t.hideIntro {
		attrs = append(attrs, `data-intro="hide"`)
		page.Preview["data-intro"] = "hide"
	}
	div := "<div data-nest-next-wizard"
	if len(attrs) > 0 {
		div += " " + strings.Join(attrs, " ")
	}
	page.ScriptSnippet = div + "></div>\n" +
		`<script src="` + html.EscapeString(page.ScriptURL) + `" async></script>`
	page.IframeSnippet = `<iframe src="` + html.EscapeString(page.IframeURL) + `"` + "\n" +
		`  title="` + frameTitle + `" loading="lazy"` + "\n" +
		`  allow="clipboard-write; web-share" style="display:block;width:100%;height:900px;border:0"></iframe>`

	// The page depends on the theme options and whether an accent was given but invalid.
	key := "/embedding?" + t.query()
	if page.AccentInvalid {
		key += " invalid"
	}
	p, err := s.pages.Get(r, key, func() (*serve.Page, error) { return renderHTML(views.Embedding(page)) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", pageCacheControl)
	serve.Write(w, r, http.StatusOK, p)
	return nil
}

// embedStartLink is the embed start page with the theme options: what an iframe's src points at.
func embedStartLink(t theme) string {
	return site{embed: true, theme: t}.link("/", "")
}
