package decision

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// URL state: answers are query parameters keyed by question id, in content order, then v= with the
// content version. Example: build=platform&logic=complex&growth=monolith&v=1

// VersionParam is the query parameter carrying the content version.
const VersionParam = "v"

// State is what a query string says about the wizard.
type State struct {
	// Raw maps current question ids to the first value given for them, after carrying answers
	// from an older version's link over to the current content.
	Raw map[string]string
	// Version is the v= parameter; 0 when missing or not a positive number.
	Version int
	// Changed lists questions whose answer in an older link could not be carried over (including
	// those named by a changed= parameter, which keeps that list across a redirect).
	Changed []string
	// Removed counts answers to questions that no longer exist.
	Removed int
	// Newer is set when the link comes from a newer content version than this server's.
	Newer bool
}

// ChangedParam carries State.Changed across a redirect.
const ChangedParam = "changed"

// maxValueLen bounds how much of a parameter value is kept: option ids are at most 16 characters.
const maxValueLen = 64

// ParseState reads the query parameters that are question ids (unknown parameters are ignored;
// for repeated parameters the first value counts).
func (c *Content) ParseState(q url.Values) State {
	var s State
	if vals := q[VersionParam]; len(vals) > 0 {
		if n, err := strconv.Atoi(vals[0]); err == nil && n > 0 {
			s.Version = n
		}
	}
	first := func(vals []string) string {
		v := vals[0]
		if len(v) > maxValueLen {
			v = v[:maxValueLen]
		}
		return v
	}
	if s.Version > 0 && s.Version < c.Version {
		// An old link may use ids renamed or removed since: read every id any version had, and
		// nothing else, so tracking parameters never count as answers.
		s.Raw = make(map[string]string, len(c.historicalIDs))
		for _, id := range c.historicalIDs {
			if vals := q[id]; len(vals) > 0 {
				s.Raw[id] = first(vals)
			}
		}
	} else {
		// Sized to the answers present: a map that grows past 8 entries is rebuilt.
		n := 0
		for i := range c.Questions {
			if len(q[c.Questions[i].ID]) > 0 {
				n++
			}
		}
		s.Raw = make(map[string]string, n)
		for i := range c.Questions {
			if vals := q[c.Questions[i].ID]; len(vals) > 0 {
				s.Raw[c.Questions[i].ID] = first(vals)
			}
		}
	}
	up := c.Migrate(s.Raw, s.Version)
	s.Raw, s.Changed, s.Removed, s.Newer = up.Raw, up.Changed, up.Removed, up.Newer
	if changed := q.Get(ChangedParam); changed != "" {
		for _, id := range c.ParseChanged(changed) {
			if !slices.Contains(s.Changed, id) {
				s.Changed = append(s.Changed, id)
			}
		}
	}
	return s
}

// Encode writes answers as a canonical query string: content order, then the version.
func (c *Content) Encode(a Answers) string {
	// One allocation: the size assumes nothing needs escaping (ids never do; the builder grows if
	// a value does).
	size := len(VersionParam) + 1 + 20
	for i := range c.Questions {
		id := c.Questions[i].ID
		if v, ok := a[id]; ok {
			size += len(id) + len(v) + 2
		}
	}
	var b strings.Builder
	b.Grow(size)
	for i := range c.Questions {
		id := c.Questions[i].ID
		if v, ok := a[id]; ok {
			b.WriteString(url.QueryEscape(id))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			b.WriteByte('&')
		}
	}
	b.WriteString(VersionParam)
	b.WriteByte('=')
	b.WriteString(strconv.Itoa(c.Version))
	return b.String()
}

// With returns a copy of a with question id answered opt.
func (a Answers) With(id, opt string) Answers {
	out := make(Answers, len(a)+1)
	for k, v := range a {
		out[k] = v
	}
	out[id] = opt
	return out
}
