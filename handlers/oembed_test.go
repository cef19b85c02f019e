package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
	"nestnext/ogimage"
)

// firstAnswers walks the wizard choosing each question's first option, to a complete answer
// set: it follows the content file, so it survives question and option changes.
func firstAnswers(t testing.TB, c *decision.Content) decision.Answers {
	t.Helper()
	a := decision.Answers{}
	for range c.Questions {
		rp := c.Replay(map[string]string(a))
		if rp.Complete() {
			return a
		}
		a = a.With(rp.Next.ID, rp.Next.Options[0].ID)
	}
	t.Fatal("no complete answer set by first options")
	return nil
}

// checkOEmbed checks a 200 response against oEmbed 1.0's required fields for a rich response and
// the limits the request set; it returns the decoded response.
func checkOEmbed(t *testing.T, rec response, maxW, maxH int) map[string]any {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["type"] != "rich" || m["version"] != "1.0" {
		t.Errorf("type %v version %v, want rich 1.0", m["type"], m["version"])
	}
	for _, k := range []string{"html", "title", "provider_name", "provider_url"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("%s missing or empty", k)
		}
	}
	num := func(k string) (int, bool) {
		f, ok := m[k].(float64)
		return int(f), ok && f == float64(int(f))
	}
	w, okW := num("width")
	h, okH := num("height")
	if !okW || !okH || w <= 0 || h <= 0 {
		t.Errorf("width %v height %v: both are required positive integers", m["width"], m["height"])
	}
	if (maxW > 0 && w > maxW) || (maxH > 0 && h > maxH) {
		t.Errorf("%dx%d exceeds maxwidth %d / maxheight %d", w, h, maxW, maxH)
	}
	if age, ok := num("cache_age"); !ok || age <= 0 {
		t.Errorf("cache_age %v", m["cache_age"])
	}
	_, u := m["thumbnail_url"]
	tw, okTW := num("thumbnail_width")
	th, okTH := num("thumbnail_height")
	if u != okTW || u != okTH {
		t.Errorf("thumbnail_url, _width and _height must come together: %v %v %v", m["thumbnail_url"], m["thumbnail_width"], m["thumbnail_height"])
	}
	if u && ((maxW > 0 && tw > maxW) || (maxH > 0 && th > maxH)) {
		t.Errorf("thumbnail %dx%d exceeds maxwidth %d / maxheight %d", tw, th, maxW, maxH)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(m["html"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	f := doc.Find("iframe")
	if f.Length() != 1 || f.AttrOr("title", "") == "" {
		t.Errorf("html must hold one iframe with a title: %s", m["html"])
	}
	if f.AttrOr("width", "") != strconv.Itoa(w) || f.AttrOr("height", "") != strconv.Itoa(h) {
		t.Errorf("iframe size %sx%s, response says %dx%d", f.AttrOr("width", ""), f.AttrOr("height", ""), w, h)
	}
	return m
}

func iframeSrc(t *testing.T, m map[string]any) string {
	t.Helper()
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(m["html"].(string)))
	return doc.Find("iframe").AttrOr("src", "")
}

func TestOEmbedEachKindOfURL(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	srv, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	c := srv.content
	a := firstAnswers(t, c)
	enc := c.Encode(a)
	rp := c.Replay(map[string]string(a))
	res, err := c.Evaluate(&rp)
	if err != nil {
		t.Fatal(err)
	}
	second := c.Replay(map[string]string{c.Questions[0].ID: a[c.Questions[0].ID]}).Next
	firstOnly := c.Encode(decision.Answers{c.Questions[0].ID: a[c.Questions[0].ID]})
	base := "https://wizard.example.com"
	tests := []struct {
		name, url, wantSrc, wantTitle, wantCard string
	}{
		{"start", base + "/", base + "/embed/", siteName, "start"},
		{"start, no slash", base, base + "/embed/", siteName, "start"},
		{"embed start with theme", base + "/embed/?accent=FF0000&theme=dark", base + "/embed/?accent=ff0000&theme=dark", siteName, "start"},
		{"question", base + "/q/" + second.ID + "?" + firstOnly, base + "/embed/q/" + second.ID + "?" + firstOnly, second.Text, "start"},
		{"embed question", base + "/embed/q/" + second.ID + "?" + firstOnly, base + "/embed/q/" + second.ID + "?" + firstOnly, second.Text, "start"},
		{"result", base + "/result?" + enc, base + "/embed/result?" + enc, res.Outcome.Name, res.Outcome.ID},
		{"result, tracking params and port", "https://wizard.example.com:443/result?utm_source=x&" + enc, base + "/embed/result?" + enc, res.Outcome.Name, res.Outcome.ID},
		{"embed result", base + "/embed/result?" + enc + "&intro=0", base + "/embed/result?" + enc + "&intro=0", res.Outcome.Name, res.Outcome.ID},
		{"incomplete result", base + "/result?" + firstOnly, base + "/embed/result?" + firstOnly, siteName, "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := checkOEmbed(t, get(t, h, "/oembed?format=json&url="+url.QueryEscape(tt.url)), 0, 0)
			if got := iframeSrc(t, m); got != tt.wantSrc {
				t.Errorf("iframe src %q, want %q", got, tt.wantSrc)
			}
			if title := m["title"].(string); !strings.Contains(title, tt.wantTitle) {
				t.Errorf("title %q, want it to name %q", title, tt.wantTitle)
			}
			if m["provider_url"] != base+"/" || m["provider_name"] != siteName {
				t.Errorf("provider %v %v", m["provider_name"], m["provider_url"])
			}
			wantThumb := base + "/og/v" + strconv.Itoa(c.Version) + "/" + tt.wantCard + ".png"
			if m["thumbnail_url"] != wantThumb || m["thumbnail_width"] != float64(ogimage.Width) || m["thumbnail_height"] != float64(ogimage.Height) {
				t.Errorf("thumbnail %v %vx%v, want %s", m["thumbnail_url"], m["thumbnail_width"], m["thumbnail_height"], wantThumb)
			}
			if !strings.Contains(m["html"].(string), `<script src="`+base+`/embed.js" async></script>`) {
				t.Errorf("html lacks the embed.js script: %s", m["html"])
			}
		})
	}
	// The thumbnail URL and the iframe src are real pages.
	m := checkOEmbed(t, get(t, h, "/oembed?url="+url.QueryEscape(base+"/result?"+enc)), 0, 0)
	for _, u := range []string{iframeSrc(t, m), m["thumbnail_url"].(string)} {
		if rec := get(t, h, strings.TrimPrefix(u, base)); rec.Code != http.StatusOK {
			t.Errorf("%s: %d", u, rec.Code)
		}
	}
}

