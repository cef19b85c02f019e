package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
)

const fullPlatform = "build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"

// newTestServer is the one way the handlers tests make a server: the embedded content, a fixed
// clock, and by default PUBLIC_URL http://example.com (as the binary always has one) with logs
// discarded; withConfig and withLog change those.
func newTestServer(t testing.TB, opts ...testOption) (*Server, http.Handler) {
	t.Helper()
	c, err := decision.Default()
	if err != nil {
		t.Fatal(err)
	}
	setup := testSetup{cfg: Config{PublicURL: &url.URL{Scheme: "http", Host: "example.com"}}, log: io.Discard}
	for _, o := range opts {
		o(&setup)
	}
	s := newServer(c, slog.New(slog.NewTextHandler(setup.log, nil)), setup.cfg)
	s.now = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }
	return s, s.routes()
}

type testSetup struct {
	cfg Config
	log io.Writer
}

type testOption func(*testSetup)

// withConfig replaces the whole default Config.
func withConfig(cfg Config) testOption { return func(s *testSetup) { s.cfg = cfg } }

// withLog sends the server's logs to w.
func withLog(w io.Writer) testOption { return func(s *testSetup) { s.log = w } }

type response struct {
	*httptest.ResponseRecorder
	doc *goquery.Document
}

// get is the one way the handlers tests send a request: header holds name, value pairs. No
// response may set a cookie; an HTML body is parsed into doc.
func get(t testing.TB, h http.Handler, target string, header ...string) response {
	t.Helper()
	return do(t, h, http.MethodGet, target, header...)
}

// do is get with another method.
func do(t testing.TB, h http.Handler, method, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if c := rec.Header().Get("Set-Cookie"); c != "" {
		t.Errorf("%s %s set a cookie: %s", method, target, c)
	}
	res := response{ResponseRecorder: rec}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
		if err != nil {
			t.Fatalf("parse %s: %v", target, err)
		}
		res.doc = doc
	}
	return res
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Code != want {
		t.Fatalf("status %d, want %d; body: %.300s", r.Code, want, r.Body.String())
	}
}

func TestStartPage(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/")
	wantStatus(t, r, http.StatusOK)
	if got := r.doc.Find("title").Text(); !strings.Contains(got, "NestJS, Next.js, or both?") {
		t.Errorf("title %q", got)
	}
	if d, _ := r.doc.Find(`meta[name="description"]`).Attr("content"); len(d) < 50 {
		t.Errorf("meta description too short: %q", d)
	}
	if r.doc.Find(`meta[name="robots"]`).Length() != 0 {
		t.Error("start page must be indexable")
	}
	if href, _ := r.doc.Find("a.button-start").Attr("href"); href != "/q/build?v=3" {
		t.Errorf("start link %q", href)
	}
	body := r.doc.Find("main").Text()
	for _, want := range []string{"About 2 minutes", "5 to 10 questions", "Wojciech Andruszków"} {
		if !strings.Contains(body, want) {
			t.Errorf("start page lacks %q", want)
		}
	}
	if href, _ := r.doc.Find(`main a[href^="https://ulansoftware.com/"]`).Attr("href"); href == "" {
		t.Error("start page does not link to the article")
	}
}

