package decision

import (
	"net/url"
	"strconv"
	"strings"
)

// URL state: answers are query parameters keyed by question id, in content order, then v= with the
// content version. Example: build=platform&logic=complex&growth=monolith&v=1

// VersionParam is the query parameter carrying the content version.
const VersionParam = "v"

// State is what a query string says about the wizard.
type State struct {
	// Raw maps question ids to the first value given for them.
	Raw map[string]string
	// Version is the v= parameter; 0 when missing or not a positive number.
	Version int
}

// maxValueLen bounds how much of a parameter value is kept: option ids are at most 16 characters.
const maxValueLen = 64

// ParseState reads the query parameters that are question ids (unknown parameters are ignored;
// for repeated parameters the first value counts).
func (c *Content) ParseState(q url.Values) State {
	s := State{Raw: map[string]string{}}
	for i := range c.Questions {
		id := c.Questions[i].ID
		if vals := q[id]; len(vals) > 0 {
			v := vals[0]
			if len(v) > maxValueLen {
				v = v[:maxValueLen]
			}
			s.Raw[id] = v
		}
	}
	if vals := q[VersionParam]; len(vals) > 0 {
		if n, err := strconv.Atoi(vals[0]); err == nil && n > 0 {
			s.Version = n
		}
	}
	return s
}

// Encode writes answers as a canonical query string: content order, then the version.
func (c *Content) Encode(a Answers) string {
	var b strings.Builder
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
