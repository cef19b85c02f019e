package views

import "strings"

// MarkdownText writes plain text so that Markdown shows it as that text and nothing else: every
// ASCII punctuation character is backslash-escaped, which CommonMark (and GitHub's flavour, pipes
// in tables included) reads as the literal character. So no emphasis, link, image, HTML tag,
// heading, entity or bare-URL autolink can start inside it. Used for what a visitor typed (team
// members' names); a decision record is pasted into wikis and repositories that render it.
func MarkdownText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune(markdownPunct, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownPunct is CommonMark's ASCII punctuation, each of which a backslash escapes.
const markdownPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
