package handlers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
)

// Page-weight budgets ("Fast by design"). Sizes are the body gzipped here at the default level,
// whatever coding the server would pick, so the budget does not move with the server's settings.
const (
	// pageBudget keeps every HTML page inside TCP's initial congestion window (10 segments, about
	// 14 KB): the whole page arrives in the first round trip.
	pageBudget = 14 * 1024
	// firstVisitBudget is the first question page with every stylesheet and script it loads.
	firstVisitBudget = 30 * 1024
)

// budgetHost is the host the test requests carry (httptest's default): links to it are our own.
const budgetHost = "example.com"

func gzipSize(t testing.TB, body []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf) // default level
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// budgetPage is one HTML page the budgets hold for.
type budgetPage struct {
	name, target string
	status       int
}

// budgetPages lists every kind of page: start, each question, the error state, the result for
// each outcome, the 404 page, the embedding page and the embed versions of the wizard pages.
func budgetPages(t testing.TB, c *decision.Content) []budgetPage {
	t.Helper()
	pages := []budgetPage{
		{"start", "/", http.StatusOK},
		{"error state (no answer chosen)", "/next?build=site&q=logic&v=3", http.StatusUnprocessableEntity},
		{"404", "/no-such-page", http.StatusNotFound},
		{"question not found", "/q/nope?v=3", http.StatusNotFound},
		{"embedding", "/embedding", http.StatusOK},
		{"embed start", "/embed/", http.StatusOK},
		{"embed question", "/embed/q/build?v=3&accent=%23ff8800&theme=dark", http.StatusOK},
		{"embed result", "/embed/result?" + fullPlatform, http.StatusOK},
	}
	// Every question, with every other answer given: the most hidden fields a question carries.
	for _, q := range c.Questions {
		pages = append(pages, budgetPage{"question " + q.ID, "/q/" + q.ID + "?" + fullPlatform, http.StatusOK})
	}
	// A result for each outcome.
	for _, a := range outcomeAnswers(t, c) {
		pages = append(pages, budgetPage{"result " + a.outcome, "/result?" + c.Encode(a.answers), http.StatusOK})
	}
	// Team pages (team.go): two members, and the largest team, 8 members with 40-character names.
	var team []string
	for i, a := range outcomeAnswers(t, c) {
		team = append(team, "m="+c.EncodeMember(decision.TeamMember{Name: strings.Repeat(string(rune('A'+i)), decision.MaxNameRunes), Answers: a.answers}))
	}
	for len(team) < decision.MaxTeamMembers {
		team = append(team, team[len(team)%3])
	}
	pages = append(pages,
		budgetPage{"team of 2", "/team?" + strings.Join(team[:2], "&") + "&v=" + strconv.Itoa(c.Version), http.StatusOK},
		budgetPage{"team of 8", "/team?" + strings.Join(team, "&") + "&v=" + strconv.Itoa(c.Version), http.StatusOK},
	)
	return pages
}

type outcomeAnswer struct {
	outcome string
	answers decision.Answers
}

// outcomeAnswers finds, for each outcome, the answer set (among deterministic random ones) whose
// result page is largest for it: the most reasons, counterfactuals and open questions.
func outcomeAnswers(t testing.TB, c *decision.Content) []outcomeAnswer {
	t.Helper()
	type best struct {
		answers decision.Answers
		weight  int
	}
	found := map[string]best{}
	for _, a := range sampleAnswers(c, 400) {
		rp := c.Replay(a)
		res, err := c.Evaluate(&rp)
		if err != nil {
			t.Fatalf("%v: %v", a, err)
		}
		// A rough proxy for page size: each item is a block of text on the page.
		weight := len(res.Reasons) + 3*len(c.Counterfactuals(&rp, res)) + 4*len(c.OpenQuestions(&rp, res))
		if b, ok := found[res.Outcome.ID]; !ok || weight > b.weight {
			found[res.Outcome.ID] = best{rp.Answers, weight}
		}
	}
	var out []outcomeAnswer
	for _, o := range c.Outcomes {
		b, ok := found[o.ID]
		if !ok {
			t.Fatalf("no sampled answers lead to %s", o.ID)
		}
		out = append(out, outcomeAnswer{o.ID, b.answers})
	}
	return out
}

// sampleAnswers returns n complete answer sets, the same on every run: a random option on offer
// for every question on the path. "Not sure" answers are
// favoured, as they make the largest result pages.
func sampleAnswers(c *decision.Content, n int) []decision.Answers {
	rnd := rand.New(rand.NewPCG(1, 2))
	var out []decision.Answers
	for range n {
		raw := map[string]string{}
		rp := c.Replay(raw)
		for !rp.Complete() {
			q := rp.Next
			offered := c.Offered(&rp, q)
			o := offered[rnd.IntN(len(offered))]
			if u := q.UnsureOption(); u != nil && rnd.IntN(3) == 0 {
				o = u
			}
			raw[q.ID] = o.ID
			rp = c.Replay(raw)
		}
		out = append(out, rp.Answers)
	}
	return out
}

