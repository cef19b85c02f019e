package decision

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestEncodeCanonicalOrder(t *testing.T) {
	c := mustDefault(t)
	got := c.Encode(Answers{"team": "react", "build": "site", "seo": "critical"})
	want := "build=site&seo=critical&team=react&v=3"
	if got != want {
		t.Fatalf("Encode = %q, want %q", got, want)
	}
}

func TestParseState(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		name    string
		query   string
		raw     map[string]string
		version int
	}{
		{"canonical", "build=site&seo=critical&v=1", map[string]string{"build": "site", "seo": "critical"}, 1},
		{"unknown params ignored", "build=api&utm_source=x&fbclid=y", map[string]string{"build": "api"}, 0},
		{"first of repeated wins", "build=api&build=site", map[string]string{"build": "api"}, 0},
		{"bad version", "build=api&v=abc", map[string]string{"build": "api"}, 0},
		{"negative version", "v=-3", map[string]string{}, 0},
		{"long value truncated", "build=" + strings.Repeat("x", 500), map[string]string{"build": strings.Repeat("x", maxValueLen)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			s := c.ParseState(q)
			if s.Version != tt.version {
				t.Errorf("version %d, want %d", s.Version, tt.version)
			}
			if len(s.Raw) != len(tt.raw) {
				t.Fatalf("raw %v, want %v", s.Raw, tt.raw)
			}
			for k, v := range tt.raw {
				if s.Raw[k] != v {
					t.Errorf("raw[%s] = %q, want %q", k, s.Raw[k], v)
				}
			}
		})
	}
}

func TestReplay(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		name    string
		raw     map[string]string
		next    string
		invalid []string
		dropped []string
		kept    []string
	}{
		{"empty asks first", map[string]string{}, "build", nil, nil, nil},
		{"missing middle asks first unanswered", map[string]string{"build": "site", "seo": "critical"}, "logic", nil, nil, []string{"build", "seo"}},
		{"invalid value asked again", map[string]string{"build": "site", "logic": "huge"}, "logic", []string{"logic"}, nil, []string{"build"}},
		{"invalid later value keeps earlier progress", map[string]string{"build": "site", "logic": "simple", "seo": "<script>"}, "seo", []string{"seo"}, nil, []string{"build", "logic"}},
		{"off-path answers dropped", map[string]string{"build": "api", "seo": "critical", "logic": "simple", "growth": "services"}, "realtime", nil, []string{"growth", "seo"}, []string{"build", "logic"}},
		{"empty value is unanswered", map[string]string{"build": ""}, "build", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Replay(tt.raw)
			if r.Next == nil || r.Next.ID != tt.next {
				t.Fatalf("next = %v, want %s", r.Next, tt.next)
			}
			if got := ids(r.Invalid); strings.Join(got, ",") != strings.Join(tt.invalid, ",") {
				t.Errorf("invalid = %v, want %v", got, tt.invalid)
			}
			if got := sortedIDs(r.Dropped); strings.Join(got, ",") != strings.Join(tt.dropped, ",") {
				t.Errorf("dropped = %v, want %v", got, tt.dropped)
			}
			for _, k := range tt.kept {
				if _, ok := r.Answers[k]; !ok {
					t.Errorf("answer %s was not kept", k)
				}
			}
		})
	}
}

// Changing an early answer keeps every later answer that still applies.
func TestChangeEarlierAnswerKeepsLaterOnes(t *testing.T) {
	c := mustDefault(t)
	full := Answers{"build": "platform", "logic": "complex", "growth": "monolith", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "team": "fullstack", "share": "yes", "quality": "helpful"}
	r := c.Replay(full.With("build", "site"))
	if !r.Complete() {
		t.Fatalf("changing build to site should keep all answers; next is %v", r.Next)
	}
	r = c.Replay(full.With("logic", "simple"))
	if !r.Complete() || len(r.Dropped) != 1 || r.Dropped[0].ID != "growth" {
		t.Fatalf("changing logic to simple should drop only growth; next=%v dropped=%v", r.Next, ids(r.Dropped))
	}
	r = c.Replay(full.With("build", "api"))
	if !r.Complete() || len(r.Dropped) != 4 {
		t.Fatalf("changing build to api should drop the 4 web questions; dropped=%v", ids(r.Dropped))
	}
}

func TestProgress(t *testing.T) {
	c := mustDefault(t)
	tests := []struct {
		name     string
		raw      map[string]string
		question string
		n, total int
		ok       bool
	}{
		{"first question: total unknown", map[string]string{}, "build", 0, 0, false},
		{"second question: growth still open", map[string]string{"build": "site"}, "logic", 0, 0, false},
		{"after logic the count is fixed", map[string]string{"build": "site", "logic": "complex"}, "growth", 3, 10, true},
		{"simple logic skips growth", map[string]string{"build": "site", "logic": "simple"}, "seo", 3, 9, true},
		{"api path is short", map[string]string{"build": "api", "logic": "simple"}, "realtime", 3, 5, true},
		{"later answers don't count for earlier questions", map[string]string{"build": "site", "logic": "simple", "seo": "none"}, "logic", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Replay(tt.raw)
			n, total, ok := c.Progress(&r, c.Question(tt.question))
			if n != tt.n || total != tt.total || ok != tt.ok {
				t.Fatalf("Progress = %d of %d (%v), want %d of %d (%v)", n, total, ok, tt.n, tt.total, tt.ok)
			}
		})
	}
}

// TestProgressIsAlwaysRight: wherever a count is shown, it equals the real position and path length.
func TestProgressIsAlwaysRight(t *testing.T) {
	c := mustDefault(t)
	forEachCombination(c, func(r *Replay) {
		if r.Answers["realtime"] != "no" || r.Answers["team"] != "react" {
			return // the count depends only on branching answers; a slice of combinations suffices
		}
		for i, q := range r.Path {
			n, total, ok := c.Progress(r, q)
			if ok && (n != i+1 || total != len(r.Path)) {
				t.Fatalf("answers %v question %s: shown %d of %d, really %d of %d", r.Answers, q.ID, n, total, i+1, len(r.Path))
			}
		}
	})
}

func ids(qs []*Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}

func sortedIDs(qs []*Question) []string {
	out := ids(qs)
	slices.Sort(out)
	return out
}
