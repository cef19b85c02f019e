package handlers

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"nestnext/serve"
)

// renderHTML renders a page once, into bytes ready to send in any coding.
func renderHTML(c templ.Component) (*serve.Page, error) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); renderBuffers.Put(buf) }()
	if err := c.Render(context.Background(), buf); err != nil {
		return nil, err
	}
	return serve.NewPage("text/html; charset=utf-8", bytes.Clone(buf.Bytes())), nil
}

// renderBuffers are reused for rendering: a page grown in a new buffer left about its own size
// again in garbage, on every miss.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a page that is not cached (a 422, error pages), all rendered first, so a failure
// mid-page becomes an error page rather than half a page.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	p, err := renderHTML(c)
	if err != nil {
		return err
	}
	serve.Write(w, r, status, p)
	return nil
}

// redirect sends the visitor on with 303 See Other, so a GET form lands on a clean URL.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	path, query, _ := strings.Cut(target, "?")
	http.Redirect(w, r, (&url.URL{Path: path, RawQuery: query}).String(), http.StatusSeeOther)
	return nil
}
