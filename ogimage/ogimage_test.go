package ogimage

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	eyebrow = "NestJS, Next.js, or both? · Decision wizard"
	footer  = "Based on a CTO's comparison by Wojciech Andruszków · v1"
)

// realCards are the cards the site serves; accents follow the site's
// outcome panel colours in app.css.
var realCards = map[string]Card{
	"start": {Eyebrow: eyebrow, Title: "NestJS, Next.js, or both?",
		Subtitle: "Answer a few questions, get a reasoned recommendation for your stack",
		Footer:   footer, Accent: color.RGBA{0x0f, 0x7a, 0x45, 0xff}},
	"nestjs": {Eyebrow: eyebrow, Title: "NestJS",
		Subtitle: "Build a dedicated NestJS backend.",
		Footer:   footer, Accent: color.RGBA{0xb0, 0x17, 0x3d, 0xff}, Needs: testNeeds(RegionNestJS)},
	"nextjs": {Eyebrow: eyebrow, Title: "Next.js",
		Subtitle: "Build it with Next.js, using its API routes for the light backend work.",
		Footer:   footer, Accent: color.RGBA{0x0b, 0x5d, 0x73, 0xff}, Needs: testNeeds(RegionNextJS)},
	"both": {Eyebrow: eyebrow, Title: "Both: NestJS for the backend with Next.js in front",
		Subtitle: "Put a NestJS backend for APIs and business logic behind a Next.js front end.",
		Footer:   footer, Accent: color.RGBA{0x4a, 0x3a, 0x94, 0xff}, Needs: testNeeds(RegionBoth)},
}

func testNeeds(region string) *Needs {
	return &Needs{Region: region, NestJS: "NestJS", NextJS: "Next.js", Both: "Both",
		FrontEnd: "Web front end", Backend: "Dedicated backend"}
}

// TestNeedsRegion: a card with the two-needs picture outlines its outcome's region, and only
// that one, in the accent colour.
func TestNeedsRegion(t *testing.T) {
	accent := color.RGBA{0xff, 0, 0, 0xff}
	// Sample points in the middle of each region's top edge, where the outline runs.
	counts := map[string]int{}
	for _, region := range []string{RegionNestJS, RegionNextJS, RegionBoth} {
		c := realCards[region]
		c.Accent = accent
		b, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, b)
		right := image.Rect(Width-margin-needsW, accentH+1, Width-margin, Height-margin)
		n := 0
		for y := right.Min.Y; y < right.Max.Y; y++ {
			for x := right.Min.X; x < right.Max.X; x++ {
				if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == accent {
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no outline in the accent colour", region)
		}
		counts[region] = n
	}
	if counts[RegionNextJS] == counts[RegionBoth] && counts[RegionNextJS] == counts[RegionNestJS] {
		t.Errorf("the three cards outline the same area: %v", counts)
	}
}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

func TestRenderSizeAndDeterminism(t *testing.T) {
	for name, c := range realCards {
		t.Run(name, func(t *testing.T) {
			a, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Fatal("Render is not deterministic")
			}
			if got := decode(t, a).Bounds(); got != image.Rect(0, 0, 1200, 630) {
				t.Fatalf("bounds = %v, want 1200×630", got)
			}
		})
	}
}

// Everything but the accent bar must stay inside the 72px margin, however
// long the text. Strings start and end with glyphs whose ink overhangs their
// advance ("j", "f", "W") to catch bearing mistakes.
func TestTextStaysInsideMargins(t *testing.T) {
	long := strings.Repeat("jumpy Wolf fjord ", 40)
	word := strings.Repeat("W", 300) // a single word wider than the canvas
	cases := map[string]Card{
		"long everything": {Eyebrow: long, Title: long, Subtitle: long, Footer: long},
		"huge word":       {Eyebrow: word, Title: word, Subtitle: word, Footer: word},
		"title only":      {Title: long},
		"no spaces mixed": {Title: "j" + strings.Repeat("ab", 200) + "f", Subtitle: "j" + strings.Repeat("Wj", 100)},
		"empty":           {},
	}
	for _, c := range realCards {
		cases[c.Title] = c
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			c.Accent = color.RGBA{0xff, 0, 0, 0xff}
			b, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, b)
			inside := image.Rect(margin, margin, Width-margin, Height-margin)
			bad := 0
			for y := 0; y < Height; y++ {
				for x := 0; x < Width; x++ {
					if image.Pt(x, y).In(inside) {
						continue
					}
					want := bgColor
					if y < accentH {
						want = color.RGBA{0xff, 0, 0, 0xff}
					}
					if got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); got != want {
						if bad < 5 {
							t.Errorf("pixel (%d,%d) = %v, want %v", x, y, got, want)
						}
						bad++
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d pixels drawn in the margin", bad)
			}
		})
	}
}

