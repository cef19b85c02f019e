package decision

import (
	"slices"
	"strings"
)

// Migration maps answers from links made with an older content version to the next version, so
// share links keep working after questions or options are renamed or removed.
type Migration struct {
	// From is the version this step upgrades from (to From+1).
	From            int                          `yaml:"from"`
	RenameQuestions map[string]string            `yaml:"rename_questions"`
	RenameOptions   map[string]map[string]string `yaml:"rename_options"` // keyed by the question's id after renaming
	RemoveQuestions []string                     `yaml:"remove_questions"`
}

// Upgrade is what migrating a link's answers did.
type Upgrade struct {
	Raw map[string]string
	// Changed lists current questions whose old answer could not be carried over (its option is
	// gone); the visitor should review them.
	Changed []string
	// Removed counts answers to questions that no longer exist.
	Removed int
	// Newer is set when the link names a version newer than this content: read as current.
	Newer bool
}

// Migrate carries raw answers given under version `from` over to the current version. A missing
// version (0) is read as current.
func (c *Content) Migrate(raw map[string]string, from int) Upgrade {
	up := Upgrade{Raw: raw}
	switch {
	case from == 0 || from == c.Version:
		return up
	case from > c.Version:
		up.Newer = true
		return up
	}
	cur := make(map[string]string, len(raw))
	for k, v := range raw {
		cur[k] = v
	}
	for _, m := range c.Migrations {
		if m.From < from {
			continue
		}
		next := make(map[string]string, len(cur))
		// Two passes so a renamed question's answer wins over a stray parameter that happens to
		// carry the new name already: the link meant the old question.
		for _, renamed := range []bool{false, true} {
			for k, v := range cur {
				to, isRenamed := m.RenameQuestions[k]
				if isRenamed != renamed {
					continue
				}
				if slices.Contains(m.RemoveQuestions, k) {
					up.Removed++
					continue
				}
				if isRenamed {
					k = to
				}
				if to, ok := m.RenameOptions[k][v]; ok {
					v = to
				}
				next[k] = v
			}
		}
		cur = next
	}
	for k, v := range cur {
		q := c.Question(k)
		if q == nil {
			up.Removed++
			delete(cur, k)
			continue
		}
		if q.Option(v) == nil {
			up.Changed = append(up.Changed, k)
			delete(cur, k)
		}
	}
	slices.SortFunc(up.Changed, func(a, b string) int { return c.questionIndex[a] - c.questionIndex[b] })
	up.Raw = cur
	return up
}

// collectHistoricalIDs lists, sorted, every question id a link of any version may carry.
func (c *Content) collectHistoricalIDs() {
	seen := map[string]bool{}
	for _, q := range c.Questions {
		seen[q.ID] = true
	}
	for _, m := range c.Migrations {
		for k := range m.RenameQuestions {
			seen[k] = true
		}
		for _, k := range m.RemoveQuestions {
			seen[k] = true
		}
	}
	c.historicalIDs = c.historicalIDs[:0]
	for id := range seen {
		c.historicalIDs = append(c.historicalIDs, id)
	}
	slices.Sort(c.historicalIDs)
}

// ParseChanged reads a comma-separated list of question ids, keeping only real ones.
func (c *Content) ParseChanged(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if c.Question(id) != nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
		if len(out) == len(c.Questions) {
			break
		}
	}
	return out
}
