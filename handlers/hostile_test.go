package handlers

// Hostile and malformed requests, run through the real router the way a real server would hand
// them over: every request is written out as raw HTTP/1.1 bytes and read back with
// http.ReadRequest, so targets that httptest.NewRequest would panic on reach the router intact.
// Targets net/http itself refuses (control characters, bad escapes in the path) go to a real
// httptest.Server over TCP instead, where Go's server answers them.
//
// Whatever the request, the answer must be:
//   - never 5xx: 2xx, a safe 3xx (a relative path: "/" but not "//" or "/\"), or 4xx;
//   - for a 4xx, a helpful page: HTML with an <h1> and a link back to the start, or problem JSON
//     (title and status) under /api/;
//   - over-long query strings (more than hostileMaxQuery bytes) get 414 (or 400), never a page
//     built from part of the query;
//   - the hostile value never comes back unescaped, in the body or in a header, and parsing the
//     HTML finds nothing injected (no svg/img/iframe..., no on* attribute, no inline script, no
//     script: URL, no malformed URL in a link).

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"nestnext/decision"
)

// hostileMaxQuery is the longest query string the wizard reads: longer ones are not wizard links
// (a full answer set is under 300 bytes) and must get 414 (or 400).
const hostileMaxQuery = 4096

// hostilePayloads go into every parameter and into path segments.
var hostilePayloads = []struct{ name, value string }{
	{"script", `<script>alert(1)</script>`},
	{"svg", `"><svg onload=alert(1)>`},
	{"js-url", `javascript:alert(1)`},
	{"tpl-dot", `{{.}}`},
	{"tpl-dollar", `${7*7}`},
	{"tpl-mul", `{{7*7}}`},
	{"tpl-erb", `<%= 7*7 %>`},
	{"nul", "a\x00b"},
	{"bad-utf8", "\xff\xfe"},
	// Markdown and HTML that would be live in a decision record rendered in a wiki.
	{"md-img", `<img src=x onerror=alert(1)>`},
	{"md-link", `[Sign in](https://evil.example/p)`},
}

// hostileEncodings put a payload into a request target: percent-encoded as a browser would, or
// raw (bytes as they are; only spaces are replaced, since a raw space ends the request-target).
var hostileEncodings = []struct {
	name        string
	query, path func(string) string
}{
	{"pct", url.QueryEscape, url.PathEscape},
	{"raw", func(s string) string { return strings.ReplaceAll(s, " ", "+") }, func(s string) string { return strings.ReplaceAll(s, " ", "%20") }},
}

// hostileTheme are the embed options.
var hostileTheme = []string{"accent", "theme", "intro"}

type hostileCase struct {
	name   string
	method string // "" is GET
	target string // the request-target, sent byte for byte
	// payload is the decoded hostile value: it must never appear unescaped in the answer.
	payload string
	// want, when set, lists the only acceptable statuses.
	want []int
}

// hostileWith sets key to an already-encoded value in a query, in place if it is there.
func hostileWith(query, key, value string) string {
	pairs := strings.Split(query, "&")
	for i, p := range pairs {
		if strings.HasPrefix(p, key+"=") {
			pairs[i] = key + "=" + value
			return strings.Join(pairs, "&")
		}
	}
	return query + "&" + key + "=" + value
}

