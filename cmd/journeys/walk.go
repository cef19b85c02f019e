package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"

	"nestnext/decision"
)

// response is one answer as received, and its body decoded from its Content-Encoding.
type response struct {
	status int
	header http.Header
	coding string
	body   []byte
}

var httpClient = &http.Client{
	Timeout: 10 * time.Second,
	// Redirects are steps of the journey: each is fetched, checked and counted.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	// Bodies arrive as sent, in the coding the server chose, and are decoded here.
	Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16},
}

func fetch(base, path string, header http.Header) (*response, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	r := &response{status: res.StatusCode, header: res.Header, coding: res.Header.Get("Content-Encoding"), body: raw}
	if res.StatusCode == http.StatusNotModified {
		return r, nil // no body, whatever its headers name
	}
	if r.body, err = decode(r.coding, raw); err != nil {
		return nil, fmt.Errorf("GET %s: %s body: %w", path, r.coding, err)
	}
	return r, nil
}

// decode undoes a Content-Encoding, refusing trailing bytes or a truncated stream.
func decode(coding string, raw []byte) ([]byte, error) {
	var r io.Reader
	src := bytes.NewReader(raw)
	switch coding {
	case "":
		return raw, nil
	case "br":
		r = brotli.NewReader(src)
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, err
		}
		zr.Multistream(false)
		r = zr
	default:
		return nil, fmt.Errorf("unknown coding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err == nil && src.Len() != 0 {
		err = errors.New("bytes after the end of the stream")
	}
	return out, err
}

// visitor is one person's browser: its Accept-Encoding, the assets it already has (a browser
// fetches each once), and get, which fetches a path wherever this run sends it (a cache, or
// the replicas in turn) and checks or counts the response.
type visitor struct {
	accept string // "" sends no Accept-Encoding
	assets map[string]bool
	get    func(v *visitor, path string) (*response, error)
	// events, when set, hears what the funnel counters count.
	events *funnelCounts
	// origin is the public URL absolute links start with (PUBLIC_URL), cut off to get a path.
	origin string
}

func (v *visitor) header() http.Header {
	h := http.Header{}
	if v.accept != "" {
		h.Set("Accept-Encoding", v.accept)
	}
	return h
}

// page fetches path, wants status, and parses HTML.
func (v *visitor) page(path string, status int) (*response, *goquery.Document, error) {
	r, err := v.get(v, path)
	if err != nil {
		return nil, nil, err
	}
	if r.status != status {
		return nil, nil, fmt.Errorf("GET %s: status %d, want %d", path, r.status, status)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		return r, nil, nil
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	return r, doc, err
}

// local turns a link from a page into a path: absolute links start with the public origin.
func (v *visitor) local(link string) (string, bool) {
	if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") {
		return link, true
	}
	if v.origin != "" && strings.HasPrefix(link, v.origin+"/") {
		return strings.TrimPrefix(link, v.origin), true
	}
	return "", false
}

// linked fetches what a browser would fetch with the page: stylesheets, icon, scripts (htmx too,
// which app.js loads), each once per visitor, and the preview card a link unfurler reads.
func (v *visitor) linked(doc *goquery.Document) error {
	var links []string
	doc.Find(`link[rel=stylesheet], link[rel=icon]`).Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	doc.Find(`script[src]`).Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("src", "")) })
	doc.Find(`script[data-htmx]`).Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("data-htmx", "")) })
	doc.Find(`meta[property="og:image"]`).Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("content", "")) })
	for _, l := range links {
		path, ok := v.local(l)
		if !ok || v.assets[path] {
			continue
		}
		v.assets[path] = true
		if _, _, err := v.page(path, http.StatusOK); err != nil {
			return err
		}
	}
	return nil
}

func attr(doc *goquery.Document, selector, name string) (string, error) {
	s := doc.Find(selector).First()
	if v, ok := s.Attr(name); ok {
		return v, nil
	}
	return "", fmt.Errorf("no %s with %s", selector, name)
}