func TestOEmbedMaxSize(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	_, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	u := url.QueryEscape("https://wizard.example.com/")
	for _, tt := range []struct {
		maxW, maxH int
		thumb      bool
	}{{0, 0, true}, {400, 0, false}, {0, 300, false}, {1200, 630, true}, {1199, 2000, false}, {2000, 629, false}, {2000, 2000, true}, {1, 1, false}} {
		target := "/oembed?url=" + u
		if tt.maxW > 0 {
			target += "&maxwidth=" + strconv.Itoa(tt.maxW)
		}
		if tt.maxH > 0 {
			target += "&maxheight=" + strconv.Itoa(tt.maxH)
		}
		m := checkOEmbed(t, get(t, h, target), tt.maxW, tt.maxH)
		if _, ok := m["thumbnail_url"]; ok != tt.thumb {
			t.Errorf("%s: thumbnail %v, want %v", target, ok, tt.thumb)
		}
		if tt.maxW == 0 && m["width"] != float64(oembedWidth) {
			t.Errorf("%s: width %v, want the default %d", target, m["width"], oembedWidth)
		}
	}
}

func TestOEmbedErrors(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	srv, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	c := srv.content
	enc := c.Encode(firstAnswers(t, c))
	base := "https://wizard.example.com"
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"", http.StatusBadRequest},
		{"url=", http.StatusBadRequest},
		{"url=%20", http.StatusBadRequest},
		{"url=" + url.QueryEscape("/result?"+enc), http.StatusBadRequest},
		{"url=" + url.QueryEscape("wizard.example.com/"), http.StatusBadRequest},
		{"url=" + url.QueryEscape("ftp://wizard.example.com/"), http.StatusBadRequest},
		{"url=" + url.QueryEscape("https://wizard.example.com/%zz"), http.StatusBadRequest},
		{"url=" + url.QueryEscape(base+"/") + "&maxwidth=wide", http.StatusBadRequest},
		{"url=" + url.QueryEscape(base+"/") + "&maxheight=0", http.StatusBadRequest},
		{"url=" + url.QueryEscape(base+"/") + "&maxwidth=-5", http.StatusBadRequest},
		{"url=" + url.QueryEscape("https://evil.example/result?"+enc), http.StatusNotFound},
		{"url=" + url.QueryEscape("http://wizard.example.com/"), http.StatusNotFound},
		{"url=" + url.QueryEscape("https://wizard.example.com:8443/"), http.StatusNotFound},
		{"url=" + url.QueryEscape("https://wizard.example.com.evil.example/"), http.StatusNotFound},
		{"url=" + url.QueryEscape("http://127.0.0.1/"), http.StatusNotFound},
		{"url=" + url.QueryEscape("http://localhost/"), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/embedding"), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/next?"+enc), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/q/no-such-question"), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/result.md?"+enc), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/embedded/"), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/api/v1/decision"), http.StatusNotFound},
		{"url=" + url.QueryEscape(base+"/") + "&format=xml", http.StatusNotImplemented},
		{"url=" + url.QueryEscape(base+"/") + "&format=yaml", http.StatusNotImplemented},
	} {
		rec := get(t, h, "/oembed?"+tt.query)
		if rec.Code != tt.want {
			t.Errorf("/oembed?%s: %d, want %d", tt.query, rec.Code, tt.want)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "<h1") {
			t.Errorf("/oembed?%s: want a clear error page, got %q", tt.query, rec.Header().Get("Content-Type"))
		}
	}
	// Without PUBLIC_URL or a listen origin the server has no origin of its own to vouch for.
	_, bare := newTestServer(t, withConfig(Config{}))
	req := httptest.NewRequest(http.MethodGet, "/oembed?url="+url.QueryEscape("http://example.com/"), nil)
	rec := httptest.NewRecorder()
	bare.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("no origin configured: %d, want 404", rec.Code)
	}
}