func hostileCases(t testing.TB) []hostileCase {
	c, err := decision.Default()
	if err != nil {
		t.Fatal(err)
	}
	var cases []hostileCase
	add := func(name, method, target, payload string, want ...int) {
		cases = append(cases, hostileCase{name: name, method: method, target: target, payload: payload, want: want})
	}
	const notFound, badRequest, tooLong = http.StatusNotFound, http.StatusBadRequest, http.StatusRequestURITooLong

	// Payloads in every parameter: each question id, v, q, changed, and the embed theme options.
	for _, p := range hostilePayloads {
		for _, e := range hostileEncodings {
			v := e.query(p.value)
			tag := p.name + "/" + e.name
			for i := range c.Questions {
				id := c.Questions[i].ID
				q := hostileWith(fullPlatform, id, v)
				add(tag+"/"+id+"/question", "", "/q/"+id+"?"+q, p.value)
				add(tag+"/"+id+"/result", "", "/result?"+q, p.value)
				add(tag+"/"+id+"/next", "", "/next?q="+id+"&"+q, p.value)
				add(tag+"/"+id+"/api", "", "/api/v1/result?"+q, p.value)
				if e.name == "pct" {
					add(tag+"/"+id+"/embed", "", "/embed/q/"+id+"?"+q, p.value)
					add(tag+"/"+id+"/record", "", "/result.md?"+q, p.value)
				}
			}
			add(tag+"/v/result", "", "/result?"+hostileWith(fullPlatform, "v", v), p.value, http.StatusOK)
			add(tag+"/v/question", "", "/q/logic?build=site&v="+v, p.value, http.StatusOK)
			add(tag+"/v/next", "", "/next?q=build&build=site&v="+v, p.value)
			add(tag+"/v/api", "", "/api/v1/result?"+hostileWith(fullPlatform, "v", v), p.value)
			add(tag+"/q/next", "", "/next?q="+v+"&"+fullPlatform, p.value)
			add(tag+"/q/next-incomplete", "", "/next?q="+v+"&build=site&v=3", p.value)
			add(tag+"/q/embed-next", "", "/embed/next?q="+v+"&build=api&v=3", p.value)
			add(tag+"/q/question", "", "/q/build?v=3&q="+v, p.value, http.StatusOK)
			add(tag+"/q/api", "", "/api/v1/result?q="+v+"&"+fullPlatform, p.value)
			add(tag+"/changed/result", "", "/result?"+fullPlatform+"&changed="+v, p.value, http.StatusOK)
			add(tag+"/changed/list", "", "/q/seo?build=site&logic=simple&v=3&changed=seo,"+v+",build", p.value, http.StatusOK)
			add(tag+"/changed/next", "", "/next?q=build&build=api&v=3&changed="+v, p.value)
			add(tag+"/changed/api", "", "/api/v1/result?"+fullPlatform+"&changed="+v, p.value)
			for _, k := range hostileTheme {
				add(tag+"/"+k+"/embed-start", "", "/embed/?"+k+"="+v, p.value)
				add(tag+"/"+k+"/embed-question", "", "/embed/q/build?v=3&"+k+"="+v, p.value)
				add(tag+"/"+k+"/embed-next", "", "/embed/next?q=build&build=api&v=3&"+k+"="+v, p.value)
				add(tag+"/"+k+"/embed-result", "", "/embed/result?"+fullPlatform+"&"+k+"="+v, p.value)
				add(tag+"/"+k+"/embedding", "", "/embedding?"+k+"="+v, p.value)
			}
			add(tag+"/accent/theme-css", "", "/embed/theme.css?accent="+v, p.value, notFound)
			// Team links (team.go): payloads in every team parameter, and as a member's name.
			cv := strconv.Itoa(c.Version)
			teamTok := c.EncodeMember(decision.TeamMember{Answers: c.Replay(hostileAnswers(c)).Answers})
			// A raw value with a bad escape drops its pair when the query is parsed: what is left
			// may be a good link, so only percent-encoded payloads must get a 400.
			teamBad := []int{badRequest}
			if e.name != "pct" {
				teamBad = nil
			}
			for _, tq := range []string{"m=" + v + "&v=" + cv, "m=" + teamTok + "&m=" + v + "&v=" + cv, "m=" + teamTok + "&v=" + v, "m=" + teamTok + "." + v + "&v=" + cv} {
				add(tag+"/team/"+tq[:2], "", "/team?"+tq, p.value, teamBad...)
				add(tag+"/team-api/"+tq[:2], "", "/api/v1/team?"+tq, p.value, teamBad...)
				add(tag+"/team-record/"+tq[:2], "", "/team.md?"+tq, p.value, teamBad...)
				add(tag+"/embed-team/"+tq[:2], "", "/embed/team?"+tq, p.value, teamBad...)
			}
			add(tag+"/team-join/name", "", "/team/join?m="+teamTok+"&v="+cv+"&name="+v, p.value)
			add(tag+"/team-join/seat", "", "/team/join?m="+teamTok+"&v="+cv+"&seat="+v, p.value, teamBad...)
			add(tag+"/team-journey", "", "/q/build?v="+cv+"&tm="+v, p.value, teamBad...)
			add(tag+"/team-journey-member", "", "/next?q=build&build=api&v="+cv+"&tm=0~"+v, p.value, teamBad...)
			add(tag+"/team-resume", "", "/team?build=site&v="+cv+"&tm="+v, p.value, teamBad...)
			add(tag+"/team-resume-answer", "", "/team?build="+v+"&v="+cv+"&tm=1~"+teamTok+"~.QWRh", p.value)
			// Valid names are shown, escaped: team_test.go checks those pages.
			add(tag+"/all-theme-options", "", "/embed/q/build?v=3&accent="+v+"&theme="+v+"&intro="+v, p.value)

			// As a parameter name.
			add(tag+"/key/result", "", "/result?"+fullPlatform+"&"+v+"="+v, p.value, http.StatusOK)
			add(tag+"/key/question", "", "/q/build?"+v+"=1&v=3", p.value, http.StatusOK)
			add(tag+"/key/api", "", "/api/v1/result?"+v+"=1&"+fullPlatform, p.value)

			// In path segments.
			seg := e.path(p.value)
			for _, prefix := range []string{"/q/", "/embed/q/", "/api/v1/", "/", "/embed/", "/static/", "/og/v"} {
				add(tag+"/path"+prefix, "", prefix+seg+"?v=3", p.value, notFound, badRequest)
			}
			add(tag+"/path/og", "", "/og/v1/"+seg+".png", p.value, notFound, badRequest)
		}
	}

	// Invalid UTF-8 and NUL bytes in names and values, percent-encoded and raw.
	for _, raw := range []string{"%ff%fe", "\xff\xfe", "%c0%ae", "%ed%a0%80", "%e2%82", "%00", "a%00b"} {
		add("utf8-nul/key-value/"+raw, "", "/result?"+fullPlatform+"&"+raw+"="+raw, "", http.StatusOK)
		add("utf8-nul/answer/"+raw, "", "/q/logic?build=site&logic="+raw+"&v=3", "", http.StatusOK)
		add("utf8-nul/api/"+raw, "", "/api/v1/result?"+raw+"="+raw+"&"+fullPlatform, "")
		add("utf8-nul/path/"+raw, "", "/q/"+raw+"?v=3", "", notFound, badRequest)
	}

	// Invalid percent-encoding: the pages read what parses; the API refuses with 400.
	for _, q := range []string{
		"build=%zz&logic=simple&v=3",
		"build=api&logic=%",
		"build=api&logic=simple&v=3&x=%",
		"%zz=1&build=api",
		"build=%e&v=3",
		"build=api;logic=simple&v=3",
		"%",
	} {
		add("bad-escape/question/"+q, "", "/q/build?"+q, "", http.StatusOK)
		add("bad-escape/result/"+q, "", "/result?"+q, "")
		add("bad-escape/next/"+q, "", "/next?q=build&"+q, "")
		add("bad-escape/embed/"+q, "", "/embed/result?"+q, "")
		add("bad-escape/api/"+q, "", "/api/v1/result?"+fullPlatform+"&"+q, "", badRequest)
	}
	add("empty-pairs/result", "", "/result?"+fullPlatform+"&&&==&=&", "", http.StatusOK)
	add("empty-pairs/api", "", "/api/v1/result?"+fullPlatform+"&&&==&=&", "", http.StatusOK)
	add("bad-escape/path", "", "/q/%zz", "", badRequest, notFound)
	add("bad-escape/path-trailing", "", "/q/build%", "", badRequest, notFound)
	add("bad-escape/static", "", "/static/app%zz.css", "", badRequest, notFound)

	// Unknown, negative, huge and malformed versions: pages read links as current (or newer)
	// content; the API rejects a v it does not know with a 400 problem.
	for _, ver := range []string{"-1", "0", "99999999999999999999", "1e9", "4", "99999", "", "1.0", "0x1", "+1", "%20%31", "1%00", "9223372036854775807", "-9223372036854775808", "١"} {
		add("version/result/"+ver, "", "/result?"+hostileWith(fullPlatform, "v", ver), "", http.StatusOK)
		add("version/question/"+ver, "", "/q/seo?build=site&logic=simple&v="+ver, "", http.StatusOK)
		add("version/api/"+ver, "", "/api/v1/result?"+hostileWith(fullPlatform, "v", ver), "", badRequest)
		add("version/og/"+ver, "", "/og/v"+ver+"/start.png", "", notFound, badRequest)
	}

	// Path traversal under /static/: nothing but the embedded assets is ever served.
	for _, p := range []string{
		"/static/../handlers/server.go",
		"/static/../../go.mod",
		"/static/%2e%2e/%2e%2e/go.mod",
		"/static/%2e%2e%2f%2e%2e%2fgo.mod",
		"/static/..%2f..%2fgo.mod",
		"/static/.%2e/.%2e/go.mod",
		"/static/%252e%252e%252fgo.mod",
		"/static/..%252f..%252fgo.mod",
		"/static/..\\..\\go.mod",
		"/static/%5c..%5c..%5cgo.mod",
		"/static/....//....//go.mod",
		"/static/%c0%ae%c0%ae/go.mod",
		"/static//etc/passwd",
		"/static/%2fetc%2fpasswd",
		"/static/vendor/../../../go.mod",
		"/static/..;/go.mod",
		"/static/app.css/..",
		"/static/app.css%00.js",
		"/embed/../static/../go.mod",
		"/og/v1/..%2f..%2fgo.mod.png",
	} {
		add("traversal"+p, "", p, "", notFound, badRequest)
	}

	// Over-long paths (10 KB): a 404 (or 414), never a 5xx.
	long := strings.Repeat("a", 10<<10)
	for _, prefix := range []string{"/", "/q/", "/embed/q/", "/static/", "/api/v1/", "/og/v1/"} {
		add("long-path"+prefix, "", prefix+long, "", notFound, tooLong)
	}
	add("long-path/segments", "", strings.Repeat("/a", 5<<10), "", notFound, tooLong)

	// Over-long query strings: 414 (or 400) everywhere, never a page built from part of them.
	pad := strings.Repeat("a", 20<<10)
	big := strings.Repeat("b", 100<<10)
	for _, target := range []string{
		"/result?" + fullPlatform + "&pad=" + pad,
		"/q/build?v=3&pad=" + pad,
		"/next?q=quality&" + fullPlatform + "&pad=" + pad,
		"/embed/result?" + fullPlatform + "&pad=" + pad,
		"/result.md?" + fullPlatform + "&pad=" + pad,
		"/embedding?pad=" + pad,
		"/?pad=" + pad,
		"/api/v1/result?" + fullPlatform + "&pad=" + pad,
		// 100 KB values in the parameters the wizard reads.
		"/result?" + hostileWith(fullPlatform, "build", big),
		"/q/logic?build=site&logic=" + big + "&v=3",
		"/result?" + hostileWith(fullPlatform, "v", strings.Repeat("9", 100<<10)),
		"/next?q=" + big + "&build=api",
		"/result?" + fullPlatform + "&changed=" + big,
		"/embed/q/build?v=3&accent=" + big,
		"/embed/theme.css?accent=" + big,
		"/result?" + fullPlatform + "&" + big + "=1",
		"/api/v1/result?" + hostileWith(fullPlatform, "build", big),
		// Thousands of repeated parameters.
		"/result?" + strings.Repeat("build=api&", 5000) + fullPlatform,
		"/q/build?" + strings.Repeat("v=1&", 5000),
		"/result?" + fullPlatform + strings.Repeat("&changed=build,logic", 3000),
		"/result?" + fullPlatform + "&changed=" + strings.Repeat("build,", 5000),
		"/embed/q/build?v=3" + strings.Repeat("&accent=ff0000", 2000),
		"/api/v1/result?" + fullPlatform + strings.Repeat("&build=site", 5000),
	} {
		path, query, _ := strings.Cut(target, "?")
		add(fmt.Sprintf("long-query%s/%dB/%.20s", path, len(query), query), "", target, "", tooLong, badRequest)
	}
	distinct := make([]string, 0, 5000)
	for i := range 5000 {
		distinct = append(distinct, fmt.Sprintf("k%d=x", i))
	}
	add("long-query/distinct-keys", "", "/result?"+fullPlatform+"&"+strings.Join(distinct, "&"), "", tooLong, badRequest)
	add("long-query/distinct-keys-api", "", "/api/v1/result?"+fullPlatform+"&"+strings.Join(distinct, "&"), "", tooLong, badRequest)
	// Hundreds of repeated parameters, within the limit: the first value counts, as usual.
	add("repeated/versions", "", "/result?"+strings.Repeat("v=1&", 900)+fullPlatform, "", http.StatusOK)
	add("repeated/answers", "", "/q/logic?build=site&"+strings.Repeat("logic=%3Cscript%3E&", 150)+"v=3", "<script>", http.StatusOK)
	add("repeated/changed", "", "/q/build?v=3"+strings.Repeat("&changed=build,logic", 170), "", http.StatusOK)
	add("repeated/accent", "", "/embed/q/build?v=3"+strings.Repeat("&accent=ff0000", 250), "", http.StatusOK)
	add("repeated/empty", "", "/result?"+fullPlatform+strings.Repeat("&", 3500), "", http.StatusOK)
	add("repeated/api", "", "/api/v1/result?"+fullPlatform+strings.Repeat("&build=site", 300), "", http.StatusOK)
	// Just under the limit the query is read as usual.
	under := "/result?" + fullPlatform + "&pad="
	add("query-at-limit", "", under+strings.Repeat("a", hostileMaxQuery-len(under)+len("/result?")), "", http.StatusOK)

	// Every method on the pages: 405 with Allow; the API allows OPTIONS (CORS preflight).
	pages := []string{
		"/", "/q/build?v=3", "/next?q=build&build=api&v=3", "/result?" + fullPlatform,
		"/result.md?" + fullPlatform, "/embed/", "/embed/q/build?v=3", "/embed/result?" + fullPlatform,
		"/embed/theme.css?accent=ff0000", "/embedding", "/static/app.css", "/og/v2/start.png",
		"/embed.js", "/robots.txt", "/healthz",
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FROBNICATE"} {
		for _, p := range pages {
			add("method/"+m+p, m, p, "", http.StatusMethodNotAllowed)
		}
		for _, p := range []string{"/api/v1/result?" + fullPlatform, "/api/v1/decision", "/api/v1/openapi.json"} {
			want := http.StatusMethodNotAllowed
			if m == "OPTIONS" {
				want = http.StatusNoContent
			}
			add("method/"+m+p, m, p, "", want)
		}
	}

	// Redirect tricks: the answer never leaves the site.
	for _, target := range []string{
		"//evil.example/",
		"//evil.example/%2e%2e",
		"/\\evil.example/",
		"/%2f%2fevil.example/",
		"/embed//evil.example/",
		"/next?q=build&build=api&v=3&next=//evil.example&redirect=https://evil.example",
		"/next?q=//evil.example&build=//evil.example",
		"/embed/?intro=0&accent=//evil.example",
		"/result?build=https://evil.example&v=3",
	} {
		add("redirect"+target, "", target, "")
	}
	return cases
}

