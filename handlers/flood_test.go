package handlers

import (
	"encoding/json"
	"io"
	"nestnext/static"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
	"nestnext/serve"
)

// floodServer is the handler as the binary builds it with metrics on, behind a real listener.
func floodServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	cfg.PublicURL = &url.URL{Scheme: "http", Host: "example.com"}
	cfg.Metrics, cfg.ServeMetrics = serve.NewMetrics(), true
	s, h := newTestServer(t, withConfig(cfg))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return s, srv
}

// neverSeen are n complete answer sets, each a result page of its own (the first two answers
// differ), and a team link for each.
func neverSeen(s *Server, n int) (results, teams []string) {
	c := s.content
	for i := range n {
		a := walkAnswers(c, func(q *decision.Question) int {
			switch q.Position {
			case 0:
				return i % len(q.Options)
			case 1:
				return i / len(c.Questions[0].Options) % len(q.Options)
			}
			return 0
		})
		results = append(results, "/result?"+c.Encode(a))
		teams = append(teams, "/team?"+s.teamQuery([]decision.TeamMember{{Answers: a}, {Answers: walkAnswers(c, lastRealOption)}}))
	}
	return results, teams
}

func fetchURL(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "identity")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", target, err)
		return nil, ""
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// A flood of misses holds every build slot, and more misses wait for one: a cached page is still
// answered, while every one of them waits; once slots free, every waiting miss gets its page.
func TestMissFloodDoesNotStarveHits(t *testing.T) {
	s, srv := floodServer(t, Config{})
	hits := []string{srv.URL + "/result?" + fullPlatform, srv.URL + "/embed/q/build?v=3", srv.URL + static.Path("app.css")}
	for _, target := range hits {
		if res, _ := fetchURL(t, target); res == nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s does not load", target)
		}
	}
	s.pages.Wait = time.Hour // no miss gives up in this test: it ends the flood itself
	release := s.pages.Hold()
	results, teams := neverSeen(s, 12)
	misses := append(results, teams...)
	done := make(chan int, len(misses))
	for _, m := range misses {
		go func() {
			res, _ := fetchURL(t, srv.URL+m)
			if res == nil {
				done <- 0
				return
			}
			done <- res.StatusCode
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); s.pages.Waiting() < len(misses); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			release()
			t.Fatalf("%d of %d misses reached the build slots", s.pages.Waiting(), len(misses))
		}
	}
	for _, target := range hits {
		if res, _ := fetchURL(t, target); res == nil || res.StatusCode != http.StatusOK {
			t.Errorf("%s while every build slot is held: %v", target, res)
		}
	}
	if len(done) != 0 || s.pages.Waiting() != len(misses) {
		t.Fatalf("a miss ended while every slot was held (%d waiting)", s.pages.Waiting())
	}
	release()
	for range misses {
		if code := <-done; code != http.StatusOK {
			t.Errorf("a waiting miss got %d once slots freed", code)
		}
	}
}

// A miss that finds no build slot within the wait gets a 503 with Retry-After and the security
// headers (problem JSON from the API), counted in the metrics, and nothing is cached for it.
func TestWaitingMissGets503(t *testing.T) {
	s, srv := floodServer(t, Config{})
	s.pages.Wait = 0 // a miss gives up at once when every slot is busy
	release := s.pages.Hold()
	defer release()
	results, teams := neverSeen(s, 1)
	answers := strings.TrimPrefix(results[0], "/result?")
	for _, target := range []string{results[0], teams[0], "/embed" + results[0], "/result.md?" + answers, "/team.md?" + strings.TrimPrefix(teams[0], "/team?"), "/api/v1/result?" + answers, "/api/v1" + teams[0]} {
		res, body := fetchURL(t, srv.URL+target)
		if res == nil {
			continue
		}
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Retry-After %q, Cache-Control %q; want 503, 1, no-store", target, res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Cache-Control"))
		}
		if res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: the 503 lacks the security headers: %v", target, res.Header)
		}
		if strings.HasPrefix(target, "/api/") {
			var p problem
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != http.StatusServiceUnavailable || res.Header.Get("Content-Type") != mediaProblem {
				t.Errorf("%s: not a 503 problem: %s %.200s", target, res.Header.Get("Content-Type"), body)
			}
			continue
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil || !strings.Contains(doc.Find("main h1").Text(), "busy") {
			t.Errorf("%s: the 503 page: %.300s", target, body)
		}
	}
	if s.pages.Bytes() != 0 {
		t.Errorf("a refused miss left %d bytes in the cache", s.pages.Bytes())
	}
	_, metrics := fetchURL(t, srv.URL+"/metrics")
	if !strings.Contains(metrics, "wizard_busy_responses_total 7") || !strings.Contains(metrics, `status="503"`) {
		t.Errorf("the 503s are not counted:\n%s", grepLines(metrics, "busy", "503"))
	}
}