// TestPageWeightBudgets: every HTML page is at most 14 KB gzipped.
func TestPageWeightBudgets(t *testing.T) {
	s, h := newTestServer(t)
	var report []string
	for _, p := range budgetPages(t, s.content) {
		rec := get(t, h, p.target)
		if rec.Code != p.status {
			t.Errorf("%s (%s): status %d, want %d", p.name, p.target, rec.Code, p.status)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", p.name, ct)
			continue
		}
		raw := rec.Body.Len()
		gz := gzipSize(t, rec.Body.Bytes())
		report = append(report, fmt.Sprintf("%-36s %6d B raw %6d B gzip (%3.0f%% of budget)", p.name, raw, gz, 100*float64(gz)/pageBudget))
		if gz > pageBudget {
			t.Errorf("%s (%s) is %d bytes gzipped, over the %d-byte budget", p.name, p.target, gz, pageBudget)
		}
	}
	t.Logf("page weights (gzip -6 of the body):\n%s", strings.Join(report, "\n"))
}

// subresource is a request a page makes as it loads.
type subresource struct{ tag, attr, url string }

// subresources lists every URL a page loads by itself: src and href of link, script, img,
// iframe, source, video, audio, track, embed and object, image srcsets, and form actions are
// left out (navigation, like <a href>).
func subresources(doc *goquery.Document) []subresource {
	var out []subresource
	doc.Find("link[href], script[src], img[src], iframe[src], source[src], video[src], video[poster], audio[src], track[src], embed[src], object[data], img[srcset], source[srcset]").Each(func(_ int, s *goquery.Selection) {
		tag := goquery.NodeName(s)
		// data-htmx names the script app.js loads on the visitor's first intent: a request too.
		for _, attr := range []string{"href", "src", "poster", "data", "data-htmx"} {
			if v, ok := s.Attr(attr); ok {
				out = append(out, subresource{tag, attr, v})
			}
		}
		if v, ok := s.Attr("srcset"); ok {
			for _, part := range strings.Split(v, ",") {
				if f := strings.Fields(part); len(f) > 0 {
					out = append(out, subresource{tag, "srcset", f[0]})
				}
			}
		}
	})
	return out
}

// ownURL reports whether u is same-origin relative or on our own host.
func ownURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	if p.Scheme == "data" {
		return true // inline, no request
	}
	if p.Scheme == "" && p.Host == "" {
		return !strings.HasPrefix(u, "//")
	}
	return (p.Scheme == "http" || p.Scheme == "https") && p.Host == budgetHost
}

var (
	fontFace  = regexp.MustCompile(`(?i)@font-face`)
	cssURL    = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")]+)`)
	cssImport = regexp.MustCompile(`(?i)@import`)
	fontFile  = regexp.MustCompile(`(?i)\.(woff2?|ttf|otf|eot)(\?|#|$)`)
)

// TestNoBlockingNoFontsNoThirdParty: the only render-blocking request is one stylesheet, scripts
// are deferred, no web fonts, and nothing is loaded from another origin.
func TestNoBlockingNoFontsNoThirdParty(t *testing.T) {
	s, h := newTestServer(t)
	checkedCSS := map[string]bool{}
	for _, p := range budgetPages(t, s.content) {
		rec := get(t, h, p.target)
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		embed := strings.HasPrefix(p.target, "/embed/")
		sheets := doc.Find(`link[rel~="stylesheet"]`)
		if !embed && sheets.Length() > 1 {
			t.Errorf("%s: %d stylesheets; one at most may block rendering", p.name, sheets.Length())
		}
		if embed && sheets.Length() > 2 {
			// The embed may add the embedder's accent stylesheet.
			t.Errorf("%s: %d stylesheets", p.name, sheets.Length())
		}
		doc.Find("script").Each(func(_ int, sc *goquery.Selection) {
			src, hasSrc := sc.Attr("src")
			_, deferred := sc.Attr("defer")
			_, async := sc.Attr("async")
			module := sc.AttrOr("type", "") == "module"
			switch {
			case hasSrc && !deferred && !async && !module:
				t.Errorf("%s: script %s blocks rendering (needs defer or async)", p.name, src)
			case !hasSrc && sc.AttrOr("type", "") != "application/ld+json" && strings.TrimSpace(sc.Text()) != "":
				t.Errorf("%s: inline script (CSP and blocking): %.60s", p.name, sc.Text())
			}
		})
		doc.Find(`link[rel~="preload"], link[rel~="prefetch"], link[rel~="preconnect"], link[rel~="dns-prefetch"]`).Each(func(_ int, l *goquery.Selection) {
			if l.AttrOr("as", "") == "font" || fontFile.MatchString(l.AttrOr("href", "")) {
				t.Errorf("%s: font preload %s", p.name, l.AttrOr("href", ""))
			}
		})
		if doc.Find("style").Length() > 0 {
			doc.Find("style").Each(func(_ int, st *goquery.Selection) {
				if fontFace.MatchString(st.Text()) {
					t.Errorf("%s: @font-face in an inline style", p.name)
				}
			})
		}
		for _, r := range subresources(doc) {
			if !ownURL(r.url) {
				t.Errorf("%s: third-party request <%s %s=%q>", p.name, r.tag, r.attr, r.url)
			}
			if fontFile.MatchString(r.url) {
				t.Errorf("%s: loads a font file %s", p.name, r.url)
			}
		}
		sheets.Each(func(_ int, l *goquery.Selection) {
			href := l.AttrOr("href", "")
			if checkedCSS[href] || !ownURL(href) {
				return
			}
			checkedCSS[href] = true
			css := get(t, h, href)
			if css.Code != http.StatusOK {
				t.Errorf("%s: stylesheet %s: status %d", p.name, href, css.Code)
				return
			}
			body := css.Body.String()
			if fontFace.MatchString(body) {
				t.Errorf("stylesheet %s declares @font-face: no web fonts", href)
			}
			if cssImport.MatchString(body) {
				t.Errorf("stylesheet %s uses @import: a second blocking request", href)
			}
			for _, m := range cssURL.FindAllStringSubmatch(body, -1) {
				if !ownURL(strings.TrimSpace(m[1])) {
					t.Errorf("stylesheet %s loads %s from another origin", href, m[1])
				}
			}
		})
	}
	if len(checkedCSS) == 0 {
		t.Fatal("no stylesheet checked")
	}
}