// hostileRaw is the request as it goes over the wire.
func hostileRaw(method, target string) string {
	if method == "" {
		method = http.MethodGet
	}
	return method + " " + target + " HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
}

// hostileServe hands a raw request to h the way net/http's server would; ok is false when
// net/http would not accept the request at all.
func hostileServe(h http.Handler, raw string) (res hostileResponse, req *http.Request, ok bool) {
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return res, nil, false
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return hostileResponse{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, req, true
}

// hostileDial sends a raw request to a real server and reads the answer.
func hostileDial(addr, raw string) (hostileResponse, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return hostileResponse{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	// The server may answer (and close) before reading all of an oversized request.
	go fmt.Fprint(conn, raw)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return hostileResponse{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return hostileResponse{}, err
	}
	return hostileResponse{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

type hostileResponse struct {
	status int
	header http.Header
	body   []byte
}

// hostileCheck applies the rules in the file comment to one answer. fromGo is set when net/http
// itself refused the request, so the answer is Go's plain-text 4xx rather than the app's.
func hostileCheck(t *testing.T, c hostileCase, method, path string, queryLen int, res hostileResponse, fromGo bool) {
	t.Helper()
	switch {
	case res.status >= 500:
		t.Errorf("status %d: hostile input must never cause a server error; body: %.300q", res.status, res.body)
	case res.status < 200:
		t.Errorf("status %d", res.status)
	case fromGo && (res.status < 400 || res.status >= 500):
		t.Errorf("status %d for a request net/http refuses; want 4xx", res.status)
	}
	if queryLen > hostileMaxQuery && res.status != http.StatusRequestURITooLong && res.status != http.StatusBadRequest {
		t.Errorf("a %d-byte query string was answered %d; want 414 (or 400), not a page built from part of it", queryLen, res.status)
	} else if len(c.want) > 0 && !fromGo && !slices.Contains(c.want, res.status) {
		t.Errorf("status %d, want one of %v; body: %.200q", res.status, c.want, res.body)
	}
	if res.status == http.StatusMethodNotAllowed && !strings.Contains(res.header.Get("Allow"), "GET") {
		t.Errorf("405 without an Allow header naming GET: %q", res.header.Get("Allow"))
	}
	if res.status >= 300 && res.status < 400 && res.status != http.StatusNotModified {
		if why := hostileUnsafeLocation(res.header.Get("Location")); why != "" {
			t.Errorf("unsafe redirect to %q: %s", res.header.Get("Location"), why)
		}
	}

	ct := res.header.Get("Content-Type")
	api := strings.HasPrefix(path, "/api/")
	hasBody := method != http.MethodHead && len(res.body) > 0
	if res.status >= 400 && res.status < 500 && !fromGo && method != http.MethodHead {
		switch {
		case api:
			hostileCheckProblem(t, res)
		case !strings.HasPrefix(ct, "text/html"):
			t.Errorf("%d answered with %q; want a helpful HTML page", res.status, ct)
		}
	}
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "javascript") {
		if !utf8.Valid(res.body) {
			t.Errorf("%s body is not valid UTF-8", ct)
		}
		if bytes.IndexByte(res.body, 0) >= 0 {
			t.Errorf("%s body holds a NUL byte", ct)
		}
	}
	if strings.Contains(ct, "json") && hasBody && !json.Valid(res.body) {
		t.Errorf("%s body is not valid JSON: %.200q", ct, res.body)
	}
	if strings.HasPrefix(ct, "text/html") && hasBody && !(res.status >= 300 && res.status < 400) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatalf("parse HTML: %v", err)
		}
		if strings.TrimSpace(doc.Find("h1").First().Text()) == "" {
			t.Errorf("%d page has no <h1>", res.status)
		}
		if res.status >= 400 && doc.Find(`a[href="/"], a[href="/embed/"], a[href^="/embed/?"]`).Length() == 0 {
			t.Errorf("%d page has no link back to the start", res.status)
		}
		for _, p := range hostileInjected(doc) {
			t.Errorf("HTML: %s", p)
		}
	}
	if strings.Contains(ct, "json") && bytes.ContainsAny(res.body, "<>") {
		t.Errorf("JSON body holds a raw < or >: JSON must escape them in case the body is sniffed as HTML")
	}
	if p := c.payload; p != "" && !hostilePlain(p) {
		// In a JSON string, text the encoder did not have to escape is plain text (json.Marshal
		// escapes <, >, &, quotes, control characters and invalid UTF-8; the check above and
		// json.Valid make sure it did).
		jsonText := strings.Contains(ct, "json") && !strings.ContainsFunc(p, func(r rune) bool {
			return r < ' ' || r == utf8.RuneError || strings.ContainsRune(`<>&"\`, r)
		})
		if !jsonText && bytes.Contains(res.body, []byte(p)) {
			i := bytes.Index(res.body, []byte(p))
			t.Errorf("payload %q reflected unescaped in the body: …%q…", p, res.body[max(0, i-120):min(len(res.body), i+len(p)+40)])
		}
		for k, vs := range res.header {
			for _, v := range vs {
				if strings.Contains(v, p) {
					t.Errorf("payload %q reflected unescaped in header %s: %q", p, k, v)
				}
			}
		}
	}
}

// hostilePlain reports whether a payload is plain text that may harmlessly come back as is.
func hostilePlain(p string) bool {
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// hostileUnsafeLocation says what is wrong with a redirect target, or "" for a safe one: a
// relative path starting with one "/", no scheme, no host, no backslash or control character.
func hostileUnsafeLocation(loc string) string {
	switch {
	case loc == "":
		return "no Location"
	case !strings.HasPrefix(loc, "/"):
		return "not a path starting with /"
	case strings.HasPrefix(loc, "//"), strings.HasPrefix(loc, "/\\"):
		return "protocol-relative: leaves the site"
	case strings.ContainsAny(loc, "\\\x00\r\n\t"):
		return "backslash or control character"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return err.Error()
	}
	if u.Scheme != "" || u.Host != "" || u.User != nil {
		return "absolute URL"
	}
	return ""
}

func hostileCheckProblem(t *testing.T, res hostileResponse) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("API %d answered with %q; want application/problem+json", res.status, ct)
		return
	}
	var p struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Errorf("problem JSON: %v", err)
		return
	}
	if p.Title == "" || p.Status != res.status {
		t.Errorf("problem has title %q status %d; response status %d", p.Title, p.Status, res.status)
	}
}

// hostileURLAttrs hold URLs a browser follows or loads.
var hostileURLAttrs = []string{"href", "src", "action", "formaction", "data", "poster", "background", "ping", "srcset", "xlink:href"}

// hostileInjected lists what an injection would leave in a parsed page: none of the views use
// these elements (but for the needs picture's SVG), event-handler attributes or inline scripts, and every link is a clean URL.
func hostileInjected(doc *goquery.Document) []string {
	var out []string
	// The one SVG the views draw is the result's picture of the two needs, made of shapes and text.
	doc.Find("svg.needs-svg *").Not("rect, line, text, circle").Each(func(_ int, s *goquery.Selection) {
		out = append(out, fmt.Sprintf("injected element <%s> in the needs picture", goquery.NodeName(s)))
	})
	doc.Find("svg:not(.needs-svg), svg svg, img, iframe, frame, frameset, object, embed, applet, base, math, style, video, audio, meta[http-equiv], [srcdoc]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, fmt.Sprintf("injected element <%s>", goquery.NodeName(s)))
	})
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src := s.AttrOr("src", "")
		if src == "" || !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
			out = append(out, fmt.Sprintf("script without a same-origin src: %q %.80q", src, s.Text()))
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			if strings.HasPrefix(name, "on") {
				out = append(out, fmt.Sprintf("<%s %s=%q>: event-handler attribute", goquery.NodeName(s), a.Key, a.Val))
			}
			if strings.Contains(a.Val, "alert(") || strings.Contains(a.Val, "7*7") {
				out = append(out, fmt.Sprintf("<%s %s=%q>: payload in an attribute", goquery.NodeName(s), a.Key, a.Val))
			}
			if !slices.Contains(hostileURLAttrs, name) {
				continue
			}
			squashed := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' || r == 0x7f {
					return -1
				}
				return r
			}, a.Val))
			for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
				if strings.HasPrefix(squashed, scheme) {
					out = append(out, fmt.Sprintf("<%s %s=%q>: script URL", goquery.NodeName(s), a.Key, a.Val))
				}
			}
			if strings.ContainsFunc(a.Val, func(r rune) bool {
				return r <= ' ' || r == 0x7f || strings.ContainsRune("<>\"'`{}\\", r) || r == utf8.RuneError
			}) {
				out = append(out, fmt.Sprintf("<%s %s=%q>: not a well-formed URL (unescaped characters)", goquery.NodeName(s), a.Key, a.Val))
			}
			if strings.HasPrefix(a.Val, "//") {
				out = append(out, fmt.Sprintf("<%s %s=%q>: protocol-relative URL leaves the site", goquery.NodeName(s), a.Key, a.Val))
			}
		}
	})
	if text := doc.Find("body").Text(); strings.Contains(text, "alert(") {
		i := strings.Index(text, "alert(")
		out = append(out, fmt.Sprintf("payload in the page text: …%q…", text[max(0, i-60):min(len(text), i+20)]))
	}
	return out
}

