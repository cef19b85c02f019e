package decision

import (
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// Old share links, as they were written by earlier content versions of testdata/versioned.yaml.
func TestMigrateOldLinks(t *testing.T) {
	data, err := os.ReadFile("testdata/versioned.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("versioned.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		link    string
		want    map[string]string
		changed []string
		removed int
		newer   bool
	}{
		{"v1 link: renamed question and options, removed question", "build=website&search=yes&live=realtime&budget=low&v=1", map[string]string{"build": "site", "seo": "yes", "live": "yes"}, nil, 1, false},
		{"v2 link: renamed option, option that no longer exists", "build=website&seo=notsure&live=maybe&v=2", map[string]string{"build": "site", "seo": "notsure"}, []string{"live"}, 0, false},
		{"current link untouched", "build=api&live=no&v=3", map[string]string{"build": "api", "live": "no"}, nil, 0, false},
		{"no version is read as current", "build=api", map[string]string{"build": "api"}, nil, 0, false},
		{"newer version gets a notice", "build=api&v=9", map[string]string{"build": "api"}, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.link)
			up := c.ParseState(q)
			if len(up.Raw) != len(tt.want) {
				t.Fatalf("answers %v, want %v", up.Raw, tt.want)
			}
			for k, v := range tt.want {
				if up.Raw[k] != v {
					t.Errorf("%s = %q, want %q", k, up.Raw[k], v)
				}
			}
			if !slices.Equal(up.Changed, tt.changed) || up.Removed != tt.removed || up.Newer != tt.newer {
				t.Errorf("changed %v removed %d newer %v; want %v %d %v", up.Changed, up.Removed, up.Newer, tt.changed, tt.removed, tt.newer)
			}
		})
	}
}

func TestMigrationOrderValidated(t *testing.T) {
	data, _ := os.ReadFile("testdata/versioned.yaml")
	broken := strings.Replace(string(data), "  - from: 2\n", "  - from: 3\n", 1)
	if _, err := Load("versioned.yaml", []byte(broken)); err == nil || !strings.Contains(err.Error(), "versioned.yaml:8: migration from version 3") {
		t.Fatalf("a migration from the current version was accepted or misreported: %v", err)
	}
}

// v1Links are share links as version 1 of the embedded content wrote them: every v1 persona,
// a link for each v1 outcome, each "Not sure", and the example URL of docs/integrating.md.
var v1Links = []struct {
	name  string
	query string
}{
	{"persona: SEO-critical content site on serverless", "build=site&logic=simple&seo=critical&render=fast&api=own&realtime=no&deploy=serverless&team=react&share=no&quality=no&v=1"},
	{"persona: real-time API backend", "build=api&logic=complex&growth=monolith&realtime=essential&deploy=servers&team=fullstack&quality=essential&v=1"},
	{"persona: e-commerce platform needing both", "build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&deploy=servers&team=fullstack&share=yes&quality=helpful&v=1"},
	{"persona: Spring team moving to microservices", "build=api&logic=complex&growth=services&realtime=no&deploy=servers&team=java&quality=essential&v=1"},
	{"persona: marketing site with a contact form", "build=site&logic=simple&seo=helpful&render=fast&api=none&realtime=no&deploy=notsure&team=react&share=no&quality=no&v=1"},
	{"persona: live dashboard product with a partner API", "build=platform&logic=moderate&growth=services&seo=helpful&render=mixed&api=public&realtime=essential&deploy=serverless&team=fullstack&share=yes&quality=essential&v=1"},
	{"persona: content-heavy website from a CMS", "build=site&logic=notsure&growth=small&seo=critical&render=mixed&api=none&realtime=no&deploy=serverless&team=notsure&share=notsure&quality=notsure&v=1"},
	{"persona: internal API for a mobile app with simple logic", "build=api&logic=simple&realtime=no&deploy=serverless&team=react&quality=no&v=1"},
	{"v1 outcome nestjs with many points for it (the issue's platform example)", "build=platform&logic=complex&growth=services&seo=helpful&render=notsure&api=notsure&realtime=no&deploy=servers&team=notsure&share=no&quality=no&v=1"},
	{"v1 tie broken for nextjs", "build=site&logic=moderate&growth=monolith&seo=none&render=notsure&api=notsure&realtime=no&deploy=notsure&team=notsure&share=no&quality=no&v=1"},
	{"every v1 Not sure, platform", "build=platform&logic=notsure&growth=notsure&seo=notsure&render=notsure&api=notsure&realtime=notsure&deploy=notsure&team=notsure&share=notsure&quality=notsure&v=1"},
	{"every v1 Not sure, backend", "build=api&logic=notsure&growth=notsure&realtime=notsure&deploy=notsure&team=notsure&quality=notsure&v=1"},
	{"docs example", "build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&deploy=servers&team=fullstack&share=yes&quality=helpful&v=1"},
	{"incomplete v1 link", "build=site&logic=simple&deploy=servers&v=1"},
}

// TestV1LinksOpenInCurrentVersion reads every v1 link against the current content: each answer
// but the removed deployment question carries over unchanged (v2 -> v3 changed no id), the removal
// is counted (the page shows the notice), and complete links give a result without asking
// anything again.
func TestV1LinksOpenInCurrentVersion(t *testing.T) {
	c := mustDefault(t)
	for _, tt := range v1Links {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			st := c.ParseState(q)
			for k, vals := range q {
				if k == "v" || k == "deploy" {
					continue
				}
				if st.Raw[k] != vals[0] {
					t.Errorf("%s=%s did not carry over: %q", k, vals[0], st.Raw[k])
				}
			}
			if _, ok := st.Raw["deploy"]; ok {
				t.Error("the removed deploy answer is still there")
			}
			if st.Removed != 1 || len(st.Changed) != 0 || st.Newer {
				t.Errorf("removed %d, changed %v, newer %v; want the deploy answer counted as removed", st.Removed, st.Changed, st.Newer)
			}
			r := c.Replay(st.Raw)
			if len(r.Invalid) > 0 || len(r.Dropped) > 0 {
				t.Errorf("invalid %v, dropped %v", r.Invalid, r.Dropped)
			}
			if strings.HasPrefix(tt.name, "incomplete") {
				if r.Complete() {
					t.Error("an incomplete v1 link became complete")
				}
				return
			}
			if !r.Complete() {
				t.Fatalf("a complete v1 link asks %s again", r.Next.ID)
			}
			if _, err := c.Evaluate(&r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestV2LinksOpenInCurrentVersion: version 3 changed no id, so every answer of a v2 link carries
// over as it is, with nothing to tell the visitor.
func TestV2LinksOpenInCurrentVersion(t *testing.T) {
	c := mustDefault(t)
	for _, e := range c.Examples {
		q, _ := url.ParseQuery(strings.Replace(c.Encode(e.Answers), "v=3", "v=2", 1))
		st := c.ParseState(q)
		if st.Removed != 0 || len(st.Changed) != 0 || st.Newer || st.Version != 2 {
			t.Errorf("%s: removed %d, changed %v, newer %v, version %d", e.ID, st.Removed, st.Changed, st.Newer, st.Version)
		}
		r := c.Replay(st.Raw)
		if !r.Complete() || len(r.Invalid) > 0 || len(r.Dropped) > 0 {
			t.Errorf("%s: a complete v2 link is not complete now: next %v, invalid %v, dropped %v", e.ID, r.Next, r.Invalid, r.Dropped)
		}
	}
}
