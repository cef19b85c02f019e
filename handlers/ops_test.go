package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"nestnext/serve"
)

func TestMetrics(t *testing.T) {
	_, h := newTestServer(t, withConfig(Config{Metrics: serve.NewMetrics(), ServeMetrics: true}))
	for _, target := range []string{
		"/q/build?v=3",
		"/q/build?v=3", // served from the page cache: still counted
		"/next?build=api&q=build&v=3",
		"/q/logic?build=api&v=3",
		"/next?q=quality&build=api&logic=complex&growth=services&realtime=essential&team=java&quality=essential&v=3",
		"/result?build=platform&seo=<script>&v=3",
	} {
		get(t, h, target)
	}
	do(t, h, "BREW", "/") // a made-up method
	r := get(t, h, "/metrics")
	wantStatus(t, r, http.StatusOK)
	body := r.Body.String()
	for _, want := range []string{
		`wizard_starts_total 2`,
		`wizard_question_views_total{question="build"} 2`,
		`wizard_question_views_total{question="logic"} 1`,
		`wizard_question_answers_total{question="build"} 1`,
		`wizard_completions_total{outcome="nestjs"} 1`,
		`wizard_http_request_duration_seconds_count{method="GET",route="/q/{id}",status="200"} 3`,
		`wizard_http_request_duration_seconds_count{method="GET",route="/result",status="303"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(body, `method="other"`) || strings.Contains(body, "BREW") {
		t.Error(`a made-up method must be counted as method="other", not under its own label`)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "build=") {
		t.Error("metrics must not carry paths, queries or answers")
	}
	_, off := newTestServer(t)
	if get(t, off, "/metrics").Code != http.StatusNotFound {
		t.Error("/metrics must not exist when metrics are off")
	}
	_, elsewhere := newTestServer(t, withConfig(Config{Metrics: serve.NewMetrics()}))
	if get(t, elsewhere, "/metrics").Code != http.StatusNotFound {
		t.Error("/metrics must not be on the app's handler when it is served elsewhere (METRICS_ADDR)")
	}
}

// Every question's and outcome's series is there at 0 before the first visitor, so that
// Prometheus sees the first count as an increase (rate and increase need an earlier sample).
func TestFunnelSeriesStartAtZero(t *testing.T) {
	s, h := newTestServer(t, withConfig(Config{Metrics: serve.NewMetrics(), ServeMetrics: true}))
	c := s.content
	body := get(t, h, "/metrics").Body.String()
	var want []string
	for _, q := range c.Questions {
		want = append(want, `wizard_question_views_total{question="`+q.ID+`"} 0`, `wizard_question_answers_total{question="`+q.ID+`"} 0`)
	}
	for _, o := range c.Outcomes {
		want = append(want, `wizard_completions_total{outcome="`+o.ID+`"} 0`)
	}
	for _, w := range append(want, "wizard_starts_total 0") {
		if !strings.Contains(body, w+"\n") {
			t.Errorf("a fresh server's metrics lack %s", w)
		}
	}
}

// A request whose client went away is recorded as 499, neither logged nor counted as a 500,
// and gets no error page.
func TestAbortedRequestsAreNot500s(t *testing.T) {
	var logs strings.Builder
	m := serve.NewMetrics()
	s, _ := newTestServer(t, withConfig(Config{Metrics: m, ServeMetrics: true}), withLog(&logs))
	// What a handler sees when its client disconnects mid-way: its context's error.
	failing := serve.Instrument{Log: s.log, Metrics: m, Route: func(*http.Request) string { return "/slow" }}.Middleware(
		s.handle(func(w http.ResponseWriter, r *http.Request) error { <-r.Context().Done(); return r.Context().Err() }))
	api := serve.Instrument{Log: s.log, Metrics: m, Route: func(*http.Request) string { return "/api/slow" }}.Middleware(
		s.api(func(w http.ResponseWriter, r *http.Request) error { <-r.Context().Done(); return r.Context().Err() }))
	for _, h := range []http.Handler{failing, api, s.routes()} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/result?"+fullPlatform, nil).WithContext(ctx))
		if rec.Code == http.StatusInternalServerError || strings.Contains(rec.Body.String(), "went wrong") {
			t.Errorf("aborted request answered %d", rec.Code)
		}
	}
	body := get(t, s.routes(), "/metrics").Body.String()
	if strings.Contains(body, `status="500"`) || !strings.Contains(body, `route="/slow",status="499"`) || !strings.Contains(body, `route="/api/slow",status="499"`) {
		t.Errorf("aborts are not counted as 499:\n%s", body)
	}
	if strings.Contains(logs.String(), "status=500") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("aborts were logged as errors:\n%s", logs.String())
	}
}

func TestReadiness(t *testing.T) {
	var ready atomic.Bool
	ready.Store(true)
	_, h := newTestServer(t, withConfig(Config{Ready: ready.Load}))
	wantStatus(t, get(t, h, "/readyz"), http.StatusOK)
	ready.Store(false)
	wantStatus(t, get(t, h, "/readyz"), http.StatusServiceUnavailable)
	wantStatus(t, get(t, h, "/healthz"), http.StatusOK)
}

func TestOverlongQuery(t *testing.T) {
	_, h := newTestServer(t)
	long := "build=site&x=" + strings.Repeat("a", 5000)
	r := get(t, h, "/result?"+long)
	wantStatus(t, r, http.StatusRequestURITooLong)
	if r.doc.Find("main h1").Text() == "" {
		t.Error("414 page needs a heading")
	}
	api := get(t, h, "/api/v1/result?"+long)
	if api.Code != http.StatusRequestURITooLong || !strings.HasPrefix(api.Header().Get("Content-Type"), "application/problem+json") {
		t.Errorf("API 414: %d %s", api.Code, api.Header().Get("Content-Type"))
	}
}

func TestCompressionAndETags(t *testing.T) {
	_, h := newTestServer(t)
	req := func(target string, header ...string) response { return get(t, h, target, header...) }
	for _, enc := range []string{"br", "gzip"} {
		r := req("/result?"+fullPlatform, "Accept-Encoding", enc)
		if r.Header().Get("Content-Encoding") != enc || !strings.Contains(r.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Content-Encoding %q Vary %q", enc, r.Header().Get("Content-Encoding"), r.Header().Get("Vary"))
		}
		etag := r.Header().Get("ETag")
		again := req("/result?"+fullPlatform, "Accept-Encoding", enc, "If-None-Match", etag)
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%s: revalidation got %d", enc, again.Code)
		}
		if again.Header().Get("Content-Security-Policy") != r.Header().Get("Content-Security-Policy") {
			t.Error("a 304 carries the page's own CSP, the same on every response")
		}
	}
	plain := req("/result?" + fullPlatform)
	if plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("Cache-Control") != pageCacheControl {
		t.Errorf("identity response: %v", plain.Header())
	}
	css := get(t, h, "/")
	href := css.doc.Find("link[rel=stylesheet]").AttrOr("href", "")
	st := req(href, "Accept-Encoding", "gzip, br;q=0")
	if st.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("br;q=0 must be refused, got %q", st.Header().Get("Content-Encoding"))
	}
}

// Each request gets an ID, shown on its 500 page and in its log line; a proxy's plain
// X-Request-Id is kept, and anything else in that header is ignored.
func TestRequestIDs(t *testing.T) {
	var logs strings.Builder
	s, _ := newTestServer(t, withConfig(Config{}), withLog(&logs))
	h := serve.Instrument{Log: s.log, Route: routePattern}.Middleware(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	reference := func(upstream string) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if upstream != "" {
			req.Header.Set("X-Request-Id", upstream)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", rec.Code)
		}
		doc, err := goquery.NewDocumentFromReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		id := doc.Find(".hint code").Text()
		if id == "" || !strings.Contains(logs.String(), "request_id="+id+"\n") {
			t.Fatalf("reference %q is not the request_id of a log line:\n%s", id, logs.String())
		}
		return id
	}
	first, second := reference(""), reference("")
	prefix, _, _ := strings.Cut(first, "-")
	if first == second || len(prefix) < 8 || !strings.HasPrefix(second, prefix+"-") {
		t.Errorf("generated IDs %q then %q: want distinct IDs with the process prefix", first, second)
	}
	if got := reference("lb-7f3a:42"); got != "lb-7f3a:42" {
		t.Errorf("upstream X-Request-Id lb-7f3a:42 became %q", got)
	}
	for _, bad := range []string{"<script>alert(1)</script>", "a b", strings.Repeat("x", 65)} {
		if got := reference(bad); !strings.HasPrefix(got, prefix+"-") {
			t.Errorf("X-Request-Id %q was used (%q); want a generated ID", bad, got)
		}
	}
}
