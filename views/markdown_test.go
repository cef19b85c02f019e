package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// TestMarkdownTextRendersAsText: a real Markdown renderer (goldmark with GitHub's extensions:
// tables, autolinks, strikethrough, task lists) shows MarkdownText's output as exactly the text it
// was given, with no element of its own, in a paragraph and in a table cell.
func TestMarkdownTextRendersAsText(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	for _, s := range []string{
		"Ada", "Zoë Ångström", "O'Brien-Smith Jr.",
		"<img src=x onerror=alert(1)>", "[Sign in](https://evil.example/p)", "![x](https://evil.example/i.png)",
		"https://evil.example/p", "www.evil.example", "ada@evil.example", "<https://evil.example>",
		"*a* _b_ **c** ~~d~~ `e` ``f``", "# heading", "1. list", "- [x] task", "> quote", "a | b",
		"&lt;b&gt; &amp; &#60;", "\\*", "[a]: https://evil.example", "a<!-- c -->b", "---",
	} {
		for _, doc := range []string{"%s\n", "| h |\n| --- |\n| %s |\n"} {
			var out bytes.Buffer
			if err := md.Convert([]byte(strings.Replace(doc, "%s", MarkdownText(s), 1)), &out); err != nil {
				t.Fatal(err)
			}
			node, err := html.Parse(&out)
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			var elems []string
			var walk func(n *html.Node, in bool)
			walk = func(n *html.Node, in bool) {
				switch n.Type {
				case html.TextNode:
					if in {
						text.WriteString(n.Data)
					}
				case html.ElementNode:
					switch n.Data {
					case "html", "head", "body", "p", "table", "thead", "tbody", "tr", "th", "td":
					default:
						elems = append(elems, n.Data)
					}
				}
				in = in || n.Data == "p" || n.Data == "td"
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, in)
				}
			}
			walk(node, false)
			got := strings.TrimSpace(text.String())
			if len(elems) > 0 || got != s {
				t.Errorf("%q in %q renders as %q with elements %v:\n%s", s, doc, got, elems, out.String())
			}
		}
	}
}
