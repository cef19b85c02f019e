package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// profiles are the Accept-Encoding headers the edge check sends: what browsers send, and the
// edge cases of content negotiation a cache must not get wrong.
var profiles = []struct{ name, accept string }{
	{"browser", "gzip, deflate, br, zstd"},
	{"gzip-only", "gzip"},
	{"identity", ""},
	{"br-refused", "gzip, br;q=0"},
	{"gzip-preferred", "br;q=0.5, gzip;q=1"},
	{"gzip-refused", "br, gzip;q=0"},
	{"any", "*"},
}

// acceptable says whether a client sending accept takes coding ("" for identity), by RFC 9110,
// section 12.5.3: a coding listed with a q-value above 0, or not listed and covered by a * above
// 0; identity unless refused (identity;q=0, or *;q=0 without identity listed).
func acceptable(coding, accept string) bool {
	if coding == "" {
		coding = "identity"
	}
	if coding == "x-gzip" {
		coding = "gzip"
	}
	listed, star := -1.0, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				f = 0
			}
			q = f
		}
		switch {
		case name == coding || name == "x-gzip" && coding == "gzip":
			listed = q
		case name == "*":
			star = q
		}
	}
	switch {
	case listed >= 0:
		return listed > 0
	case star >= 0:
		return star > 0
	}
	return coding == "identity"
}

// edgeStats counts what the edge check saw.
type edgeStats struct {
	responses, hits, notModified int
	problems                     []string
}

