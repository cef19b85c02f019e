// Package ogimage draws the link-preview images (Open Graph and Twitter
// summary_large_image) for the wizard: one 1200×630 PNG per outcome and
// content version, plus one for the start page.
//
// Everything is drawn in pure Go with the Go fonts compiled into the binary,
// so the output depends only on the Card (no system fonts, no files read at
// run time, no cgo) and is byte-for-byte reproducible. The set of cards is
// finite and contains no personal data, so callers can cache the bytes
// forever (see Cache) and serve them with a long max-age.
package ogimage

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Card describes one preview image.
type Card struct {
	Eyebrow  string     // small line at the top, e.g. "NestJS, Next.js, or both? · Decision wizard"
	Title    string     // big bold text; wrapped to at most 3 lines, shrunk until it fits
	Subtitle string     // wrapped to at most 2 lines, ellipsis if longer
	Footer   string     // small line at the bottom, e.g. attribution and content version
	Accent   color.RGBA // colour of the accent bar; decorative, so any colour works
	// Needs, when set, draws the result page's picture of the two needs on the right, with
	// the outcome's region outlined in the accent colour.
	Needs *Needs
}

// Needs is the two-needs picture on a card: no per-answer marker, only the regions.
type Needs struct {
	// Region is the outcome's region: RegionNestJS, RegionNextJS or RegionBoth.
	Region string
	// Labels of the three regions and of the two axes.
	NestJS, NextJS, Both string
	FrontEnd, Backend    string
}

// The three regions of the two-needs picture.
const (
	RegionNestJS = "nestjs" // below the front-end threshold: no pages of its own
	RegionNextJS = "nextjs" // pages, backend below its threshold
	RegionBoth   = "both"   // pages and a substantial backend
)

// Canvas size recommended for summary_large_image and og:image (1.91:1).
const (
	Width  = 1200
	Height = 630
)

// Layout. Margin is the blank border every piece of text stays inside; only
// the accent bar along the top edge is drawn in it, by design.
const (
	margin     = 72
	accentH    = 14 // accent bar height at the very top
	eyebrowPx  = 26
	footerPx   = 26
	subtitlePx = 32

	titleMaxPx  = 72 // start here, fits short titles on one or two lines
	titleMinPx  = 40 // smallest step; below this a thumbnail is unreadable anyway
	titleStepPx = 4

	titleMaxLines    = 3
	subtitleMaxLines = 2

	titleLeading    = 1.12 // line height as a multiple of the font size
	subtitleLeading = 1.35
	titleGap        = 28 // between the title's last line and the subtitle
	blockGap        = 40 // between eyebrow/footer and the central block
	ruleGap         = 24 // between the footer rule and the footer text
	tabW, tabH      = 96, 8
	tabGap          = 28 // between the accent tab and the title

	// Balancing evens out line lengths; the floor is the narrowest it may
	// make lines, as a fraction of the full width. Titles balance fully (no
	// lone last word); body text only a little, so it still reads as a
	// paragraph instead of a narrow column.
	titleBalance    = 0.5
	subtitleBalance = 0.75

	ellipsis = "…"

	// The two-needs picture, right of the text.
	needsW, needsH = 380, 300
	needsGap       = 48 // between the text block and the picture
	needsLabelPx   = 26
	needsAxisPx    = 20
	needsBorder    = 6 // the outcome region's outline
	// Where the thresholds sit in the picture, as fractions of the plot: the front-end
	// threshold from the bottom, the backend one from the left.
	needsFrontFrac = 0.38
	needsBackFrac  = 0.5
)

// Colours: the site's light theme, so previews look like the page they link
// to. Muted text #4d5763 on white is about 7.3:1, above the 4.5:1 WCAG AA
// threshold, and stays legible when a feed scales the card down.
var (
	bgColor       = color.RGBA{0xff, 0xff, 0xff, 0xff}
	titleColor    = color.RGBA{0x1b, 0x1f, 0x24, 0xff}
	subtitleColor = color.RGBA{0x33, 0x3b, 0x45, 0xff}
	mutedColor    = color.RGBA{0x4d, 0x57, 0x63, 0xff}
	ruleColor     = color.RGBA{0xdd, 0xe1, 0xe6, 0xff}
	surfaceColor  = color.RGBA{0xf2, 0xf4, 0xf6, 0xff} // the other regions, as --surface
	lineColor     = color.RGBA{0x1b, 0x1f, 0x24, 0xff} // axes and thresholds
)

