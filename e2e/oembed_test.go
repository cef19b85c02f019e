package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"nestnext/decision"
	"nestnext/handlers"
)

// oEmbed: a blog pastes a link to the wizard; the blog's server finds the
// page's discovery link, asks /oembed for the HTML, and puts it in the post.
// Two host pages show the result: one keeps the HTML as it is (Ghost's HTML
// card, Discourse, any site that trusts the provider), one as WordPress does
// for providers it does not know (WP_oEmbed::discover, then
// wp_filter_oembed_result: only the iframe is kept, sandboxed to
// allow-scripts, and the script is dropped).

// startOEmbedApp serves the wizard with PUBLIC_URL set to its own address,
// so /oembed vouches for it.
func startOEmbedApp(t *testing.T) (string, *decision.Content) {
	t.Helper()
	c, err := decision.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	pub, _ := url.Parse("http://" + srv.Listener.Addr().String())
	srv.Config.Handler = handlers.New(c, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{PublicURL: pub, EmbedAllowedOrigins: handlers.DevEmbedAllowedOrigins}) // the host page is on localhost
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, c
}

// discoverOEmbed is the consumer's side, done from Go as a blog's server
// does it: the page, its discovery link, then the endpoint.
func discoverOEmbed(t *testing.T, page string) string {
	t.Helper()
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	href, ok := doc.Find(`link[rel="alternate"][type="application/json+oembed"]`).Attr("href")
	if !ok {
		t.Fatalf("%s: no oEmbed discovery link", page)
	}
	oresp, err := http.Get(href + "&maxwidth=640&maxheight=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer oresp.Body.Close()
	var m struct {
		Type string `json:"type"`
		HTML string `json:"html"`
	}
	if err := json.NewDecoder(oresp.Body).Decode(&m); err != nil || oresp.StatusCode != http.StatusOK || m.Type != "rich" {
		t.Fatalf("%s: %d %+v %v", href, oresp.StatusCode, m, err)
	}
	return m.HTML
}

var (
	wpIframe = regexp.MustCompile(`<iframe[^>]*></iframe>`)
	wpAttr   = regexp.MustCompile(` (src|width|height|title)="([^"]*)"`)
)

// asWordPress filters the HTML the way wp_filter_oembed_result does for a
// provider WordPress does not know.
func asWordPress(t *testing.T, h string) string {
	t.Helper()
	f := wpIframe.FindString(h)
	if f == "" {
		t.Fatalf("WordPress needs an iframe, and the HTML has none: %s", h)
	}
	out := `<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"`
	for _, a := range wpAttr.FindAllStringSubmatch(f, -1) {
		v := a[2]
		if a[1] == "src" {
			v += "#?secret=Ab12Cd34Ef"
		}
		out += " " + a[1] + `="` + v + `"`
	}
	return out + ` data-secret="Ab12Cd34Ef"></iframe>`
}

func TestOEmbedPastedLink(t *testing.T) {
	wizard, c := startOEmbedApp(t)
	// A complete answer set from the content file: each question's first option.
	answers := decision.Answers{}
	for rp := c.Replay(answers); !rp.Complete(); rp = c.Replay(answers) {
		answers = answers.With(rp.Next.ID, rp.Next.Options[0].ID)
	}
	_, _, res := expectedNext(t, c, answers)
	startHTML := discoverOEmbed(t, wizard+"/")
	resultHTML := discoverOEmbed(t, wizard+"/result?"+c.Encode(answers))

	pages := map[string]string{
		"/as-is":     `<div id="start">` + startHTML + `</div><p>Between.</p><div id="result">` + resultHTML + `</div>`,
		"/wordpress": `<div id="start">` + asWordPress(t, startHTML) + `</div><p>Between.</p><div id="result">` + asWordPress(t, resultHTML) + `</div>`,
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog post</title></head><body><h1>A post</h1>%s</body></html>`, pages[r.URL.Path])
	}))
	t.Cleanup(hs.Close)
	host := strings.Replace(hs.URL, "127.0.0.1", "localhost", 1) // another site than the wizard's

	t.Run("embedding page", func(t *testing.T) {
		ctx := newBrowser(t)
		navigate(t, ctx, wizard+"/embedding")
		if !strings.Contains(text(t, ctx, "main"), wizard+"/oembed") {
			t.Error("/embedding does not name the oEmbed endpoint")
		}
		assertNoAxeViolations(t, ctx, "embedding page with oEmbed")
	})

	t.Run("as is", func(t *testing.T) {
		ctx := newBrowser(t, withTimeout(90*time.Second))
		navigate(t, ctx, host+"/as-is")
		// embed.js adopts both iframes as they are and sizes them to their pages.
		for _, id := range []string{"start", "result"} {
			deadline := time.Now().Add(stepTimeout)
			for !evalJS[bool](t, ctx, `document.querySelector("#`+id+` iframe").hasAttribute("data-nest-next-wizard-ready")`) {
				if time.Now().After(deadline) {
					t.Fatalf("#%s: embed.js did not adopt the iframe", id)
				}
				time.Sleep(25 * time.Millisecond)
			}
			if n := count(t, ctx, "#"+id+" iframe"); n != 1 {
				t.Errorf("#%s: %d iframes, want the one pasted", id, n)
			}
		}
		rf := frameTarget(t, ctx, "result", func(u string) bool { return strings.Contains(u, "/embed/result?") })
		waitText(t, rf, "h1", res.Outcome.Headline)
		// A frame out of view may not update its viewport: bring it into view to measure it.
		evalJS[bool](t, ctx, `(document.querySelector("#result iframe").scrollIntoView(), true)`)
		waitFits(t, ctx, rf, "result", "pasted result")
		evalJS[bool](t, ctx, `(scrollTo(0, 0), true)`)

		sf := frameTarget(t, ctx, "start", func(u string) bool { return strings.HasSuffix(u, "/embed/") })
		waitFits(t, ctx, sf, "start", "pasted start page")
		click(t, sf, "main a.button-start")
		first := c.Questions[0]
		waitPage(t, sf, "first question", func(p pageInfo) bool { return p.Question == first.ID })
		chooseAnswer(t, sf, first.ID, answers[first.ID])
		click(t, sf, continueButton)
		next := c.Replay(decision.Answers{first.ID: answers[first.ID]}).Next
		waitPage(t, sf, "second question", func(p pageInfo) bool { return p.Question == next.ID })
		waitFits(t, ctx, sf, "start", "second question")
		assertNoConsoleErrors(t, ctx)
	})

	t.Run("as WordPress keeps it", func(t *testing.T) {
		ctx := newBrowser(t, withTimeout(90*time.Second))
		navigate(t, ctx, host+"/wordpress")
		rf := frameTarget(t, ctx, "result", func(u string) bool { return strings.Contains(u, "/embed/result?") })
		waitText(t, rf, "h1", res.Outcome.Headline)
		// No script on the host: the frame keeps the size from the response.
		if h := evalJS[float64](t, ctx, `document.querySelector("#result iframe").getBoundingClientRect().height`); h < 900 || h > 905 {
			t.Errorf("WordPress frame height %.1f, want the 900 the response gave", h)
		}
		sf := frameTarget(t, ctx, "start", func(u string) bool { return strings.Contains(u, "/embed/#") })
		waitVisible(t, sf, "main a.button-start")
		click(t, sf, "main a.button-start")
		first := c.Questions[0]
		waitPage(t, sf, "first question", func(p pageInfo) bool { return p.Question == first.ID })
		chooseAnswer(t, sf, first.ID, answers[first.ID])
		if o := evalJS[string](t, sf, `self.origin`); o != "null" {
			t.Fatalf("the sandboxed frame's origin is %q, want an opaque one", o)
		}
		// A click before the deferred scripts ran would do nothing, as the sandbox wants.
		for deadline := time.Now().Add(stepTimeout); evalJS[string](t, sf, `document.readyState`) != "complete"; {
			if time.Now().After(deadline) {
				t.Fatal("the sandboxed question page never finished loading")
			}
			time.Sleep(25 * time.Millisecond)
		}
		click(t, sf, continueButton)
		next := c.Replay(decision.Answers{first.ID: answers[first.ID]}).Next
		waitPage(t, sf, "second question", func(p pageInfo) bool { return p.Question == next.ID })
		assertNoConsoleErrors(t, sf)
	})
}