// Long titles shrink and wrap to at most three lines; short ones stay large.
func TestTitleFitting(t *testing.T) {
	if err := loadFonts(); err != nil {
		t.Fatal(err)
	}
	const maxW, maxH = Width - 2*margin, 300
	_, lines, px, _ := fitTitle("NestJS", maxW, maxH)
	if px != titleMaxPx || len(lines) != 1 {
		t.Errorf("short title: %dpx %d lines, want %dpx 1 line", px, len(lines), titleMaxPx)
	}
	_, lines, px, _ = fitTitle(strings.Repeat("word ", 200), maxW, maxH)
	if px != titleMinPx || len(lines) > titleMaxLines || !strings.HasSuffix(lines[len(lines)-1], ellipsis) {
		t.Errorf("huge title: %dpx %q", px, lines)
	}
	sub, err := newFace(regularFont, subtitlePx)
	if err != nil {
		t.Fatal(err)
	}
	got := wrap(sub, strings.Repeat("word ", 200), maxW, subtitleMaxLines, subtitleBalance)
	if len(got) != 2 || !strings.HasSuffix(got[1], ellipsis) {
		t.Errorf("long subtitle = %q, want 2 lines ending in %q", got, ellipsis)
	}
	for _, l := range got {
		if w := width(sub, l); w > maxW {
			t.Errorf("line %q is %dpx wide, max %d", l, w, maxW)
		}
	}
}

// WCAG relative luminance contrast; the brief asks for ≥4.5:1 on small text.
func contrast(a, b color.RGBA) float64 {
	lum := func(c color.RGBA) float64 {
		ch := func(v uint8) float64 {
			s := float64(v) / 255
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
	}
	l1, l2 := lum(a), lum(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func TestContrast(t *testing.T) {
	for name, c := range map[string]color.RGBA{"title": titleColor, "subtitle": subtitleColor, "muted": mutedColor} {
		if r := contrast(c, bgColor); r < 4.5 {
			t.Errorf("%s contrast %.2f:1, want ≥ 4.5:1", name, r)
		}
	}
}

// OG_WRITE_DIR=/tmp/og go test ./ogimage -run WriteCards writes the real
// cards as PNG files for eyeballing.
func TestWriteCards(t *testing.T) {
	dir := os.Getenv("OG_WRITE_DIR")
	if dir == "" {
		t.Skip("set OG_WRITE_DIR to write the cards")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cards := map[string]Card{
		// Shows the smallest title size and both ellipses.
		"stress": {Eyebrow: strings.Repeat(eyebrow+" ", 3),
			Title:    strings.Repeat("Both: NestJS for the backend with Next.js in front ", 3),
			Subtitle: strings.Repeat("Put a NestJS backend for APIs and business logic behind a Next.js front end. ", 3),
			Footer:   strings.Repeat(footer+" ", 3), Accent: color.RGBA{0xe0, 0x23, 0x4e, 0xff}},
	}
	for name, c := range realCards {
		cards[name] = c
	}
	for name, c := range cards {
		b, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".png")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", p, len(b))
	}
}

func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"nestjs", "both"} {
		c := realCards[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				png, err := Render(c)
				if err != nil {
					b.Fatal(err)
				}
				n = len(png)
			}
			b.ReportMetric(float64(n), "png-bytes")
		})
	}
}