func TestHostileRequests(t *testing.T) {
	_, h := newTestServer(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cases := hostileCases(t)
	if len(cases) < 40 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	t.Logf("%d hostile requests", len(cases))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			raw := hostileRaw(method, c.target)
			res, req, ok := hostileServe(h, raw)
			if !ok {
				// net/http refuses this request before any handler runs: check what a client
				// actually gets from a real server.
				res, err := hostileDial(srv.Listener.Addr().String(), raw)
				if err != nil {
					t.Fatalf("%s %.200q: %v", method, c.target, err)
				}
				t.Logf("%s %.200q → %d from net/http (over TCP)", method, c.target, res.status)
				hostileCheck(t, c, method, "", 0, res, true)
				return
			}
			t.Logf("%s %.200q → %d %s", method, c.target, res.status, res.header.Get("Location"))
			hostileCheck(t, c, method, req.URL.Path, len(req.URL.RawQuery), res, false)
			// Follow safe redirects: the hostile value may ride along to the next page.
			for hop := 0; hop < 3 && res.status >= 300 && res.status < 400; hop++ {
				loc := res.header.Get("Location")
				if hostileUnsafeLocation(loc) != "" {
					break
				}
				var ok bool
				res, req, ok = hostileServe(h, hostileRaw(http.MethodGet, loc))
				if !ok {
					t.Fatalf("redirect to %q, which net/http cannot read", loc)
				}
				t.Logf("→ GET %.200q → %d %s", loc, res.status, res.header.Get("Location"))
				hostileCheck(t, hostileCase{payload: c.payload}, http.MethodGet, req.URL.Path, len(req.URL.RawQuery), res, false)
			}
		})
	}
}

