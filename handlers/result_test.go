package handlers

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

var update = flag.Bool("update", false, "rewrite golden files")

var adrCases = []struct{ name, query string }{
	{"both-platform", fullPlatform},
	{"nextjs-unsure-platform", "build=platform&logic=moderate&growth=notsure&seo=critical&render=mixed&api=own&realtime=notsure&team=react&share=notsure&quality=notsure&v=3"},
	{"nestjs-robust-api", "build=api&logic=complex&growth=services&realtime=essential&team=java&quality=essential&v=3"},
	{"undecided-all-unsure", "build=notsure&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=3"},
	{"nestjs-pages-open", "build=notsure&logic=complex&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&team=notsure&share=notsure&quality=notsure&v=3"},
	{"both-leaning", "build=platform&logic=notsure&growth=notsure&seo=critical&render=mixed&api=notsure&realtime=no&team=fullstack&share=yes&quality=essential&v=3"},
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
	r := get(t, h, "/result.md?build=site&v=3")
	wantStatus(t, r, http.StatusUnprocessableEntity)
}

func TestResultExplains(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+adrCases[1].query)
	wantStatus(t, r, http.StatusOK)
	if n := r.doc.Find("#open .open-questions > li").Length(); n != 4 {
		t.Errorf("want 4 open questions, got %d", n)
	}
	if !strings.Contains(r.doc.Find(".open-questions").Text(), "Next.js, unless") {
		t.Error("open questions should say how they would tip the recommendation")
	}
	if r.doc.Find("#why .consequences li").Length() == 0 {
		t.Error("no consequences listed")
	}
	if href := r.doc.Find(`a[download]`).AttrOr("href", ""); !strings.HasPrefix(href, "/result.md?") {
		t.Errorf("decision record link %q", href)
	}

	robust := get(t, h, "/result?"+adrCases[2].query)
	if !strings.Contains(robust.doc.Find("#change .section-body > p").First().Text(), "No change of one") {
		t.Error("a robust result should say so")
	}
}

// TestResultPageOrder: the recommendation, its confidence and why first; then the actions; then
// the picture of the two needs; then the details, each a closed disclosure.
func TestResultPageOrder(t *testing.T) {
	_, h := newTestServer(t)
	for _, tc := range adrCases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, "/result?"+tc.query)
			wantStatus(t, r, http.StatusOK)
			main := r.doc.Find("main")
			order := []string{".panel h1", ".panel .confidence", ".why-short p", "a[download]", "#share-url", "figure.needs", "details#why", "details#change", "details#compare", "details#answers", ".actions"}
			if r.doc.Find("[data-outcome=undecided]").Length() > 0 {
				// What would decide it comes straight under the why, and takes the place of
				// "What would change this".
				order = []string{".panel h1", ".panel .confidence", ".why-short p", ".deciders a.button", "a[download]", "#share-url", "figure.needs", "details#why", "details#compare", "details#answers", ".actions"}
				if main.Find("details#change").Length() != 0 {
					t.Error("an undecided result repeats its deciders as changes")
				}
			}
			html, _ := main.Html()
			last := -1
			for _, sel := range order {
				el := main.Find(sel).First()
				if el.Length() == 0 {
					t.Errorf("no %s", sel)
					continue
				}
				outer, _ := goquery.OuterHtml(el)
				at := strings.Index(html, outer)
				if at < last {
					t.Errorf("%s comes before what should precede it (order %v)", sel, order)
				}
				last = at
			}
			if n := main.Find(".why-short p").Length(); n < 1 || n > 3 {
				t.Errorf("%d sentences of why under the recommendation, want 1 to 3", n)
			}
			main.Find("details").Each(func(_ int, d *goquery.Selection) {
				if _, open := d.Attr("open"); open {
					t.Errorf("details#%s is open; every disclosure starts closed", d.AttrOr("id", ""))
				}
				if d.ChildrenFiltered("summary").Find("h2").Length() != 1 {
					t.Errorf("details#%s: its summary needs the section's heading", d.AttrOr("id", ""))
				}
			})
			// Print: the whole link, outside the field.
			if got := main.Find(".share-print").Text(); got != main.Find("#share-url").AttrOr("value", "") || !strings.HasPrefix(got, "http") {
				t.Errorf("printed share link %q", got)
			}
		})
	}
}

