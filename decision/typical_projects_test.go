package decision

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestTypicalProjects checks the table of typical projects in docs/content.md against the engine,
// so it cannot rot: each row's result URL must give the outcome and confidence the row states, and
// every worked example in the content must have its row.
func TestTypicalProjects(t *testing.T) {
	c := mustDefault(t)
	data, err := os.ReadFile("../docs/content.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "\n## Typical projects\n")
	if start < 0 {
		t.Fatal("docs/content.md has no \"## Typical projects\" section")
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
	// A row the pattern does not read would go unchecked: every line of the table but its header
	// and separator must be one.
	if lines := strings.Count(section, "\n|") - 2; lines != len(rows) {
		t.Errorf("the typical projects table has %d rows, %d of them in the form | project | kind | [`/result?…`](/result?…) | outcome | confidence |", lines, len(rows))
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
			t.Errorf("%s: docs/content.md says %s / %s, the engine gives %s / %s", title, outcome, confidence, res.Outcome.Name, res.Confidence.Label)
		}
		for _, e := range c.Examples {
			if e.Title == title && c.Encode(e.Answers) == c.Encode(r.Answers) {
				seen[e.ID] = true
			}
		}
	}
	for _, e := range c.Examples {
		if !seen[e.ID] {
			t.Errorf("example %q (%s) has no matching row in docs/content.md's table", e.ID, e.Title)
		}
	}
}