// TestHostileRawRequests sends what Go's HTTP client refuses to send to a real server over TCP.
// Each gets a 4xx, whether net/http answers it (400, 414, 431) or the app does.
func TestHostileRawRequests(t *testing.T) {
	_, h := newTestServer(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	kb10 := strings.Repeat("a", 10<<10)
	tests := []struct {
		name string
		raw  string
		want []int // nil: any 4xx
		// app is set when net/http passes the request on, so the app's own rules apply.
		app bool
	}{
		{"10 KB request line (path)", "GET /q/" + kb10 + " HTTP/1.1\r\nHost: x\r\n\r\n", []int{404, 414}, true},
		{"10 KB request line (query)", "GET /result?" + fullPlatform + "&pad=" + kb10 + " HTTP/1.1\r\nHost: x\r\n\r\n", []int{400, 414}, true},
		{"10 KB request line (API)", "GET /api/v1/result?" + fullPlatform + "&pad=" + kb10 + " HTTP/1.1\r\nHost: x\r\n\r\n", []int{400, 414}, true},
		{"2 MB request line", "GET /q/" + strings.Repeat("a", 2<<20) + " HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"raw space in path", "GET /q/bu ild?v=3 HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"raw space in query", "GET /result?build=a pi&v=3 HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"raw script with spaces", "GET /result?build=<svg onload=alert(1)> HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"NUL in path", "GET /q/\x00build HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"NUL in query", "GET /result?build=\x00&v=3 HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"control character in path", "GET /q/\x01build HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"DEL in path", "GET /q/build\x7f HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"tab in path", "GET /q/\tbuild HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"escape in query", "GET /result?build=\x1b[31m HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"CR in path", "GET /q/build\rX HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"bad escape in path", "GET /q/%zz HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"trailing % in path", "GET /static/app.css% HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"raw invalid UTF-8 in path", "GET /q/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", []int{404}, true},
		{"raw invalid UTF-8 in query", "GET /q/logic?build=site&logic=\xff\xfe&v=3 HTTP/1.1\r\nHost: x\r\n\r\n", []int{200}, true},
		{"missing Host", "GET /result?" + fullPlatform + " HTTP/1.1\r\n\r\n", nil, false},
		{"hostile Host", "GET / HTTP/1.1\r\nHost: x\"><svg onload=alert(1)>\r\n\r\n", nil, false},
		{"no request-target", "GET  HTTP/1.1\r\nHost: x\r\n\r\n", nil, false},
		{"garbage request line", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", nil, false},
		{"HTTP/1.0 without Host, embed path with //", "GET /embed//evil.example/ HTTP/1.0\r\n\r\n", []int{404}, true},
		{"HTTP/1.0 without Host, result", "GET /result?" + fullPlatform + " HTTP/1.0\r\n\r\n", []int{200}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := hostileDial(srv.Listener.Addr().String(), tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.want) > 0 && !slices.Contains(tt.want, res.status) {
				t.Errorf("status %d, want one of %v; body %.200q", res.status, tt.want, res.body)
			}
			if tt.want == nil && (res.status < 400 || res.status >= 500) {
				t.Errorf("status %d, want 4xx; body %.200q", res.status, res.body)
			}
			path, query := "", 0
			if tt.app {
				target := strings.SplitN(strings.SplitN(tt.raw, "\r\n", 2)[0], " ", 3)[1]
				p, q, _ := strings.Cut(target, "?")
				path, query = p, len(q)
			}
			hostileCheck(t, hostileCase{payload: "alert(1)"}, http.MethodGet, path, query, res, !tt.app)
		})
	}
}

// hostileAnswers is fullPlatform's answers.
func hostileAnswers(c *decision.Content) decision.Answers {
	q, _ := url.ParseQuery(fullPlatform)
	return c.ParseState(q).Raw
}

// hostileMarkdown renders a decision record as a wiki or a repository viewer would (goldmark
// with GitHub's extensions, raw HTML passed through as GitHub's renderer keeps it) and lists what
// would be live in it: an element a payload makes, or a link off the site.
func hostileMarkdown(t *testing.T, record []byte) (text string, problems []string) {
	t.Helper()
	var out bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := md.Convert(record, &out); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("img, script, iframe, svg, object, embed, style, form, input").Each(func(_ int, s *goquery.Selection) {
		problems = append(problems, "live <"+goquery.NodeName(s)+">")
	})
	doc.Find("a").Each(func(_ int, s *goquery.Selection) {
		if href := s.AttrOr("href", ""); strings.Contains(href, "evil") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
			problems = append(problems, fmt.Sprintf("live link %q (%q)", href, s.Text()))
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				problems = append(problems, fmt.Sprintf("<%s %s>", goquery.NodeName(s), a.Key))
			}
		}
	})
	return doc.Text(), problems
}

// TestRecordsShowWhatWasTypedAsText: a member's name holding HTML or a Markdown link is text in
// the team's decision record once rendered, never an image or a link; and hostile values in a
// result record's query never reach its rendered Markdown.
func TestRecordsShowWhatWasTypedAsText(t *testing.T) {
	s, h := newTestServer(t)
	c := s.content
	for _, p := range hostilePayloads {
		name, err := decision.CleanName(p.value)
		if err != nil || name == "" {
			continue
		}
		members := []decision.TeamMember{{Name: name, Answers: walkAnswers(c, firstOption)}, {Name: name + " 2", Answers: walkAnswers(c, lastRealOption)}}
		r := get(t, h, "/team.md?"+s.teamQuery(members))
		wantStatus(t, r, http.StatusOK)
		text, problems := hostileMarkdown(t, r.Body.Bytes())
		for _, pr := range problems {
			t.Errorf("%s: team record: %s", p.name, pr)
		}
		if !strings.Contains(text, name) {
			t.Errorf("%s: the rendered team record does not show the name %q as text", p.name, name)
		}
	}
	for _, p := range hostilePayloads {
		v := url.QueryEscape(p.value)
		for _, target := range []string{"/result.md?" + fullPlatform + "&changed=" + v, "/result.md?" + hostileWith(fullPlatform, "quality", v), "/result.md?" + fullPlatform + "&" + v + "=" + v} {
			r := get(t, h, target)
			if r.Code != http.StatusOK {
				continue
			}
			_, problems := hostileMarkdown(t, r.Body.Bytes())
			for _, pr := range problems {
				t.Errorf("%s %s: result record: %s", p.name, target, pr)
			}
		}
	}
}
