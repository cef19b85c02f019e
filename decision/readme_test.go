package decision

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMETypicalProjects checks the README's table of typical projects against the engine, so
// it cannot rot: each row's result URL must give the outcome and confidence the row states, and
// every worked example in the content must have its row.
func TestREADMETypicalProjects(t *testing.T) {
	c := mustDefault(t)
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "### Typical projects")
	if start < 0 {
		t.Fatal("README has no \"### Typical projects\" section")
	}
	section := text[start:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	row := regexp.MustCompile("(?m)^\\| ([^|]+) \\| ([^|]+) \\| \\[`/result\\?…`\\]\\(/result\\?([^)]+)\\) \\| ([^|]+) \\| ([^|]+) \\|$")
	rows := row.FindAllStringSubmatch(section, -1)
	if len(rows) == 0 {
		t.Fatal("no rows found in the typical projects table")
	}
	seen := map[string]bool{}
	for _, m := range rows {
		title, query, outcome, confidence := m[1], m[3], strings.TrimSpace(m[4]), strings.TrimSpace(m[5])
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Errorf("%s: %v", title, err)
			continue
		}
		st := c.ParseState(q)
		if st.Version != c.Version || st.Removed > 0 || len(st.Changed) > 0 {
			t.Errorf("%s: the link is not a current-version link", title)
		}
		r := c.Replay(st.Raw)
		res, err := c.Evaluate(&r)
		if err != nil || len(r.Dropped) > 0 {
			t.Errorf("%s: %v (dropped %v)", title, err, r.Dropped)
			continue
		}
		if res.Outcome.Name != outcome || res.Confidence.Label != confidence {
			t.Errorf("%s: README says %s / %s, the engine gives %s / %s", title, outcome, confidence, res.Outcome.Name, res.Confidence.Label)
		}
		for _, e := range c.Examples {
			if e.Title == title && c.Encode(e.Answers) == c.Encode(r.Answers) {
				seen[e.ID] = true
			}
		}
	}
	for _, e := range c.Examples {
		if !seen[e.ID] {
			t.Errorf("example %q (%s) has no matching row in the README's table", e.ID, e.Title)
		}
	}
}
