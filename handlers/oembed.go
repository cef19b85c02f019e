package handlers

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"nestnext/ogimage"
	"nestnext/serve"
	"nestnext/views"
)

// oEmbed 1.0 (https://oembed.com): blogs and docs tools (WordPress, Ghost, Discourse, and Notion
// through Iframely or Embedly) turn a pasted link into an embed by finding the discovery link on
// the page and asking /oembed for the HTML to put in its place.

const oembedPath = "/oembed"

// Sizes of the oEmbed HTML when the consumer sets no maximum. The frame's width is 100% of the
// column it sits in; embed.js sets its height to fit each step where the host runs scripts.
const (
	oembedWidth  = 600
	oembedHeight = 900
	// oembedCacheAge is how long a consumer may keep a response: the HTML is only an iframe of a
	// URL that stays valid across content versions (old links migrate).
	oembedCacheAge = 86400
)

// ownOrigin is the one origin this server hands to other sites in oEmbed answers and discovery
// links, and the only one whose URLs /oembed accepts as its own: PUBLIC_URL (cmd/wizard sets it
// to the listen origin when the operator does not). Never the request's Host, which whoever sends
// the request chooses. nil when none is configured: then no URL is ours and pages carry no
// discovery link.
func (s *Server) ownOrigin() *url.URL { return s.cfg.PublicURL }

