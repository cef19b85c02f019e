package handlers

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

var update = flag.Bool("update", false, "rewrite golden files")

var adrCases = []struct{ name, query string }{
	{"both-platform", fullPlatform},
	{"nextjs-unsure-platform", "build=platform&logic=moderate&growth=notsure&seo=critical&render=mixed&api=own&realtime=notsure&team=react&share=notsure&quality=notsure&v=2"},
	{"nestjs-robust-api", "build=api&logic=complex&growth=services&realtime=essential&team=java&quality=essential&v=2"},
}

// TestDecisionRecordGolden pins the Markdown decision record. After an intended change run
// `go test ./handlers/ -run DecisionRecord -update` and review the diff.
func TestDecisionRecordGolden(t *testing.T) {
	_, h := newTestServer(t)
	for _, tc := range adrCases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, "/result.md?"+tc.query)
			wantStatus(t, r, http.StatusOK)
			if ct := r.Header().Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := r.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="decision-record-`) || !strings.HasSuffix(cd, `.md"`) {
				t.Errorf("Content-Disposition %q", cd)
			}
			path := filepath.Join("testdata", "golden", "adr-"+tc.name+".md")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, r.Body.Bytes(), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := r.Body.String(); got != string(want) {
				t.Errorf("decision record differs from %s; run with -update and review:\n%s", path, got)
			}
		})
	}
	r := get(t, h, "/result.md?build=site&v=2")
	wantStatus(t, r, http.StatusUnprocessableEntity)
}

func TestResultExplains(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+adrCases[1].query)
	wantStatus(t, r, http.StatusOK)
	needs := r.doc.Find(".needs li")
	if needs.Length() != 2 {
		t.Fatalf("%d needs shown, want 2", needs.Length())
	}
	needs.Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Text(), "threshold") {
			t.Error("each need needs its value and threshold in text")
		}
	})
	if r.doc.Find("#open + p + .open-questions > li").Length() != 4 {
		t.Errorf("want 5 open questions, got %d", r.doc.Find(".open-questions > li").Length())
	}
	if !strings.Contains(r.doc.Find(".open-questions").Text(), "Next.js, unless") {
		t.Error("open questions should say how they would tip the recommendation")
	}
	if r.doc.Find(".consequences li").Length() == 0 {
		t.Error("no consequences listed")
	}
	if href := r.doc.Find(`a[download]`).AttrOr("href", ""); !strings.HasPrefix(href, "/result.md?") {
		t.Errorf("decision record link %q", href)
	}

	robust := get(t, h, "/result?"+adrCases[2].query)
	if !strings.Contains(robust.doc.Find("#change ~ p").First().Text(), "robust to any single answer") {
		t.Error("a robust result should say so")
	}
}

// TestChangeLinksYieldTheirRecommendation follows every "what would change this" link and checks
// the page it leads to recommends what the link said.
func TestChangeLinksYieldTheirRecommendation(t *testing.T) {
	_, h := newTestServer(t)
	for _, tc := range adrCases {
		r := get(t, h, "/result?"+tc.query)
		links := r.doc.Find(".changes a")
		if tc.name != "nestjs-robust-api" && links.Length() == 0 {
			t.Errorf("%s: no change links", tc.name)
		}
		links.Each(func(_ int, a *goquery.Selection) {
			href := a.AttrOr("href", "")
			want := a.Find("strong").Text()
			next := get(t, h, href)
			if next.Code != http.StatusOK {
				t.Fatalf("%s: %s → %d", tc.name, href, next.Code)
			}
			got := next.doc.Find("main h1").Text()
			if !strings.HasPrefix(got, want) && !(want == "Both" && strings.HasPrefix(got, "Both")) {
				t.Errorf("%s: link says %q, page says %q (%s)", tc.name, want, got, href)
			}
		})
	}
}

// TestV1LinksStillOpen GETs share links written by content version 1 (personas, each outcome,
// every "Not sure", the README's example): each opens the v2 result with the notice that one
// answer (where it will run) was left out, and its share link is the v2 one.
func TestV1LinksStillOpen(t *testing.T) {
	_, h := newTestServer(t)
	for _, q := range []string{
		"build=site&logic=simple&seo=critical&render=fast&api=own&realtime=no&deploy=serverless&team=react&share=no&quality=no&v=1",
		"build=api&logic=complex&growth=monolith&realtime=essential&deploy=servers&team=fullstack&quality=essential&v=1",
		"build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&deploy=servers&team=fullstack&share=yes&quality=helpful&v=1",
		"build=api&logic=complex&growth=services&realtime=no&deploy=servers&team=java&quality=essential&v=1",
		"build=site&logic=simple&seo=helpful&render=fast&api=none&realtime=no&deploy=notsure&team=react&share=no&quality=no&v=1",
		"build=platform&logic=moderate&growth=services&seo=helpful&render=mixed&api=public&realtime=essential&deploy=serverless&team=fullstack&share=yes&quality=essential&v=1",
		"build=site&logic=notsure&growth=small&seo=critical&render=mixed&api=none&realtime=no&deploy=serverless&team=notsure&share=notsure&quality=notsure&v=1",
		"build=api&logic=simple&realtime=no&deploy=serverless&team=react&quality=no&v=1",
		"build=platform&logic=complex&growth=services&seo=helpful&render=notsure&api=notsure&realtime=no&deploy=servers&team=notsure&share=no&quality=no&v=1",
		"build=site&logic=moderate&growth=monolith&seo=none&render=notsure&api=notsure&realtime=no&deploy=notsure&team=notsure&share=no&quality=no&v=1",
		"build=platform&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&deploy=notsure&team=notsure&share=notsure&quality=notsure&v=1",
		"build=api&logic=notsure&growth=notsure&realtime=notsure&deploy=notsure&team=notsure&quality=notsure&v=1",
	} {
		r := get(t, h, "/result?"+q)
		if r.Code != http.StatusOK {
			t.Errorf("%s: status %d", q, r.Code)
			continue
		}
		if !strings.Contains(r.doc.Find(".notice").Text(), "1 of your answers refers to a question that changed") {
			t.Errorf("%s: no notice about the removed answer", q)
		}
		want := strings.ReplaceAll(q, "v=1", "v=2")
		for _, p := range []string{"&deploy=serverless", "&deploy=servers", "&deploy=notsure"} {
			want = strings.ReplaceAll(want, p, "")
		}
		if href := r.doc.Find(`a[download]`).AttrOr("href", ""); href != "/result.md?"+want {
			t.Errorf("%s: decision record link %q, want the v2 answers", q, href)
		}
	}
}
