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
	// AllChanges holds every flipping change, with absolute links.
	AllChanges []ChangeView
}

// ADR writes the decision record as Markdown.
func ADR(w io.Writer, p ADRPage) error {
	return adrTemplate.Execute(w, p)
}