func (s *edgeStats) problem(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// fromCache says whether Varnish answered from its cache: its X-Varnish header then names the
// request and the one that stored the object.
func fromCache(r *response) bool { return len(strings.Fields(r.header.Get("X-Varnish"))) == 2 }

// compare holds a response through the edge to what a replica gives the same client directly.
func compare(s *edgeStats, name, accept, path string, e, d *response) {
	where := fmt.Sprintf("%s %s", name, path)
	if e.status != d.status {
		s.problem("%s: status %d through the edge, %d from a replica", where, e.status, d.status)
		return
	}
	if !acceptable(e.coding, accept) {
		s.problem("%s: Content-Encoding %q through the edge, which Accept-Encoding %q does not accept", where, e.coding, accept)
	}
	if d.coding == "br" && e.coding != "br" && acceptable("br", accept) {
		s.problem("%s: brotli from a replica, %q through the edge", where, e.coding)
	}
	for _, h := range []string{"Content-Type", "Vary", "Cache-Control", "Content-Security-Policy", "Location"} {
		if e.header.Get(h) != d.header.Get(h) {
			s.problem("%s: %s %q through the edge, %q from a replica", where, h, e.header.Get(h), d.header.Get(h))
		}
	}
	// A replica compresses a page's first response fast and, once asked again, well: the two
	// copies have tags that differ only by "-fast" and both name the page (a 304 for either).
	if e.coding == d.coding && strings.Replace(e.header.Get("ETag"), "-fast\"", "\"", 1) != strings.Replace(d.header.Get("ETag"), "-fast\"", "\"", 1) {
		s.problem("%s: ETag %s through the edge, %s from a replica", where, e.header.Get("ETag"), d.header.Get("ETag"))
	}
	if !bytes.Equal(e.body, d.body) {
		s.problem("%s: the decoded body differs (%d bytes through the edge, %d from a replica)", where, len(e.body), len(d.body))
	}
}

// edgeCheck walks every journey through the edge once per profile. With revalidate it also
// sends each response's ETag back and wants a 304 from the cache.
func edgeCheck(edge, public string, direct []string, revalidate bool) error {
	if edge == "" || len(direct) == 0 {
		return fmt.Errorf("edge needs -edge and -direct")
	}
	total := &edgeStats{}
	n := 0
	for _, p := range profiles {
		s := &edgeStats{}
		v := &visitor{accept: p.accept, assets: map[string]bool{}, origin: public}
		v.get = func(v *visitor, path string) (*response, error) {
			e, err := fetch(edge, path, v.header())
			if err != nil {
				return nil, err
			}
			n++
			d, err := fetch(direct[n%len(direct)], path, v.header())
			if err != nil {
				return nil, err
			}
			s.responses++
			if fromCache(e) {
				s.hits++
			}
			compare(s, p.name, p.accept, path, e, d)
			if etag := e.header.Get("ETag"); revalidate && e.status == http.StatusOK && etag != "" {
				h := v.header()
				h.Set("If-None-Match", etag)
				r, err := fetch(edge, path, h)
				if err != nil {
					return nil, err
				}
				switch {
				case r.status != http.StatusNotModified || len(r.body) != 0:
					s.problem("%s %s: If-None-Match %s through the edge got %d with %d bytes, want 304", p.name, path, etag, r.status, len(r.body))
				case r.header.Get("ETag") != etag:
					s.problem("%s %s: the 304 has ETag %s, want %s", p.name, path, r.header.Get("ETag"), etag)
				default:
					s.notModified++
				}
			}
			return e, nil
		}
		if err := walkAll(v); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Printf("  %-15s %-27q %4d responses, %4d from the cache, %4d revalidated (304), %d problems\n",
			p.name, p.accept, s.responses, s.hits, s.notModified, len(s.problems))
		total.responses += s.responses
		total.hits += s.hits
		total.notModified += s.notModified
		total.problems = append(total.problems, s.problems...)
	}
	fmt.Printf("edge check: %d responses compared with a replica's, %d from the cache, %d revalidated with 304, %d problems\n",
		total.responses, total.hits, total.notModified, len(total.problems))
	for i, p := range total.problems {
		if i == 30 {
			fmt.Printf("  ... and %d more\n", len(total.problems)-i)
			break
		}
		fmt.Println("  PROBLEM:", p)
	}
	if len(total.problems) > 0 {
		return fmt.Errorf("%d responses through the edge differ from a replica's", len(total.problems))
	}
	return nil
}

// bumpCheck runs after the replicas were restarted with content of a new version. A journey
// begun on a page the cache still holds from before moves to the new version at its first
// answer (the form goes to /next, which no cache keeps, and its redirect carries the deployed
// version); the unversioned start page is fetched anew once its shared-cache lifetime is over,
// with no purge.
func bumpCheck(edge, public string, direct []string, version int) error {
	if edge == "" || len(direct) == 0 || version == 0 {
		return fmt.Errorf("bump needs -edge, -direct and -version")
	}
	v := &visitor{accept: profiles[0].accept, assets: map[string]bool{}, origin: public}
	v.get = func(v *visitor, path string) (*response, error) { return fetch(edge, path, v.header()) }
	newV := "v=" + strconv.Itoa(version)

	start, doc, err := v.page("/", http.StatusOK)
	if err != nil {
		return err
	}
	fresh, err := fetch(direct[0], "/", v.header())
	if err != nil {
		return err
	}
	link, err := attr(doc, "a.button-start", "href")
	if err != nil {
		return err
	}
	if !fromCache(start) || bytes.Equal(start.body, fresh.body) {
		return fmt.Errorf("want the start page from before the bump still in the cache; from the cache %v, same as the new one %v", fromCache(start), bytes.Equal(start.body, fresh.body))
	}
	fmt.Printf("bump: the cache still has the start page from before (Age %s s), linking to %s\n", start.header.Get("Age"), link)

	// The visitor follows that link and answers: from /next on, the journey is the new version's.
	_, qdoc, err := v.page(link, http.StatusOK)
	if err != nil {
		return err
	}
	form := qdoc.Find("form[data-question]").First()
	target := formTarget(form, form.Find(`input[type=radio]`).First().AttrOr("value", ""))
	r, err := v.get(v, target)
	if err != nil {
		return err
	}
	next := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.Contains(next, newV) {
		return fmt.Errorf("after the bump, answering the old page's form (%s) gave %d to %q; want a redirect to the %s journey", target, r.status, next, newV)
	}
	e, err := fetch(edge, next, v.header())
	if err != nil {
		return err
	}
	d, err := fetch(direct[0], next, v.header())
	if err != nil {
		return err
	}
	if e.status != http.StatusOK || !bytes.Equal(e.body, d.body) {
		return fmt.Errorf("%s through the cache is not the new version's page (%d)", next, e.status)
	}
	fmt.Printf("bump: its first answer (%s, not cached) redirects to %s, and the cache serves the new page there\n", target, next)

	// The unversioned start page: the cache revalidates it when its s-maxage is over.
	age, _ := strconv.Atoi(start.header.Get("Age"))
	shared := directive(start.header.Get("Cache-Control"), "s-maxage")
	stale := directive(start.header.Get("Cache-Control"), "stale-while-revalidate")
	if shared <= 0 {
		return fmt.Errorf("the start page's Cache-Control %q has no s-maxage", start.header.Get("Cache-Control"))
	}
	wait := time.Duration(shared-age)*time.Second + 500*time.Millisecond
	fmt.Printf("bump: waiting %s for the start page's s-maxage (%d s) to run out\n", wait.Round(time.Second), shared)
	time.Sleep(wait)
	began := time.Now()
	staleAnswers := 0
	for time.Since(began) < time.Duration(stale+5)*time.Second {
		r, err := fetch(edge, "/", v.header())
		if err != nil {
			return err
		}
		if bytes.Equal(r.body, fresh.body) {
			fmt.Printf("bump: the cache serves the new start page %s after its s-maxage ran out, after %d stale answer(s) while it revalidated\n",
				time.Since(began).Round(time.Millisecond), staleAnswers)
			return nil
		}
		staleAnswers++
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("the cache still serves the old start page %s after its s-maxage ran out", time.Since(began).Round(time.Second))
}

// directive reads a Cache-Control directive's number (-1 when absent).
func directive(cc, name string) int {
	for part := range strings.SplitSeq(cc, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(k, name) {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return -1
}

// funnelCounts is what the wizard's funnel counters must count for the journeys walked.
type funnelCounts struct {
	Visitors    int            `json:"visitors"`
	Requests    []int          `json:"requests_per_target"`
	Starts      int            `json:"starts"`
	Views       map[string]int `json:"views"`
	Answers     map[string]int `json:"answers"`
	Completions map[string]int `json:"completions"`
}

func (f *funnelCounts) view(question string, start bool) {
	if f == nil {
		return
	}
	f.Views[question]++
	if start {
		f.Starts++
	}
}

func (f *funnelCounts) answer(question string) {
	if f != nil {
		f.Answers[question]++
	}
}

func (f *funnelCounts) complete(outcome string) {
	if f != nil {
		f.Completions[outcome]++
	}
}

// funnel walks visitors against the targets, each request to the next target in turn, at
// least visitors of them and for at least spread (a pause between visitors, so the traffic is
// a few seconds of visits rather than a flood), and prints what the funnel counters must show
// summed over the targets.
func funnel(targets []string, public string, visitors int, spread time.Duration) error {
	if len(targets) == 0 {
		return fmt.Errorf("funnel needs -target")
	}
	ps, err := personas()
	if err != nil {
		return err
	}
	counts := &funnelCounts{Requests: make([]int, len(targets)), Views: map[string]int{}, Answers: map[string]int{}, Completions: map[string]int{}}
	n := 0
	get := func(v *visitor, path string) (*response, error) {
		i := n % len(targets)
		n++
		counts.Requests[i]++
		return fetch(targets[i], path, v.header())
	}
	began := time.Now()
	pause := spread / time.Duration(max(visitors, 1))
	for i := 0; i < visitors || time.Since(began) < spread; i++ {
		time.Sleep(pause)
		v := &visitor{accept: profiles[i%len(profiles)].accept, assets: map[string]bool{}, get: get, events: counts, origin: public}
		p := ps[i%len(ps)]
		switch {
		case i%10 == 9: // a team of two: two visitors
			err = v.team(p, ps[(i+1)%len(ps)])
			counts.Visitors++
		case i%4 == 3:
			_, _, err = v.journey(embedStarts[i%len(embedStarts)], p)
		default:
			_, _, err = v.journey("/", p)
		}
		if err != nil {
			return err
		}
		counts.Visitors++
	}
	return json.NewEncoder(os.Stdout).Encode(counts)
}
