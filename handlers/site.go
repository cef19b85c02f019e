package handlers

import (
	"net/url"
	"regexp"
	"strings"
)

// site is how a request is being served: on the site itself, or inside another site's iframe under
// /embed/ with its theme options. Every internal link is built through it so the visitor stays in
// the same mode.
type site struct {
	embed bool
	theme theme
	// team is a team journey's tm= value (validated), carried by every link; see team.go.
	team string
}

// theme holds the embed options, strictly validated; anything else is ignored.
type theme struct {
	accent    string // six lower-case hex digits, no '#'
	scheme    string // "light", "dark", or "" for the visitor's setting
	hideIntro bool
}

var accentPattern = regexp.MustCompile(`^#?[0-9a-fA-F]{6}$`)

// parseTheme reads accent=#rrggbb, theme=light|dark|auto and intro=0 from a query.
func parseTheme(q url.Values) theme {
	var t theme
	if a := q.Get("accent"); accentPattern.MatchString(a) {
		t.accent = strings.ToLower(strings.TrimPrefix(a, "#"))
	}
	switch q.Get("theme") {
	case "light", "dark":
		t.scheme = q.Get("theme")
	}
	t.hideIntro = q.Get("intro") == "0"
	return t
}

// params returns the theme's non-default options as name/value pairs, in the order links use.
func (t theme) params() [][2]string {
	var out [][2]string
	if t.accent != "" {
		out = append(out, [2]string{"accent", t.accent})
	}
	if t.scheme != "" {
		out = append(out, [2]string{"theme", t.scheme})
	}
	if t.hideIntro {
		out = append(out, [2]string{"intro", "0"})
	}
	return out
}

// query returns the theme as query parameters to append to internal links ("" when default).
func (t theme) query() string {
	var parts []string
	for _, p := range t.params() {
		parts = append(parts, p[0]+"="+url.QueryEscape(p[1]))
	}
	return strings.Join(parts, "&")
}

// embedPath reports whether a path is one of the /embed/ pages' (routes.go mounts them at /embed).
func embedPath(p string) bool { return p == "/embed" || strings.HasPrefix(p, "/embed/") }

// prefix is the path prefix of this mode's pages.
func (st site) prefix() string {
	if st.embed {
		return "/embed"
	}
	return ""
}

// link builds an internal URL in this mode: the path under the mode's prefix, the answers query,
// then the embed theme options and a team journey's tm=.
func (st site) link(path, query string) string {
	if query = st.extend(query); query == "" {
		return st.prefix() + path
	}
	return st.prefix() + path + "?" + query
}

// extend appends what this mode's links carry to a query: the embed theme, a journey's tm=.
func (st site) extend(query string) string {
	if extra := st.theme.query(); st.embed && extra != "" {
		query = strings.TrimPrefix(query+"&"+extra, "&")
	}
	if st.team != "" {
		query = strings.TrimPrefix(query+"&"+journeyParam+"="+url.QueryEscape(st.team), "&")
	}
	return query
}