func grepLines(s string, words ...string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// Every kind of error page under /embed/ keeps the embed's framing (the allowlist, no
// X-Frame-Options) and looks like the embed: no site chrome, the frame's script, a way back to
// the embed's start with the embedder's theme.
func TestEmbedErrorPagesAreFramable(t *testing.T) {
	allowed := "https://blog.example.org"
	s, srv := floodServer(t, Config{EmbedAllowedOrigins: []string{allowed}})
	tok := s.content.EncodeMember(decision.TeamMember{Answers: walkAnswers(s.content, firstOption)})
	results, _ := neverSeen(s, 1)
	theme := "accent=336699"
	for _, tc := range []struct {
		status         int
		method, target string
	}{
		{http.StatusBadRequest, "GET", "/embed/team?m=zz&v=3&" + theme},
		{http.StatusBadRequest, "GET", "/embed/q/build?v=3&tm=9~" + tok + "&" + theme},
		{http.StatusNotFound, "GET", "/embed/no/such?" + theme},
		{http.StatusNotFound, "GET", "/embed/q/nope?v=3&" + theme},
		{http.StatusMethodNotAllowed, "POST", "/embed/result?" + fullPlatform + "&" + theme},
		{http.StatusMethodNotAllowed, "BREW", "/embed/?" + theme},
		{http.StatusRequestURITooLong, "GET", "/embed/q/build?" + theme + "&x=" + strings.Repeat("a", maxQuery)},
		{http.StatusServiceUnavailable, "GET", "/embed" + results[0] + "&" + theme},
	} {
		t.Run(strconv.Itoa(tc.status)+" "+tc.method, func(t *testing.T) {
			if tc.status == http.StatusServiceUnavailable {
				s.pages.Wait = 0
				defer s.pages.Hold()()
			}
			req, _ := http.NewRequest(tc.method, srv.URL+tc.target, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("%s %.80s: %d, want %d", tc.method, tc.target, res.StatusCode, tc.status)
			}
			if got := cspDirective(res.Header.Get("Content-Security-Policy"), "frame-ancestors"); got != "'self' "+allowed {
				t.Errorf("frame-ancestors %q: %s may not frame it", got, allowed)
			}
			if xfo := res.Header.Values("X-Frame-Options"); len(xfo) != 0 {
				t.Errorf("X-Frame-Options %q forbids every frame", xfo)
			}
			doc, err := goquery.NewDocumentFromReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if _, embed := doc.Find("html").Attr("data-embed"); !embed || doc.Find("header.site-header").Length() != 0 {
				t.Error("the page is not laid out as the embed")
			}
			if doc.Find(`script[src*="embed-frame"]`).Length() != 1 {
				t.Error("no embed-frame.js: the host page would not size the frame")
			}
			if href := doc.Find(`main a:contains("start page")`).AttrOr("href", ""); href != "/embed/?"+theme {
				t.Errorf("the way back is %q, want the embed's start with the theme", href)
			}
		})
	}
}

// The member limit holds wherever a team link is read: the team page, in the embed too, its
// record, the API, joining, and a journey's tm=. Nothing is decided or cached for such a link.
func TestTeamMemberLimitEverywhere(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	tok := c.EncodeMember(decision.TeamMember{Answers: walkAnswers(c, firstOption)})
	over := decision.MaxTeamMembers + 1
	link := strings.Repeat("m="+tok+"&", over) + "v=" + strconv.Itoa(c.Version)
	journey := "tm=0" + strings.Repeat("~"+tok, over)
	for _, target := range []string{
		"/team?" + link,
		"/embed/team?" + link,
		"/team.md?" + link,
		"/api/v1/team?" + link,
		"/team/join?" + link + "&name=Ada",
		"/team/join?" + strings.Repeat("m="+tok+"&", decision.MaxTeamMembers) + "v=3&name=Ada", // one more would be too many
		"/embed/team/join?" + link,
		"/q/build?v=3&" + journey,
		"/embed/q/build?v=3&" + journey,
		"/result?" + fullPlatform + "&" + journey,
	} {
		if r := get(t, h, target); r.Code != http.StatusBadRequest {
			t.Errorf("%.60s… (%d members): %d, want 400", target, over, r.Code)
		}
	}
	if _, err := c.DecideTeam(make([]decision.TeamMember, over)); err == nil {
		t.Errorf("DecideTeam decided %d members", over)
	}
	if s.pages.Bytes() != 0 {
		t.Errorf("%d bytes cached for links over the limit", s.pages.Bytes())
	}
}