// TestNeedsPicture: the server-rendered SVG of the two needs, its name and its text equivalent.
func TestNeedsPicture(t *testing.T) {
	_, h := newTestServer(t)
	for _, tc := range adrCases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, "/result?"+tc.query)
			fig := r.doc.Find("main figure.needs")
			svg := fig.Find("svg.needs-svg")
			if svg.Length() != 1 || svg.AttrOr("role", "") != "img" {
				t.Fatalf("want one svg.needs-svg with role=img, have %d", svg.Length())
			}
			label := svg.AttrOr("aria-labelledby", "")
			if label == "" || r.doc.Find("h2#"+label).Length() != 1 || strings.TrimSpace(r.doc.Find("#"+label).Text()) == "" {
				t.Errorf("aria-labelledby %q must name the heading above the picture", label)
			}
			if n := svg.Find("rect.needs-region").Length(); n != 3 {
				t.Errorf("%d regions, want 3 (NestJS, Next.js, Both)", n)
			}
			outcome := r.doc.Find("[data-outcome]").AttrOr("data-outcome", "")
			cur := svg.Find("rect.needs-current")
			// With a need open the marker sits between regions, and none is outlined.
			openNeed := svg.Find("circle.needs-marker-open").Length() > 0
			switch {
			case openNeed && cur.Length() != 0:
				t.Errorf("a need is open, yet region %q is outlined", cur.AttrOr("class", ""))
			case !openNeed && (cur.Length() != 1 || !cur.HasClass("needs-"+outcome)):
				t.Errorf("the highlighted region is not the outcome %q", outcome)
			}
			if n := svg.Find("line.needs-threshold").Length(); n != 2 {
				t.Errorf("%d threshold lines, want 2", n)
			}
			// The marker is inside the drawing.
			for _, c := range []string{"cx", "cy"} {
				v, err := strconv.ParseFloat(svg.Find("circle.needs-marker").AttrOr(c, ""), 64)
				limit := map[string]float64{"cx": 400, "cy": 250}[c]
				if err != nil || v < 0 || v > limit {
					t.Errorf("marker %s = %v (%v), outside 0..%v", c, v, err, limit)
				}
			}
			lines := fig.Find("figcaption li")
			if lines.Length() != 2 {
				t.Fatalf("%d lines of text equivalent, want 2", lines.Length())
			}
			open := 0
			lines.Each(func(_ int, l *goquery.Selection) {
				known := regexp.MustCompile(`^(Web front end|Dedicated backend) −?\d+, threshold \d+: (met|not met(, \d+ short of [\w.]+)?)\.$`)
				unknown := regexp.MustCompile(`^(Web front end|Dedicated backend): open, no answer bears on it yet( \(.+\))?\.$`)
				if unknown.MatchString(l.Text()) {
					open++
				} else if !known.MatchString(l.Text()) {
					t.Errorf("text equivalent %q", l.Text())
				}
			})
			// An open need is drawn hollow, on its threshold.
			if hollow := svg.Find("circle.needs-marker-open").Length(); (open > 0) != (hollow == 1) {
				t.Errorf("%d open needs, %d hollow markers", open, hollow)
			}
		})
	}
}

// TestDecidedRows: the comparison table marks the rows that decided the result, and the section
// says how many.
func TestDecidedRows(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/result?"+adrCases[0].query)
	rows := r.doc.Find("details#compare tbody tr")
	marked := rows.Filter(".relevant")
	if rows.Length() == 0 || marked.Length() == rows.Length() {
		t.Errorf("%d of %d rows marked; only the rows that decided may be", marked.Length(), rows.Length())
	}
	marked.Each(func(_ int, row *goquery.Selection) {
		if row.Find(".tag-relevant").Text() != "Decided this" {
			t.Errorf("row %s is marked without its tag", row.AttrOr("id", ""))
		}
	})
	if marked.Length() > 0 && !strings.Contains(r.doc.Find("details#compare .section-extra").Text(), strconv.Itoa(marked.Length())) {
		t.Error("the table's summary should say how many rows decided this")
	}
	if !strings.Contains(r.doc.Find("details#compare summary").Text(), "A comparison drawn from the article") {
		t.Error("the table is a comparison drawn from the article")
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
// every "Not sure", the docs' example URL): each opens the v2 result with the notice that one
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
		want := strings.ReplaceAll(q, "v=1", "v=3")
		for _, p := range []string{"&deploy=serverless", "&deploy=servers", "&deploy=notsure"} {
			want = strings.ReplaceAll(want, p, "")
		}
		if href := r.doc.Find(`a[download]`).AttrOr("href", ""); href != "/result.md?"+want {
			t.Errorf("%s: decision record link %q, want the v2 answers", q, href)
		}
	}
}

// TestWorkedExamples: the start page links the article's two case studies to their results,
// labelled as illustrations, and each link gives the result its label says.
func TestWorkedExamples(t *testing.T) {
	_, h := newTestServer(t)
	r := get(t, h, "/")
	items := r.doc.Find("main .examples > li")
	if items.Length() != 2 {
		t.Fatalf("%d worked examples, want the article's 2 case studies", items.Length())
	}
	items.Each(func(_ int, li *goquery.Selection) {
		a := li.Find("a").First()
		href := a.AttrOr("href", "")
		if !strings.HasPrefix(href, "/result?") || !strings.Contains(li.Text(), "illustration") {
			t.Errorf("example %q → %q: want a result link, labelled as an illustration", a.Text(), href)
		}
		if li.Find("blockquote.quote").Length() != 1 {
			t.Errorf("example %q: no quote from the case study", a.Text())
		}
		res := get(t, h, href)
		wantStatus(t, res, http.StatusOK)
		name := res.doc.Find("[data-outcome] h1").Text()
		if name == "" || !strings.Contains(li.Find(".hint").Text(), "Result: "+name) && !strings.Contains(li.Find(".hint").Text(), "Result: "+strings.SplitN(name, ":", 2)[0]) {
			t.Errorf("example %q says %q, its result is %q", a.Text(), li.Find(".hint").Text(), name)
		}
	})
}
