package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"nestnext/decision"
)

// request is a page request as the handlers read it, once, at the top (page), each part on first
// use: its query, how it is served (Site), its answers (the query migrated, parseState) and its
// canonical key. Every page builder, meta, the oEmbed link and the site paths take it, so a page
// that misses the cache parses its query once, and one found in the cache by its URL not at all.
type request struct {
	*http.Request
	content  *decision.Content
	parse    func(url.Values) decision.State
	values   url.Values
	site     site
	siteRead bool
	state    *decision.State
	key      string // Key's, once worked out
}

// pageFunc is a page handler: it reads rq and returns an error instead of writing one.
type pageFunc func(w http.ResponseWriter, rq *request) error

// page wraps a page handler: it reads the request once and hands it over; handle renders errors.
func (s *Server) page(h pageFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error { return h(w, s.read(r)) })
}

// read makes r's request value.
func (s *Server) read(r *http.Request) *request {
	return &request{Request: r, content: s.content, parse: s.parseState}
}

// query is the request's query, parsed on first use.
func (rq *request) query() url.Values {
	if rq.values == nil {
		rq.values = rq.URL.Query()
	}
	return rq.values
}

// Site is how the request is served: on the site or in the embed with its theme, and a team
// journey under way (its tm=, once the team feature has validated it).
func (rq *request) Site() site {
	if !rq.siteRead {
		if embedPath(rq.URL.Path) {
			rq.site = site{embed: true, theme: parseTheme(rq.query())}
		}
		rq.site.team, _ = rq.Context().Value(journeyKey{}).(string)
		rq.siteRead = true
	}
	return rq.site
}

// State is what the request's query says about the answers, parsed on first use.
func (rq *request) State() decision.State {
	if rq.state == nil {
		st := rq.parse(rq.query())
		rq.state = &st
	}
	return *rq.state
}

// AsItCame is the request's path and query as they came: the key of a canonical link the
// wizard made itself, which is looked up without parsing.
func (rq *request) AsItCame() string { return rq.URL.Path + "?" + rq.URL.RawQuery }

// Query is the canonical query string of the answers: in content order, v (the link's own when
// it is newer than this server's content, so the page can say so), then changed=.
func (rq *request) Query() string { return canonicalQuery(rq.content, rq.State()) }

// canonicalQuery is the query string of a state, as the wizard's own links write it.
func canonicalQuery(c *decision.Content, state decision.State) string {
	q := c.Encode(state.Raw)
	if state.Newer {
		q = strings.TrimSuffix(q, strconv.Itoa(c.Version)) + strconv.Itoa(state.Version)
	}
	if len(state.Changed) > 0 {
		q += "&" + decision.ChangedParam + "=" + url.QueryEscape(strings.Join(state.Changed, ","))
	}
	return q
}

// Key names everything a wizard page depends on, in the form of the wizard's own links: path,
// answers, changed=, then the embed theme and a team journey's tm=. A page is a pure function of
// it (no nonce, no date, nothing from the request's headers), so it is rendered once per key and
// served as the same bytes to everyone: tracking parameters, order and repeats share one entry.
func (rq *request) Key() string {
	if rq.key != "" {
		return rq.key
	}
	query := ""
	if p := rq.URL.Path; p != "/" && p != "/embed/" { // the start page depends on the theme only
		query = rq.Query()
		if st := rq.State(); st.Removed > 0 {
			// Not part of any link: such a key is only ever reached by parsing.
			query += " removed=" + strconv.Itoa(st.Removed)
		}
	}
	rq.key = rq.URL.Path + "?" + rq.Site().extend(query)
	return rq.key
}

// SitePath is the same page outside the embed (for "Open in a new tab"), with its canonical
// query: the page is cached, so it may hold nothing of the request's URL beyond what its key names.
func (rq *request) SitePath() string {
	// One leading slash only: "//host/..." would be a link to another site.
	p := "/" + strings.TrimLeft(strings.TrimPrefix(rq.URL.Path, "/embed"), "/")
	if p == "/" && len(rq.State().Raw) == 0 {
		return p
	}
	// Re-escape: the decoded path may hold anything a visitor typed.
	return (&url.URL{Path: p, RawQuery: rq.Query()}).String()
}

// journeyKey is the context key of a validated team journey's tm= value: the team feature
// checks it (teamJourney) and request.Site carries it into every link.
type journeyKey struct{}

// withJourney returns r carrying a validated journey value.
func withJourney(r *http.Request, tm string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), journeyKey{}, tm))
}

// journeyParam is the query parameter of a team journey under way.
const journeyParam = "tm"

// routePattern names the route a request matched, for logs and metrics.
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		return rc.RoutePattern()
	}
	return ""
}