// Without PUBLIC_URL, the listen origin is ours (localhost by any loopback name on its port), and
// the Host header never makes a URL ours or reaches a discovery link.
func TestOEmbedListenOrigin(t *testing.T) {
	origin := &url.URL{Scheme: "http", Host: "localhost:8080"} // what cmd/wizard sets for :8080
	_, h := newTestServer(t, withConfig(Config{PublicURL: origin}))
	for u, want := range map[string]int{
		"http://localhost:8080/":   http.StatusOK,
		"http://127.0.0.1:8080/":   http.StatusOK,
		"http://[::1]:8080/":       http.StatusOK,
		"http://127.0.0.1:9090/":   http.StatusNotFound,
		"https://localhost:8080/":  http.StatusNotFound,
		"http://evil.example/":     http.StatusNotFound,
		"http://evil.example:8080": http.StatusNotFound,
	} {
		req := httptest.NewRequest(http.MethodGet, "/oembed?url="+url.QueryEscape(u), nil)
		req.Host = "evil.example"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", u, rec.Code, want)
		}
		if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "evil") {
			t.Errorf("%s: the Host header reached the response: %s", u, rec.Body.String())
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "evil.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	link := rec.Header().Get("Link")
	if !strings.HasPrefix(link, "<http://localhost:8080/oembed?url=http%3A%2F%2Flocalhost%3A8080%2F&format=json>") {
		t.Errorf("Link header %q", link)
	}
	doc, _ := goquery.NewDocumentFromReader(rec.Body)
	if href := doc.Find(`link[type="application/json+oembed"]`).AttrOr("href", ""); strings.Contains(href, "evil") || href == "" {
		t.Errorf("discovery href %q", href)
	}
}

// discover does what WordPress's WP_oEmbed::discover does: fetch the page, take the href of its
// <link rel="alternate" type="application/json+oembed">, and fetch that with the consumer's
// maxwidth and maxheight.
func discover(t *testing.T, client *http.Client, pageURL string) (map[string]any, string) {
	t.Helper()
	resp, err := client.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", pageURL, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	links := doc.Find(`head link[rel="alternate"][type="application/json+oembed"]`)
	if links.Length() != 1 {
		t.Fatalf("%s: %d oEmbed discovery links, want 1", pageURL, links.Length())
	}
	href := links.AttrOr("href", "")
	if header := resp.Header.Get("Link"); !strings.HasPrefix(header, "<"+href+">;") || !strings.Contains(header, `type="application/json+oembed"`) {
		t.Errorf("%s: Link header %q does not match the tag's %q", pageURL, header, href)
	}
	endpoint, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	q := endpoint.Query()
	q.Set("maxwidth", "640")
	q.Set("maxheight", "1000")
	q.Set("dnt", "1") // WordPress adds it; a provider ignores what it does not know
	endpoint.RawQuery = q.Encode()
	oresp, err := client.Get(endpoint.String())
	if err != nil {
		t.Fatal(err)
	}
	defer oresp.Body.Close()
	body, _ := io.ReadAll(oresp.Body)
	rec := httptest.NewRecorder()
	rec.Code = oresp.StatusCode
	for k, v := range oresp.Header {
		rec.Header()[k] = v
	}
	rec.Body.Write(body)
	m := checkOEmbed(t, response{ResponseRecorder: rec}, 640, 1000)
	return m, iframeSrc(t, m)
}