// isOwn reports whether u names this server's origin. An origin on localhost (the listen origin
// in development) also answers to 127.0.0.1 and [::1] on the same port: the same server, by
// another name.
func (s *Server) isOwn(u *url.URL) bool {
	o := s.ownOrigin()
	if o == nil || !strings.EqualFold(u.Scheme, o.Scheme) {
		return false
	}
	if strings.EqualFold(hostPort(u), hostPort(o)) {
		return true
	}
	if o.Hostname() != "localhost" || u.Port() != o.Port() {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return strings.EqualFold(u.Hostname(), "localhost") || (ip != nil && ip.IsLoopback())
}

// hostPort is the URL's host with its port, the scheme's default port when it names none.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// oembedTarget is what an oEmbed request's url names: the page to frame (a site path), its title
// and its preview card.
type oembedTarget struct {
	path, query string // the page outside the embed, answers in canonical order
	theme       theme
	title       string
	card        string // preview-card name: "start" or an outcome id
}

// resolveOEmbed maps a URL of this site (site or /embed/ form) to the page it shows. The error is
// the 400 or 404 to answer.
func (s *Server) resolveOEmbed(raw string) (oembedTarget, error) {
	if strings.TrimSpace(raw) == "" {
		return oembedTarget{}, oembedError(http.StatusBadRequest, "The url parameter is missing: give the address of a page of this wizard, such as its start page or a result.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return oembedTarget{}, oembedError(http.StatusBadRequest, "The url parameter is not an absolute http or https address.")
	}
	if !s.isOwn(u) {
		return oembedTarget{}, oembedError(http.StatusNotFound, "This wizard only embeds its own pages, and this address is on another site.")
	}
	notServed := oembedError(http.StatusNotFound, "This address is not a start, question or result page of the wizard, so there is nothing to embed for it.")
	p := u.Path
	if p == "/embed" || strings.HasPrefix(p, "/embed/") {
		p = strings.TrimPrefix(p, "/embed")
	}
	c := s.content
	query := u.Query()
	t := oembedTarget{theme: parseTheme(query), title: siteName, card: "start"}
	state := c.ParseState(query)
	rp := c.Replay(state.Raw)
	switch {
	case p == "" || p == "/":
		t.path = "/"
	case strings.HasPrefix(p, "/q/"):
		q := c.Question(strings.TrimPrefix(p, "/q/"))
		if q == nil {
			return oembedTarget{}, notServed
		}
		t.path, t.query = "/q/"+q.ID, c.Encode(rp.Answers)
		t.title = pageTitle(q.Text)
	case p == "/result":
		t.path, t.query = "/result", c.Encode(rp.Answers)
		if rp.Complete() {
			res, err := c.Evaluate(&rp)
			if err != nil {
				return oembedTarget{}, err
			}
			t.title = pageTitle(resultTitle(res.Outcome))
			t.card = res.Outcome.ID
		}
	default:
		return oembedTarget{}, notServed
	}
	return t, nil
}

func oembedError(status int, message string) error {
	heading := "Not found"
	switch status {
	case http.StatusBadRequest:
		heading = "Bad oEmbed request"
	case http.StatusNotImplemented:
		heading = "Format not implemented"
	}
	return &httpError{status: status, heading: heading, message: message}
}

// oembedResponse is an oEmbed 1.0 "rich" response; the thumbnail fields come all three or none.
type oembedResponse struct {
	Type            string `json:"type"`
	Version         string `json:"version"`
	Title           string `json:"title"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	CacheAge        int    `json:"cache_age"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
}

// oembed answers GET /oembed?url=...&format=json&maxwidth=&maxheight=.
func (s *Server) oembed(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	switch q.Get("format") {
	case "", "json":
	default:
		return oembedError(http.StatusNotImplemented, "Only format=json is implemented.")
	}
	// The limits the consumer set; without one, no limit.
	maxW, maxH := math.MaxInt, math.MaxInt
	for _, m := range []struct {
		name string
		v    *int
	}{{"maxwidth", &maxW}, {"maxheight", &maxH}} {
		if v := q.Get(m.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return oembedError(http.StatusBadRequest, m.name+" must be a whole number of pixels greater than 0.")
			}
			*m.v = n
		}
	}
	width, height := min(oembedWidth, maxW), min(oembedHeight, maxH)
	t, err := s.resolveOEmbed(q.Get("url"))
	if err != nil {
		return err
	}
	o := s.ownOrigin()
	origin := o.Scheme + "://" + o.Host
	src := origin + site{embed: true, theme: t.theme}.link(t.path, t.query)
	resp := oembedResponse{
		Type:         "rich",
		Version:      "1.0",
		Title:        t.title,
		ProviderName: siteName,
		ProviderURL:  origin + "/",
		CacheAge:     oembedCacheAge,
		HTML:         views.Snippet(views.OEmbedSnippet(src, origin+embedScriptPath, width, height)),
		Width:        width,
		Height:       height,
	}
	// The thumbnail must respect maxwidth and maxheight too: the card only comes at its one size.
	if ogimage.Width <= maxW && ogimage.Height <= maxH {
		resp.ThumbnailURL = origin + s.ogPath(t.card)
		resp.ThumbnailWidth, resp.ThumbnailHeight = ogimage.Width, ogimage.Height
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(oembedCacheAge))
	// Consumers fetch from servers and from browsers; nothing here depends on credentials.
	h.Set("Access-Control-Allow-Origin", "*")
	serve.Write(w, r, http.StatusOK, serve.NewPage("application/json; charset=utf-8", body))
	return nil
}

// discoverable gives a start, question or result page its oEmbed discovery: the <link
// rel="alternate"> tag in m, and the matching Link header to send with every response of the
// page. Both name the page by its canonical URL on our origin (a cached page holds nothing of
// one request's own query); there are none when the server has no origin of its own.
func (s *Server) discoverable(rq *request, m *views.Meta) http.Header {
	o := s.ownOrigin()
	if o == nil || !discoverablePath(rq.URL.Path) {
		return nil
	}
	page, _, _ := strings.Cut(rq.Key(), " ") // without a key's " removed=N" note
	page = strings.TrimSuffix(page, "?")
	m.OEmbed = o.Scheme + "://" + o.Host + oembedPath + "?url=" + url.QueryEscape(o.Scheme+"://"+o.Host+page) + "&format=json"
	return http.Header{"Link": {"<" + m.OEmbed + `>; rel="alternate"; type="application/json+oembed"; title="` + siteName + `"`}}
}

// discoverablePath reports whether p is a start, question or result page, on the site or in the
// embed: the pages routes.go wraps in discoverable.
func discoverablePath(p string) bool {
	p = strings.TrimPrefix(p, "/embed")
	return p == "" || p == "/" || p == "/result" || strings.HasPrefix(p, "/q/")
}