func TestQuestionPage(t *testing.T) {
	_, h := newTestServer(t)
	tests := []struct {
		name     string
		target   string
		h1       string
		progress string
		selected string
		back     string
	}{
		{"first question", "/q/build?v=3", "What are you building?", "", "", "/"},
		{"count unknown yet", "/q/logic?build=site&v=3", "How complex is the business logic on the server?", "", "", "/q/build?build=site&v=3"},
		{"count known", "/q/seo?build=site&logic=simple&v=3", "How much does search-engine visibility matter?", "Question 3 of 9", "", "/q/logic?build=site&logic=simple&v=3"},
		{"previous answer preselected", "/q/build?build=api&logic=simple&v=3", "What are you building?", "", "api", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, tt.target)
			wantStatus(t, r, http.StatusOK)
			legend := r.doc.Find("form fieldset legend")
			if got := strings.TrimSpace(legend.Find("h1").Text()); got != tt.h1 {
				t.Errorf("h1 in legend = %q, want %q", got, tt.h1)
			}
			if got := strings.TrimSpace(legend.Find(".caption").Text()); got != tt.progress {
				t.Errorf("progress %q, want %q", got, tt.progress)
			}
			if r.doc.Find(`meta[name="robots"][content="noindex"]`).Length() != 1 {
				t.Error("question pages must be noindex")
			}
			checked := r.doc.Find("input[type=radio][checked]")
			if got, _ := checked.Attr("value"); got != tt.selected || (tt.selected == "" && checked.Length() != 0) {
				t.Errorf("checked %q, want %q", got, tt.selected)
			}
			if got, _ := r.doc.Find("a.back-link").Attr("href"); got != tt.back {
				t.Errorf("back link %q, want %q", got, tt.back)
			}
			if r.doc.Find("details.why summary").Text() != "Why we ask" || r.doc.Find("details.why blockquote").Length() != 1 {
				t.Error("missing Why we ask with a quote")
			}
			if r.doc.Find("form[method=get][action='/next'] button[type=submit]").Length() != 1 {
				t.Error("missing GET form with Continue")
			}
			r.doc.Find("input[type=radio]").Each(func(_ int, s *goquery.Selection) {
				id, _ := s.Attr("id")
				if r.doc.Find(`label[for="`+id+`"]`).Length() != 1 {
					t.Errorf("radio %s has no label", id)
				}
			})
		})
	}
}

func TestHiddenFieldsKeepCanonicalOrder(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/q/logic?"+fullPlatform)
	wantStatus(t, r, http.StatusOK)
	var names []string
	r.doc.Find("form input").Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		if len(names) == 0 || names[len(names)-1] != n {
			names = append(names, n)
		}
	})
	want := "build logic growth seo render api realtime team share quality v q"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("form fields %q, want %q", got, want)
	}
}

func TestNextRedirects(t *testing.T) {
	_, h := newTestServer(t)
	tests := []struct{ target, location string }{
		{"/next?build=site&q=build&v=3", "/q/logic?build=site&v=3"},
		{"/next?build=api&logic=simple&q=logic&v=3", "/q/realtime?build=api&logic=simple&v=3"},
		{"/next?q=quality&" + fullPlatform, "/result?" + fullPlatform},
		// A changed earlier answer keeps the later answers that still apply.
		{"/next?q=build&" + strings.Replace(fullPlatform, "build=platform", "build=site", 1), "/result?" + strings.Replace(fullPlatform, "build=platform", "build=site", 1)},
		// An unknown q falls back to where the answers lead.
		{"/next?q=nope&build=site&v=3", "/q/logic?build=site&v=3"},
	}
	for _, tt := range tests {
		r := get(t, h, tt.target)
		wantStatus(t, r, http.StatusSeeOther)
		if got := r.Header().Get("Location"); got != tt.location {
			t.Errorf("%s → %q, want %q", tt.target, got, tt.location)
		}
	}
}

func TestValidationError(t *testing.T) {
	_, h := newTestServer(t)
	for _, target := range []string{"/next?build=site&q=logic&v=3", "/next?build=site&logic=bogus&q=logic&v=3"} {
		r := get(t, h, target)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if title := r.doc.Find("title").Text(); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("title %q lacks Error: prefix", title)
		}
		summary := r.doc.Find(".error-summary")
		if summary.Length() != 1 || summary.AttrOr("tabindex", "") != "-1" || summary.AttrOr("role", "") != "alert" {
			t.Error("error summary missing or not focusable")
		}
		if href := summary.Find("a").AttrOr("href", ""); r.doc.Find(href).Length() != 1 {
			t.Errorf("error summary link %q points nowhere", href)
		}
		if r.doc.Find(".error-message#error-logic").Length() != 1 {
			t.Error("no inline error")
		}
		if !strings.Contains(r.doc.Find("fieldset").AttrOr("aria-describedby", ""), "error-logic") {
			t.Error("fieldset not described by its error")
		}
	}
}