// TestOEmbedConsumer is a discovery-based consumer against a real server: for the start page, a
// question and a result, the iframe it gets loads the embedded page, which may be framed and
// shows the same recommendation as the page that was pasted.
func TestOEmbedConsumer(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	pub, _ := url.Parse("http://" + srv.Listener.Addr().String())
	ws, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	c := ws.content
	srv.Config.Handler = h
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	a := firstAnswers(t, c)
	first := c.Questions[0].ID
	second := c.Replay(map[string]string{first: a[first]}).Next
	for _, page := range []string{
		"/",
		"/q/" + second.ID + "?" + c.Encode(decision.Answers{first: a[first]}),
		"/result?" + c.Encode(a),
	} {
		m, src := discover(t, client, srv.URL+page)
		want := srv.URL + "/embed" + page
		if page == "/" {
			want = srv.URL + "/embed/"
		}
		if src != want {
			t.Errorf("%s: iframe src %q, want %q", page, src, want)
		}
		if !strings.Contains(m["html"].(string), srv.URL+"/embed.js") {
			t.Errorf("%s: html lacks embed.js", page)
		}
		framed, err := client.Get(src)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(framed.Body)
		framed.Body.Close()
		if framed.StatusCode != http.StatusOK || doc.Find("html[data-embed]").Length() != 1 {
			t.Errorf("%s: the iframe's page %s: %d, embed page %v", page, src, framed.StatusCode, doc.Find("html[data-embed]").Length() == 1)
		}
		if csp := framed.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https:") {
			t.Errorf("%s: the embedded page may not be framed by https sites: %q", page, csp)
		}
		if xfo := framed.Header.Get("X-Frame-Options"); xfo != "" {
			t.Errorf("%s: embedded page sends X-Frame-Options %q", page, xfo)
		}
		if strings.HasPrefix(page, "/result") {
			site, err := client.Get(srv.URL + page)
			if err != nil {
				t.Fatal(err)
			}
			sdoc, _ := goquery.NewDocumentFromReader(site.Body)
			site.Body.Close()
			if got, want := strings.TrimSpace(doc.Find("h1").First().Text()), strings.TrimSpace(sdoc.Find("h1").First().Text()); got != want || got == "" {
				t.Errorf("embedded result says %q, the pasted page %q", got, want)
			}
		}
	}
	// Pages that are not start, question or result pages offer nothing to discover.
	for _, page := range []string{"/embedding", "/q/no-such-question", "/og/v1/start.png"} {
		resp, err := client.Get(srv.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := goquery.NewDocumentFromReader(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Link") != "" || (doc != nil && doc.Find(`link[type="application/json+oembed"]`).Length() > 0) {
			t.Errorf("%s (%d) offers oEmbed discovery", page, resp.StatusCode)
		}
	}
}

func TestEmbeddingPageExplainsPastingALink(t *testing.T) {
	pub, _ := url.Parse("https://wizard.example.com")
	_, h := newTestServer(t, withConfig(Config{PublicURL: pub}))
	r := get(t, h, "/embedding")
	wantStatus(t, r, http.StatusOK)
	sec := r.doc.Find("#paste-a-link").NextUntil("h2").Text()
	for _, want := range []string{"https://wizard.example.com/oembed", "WordPress", "Ghost", "Notion", "Iframely", "application/json+oembed"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the paste-a-link section does not mention %q", want)
		}
	}
	_, bare := newTestServer(t, withConfig(Config{}))
	if sec := get(t, bare, "/embedding").doc.Find("#paste-a-link").NextUntil("h2").Text(); !strings.Contains(sec, "PUBLIC_URL") || strings.Contains(sec, "/oembed") {
		t.Errorf("without an origin the page must say oEmbed is off: %q", sec)
	}
}
