package serve

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
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
	ctx := context.Background()
	built := 0
	page := func() (*Page, error) { built++; return NewPage("text/plain", make([]byte, 1000)), nil }
	for i := range 10000 {
		c.Get(getReq(ctx), "hot", page)
		c.Get(getReq(ctx), "key"+strconv.Itoa(i), page)
	}
	if c.Bytes() > 100<<10 || c.Bytes() < 40<<10 {
		t.Errorf("%d bytes held", c.Bytes())
	}
	if built != 10001 {
		t.Errorf("built %d pages: the hot one should have stayed", built)
	}
	if p, err := c.Get(getReq(ctx), "redirect", func() (*Page, error) { return nil, nil }); p != nil || err != nil {
		t.Error("a nil page is passed through")
	}
	if _, err := c.Get(getReq(ctx), "redirect", page); err != nil || built != 10002 {
		t.Error("a nil page must not be stored")
	}
}

// text is a body that compresses like a page: words, not one repeated line.
func text(n int) []byte {
	var b bytes.Buffer
	words := []string{"nest", "next", "both", "backend", "pages", "render", "api", "team", "the", "a", "of", "decision"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for b.Len() < n {
		b.WriteString(words[rnd.IntN(len(words))])
		b.WriteString([]string{" ", " ", ", ", ".\n", " <b>", "</b> "}[rnd.IntN(6)])
		b.WriteString(strconv.Itoa(rnd.IntN(1000)))
	}
	return b.Bytes()
}

func sendCoded(p *Page, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", accept)
	rec := httptest.NewRecorder()
	Write(rec, req, http.StatusOK, p)
	return rec
}

// A page's first response in a coding is compressed fast; once the cache serves the page again
// it is compressed at the best level, smaller, with its own tag, and stays so. A page no cache
// holds (an error page) is only ever compressed fast.
func TestFirstResponseIsCompressedFast(t *testing.T) {
	body := text(30 << 10)
	c := NewCache(1 << 20)
	ctx := context.Background()
	for _, coding := range []string{"br", "gzip"} {
		p, err := c.Get(getReq(ctx), coding, func() (*Page, error) { return NewPage("text/html; charset=utf-8", body), nil })
		if err != nil {
			t.Fatal(err)
		}
		first := sendCoded(p, coding)
		hit, _ := c.Lookup(coding)
		second, third := sendCoded(hit, coding), sendCoded(hit, coding)
		if !strings.HasSuffix(first.Header().Get("ETag"), "-"+coding+`-fast"`) || !strings.HasSuffix(second.Header().Get("ETag"), "-"+coding+`"`) {
			t.Errorf("%s: ETags %s then %s", coding, first.Header().Get("ETag"), second.Header().Get("ETag"))
		}
		if second.Body.Len() >= first.Body.Len() {
			t.Errorf("%s: the best copy (%d bytes) is not smaller than the fast one (%d)", coding, second.Body.Len(), first.Body.Len())
		}
		if !bytes.Equal(second.Body.Bytes(), third.Body.Bytes()) || second.Header().Get("ETag") != third.Header().Get("ETag") {
			t.Errorf("%s: once compressed well, every response is the same bytes", coding)
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", coding)
		req.Header.Set("If-None-Match", first.Header().Get("ETag"))
		nm := httptest.NewRecorder()
		Write(nm, req, http.StatusOK, hit)
		if nm.Code != http.StatusNotModified || nm.Header().Get("ETag") != first.Header().Get("ETag") {
			t.Errorf("%s: revalidating the fast copy: %d, ETag %s; want 304 with its own tag", coding, nm.Code, nm.Header().Get("ETag"))
		}
		for _, rec := range []*httptest.ResponseRecorder{first, second} {
			if got := decode(t, coding, rec.Body.Bytes()); !bytes.Equal(got, body) {
				t.Errorf("%s: a copy does not decode to the body", coding)
			}
		}
	}
	alone := NewPage("text/html; charset=utf-8", body)
	a, b := sendCoded(alone, "br"), sendCoded(alone, "br")
	if !strings.HasSuffix(b.Header().Get("ETag"), `-br-fast"`) || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Errorf("a page in no cache: ETag %s", b.Header().Get("ETag"))
	}
}

// With every build slot busy, a page asked for again is still answered at once, with its fast
// copy; the next response after a slot frees compresses it well.
func TestRecompressionNeverWaits(t *testing.T) {
	c := NewCache(1 << 20)
	p, _ := c.Get(getReq(context.Background()), "k", func() (*Page, error) { return NewPage("text/html; charset=utf-8", text(30<<10)), nil })
	sendCoded(p, "br")
	release := c.Hold()
	hit, _ := c.Lookup("k")
	if etag := sendCoded(hit, "br").Header().Get("ETag"); !strings.HasSuffix(etag, `-br-fast"`) {
		t.Errorf("with every slot busy: ETag %s, want the fast copy's", etag)
	}
	release()
	if etag := sendCoded(hit, "br").Header().Get("ETag"); !strings.HasSuffix(etag, `-br"`) {
		t.Errorf("with a slot free: ETag %s, want the best copy's", etag)
	}
}

func decode(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Misses build in at most Builds slots at once; a hit never waits for one; a miss waits up to
// Wait and then fails with ErrBusy (or its request's error), and waiting misses are built once
// slots free.
func TestBuildBound(t *testing.T) {
	c := NewCache(1 << 20)
	ctx := context.Background()
	page := func() (*Page, error) { return NewPage("text/plain", []byte("page")), nil }
	if _, err := c.Get(getReq(ctx), "hot", page); err != nil {
		t.Fatal(err)
	}

	release := c.Hold()
	c.Wait = 0
	built := false
	if _, err := c.Get(getReq(ctx), "new", func() (*Page, error) { built = true; return page() }); !errors.Is(err, ErrBusy) || built {
		t.Errorf("a miss with every slot busy and no wait: %v, built %v; want ErrBusy, not built", err, built)
	}
	if p, err := c.Get(getReq(ctx), "hot", page); p == nil || err != nil {
		t.Errorf("a hit with every slot busy: %v, %v", p, err)
	}

	c.Wait = time.Hour // the test ends the wait itself
	const n = 8
	done := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.Get(getReq(ctx), "miss"+strconv.Itoa(i), page)
			done <- err
		}()
	}
	cancelled, cancel := context.WithCancel(ctx)
	gone := make(chan error, 1)
	go func() { _, err := c.Get(getReq(cancelled), "abandoned", page); gone <- err }()
	for c.Waiting() < n+1 {
		time.Sleep(time.Millisecond)
	}
	if p, err := c.Get(getReq(ctx), "hot", page); p == nil || err != nil {
		t.Errorf("a hit while %d misses wait: %v, %v", c.Waiting(), p, err)
	}
	if len(done) != 0 {
		t.Fatal("a miss was built while every slot was held")
	}
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Errorf("a waiting miss whose request ended: %v", err)
	}
	release()
	for range n {
		if err := <-done; err != nil {
			t.Errorf("a waiting miss once slots freed: %v", err)
		}
	}

	var active, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			c.Get(getReq(ctx), "burst"+strconv.Itoa(i), func() (*Page, error) {
				now := active.Add(1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				runtime.Gosched()
				active.Add(-1)
				return page()
			})
		})
	}
	wg.Wait()
	if got := most.Load(); got > int64(max(Builds, 1)) {
		t.Errorf("%d builds ran at once; the bound is %d", got, Builds)
	}
}

// getReq is a request for Cache.Get, with ctx.
func getReq(ctx context.Context) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
}