func TestResultPage(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+fullPlatform)
	wantStatus(t, r, http.StatusOK)
	if got := r.doc.Find("main h1").Text(); got != "Both: NestJS for the backend with Next.js in front" {
		t.Errorf("headline %q", got)
	}
	if got := r.doc.Find(".confidence strong").Text(); got == "" {
		t.Error("no confidence")
	}
	reasons := r.doc.Find(".reasons .reason")
	if reasons.Length() != 10 {
		t.Errorf("%d reasons, want one per answer (10)", reasons.Length())
	}
	first := reasons.First()
	if !strings.HasPrefix(first.Find(".reason-answer strong").Text(), "You said ") || first.Find("blockquote").Length() != 1 {
		t.Error("first reason should name the answer and quote the article")
	}
	rows := r.doc.Find("table.compare tbody tr")
	if rows.Length() != 12 {
		t.Errorf("%d table rows, want 12", rows.Length())
	}
	relevant := r.doc.Find("table.compare tr.relevant")
	if relevant.Length() == 0 || relevant.Length() != relevant.Find(".tag-relevant").Length() {
		t.Error("relevant rows must be marked in text, not colour alone")
	}
	if r.doc.Find("table.compare caption").Length() != 1 {
		t.Error("table has no caption")
	}
	changes := r.doc.Find(".summary-list .summary-action a")
	if changes.Length() != 10 {
		t.Errorf("%d Change links, want 10", changes.Length())
	}
	if href := changes.First().AttrOr("href", ""); href != "/q/build?"+fullPlatform {
		t.Errorf("first Change link %q", href)
	}
	if r.doc.Find(`a[href="/"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Start again" }).Length() != 1 {
		t.Error("no Start again link")
	}
	if r.doc.Find(`meta[name="robots"][content="noindex"]`).Length() != 1 {
		t.Error("result pages are noindex")
	}
}

// A share link opened afresh, with its parameters in any order and tracking junk added, shows the
// same result as the canonical link.
func TestReplayedShareURL(t *testing.T) {
	_, h := newTestServer(t)
	canonical := get(t, h, "/result?"+fullPlatform)
	q, _ := url.ParseQuery(fullPlatform)
	q.Set("utm_source", "newsletter")
	shuffled := get(t, h, "/result?"+q.Encode())
	wantStatus(t, shuffled, http.StatusOK)
	if a, b := canonical.doc.Find("main").Text(), shuffled.doc.Find("main").Text(); a != b {
		t.Error("shuffled share URL renders a different page")
	}
}

func TestIncompleteAndInvalidAnswers(t *testing.T) {
	_, h := newTestServer(t)
	tests := []struct{ name, target, location string }{
		{"result with answers missing", "/result?build=site&seo=critical&v=3", "/q/logic?build=site&seo=critical&v=3"},
		{"question not yet due", "/q/team?build=site&v=3", "/q/logic?build=site&v=3"},
		{"question off the path", "/q/seo?build=api&logic=simple&v=3", "/q/realtime?build=api&logic=simple&v=3"},
		{"invalid value kept for its question", "/result?build=site&logic=huge&v=3", "/q/logic?build=site&logic=huge&v=3"},
		{"no answers at all", "/result", "/q/build?v=3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, h, tt.target)
			wantStatus(t, r, http.StatusSeeOther)
			if got := r.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
		})
	}
	r := get(t, h, "/q/logic?build=site&logic=huge&v=3")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.doc.Find(".notice").Text(), "does not recognise") {
		t.Error("an unrecognised answer should be explained")
	}
	if r.doc.Find("input[type=radio][checked]").Length() != 0 {
		t.Error("an unrecognised answer must not preselect anything")
	}
}

func TestHostileInputIsNeverReflected(t *testing.T) {
	_, h := newTestServer(t)
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `{{.}}`, "\x00", "%ff%fe", strings.Repeat("a", 5000)}
	for _, p := range payloads {
		esc := url.QueryEscape(p)
		for _, target := range []string{
			"/?build=" + esc,
			"/q/build?build=" + esc,
			"/q/logic?build=site&logic=" + esc + "&v=3",
			"/next?q=" + esc + "&build=" + esc,
			"/next?q=logic&build=site&logic=" + esc,
			"/result?" + fullPlatform + "&seo=" + esc,
			"/result?" + esc + "=" + esc,
			"/q/" + esc,
		} {
			r := get(t, h, target)
			if r.Code >= 500 {
				t.Errorf("%s: status %d", target, r.Code)
			}
			if len(p) > 3 && strings.Contains(r.Body.String(), p) {
				t.Errorf("%s: payload reflected unescaped", target)
			}
		}
	}
}

func TestErrorPages(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/no/such/page")
	wantStatus(t, r, http.StatusNotFound)
	if r.doc.Find("main h1").Text() != "Page not found" || r.doc.Find(`main a[href="/"]`).Length() == 0 {
		t.Error("404 page lacks heading or way back")
	}
	if r.doc.Find("header.site-header").Length() != 1 {
		t.Error("404 page is not in the site layout")
	}
	r = get(t, h, "/q/nosuchquestion?v=3")
	wantStatus(t, r, http.StatusNotFound)

	r = do(t, h, http.MethodPost, "/result")
	wantStatus(t, r, http.StatusMethodNotAllowed)
	if allow := r.Header().Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("405 Allow header %q", allow)
	}
	if !strings.Contains(r.doc.Find("main").Text(), "GET") {
		t.Error("405 page should say which methods work")
	}
}

func TestPanicBecomes500Page(t *testing.T) {
	s, _ := newTestServer(t)
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom: secret detail") }))
	r := get(t, h, "/")
	wantStatus(t, r, http.StatusInternalServerError)
	body := r.Body.String()
	if strings.Contains(body, "secret detail") || strings.Contains(body, "goroutine") {
		t.Error("500 page leaks panic details")
	}
	if r.doc.Find("main h1").Text() == "" || r.doc.Find(`main a[href="/"]`).Length() == 0 {
		t.Error("500 page lacks heading or way back")
	}
	api := get(t, h, "/api/v1/result")
	wantStatus(t, api, http.StatusInternalServerError)
	if ct := api.Header().Get("Content-Type"); ct != "application/problem+json" || strings.Contains(api.Body.String(), "secret detail") {
		t.Errorf("API panics must become problem JSON without details; got %s %s", ct, api.Body.String())
	}
}

func TestHeadWorksWhereGetDoes(t *testing.T) {
	_, h := newTestServer(t)
	for _, target := range []string{"/", "/q/build?v=3", "/result?" + fullPlatform, "/healthz"} {
		r := do(t, h, http.MethodHead, target)
		if r.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d", target, r.Code)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	_, h := newTestServer(t)
	start := get(t, h, "/")
	start.doc.Find(`link[rel=stylesheet], script[src]`).Each(func(_ int, s *goquery.Selection) {
		src := s.AttrOr("href", s.AttrOr("src", ""))
		r := get(t, h, src)
		if r.Code != http.StatusOK {
			t.Errorf("%s: %d", src, r.Code)
		}
		if cc := r.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", src, cc)
		}
	})
	for _, bad := range []string{"/static/../handlers/server.go", "/static/..%2f..%2fgo.mod", "/static/nope.css"} {
		if r := get(t, h, bad); r.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, r.Code)
		}
	}
}

func TestHealthz(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/healthz")
	wantStatus(t, r, http.StatusOK)
}
