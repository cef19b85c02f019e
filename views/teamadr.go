package views

import (
	_ "embed"
	"io"
	"strings"
	"text/template"

	"nestnext/decision"
)

//go:embed team.md.tmpl
var teamADRSource string

var teamADRTemplate = template.Must(template.New("team").Funcs(template.FuncMap{
	// md keeps the content's own text (questions, answers) from breaking a table row.
	"md": func(s string) string { return strings.ReplaceAll(s, "|", `\|`) },
	// name is what a visitor typed: shown as text, never as Markdown or HTML.
	"name": MarkdownText,
	"cell": func(s string) string {
		if s == "" {
			return "(not asked)"
		}
		return s
	},
}).Parse(teamADRSource))

// TeamADRPage is a team's decision as a Markdown decision record.
type TeamADRPage struct {
	TeamPage
	Date    string
	Article decision.Article
	// TeamResultAbs is the absolute link to the result for the team's answers ("" without one).
	TeamResultAbs string
	// MDSummary is the team summary with the members' names written by MarkdownText.
	MDSummary string
}

// TeamADR writes the team's decision record as Markdown. Members' names are the only text a
// visitor typed, and they are escaped (MarkdownText): the record is pasted into wikis and
// repositories that render Markdown, HTML included, so a name must stay text there.
func TeamADR(w io.Writer, p TeamADRPage) error {
	return teamADRTemplate.Execute(w, p)
}