// formTarget is where a question's form goes with choice picked: its action, with its hidden
// fields (the answers so far, v, a team) and the answer.
func formTarget(form *goquery.Selection, choice string) string {
	q := form.AttrOr("data-question", "")
	vals := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	vals.Set(q, choice)
	return form.AttrOr("action", "") + "?" + vals.Encode()
}

func isQuestion(path string) bool {
	return strings.HasPrefix(path, "/q/") || strings.HasPrefix(path, "/embed/q/")
}

// answer walks the questions from path, submitting each form with the persona's answer (the
// first option where it has none), and returns where the last redirect leads.
func (v *visitor) answer(path string, answers decision.Answers) (string, error) {
	first := true
	for range 40 {
		if !isQuestion(path) {
			return path, nil
		}
		_, doc, err := v.page(path, http.StatusOK)
		if err != nil {
			return "", err
		}
		if err := v.linked(doc); err != nil {
			return "", err
		}
		form := doc.Find("form[data-question]").First()
		q := form.AttrOr("data-question", "")
		if q == "" {
			return "", fmt.Errorf("%s: no question form", path)
		}
		v.events.view(q, first && len(queryAnswers(path)) == 0)
		first = false
		choice := answers[q]
		if form.Find(`input[name="`+q+`"][value="`+choice+`"]`).Length() == 0 {
			choice = form.Find(`input[name="`+q+`"]`).First().AttrOr("value", "")
		}
		r, err := v.get(v, formTarget(form, choice))
		if err != nil {
			return "", err
		}
		if r.status != http.StatusSeeOther {
			return "", fmt.Errorf("%s: the form answered %d, want 303", path, r.status)
		}
		path = r.header.Get("Location")
		v.events.answer(q)
		if !isQuestion(path) && v.events != nil {
			outcome, err := v.outcomeOf(path)
			if err != nil {
				return "", err
			}
			v.events.complete(outcome)
		}
	}
	return "", fmt.Errorf("the journey from %s did not end", path)
}

// follow fetches path and the redirects it leads to, and returns the page it ends on.
func (v *visitor) follow(path string) (string, *goquery.Document, error) {
	for range 5 {
		r, err := v.get(v, path)
		if err != nil {
			return "", nil, err
		}
		switch r.status {
		case http.StatusSeeOther:
			path = r.header.Get("Location")
		case http.StatusOK:
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
			return path, doc, err
		default:
			return "", nil, fmt.Errorf("GET %s: status %d", path, r.status)
		}
	}
	return "", nil, fmt.Errorf("too many redirects at %s", path)
}

// journey is one visitor from a start page to a result, and what a result page links to. A
// start page may redirect straight to the first question (an embed with intro=0).
func (v *visitor) journey(start string, answers decision.Answers) (string, *goquery.Document, error) {
	r, err := v.get(v, start)
	if err != nil {
		return "", nil, err
	}
	first := r.header.Get("Location")
	switch r.status {
	case http.StatusSeeOther:
	case http.StatusOK:
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
		if err != nil {
			return "", nil, err
		}
		if err := v.linked(doc); err != nil {
			return "", nil, err
		}
		if first, err = attr(doc, "a.button-start", "href"); err != nil {
			return "", nil, fmt.Errorf("%s: %w", start, err)
		}
	default:
		return "", nil, fmt.Errorf("GET %s: status %d", start, r.status)
	}
	end, err := v.answer(first, answers)
	if err != nil {
		return "", nil, err
	}
	return v.result(end)
}

// result opens a result or team page and what it links to: the decision record, the API's
// answer for the same link, and the oEmbed answer an unfurler asks for.
func (v *visitor) result(path string) (string, *goquery.Document, error) {
	path, doc, err := v.follow(path)
	if err != nil {
		return "", nil, err
	}
	if err := v.linked(doc); err != nil {
		return "", nil, err
	}
	var extra []string
	if md, ok := doc.Find(`a[href^="/result.md?"], a[href^="/team.md?"]`).First().Attr("href"); ok {
		extra = append(extra, md)
	}
	if oe, ok := doc.Find(`link[type="application/json+oembed"]`).Attr("href"); ok {
		if p, ok := v.local(oe); ok {
			extra = append(extra, p)
		}
	}
	base, query, _ := strings.Cut(path, "?")
	switch base {
	case "/result":
		extra = append(extra, "/api/v1/result?"+query)
	case "/team":
		extra = append(extra, "/api/v1/team?"+query)
	}
	for _, p := range extra {
		if _, _, err := v.page(p, http.StatusOK); err != nil {
			return "", nil, err
		}
	}
	return path, doc, nil
}