// TestFirstVisitBudget: the first question page with every stylesheet and script it loads is at
// most 30 KB gzipped.
func TestFirstVisitBudget(t *testing.T) {
	_, h := newTestServer(t)
	rec := get(t, h, "/q/build?v=3")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{"/q/build?v=3 (HTML)": gzipSize(t, rec.Body.Bytes())}
	var assets []string
	doc.Find(`link[rel~="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
		assets = append(assets, s.AttrOr("href", s.AttrOr("src", "")))
		// htmx is loaded at the first sign of intent, but a visitor who answers loads it all the same.
		if lazy, ok := s.Attr("data-htmx"); ok {
			assets = append(assets, lazy)
		}
	})
	if len(assets) == 0 {
		t.Fatal("no stylesheet or script found")
	}
	for _, a := range assets {
		res := get(t, h, a)
		if res.Code != http.StatusOK {
			t.Errorf("%s: status %d", a, res.Code)
			continue
		}
		if enc := res.Header().Get("Content-Encoding"); enc != "" {
			t.Fatalf("%s: came back %s-encoded to a request without Accept-Encoding", a, enc)
		}
		sizes[a] = gzipSize(t, res.Body.Bytes())
	}
	total := 0
	var lines []string
	for name, n := range sizes {
		total += n
		lines = append(lines, fmt.Sprintf("%-48s %6d B gzip", name, n))
	}
	sort.Strings(lines)
	t.Logf("first question page with its CSS and JavaScript:\n%s\n%-48s %6d B gzip (%.0f%% of %d)", strings.Join(lines, "\n"), "total", total, 100*float64(total)/firstVisitBudget, firstVisitBudget)
	if total > firstVisitBudget {
		t.Errorf("first question page with its CSS and JavaScript is %d bytes gzipped, over the %d-byte budget", total, firstVisitBudget)
	}
}

// TestBudgetCheckersCatchViolations makes sure the checks above can fail.
func TestBudgetCheckersCatchViolations(t *testing.T) {
	for u, want := range map[string]bool{
		"/static/app.css":                  true,
		"static/app.css":                   true,
		"http://example.com/og/v1/x.png":   true,
		"data:image/svg+xml,<svg/>":        true,
		"https://fonts.googleapis.com/css": false,
		"//cdn.example.net/htmx.js":        false,
		"http://example.com.evil.net/x.js": false,
	} {
		if got := ownURL(u); got != want {
			t.Errorf("ownURL(%q) = %v, want %v", u, got, want)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(`<link rel="preload" as="font" href="/f.woff2"><script src="https://cdn.example.net/x.js"></script><img srcset="/a.png 1x, https://img.example.net/b.png 2x"><script src="/app.js" data-htmx="https://unpkg.com/htmx.org"></script>`))
	if err != nil {
		t.Fatal(err)
	}
	var foreign []string
	for _, r := range subresources(doc) {
		if !ownURL(r.url) {
			foreign = append(foreign, r.url)
		}
	}
	if len(foreign) != 3 || !fontFile.MatchString("/f.woff2") || !fontFace.MatchString("@font-face{}") {
		t.Errorf("checkers missed violations: %v", foreign)
	}
}
