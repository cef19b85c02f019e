package views

import (
	_ "embed"
	"io"
	"text/template"
)

//go:embed adr.md.tmpl
var adrSource string

var adrTemplate = template.Must(template.New("adr").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(adrSource))

// ADRPage is a result as a Markdown Architecture Decision Record.
type ADRPage struct {
	ResultPage
	Date          string
	ShareURL      string
	ArticleAuthor string
	ArticleRole   string
	Publisher     string
	Published     string
	// AllChanges holds every flipping change of one answer (scope questions apart), with
	// absolute links.
	AllChanges []ChangeView
	// Needs say in words where these answers put each need; Rule says which need states give
	// which outcome.
	Needs []string
	Rule  string
	// Deciding are the single changes that make the result a close call (absolute links).
	Deciding []ChangeView
	// ScopeChanges are changes of what the project is that would change the decision.
	ScopeChanges []ChangeView
	// OpenFlipping are "Not sure" answers whose real answers could change the decision;
	// OpenSteady are the questions of those that cannot.
	OpenFlipping []OpenView
	OpenSteady   []string
}

// ADR writes the decision record as Markdown.
func ADR(w io.Writer, p ADRPage) error {
	return adrTemplate.Execute(w, p)
}
