package main

import "testing"

// The edge check's own judge of what a client accepts (RFC 9110, section 12.5.3).
func TestAcceptable(t *testing.T) {
	for _, tc := range []struct {
		coding, accept string
		want           bool
	}{
		{"br", "gzip, deflate, br, zstd", true},
		{"gzip", "gzip, deflate, br, zstd", true},
		{"", "gzip, deflate, br, zstd", true},
		{"br", "gzip", false},
		{"br", "", false},
		{"gzip", "", false},
		{"", "", true},
		{"br", "gzip, br;q=0", false},
		{"br", "gzip, BR;Q=0.001", true},
		{"gzip", "br, gzip;q=0", false},
		{"gzip", "x-gzip", true},
		{"br", "*", true},
		{"br", "*;q=0", false},
		{"br", "br;q=0, *", false},
		{"gzip", "br;q=0, *", true},
		{"", "identity;q=0, gzip", false},
		{"", "*;q=0, gzip", false},
		{"", "*;q=0, identity, gzip", true},
		{"br", "br;q=junk", false},
	} {
		if got := acceptable(tc.coding, tc.accept); got != tc.want {
			t.Errorf("acceptable(%q, %q) = %v, want %v", tc.coding, tc.accept, got, tc.want)
		}
	}
}
