package views

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
)

// TestNeedsLabelsAvoidTheMarker: a marker right on a region's label moves the label, and the
// marker always stays inside the plot, however far past its axis the evidence goes.
func TestNeedsLabelsAvoidTheMarker(t *testing.T) {
	for _, tc := range []struct {
		name        string
		front, back int
	}{
		{"on the Both label", 4, 12}, // the middle of the Both region (thresholds 3 and 8)
		{"far past both axes", 99, 99},
		{"below zero", -5, -5},
	} {
		c := NeedsChart{ID: "n", Outcome: "both", NestJS: "NestJS", NextJS: "Next.js", Both: "Both", Title: "t",
			FrontEnd: NeedView{Name: "Web front end", Value: tc.front, Threshold: 3, Max: 6},
			Backend:  NeedView{Name: "Dedicated backend", Value: tc.back, Threshold: 8, Max: 16}}
		var buf bytes.Buffer
		if err := needsDrawing(c).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		svg := buf.String()
		num := func(re string) float64 {
			m := regexp.MustCompile(re).FindStringSubmatch(svg)
			if m == nil {
				t.Fatalf("%s: no match for %s in %s", tc.name, re, svg)
			}
			f, _ := strconv.ParseFloat(m[1], 64)
			return f
		}
		mx := num(`class="needs-marker" cx="([-0-9.]+)"`)
		my := num(`class="needs-marker" cx="[-0-9.]+" cy="([-0-9.]+)"`)
		if mx-needsMarkerR < plotL || mx+needsMarkerR > plotR || my-needsMarkerR < plotT || my+needsMarkerR > plotB {
			t.Errorf("%s: marker at (%.1f, %.1f) leaves the plot", tc.name, mx, my)
		}
		lx := num(`needs-label-current" x="([-0-9.]+)"`)
		ly := num(`needs-label-current" x="[-0-9.]+" y="([-0-9.]+)"`)
		// The label's box: about 40 wide, from 14 above its baseline to 4 below.
		if lx-20 < mx+needsMarkerR && lx+20 > mx-needsMarkerR && ly-14 < my+needsMarkerR && ly+4 > my-needsMarkerR {
			t.Errorf("%s: the label at (%.1f, %.1f) is under the marker at (%.1f, %.1f)", tc.name, lx, ly, mx, my)
		}
	}
}
