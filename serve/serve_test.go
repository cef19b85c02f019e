package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"gzip, deflate, br, zstd"}, "br"},
		{[]string{"gzip"}, "gzip"},
		{[]string{"identity"}, ""},
		{[]string{"BR"}, "br"},
		{[]string{" gzip ;q=0.5 ,  br ; q=0.1"}, "gzip"}, // the higher weight wins
		{[]string{"br;q=0.8, gzip;q=0.8"}, "br"},         // brotli on a tie
		{[]string{"gzip, br;q=0"}, "gzip"},
		{[]string{"br; q=0.000", "gzip; q = 0"}, ""},
		{[]string{"br", "br;q=0"}, ""}, // the last word on a coding counts
		{[]string{"deflate"}, ""},
		{[]string{"*"}, "br"},
		{[]string{"gzip;q=0.5, *;q=0.1"}, "gzip"},
		{[]string{"*;q=0"}, ""},
		{[]string{"br;q=abc, gzip"}, "gzip"}, // a malformed weight is no consent
		{[]string{"br;q=2"}, ""},
		{[]string{"brotli, xgzip"}, ""},
	} {
		if got := Negotiate(tc.header); got != tc.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

// Write sends the representation the client asked for, through http.Header, with a 304 for a
// matching tag and no body for HEAD.
func TestWrite(t *testing.T) {
	body := []byte(strings.Repeat("<p>a wizard page</p>\n", 100))
	p := NewPage("text/html; charset=utf-8", body)
	hits := 0
	p.Hit = func() { hits++ }
	p.Header = http.Header{"Content-Disposition": {"attachment"}}
	send := func(method string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		Write(rec, req, http.StatusOK, p)
		return rec
	}
	id, br, gz := send("GET"), send("GET", "Accept-Encoding", "br"), send("GET", "Accept-Encoding", "gzip")
	if !bytes.Equal(id.Body.Bytes(), body) || id.Header().Get("Content-Encoding") != "" {
		t.Error("identity body changed")
	}
	if br.Header().Get("Content-Encoding") != "br" || gz.Header().Get("Content-Encoding") != "gzip" || br.Body.Len() >= len(body)/4 {
		t.Errorf("codings: %q (%d bytes), %q", br.Header().Get("Content-Encoding"), br.Body.Len(), gz.Header().Get("Content-Encoding"))
	}
	tags := map[string]bool{id.Header().Get("ETag"): true, br.Header().Get("ETag"): true, gz.Header().Get("ETag"): true}
	if len(tags) != 3 {
		t.Errorf("each coding needs its own ETag: %v", tags)
	}
	for _, rec := range []*httptest.ResponseRecorder{id, br, gz} {
		if rec.Header().Get("Vary") != "Accept-Encoding" || rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) || rec.Header().Get("Content-Disposition") != "attachment" {
			t.Errorf("headers %v", rec.Header())
		}
	}
	if nm := send("GET", "Accept-Encoding", "br", "If-None-Match", `"x", W/`+br.Header().Get("ETag")); nm.Code != http.StatusNotModified || nm.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", nm.Code)
	}
	if head := send("HEAD", "Accept-Encoding", "br"); head.Body.Len() != 0 || head.Header().Get("Content-Length") != br.Header().Get("Content-Length") {
		t.Error("HEAD")
	}
	if hits != 5 {
		t.Errorf("Hit ran %d times, want 5", hits)
	}
	small := NewPage("text/plain; charset=utf-8", []byte("ok\n"))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Encoding", "br")
	Write(rec, req, http.StatusServiceUnavailable, small)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "" {
		t.Errorf("a small body is sent as is: %d %v", rec.Code, rec.Header())
	}
}

// The cache keeps within its budget under a flood of keys, and keeps what is used.
func TestCacheBound(t *testing.T) {
	c := NewCache(100 << 10)
	built := 0
	page := func() (*Page, error) { built++; return NewPage("text/plain", make([]byte, 1000)), nil }
	for i := range 10000 {
		c.Get("hot", page)
		c.Get("key"+strconv.Itoa(i), page)
	}
	if c.Bytes() > 100<<10 || c.Bytes() < 40<<10 {
		t.Errorf("%d bytes held", c.Bytes())
	}
	if built != 10001 {
		t.Errorf("built %d pages: the hot one should have stayed", built)
	}
	if p, err := c.Get("redirect", func() (*Page, error) { return nil, nil }); p != nil || err != nil {
		t.Error("a nil page is passed through")
	}
	if _, err := c.Get("redirect", page); err != nil || built != 10002 {
		t.Error("a nil page must not be stored")
	}
}