// team is two visitors deciding together: a's journey, a names themselves on the team page,
// b joins by name and answers, and both land on the team page.
func (v *visitor) team(a, b decision.Answers) error {
	_, res, err := v.journey("/", a)
	if err != nil {
		return err
	}
	teamLink, err := attr(res, `a[href^="/team?"]`, "href")
	if err != nil {
		return err
	}
	submit := func(page, field, name string) (string, error) {
		_, doc, err := v.page(page, http.StatusOK)
		if err != nil {
			return "", err
		}
		form := doc.Find(`form:has(#` + field + `)`).First()
		vals := url.Values{}
		form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { vals.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
		vals.Set("name", name)
		r, err := v.get(v, form.AttrOr("action", "")+"?"+vals.Encode())
		if err != nil {
			return "", err
		}
		if r.status != http.StatusSeeOther {
			return "", fmt.Errorf("%s: the %s form answered %d, want 303", page, field, r.status)
		}
		return r.header.Get("Location"), nil
	}
	named, err := submit(teamLink, "team-rename", "Ada")
	if err != nil {
		return err
	}
	first, err := submit(named, "team-name", "Bob <b>")
	if err != nil {
		return err
	}
	end, err := v.answer(first, b)
	if err != nil {
		return err
	}
	_, _, err = v.result(end)
	return err
}

// personas are the content's typical projects and case studies, with their answers.
func personas() ([]decision.Answers, error) {
	c, err := decision.Default()
	if err != nil {
		return nil, err
	}
	var out []decision.Answers
	for _, e := range c.Examples {
		out = append(out, e.Answers)
	}
	if len(out) < 2 {
		return nil, errors.New("the content has fewer than two examples")
	}
	return out, nil
}

// embedStarts are embed start pages as host pages set them: themes and an accent colour.
var embedStarts = []string{"/embed/", "/embed/?theme=dark&accent=" + url.QueryEscape("#0b6e4f"), "/embed/?theme=light&intro=0"}

// walkAll is every journey once: each persona on the site, three in the embed, and a team of
// two; then the API's and the site's other entry points.
func walkAll(v *visitor) error {
	ps, err := personas()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if _, _, err := v.journey("/", p); err != nil {
			return err
		}
	}
	for i, start := range embedStarts {
		if _, _, err := v.journey(start, ps[(i+1)%len(ps)]); err != nil {
			return err
		}
	}
	if err := v.team(ps[0], ps[1]); err != nil {
		return err
	}
	for _, p := range []string{"/api/v1/decision", "/api/v1/openapi.json", "/how-it-decides", "/embedding?theme=dark", "/embed.js", "/robots.txt"} {
		if _, _, err := v.page(p, http.StatusOK); err != nil {
			return err
		}
	}
	return nil
}

// queryAnswers is the query of path without the parameters that are not answers.
func queryAnswers(path string) url.Values {
	_, query, _ := strings.Cut(path, "?")
	q, _ := url.ParseQuery(query)
	for _, k := range []string{"v", "tm", "theme", "accent", "intro", "changed"} {
		q.Del(k)
	}
	return q
}

// outcomeOf asks the API which outcome a result link gives.
func (v *visitor) outcomeOf(resultPath string) (string, error) {
	_, query, _ := strings.Cut(resultPath, "?")
	r, err := v.get(v, "/api/v1/result?"+query)
	if err != nil {
		return "", err
	}
	var res struct {
		Recommendation string `json:"recommendation"`
	}
	if err := json.Unmarshal(r.body, &res); err != nil || res.Recommendation == "" {
		return "", fmt.Errorf("/api/v1/result?%s: no recommendation (%d): %v", query, r.status, err)
	}
	return res.Recommendation, nil
}