// Fonts are parsed once per process: parsing is the expensive part and an
// *opentype.Font is safe for concurrent use. Faces are not (they carry a
// scratch buffer), so each Render makes its own.
var (
	fontsOnce             sync.Once
	regularFont, boldFont *opentype.Font
	fontsErr              error
)

func loadFonts() error {
	fontsOnce.Do(func() {
		if regularFont, fontsErr = opentype.Parse(goregular.TTF); fontsErr != nil {
			return
		}
		boldFont, fontsErr = opentype.Parse(gobold.TTF)
	})
	return fontsErr
}

func newFace(f *opentype.Font, px float64) (font.Face, error) {
	// DPI 72 makes Size pixels. No hinting: the Go rasteriser does not hint
	// outlines anyway, and unrounded advances keep large text evenly spaced.
	return opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
}

// Render draws the card as a 1200×630 PNG. The output is deterministic: the
// same Card always yields the same bytes.
func Render(c Card) ([]byte, error) {
	if err := loadFonts(); err != nil {
		return nil, fmt.Errorf("ogimage: parse fonts: %w", err)
	}
	cv := newCanvas(c.Accent)
	if err := layout(cv, c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(48 << 10)
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, cv.img); err != nil {
		return nil, fmt.Errorf("ogimage: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Palette layout. The card is flat colours plus antialiased text over a
// single background, so it fits an 8-bit palette exactly except for
// rounding coverage to 63 levels (at most 2/255 per channel, invisible).
// A paletted PNG is a third of the raw data of RGB and needs no row
// filters, which makes encoding several times faster and the file smaller.
const (
	idxBg = iota
	idxAccent
	idxRule
	idxText // first text colour ramp; ramp k occupies levels entries

	levels = 63 // coverage steps per text colour; 3 + 3×63 + 2 = 194 entries
)

// Text colours, each gets a ramp of blends with the background.
const (
	inkTitle = iota
	inkSubtitle
	inkMuted
	numInks
)

var inks = [numInks]color.RGBA{inkTitle: titleColor, inkSubtitle: subtitleColor, inkMuted: mutedColor}

// Flat colours after the text ramps.
const (
	idxSurface = idxText + numInks*levels + iota
	idxLine
	paletteSize
)

type canvas struct {
	img *image.Paletted
}

func newCanvas(accent color.RGBA) *canvas {
	accent.A = 0xff // a translucent bar would just look washed out
	pal := make(color.Palette, paletteSize)
	pal[idxBg], pal[idxAccent], pal[idxRule] = bgColor, accent, ruleColor
	pal[idxSurface], pal[idxLine] = surfaceColor, lineColor
	for k, ink := range inks {
		for l := 1; l <= levels; l++ {
			pal[idxText+k*levels+l-1] = blend(bgColor, ink, l, levels)
		}
	}
	// Pix starts zeroed, which is idxBg: the background is free.
	return &canvas{img: image.NewPaletted(image.Rect(0, 0, Width, Height), pal)}
}

// blend is ink over bg at coverage num/den, as image/draw would composite it.
func blend(bg, ink color.RGBA, num, den int) color.RGBA {
	mix := func(a, b uint8) uint8 { return uint8((int(a)*(den-num) + int(b)*num + den/2) / den) }
	return color.RGBA{mix(bg.R, ink.R), mix(bg.G, ink.G), mix(bg.B, ink.B), 0xff}
}

// fill paints r (clipped to the canvas) with palette entry idx.
func (cv *canvas) fill(r image.Rectangle, idx uint8) {
	r = r.Intersect(cv.img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := cv.img.Pix[cv.img.PixOffset(r.Min.X, y):cv.img.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = idx
		}
	}
}

// text draws s with its origin at (x, baseline) in ink k. The glyphs are
// rasterised as coverage into a scratch RGBA just big enough for their ink
// (image/draw's fast path), then mapped onto the ink's palette ramp.
func (cv *canvas) text(f font.Face, k int, x, baseline int, s string) {
	x += leftOverhang(f, s)
	b, _ := font.BoundString(f, s)
	r := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
	if r.Empty() {
		return
	}
	scratch := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	d := font.Drawer{Dst: scratch, Src: image.White, Face: f, Dot: fixed.P(-r.Min.X, -r.Min.Y)}
	d.DrawString(s)
	off := image.Pt(x+r.Min.X, baseline+r.Min.Y)
	base := idxText + k*levels - 1
	for sy := 0; sy < r.Dy(); sy++ {
		y := off.Y + sy
		if y < 0 || y >= Height {
			continue
		}
		for sx := 0; sx < r.Dx(); sx++ {
			a := int(scratch.Pix[sy*scratch.Stride+sx*4+3])
			l := (a*levels + 127) / 255
			if xx := off.X + sx; l > 0 && xx >= 0 && xx < Width {
				cv.img.Pix[y*cv.img.Stride+xx] = uint8(base + l)
			}
		}
	}
}

// layout places the pieces and paints them onto cv.
func layout(cv *canvas, c Card) error {
	cv.fill(image.Rect(0, 0, Width, accentH), idxAccent)

	eyebrowFace, err := newFace(boldFont, eyebrowPx)
	if err != nil {
		return err
	}
	footerFace, err := newFace(regularFont, footerPx)
	if err != nil {
		return err
	}
	subFace, err := newFace(regularFont, subtitlePx)
	if err != nil {
		return err
	}

	const left, right, top, bottom = margin, Width - margin, margin, Height - margin
	maxW := right - left

	// Eyebrow: top of its ascent on the top margin.
	y := top
	if s := strings.TrimSpace(c.Eyebrow); s != "" {
		m := eyebrowFace.Metrics()
		cv.text(eyebrowFace, inkMuted, left, y+m.Ascent.Ceil(), fitLine(eyebrowFace, s, maxW))
		y += m.Ascent.Ceil() + m.Descent.Ceil()
	}
	blockTop := y + blockGap

	// Footer: bottom of its descent on the bottom margin, a hairline rule above.
	y = bottom
	if s := strings.TrimSpace(c.Footer); s != "" {
		m := footerFace.Metrics()
		cv.text(footerFace, inkMuted, left, y-m.Descent.Ceil(), fitLine(footerFace, s, maxW))
		y -= m.Ascent.Ceil() + m.Descent.Ceil() + ruleGap
		cv.fill(image.Rect(left, y-2, right, y), idxRule)
		y -= 2
	}
	blockBottom := y - blockGap

	// The picture takes the right of the central band; the title and subtitle wrap beside it.
	textW := maxW
	if c.Needs != nil {
		textW = maxW - needsW - needsGap
		pt := blockTop + (blockBottom-blockTop-needsH)/2
		if err := cv.needs(*c.Needs, image.Rect(right-needsW, pt, right, pt+needsH)); err != nil {
			return err
		}
	}

	// Subtitle first: its height is fixed, the title gets what is left.
	var subLines []string
	subH := 0
	if s := strings.TrimSpace(c.Subtitle); s != "" {
		subLines = wrap(subFace, s, textW, subtitleMaxLines, subtitleBalance)
		subH = blockHeight(subFace, len(subLines), subtitleLeading, subtitlePx)
	}

	title := strings.TrimSpace(c.Title)
	tab := 0
	if title != "" {
		tab = tabH + tabGap
	}
	titleFace, titleLines, titlePx, err := fitTitle(title, textW, blockBottom-blockTop-tab-subH-titleGap)
	if err != nil {
		return err
	}
	titleH := 0
	if len(titleLines) > 0 {
		titleH = blockHeight(titleFace, len(titleLines), titleLeading, titlePx)
	}

	total := tab + titleH + subH
	if titleH > 0 && subH > 0 {
		total += titleGap
	}
	// Centre the block in the free band, nudged up a little: the optical
	// centre sits above the geometric one.
	y = blockTop + (blockBottom-blockTop-total)*2/5
	if y < blockTop {
		y = blockTop
	}
	if len(titleLines) > 0 {
		// A short bar in the accent colour right above the title, where
		// the eye lands first, carries the outcome colour into thumbnails.
		cv.fill(image.Rect(left, y, left+tabW, y+tabH), idxAccent)
		y += tab
		y = cv.lines(titleFace, inkTitle, left, y, titleLines, titleLeading, titlePx)
		y += titleGap
	}
	if len(subLines) > 0 {
		cv.lines(subFace, inkSubtitle, left, y, subLines, subtitleLeading, subtitlePx)
	}
	return nil
}

// needs draws the two-needs picture in r: the web front end up, the dedicated backend to the
// right, the three regions split by the two thresholds, the outcome's region outlined in the
// accent colour, and the labels.
func (cv *canvas) needs(n Needs, r image.Rectangle) error {
	labelFace, err := newFace(boldFont, needsLabelPx)
	if err != nil {
		return err
	}
	axisFace, err := newFace(regularFont, needsAxisPx)
	if err != nil {
		return err
	}
	am := axisFace.Metrics()
	axisH := am.Ascent.Ceil() + am.Descent.Ceil()
	// The plot: room above for the front-end axis label, below for the backend one.
	plot := image.Rect(r.Min.X, r.Min.Y+axisH+8, r.Max.X, r.Max.Y-axisH-8)
	ty := plot.Max.Y - int(needsFrontFrac*float64(plot.Dy()))
	tx := plot.Min.X + int(needsBackFrac*float64(plot.Dx()))
	regions := map[string]image.Rectangle{
		RegionNestJS: image.Rect(plot.Min.X, ty, plot.Max.X, plot.Max.Y),
		RegionNextJS: image.Rect(plot.Min.X, plot.Min.Y, tx, ty),
		RegionBoth:   image.Rect(tx, plot.Min.Y, plot.Max.X, ty),
	}
	labels := map[string]string{RegionNestJS: n.NestJS, RegionNextJS: n.NextJS, RegionBoth: n.Both}
	for _, id := range []string{RegionNestJS, RegionNextJS, RegionBoth} {
		if id != n.Region {
			cv.fill(regions[id], idxSurface)
		}
	}
	// Thresholds (dashed) and axes (solid).
	for x := plot.Min.X; x < plot.Max.X; x += 14 {
		cv.fill(image.Rect(x, ty-1, min(x+8, plot.Max.X), ty+1), idxLine)
	}
	for y := plot.Min.Y; y < ty; y += 14 {
		cv.fill(image.Rect(tx-1, y, tx+1, min(y+8, ty)), idxLine)
	}
	cv.fill(image.Rect(plot.Min.X, plot.Max.Y-3, plot.Max.X, plot.Max.Y), idxLine)
	cv.fill(image.Rect(plot.Min.X, plot.Min.Y, plot.Min.X+3, plot.Max.Y), idxLine)
	if rr, ok := regions[n.Region]; ok {
		b := needsBorder
		cv.fill(image.Rect(rr.Min.X, rr.Min.Y, rr.Max.X, rr.Min.Y+b), idxAccent)
		cv.fill(image.Rect(rr.Min.X, rr.Max.Y-b, rr.Max.X, rr.Max.Y), idxAccent)
		cv.fill(image.Rect(rr.Min.X, rr.Min.Y, rr.Min.X+b, rr.Max.Y), idxAccent)
		cv.fill(image.Rect(rr.Max.X-b, rr.Min.Y, rr.Max.X, rr.Max.Y), idxAccent)
	}
	lm := labelFace.Metrics()
	for id, rr := range regions {
		s := fitLine(labelFace, labels[id], rr.Dx()-2*needsBorder-8)
		ink := inkMuted
		if id == n.Region {
			ink = inkTitle
		}
		x := rr.Min.X + (rr.Dx()-width(labelFace, s))/2
		base := rr.Min.Y + (rr.Dy()+lm.Ascent.Ceil()-lm.Descent.Ceil())/2
		cv.text(labelFace, ink, x, base, s)
	}
	cv.text(axisFace, inkMuted, r.Min.X, r.Min.Y+am.Ascent.Ceil(), fitLine(axisFace, "↑ "+n.FrontEnd, r.Dx()))
	back := fitLine(axisFace, n.Backend+" →", r.Dx())
	cv.text(axisFace, inkMuted, r.Max.X-width(axisFace, back), r.Max.Y-am.Descent.Ceil(), back)
	return nil
}

// fitTitle picks the largest title size, in steps, at which the title wraps
// to at most titleMaxLines lines that also fit in maxH pixels. At the
// smallest size it gives up shrinking and truncates with an ellipsis, so the
// title always fits.
func fitTitle(title string, maxW, maxH int) (font.Face, []string, int, error) {
	if title == "" {
		return nil, nil, 0, nil
	}
	for px := titleMaxPx; ; px -= titleStepPx {
		face, err := newFace(boldFont, float64(px))
		if err != nil {
			return nil, nil, 0, err
		}
		last := px-titleStepPx < titleMinPx
		lines := wrap(face, title, maxW, 0, titleBalance)
		if !last && (len(lines) > titleMaxLines || blockHeight(face, len(lines), titleLeading, px) > maxH) {
			continue
		}
		// Smallest size: keep whatever number of lines fits the height.
		n := titleMaxLines
		for n > 1 && blockHeight(face, n, titleLeading, px) > maxH {
			n--
		}
		return face, wrap(face, title, maxW, n, titleBalance), px, nil
	}
}

// blockHeight is the ink-box height of n lines: ascent of the first line to
// descent of the last, with (n-1) line advances between.
func blockHeight(f font.Face, n int, leading float64, px int) int {
	if n == 0 {
		return 0
	}
	m := f.Metrics()
	return (n-1)*lineAdvance(leading, px) + m.Ascent.Ceil() + m.Descent.Ceil()
}

func lineAdvance(leading float64, px int) int { return int(leading*float64(px) + 0.5) }

// lines draws lines with the first line's ascent starting at top and
// returns the y of the last line's descent.
func (cv *canvas) lines(f font.Face, k, x, top int, lines []string, leading float64, px int) int {
	m := f.Metrics()
	base := top + m.Ascent.Ceil()
	for i, l := range lines {
		if i > 0 {
			base += lineAdvance(leading, px)
		}
		cv.text(f, k, x, base, l)
	}
	return base + m.Descent.Ceil()
}

// width is how far s reaches from its origin when drawn by canvas.text:
// the advance (font.MeasureString, kerning included) plus any ink hanging
// past either end. Only the end glyphs can overhang, so only they are
// measured for ink, which keeps wrapping cheap.
func width(f font.Face, s string) int {
	w := font.MeasureString(f, s)
	if w == 0 {
		return 0
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if b, adv, ok := f.GlyphBounds(last); ok && b.Max.X > adv {
		w += b.Max.X - adv
	}
	return w.Ceil() + leftOverhang(f, s)
}

// leftOverhang is how far the first glyph's ink starts left of its origin
// (negative left side bearing, e.g. "j"); text is shifted right by that
// much so it never pokes into the margin.
func leftOverhang(f font.Face, s string) int {
	first, _ := utf8.DecodeRuneInString(s)
	if b, _, ok := f.GlyphBounds(first); ok && b.Min.X < 0 {
		return (-b.Min.X).Ceil()
	}
	return 0
}

// wrap breaks text into lines no wider than maxW, greedily by words, then
// evens the lines out (like CSS text-wrap: balance), making lines no
// narrower than balance×maxW, so a title does not end with a lone word. Words wider than a line are split between characters.
// If maxLines > 0 and more lines are needed, the last kept line ends in an
// ellipsis.
func wrap(f font.Face, text string, maxW, maxLines int, balance float64) []string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return nil
	}
	lines := greedy(f, words, maxW)
	if maxLines > 0 && len(lines) > maxLines {
		kept := lines[:maxLines]
		kept[maxLines-1] = withEllipsis(f, kept[maxLines-1], maxW)
		return kept
	}
	// Balance: the narrowest width that still needs no more lines. Binary
	// search on whole pixels; greedy() is monotone enough in practice and the
	// result is checked, so a bad guess just keeps the greedy lines.
	if len(lines) > 1 {
		lo, hi := int(balance*float64(maxW)), maxW
		best := lines
		for lo < hi {
			mid := (lo + hi) / 2
			if l := greedy(f, words, mid); len(l) <= len(lines) && !splitWord(l, words) {
				best, hi = l, mid
			} else {
				lo = mid + 1
			}
		}
		lines = best
	}
	return lines
}

// splitWord reports whether wrapping split a word across lines, which the
// balancing pass must never cause on its own.
func splitWord(lines, words []string) bool {
	n := 0
	for _, l := range lines {
		n += len(strings.Fields(l))
	}
	return n != len(words)
}

func greedy(f font.Face, words []string, maxW int) []string {
	var lines []string
	cur := ""
	for _, w := range words {
		cand := w
		if cur != "" {
			cand = cur + " " + w
		}
		if width(f, cand) <= maxW {
			cur = cand
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		for width(f, w) > maxW {
			head := fitPrefix(f, w, maxW)
			lines = append(lines, head)
			w = w[len(head):]
		}
		cur = w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// fitPrefix returns the longest prefix of s that fits, but at least one
// rune so that wrapping always makes progress.
func fitPrefix(f font.Face, s string, maxW int) string {
	_, end := utf8.DecodeRuneInString(s)
	for end < len(s) {
		_, n := utf8.DecodeRuneInString(s[end:])
		if width(f, s[:end+n]) > maxW {
			break
		}
		end += n
	}
	return s[:end]
}

// fitLine returns s unchanged if it fits on one line, else cut with an ellipsis.
func fitLine(f font.Face, s string, maxW int) string {
	s = strings.Join(strings.Fields(s), " ")
	if width(f, s) <= maxW {
		return s
	}
	return withEllipsis(f, s, maxW)
}

// withEllipsis appends "…" to s, dropping characters from the end until the
// result fits, and never leaving the ellipsis after a space or punctuation.
func withEllipsis(f font.Face, s string, maxW int) string {
	for {
		s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
		if s == "" || width(f, s+ellipsis) <= maxW {
			return s + ellipsis
		}
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
}
