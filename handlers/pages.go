package handlers

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"nestnext/decision"
	"nestnext/serve"
)

// A wizard page is a pure function of its canonical URL: the answers in canonical form (first
// values, migrated, in content order), the notes a link carries (changed=, removed answers, a
// newer version), the mode and the embed theme; no nonce, no date, nothing from the request's
// headers. So each page is rendered and compressed once, kept in s.pages under that key, and
// served as the same bytes to everyone: tracking parameters, order and repeats share one entry.

// pageCacheControl bounds every cache's copy of a page, since a deploy can change its bytes
// under the same URL: browsers keep it five minutes; a shared cache (CDN, Varnish) one minute,
// then revalidates with the ETag (a replica's 304) and may answer from its copy meanwhile for one
// more. Answering stale is safe: an older page is still a working page, and its form goes to
// /next, which no cache keeps. The edge's Age counts against a browser's five minutes. No
// must-revalidate: it forbids the stale answers. docs/operations.md (Caching) says more.
const pageCacheControl = "public, max-age=300, s-maxage=60, stale-while-revalidate=60"

// built is what a page's build function returns: the page, or nil when build has already
// answered (a redirect), which is not cached.
type built struct {
	page templ.Component
	// seen runs for this response and every later one the cached page serves.
	seen func()
}

// servePage serves the wizard page for r from the cache, or builds, caches and serves it. build
// must depend only on what pageKey names, and must not write a 200 itself.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, build func() (built, error)) error {
	return s.serveKeyed(w, r, func() string { return s.pageKey(r) }, build)
}

// serveKeyed is servePage for a page whose canonical key is not pageKey's (a team page's members).
func (s *Server) serveKeyed(w http.ResponseWriter, r *http.Request, key func() string, build func() (built, error)) error {
	p, err := s.cached(r, key, func() (*serve.Page, error) {
		b, err := build()
		if err != nil || b.page == nil {
			return nil, err
		}
		p, err := renderHTML(b.page)
		if p != nil {
			p.Hit = b.seen
			if link := s.oembedLink(r); link != "" {
				p.Header = http.Header{"Link": {link}}
			}
		}
		return p, err
	})
	if err != nil || p == nil {
		return err
	}
	w.Header().Set("Cache-Control", pageCacheControl)
	serve.Write(w, r, http.StatusOK, p)
	return nil
}

// cached returns the body for r. Keys are the canonical URLs the wizard's own links use, so such
// a request is looked up as it came, unparsed; any other URL has its canonical key worked out
// (key) and shares that entry, built on a miss.
func (s *Server) cached(r *http.Request, key func() string, build func() (*serve.Page, error)) (*serve.Page, error) {
	if p, ok := s.pages.Lookup(r.URL.Path + "?" + r.URL.RawQuery); ok {
		return p, nil
	}
	return s.pages.Get(r, key(), build)
}

// pageKey names everything a page depends on (see the top of this file), in the form of the
// wizard's own links: path, answers, changed=, then the embed theme.
func (s *Server) pageKey(r *http.Request) string {
	st := siteOf(r)
	query := ""
	if r.URL.Path != "/" && r.URL.Path != "/embed/" { // the start page depends on the theme only
		state := s.content.ParseState(r.URL.Query())
		query = s.canonicalQuery(state)
		if state.Removed > 0 {
			// Not part of any link: such a key is only ever reached by parsing.
			query += " removed=" + strconv.Itoa(state.Removed)
		}
	}
	if extra := st.theme.query(); st.embed && extra != "" {
		query = strings.TrimPrefix(query+"&"+extra, "&")
	}
	if st.team != "" { // a team journey's links and hidden field carry it (site.link)
		query = strings.TrimPrefix(query+"&"+journeyParam+"="+url.QueryEscape(st.team), "&")
	}
	return r.URL.Path + "?" + query
}

// canonicalQuery is the query string of a state: the answers in content order, v (the link's own
// when it is newer than this server's content, so the page can say so), then changed=.
func (s *Server) canonicalQuery(state decision.State) string {
	q := s.content.Encode(state.Raw)
	if state.Newer {
		q = strings.TrimSuffix(q, strconv.Itoa(s.content.Version)) + strconv.Itoa(state.Version)
	}
	if len(state.Changed) > 0 {
		q += "&" + decision.ChangedParam + "=" + url.QueryEscape(strings.Join(state.Changed, ","))
	}
	return q
}

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
