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
	"md": func(s string) string { return strings.ReplaceAll(s, "|", `\|`) },
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
}

// TeamADR writes the team's decision record as Markdown. Names and answers are written as they
// are: a Markdown reader shows them as text, and the record is a download, never a page.
func TeamADR(w io.Writer, p TeamADRPage) error {
	return teamADRTemplate.Execute(w, p)
}
