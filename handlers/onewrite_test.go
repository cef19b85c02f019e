package handlers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"nestnext/decision"
)

// countingListener counts the writes each accepted connection makes to the socket.
type countingListener struct {
	net.Listener
	mu     sync.Mutex
	writes int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.writes
	l.writes = 0
	return n
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes++
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// serveCounted runs h on a real TCP server, through Listener when oneWrite is set.
func serveCounted(t *testing.T, h http.Handler, oneWrite bool) (*httptest.Server, *countingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	counted := &countingListener{Listener: srv.Listener}
	srv.Listener = counted
	if oneWrite {
		srv.Listener = Listener(counted)
		srv.Config.ConnContext = ConnContext
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, counted
}

// Every page, in every coding, leaves in one write through Listener, however large; the bytes are
// the ones net/http sends without it. Without Listener, pages over about 3 KB take two.
func TestResponsesLeaveInOneWrite(t *testing.T) {
	_, h := newTestServer(t)
	srv, counted := serveCounted(t, h, true)
	plain, plainCounted := serveCounted(t, h, false)

	// One connection for every request, as a browser or a load tool keeps it.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	plainConn, err := net.Dial("tcp", plain.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer plainConn.Close()
	plainRd := bufio.NewReader(plainConn)

	roundTrip := func(c net.Conn, rd *bufio.Reader, method, target string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://wizard.test"+target, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(rd, req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("%s %s: body: %v", method, target, err)
		}
		return res, string(body)
	}

	var sawTwoWrites bool
	for _, p := range benchPages {
		for _, enc := range benchCodings {
			hdr := map[string]string{"Accept-Encoding": enc.accept}
			counted.take()
			res, body := roundTrip(conn, rd, http.MethodGet, p.target, hdr)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d", p.name, enc.name, res.StatusCode)
			}
			if n := counted.take(); n != 1 {
				t.Errorf("%s %s (%d bytes): %d writes, want 1", p.name, enc.name, len(body), n)
			}
			if got := decodeBody(t, res.Header.Get("Content-Encoding"), []byte(body)); !strings.Contains(got, "</html>") {
				t.Errorf("%s %s: page does not end in </html>", p.name, enc.name)
			}

			// The same page without Listener: the bytes match but for the nonce.
			plainCounted.take()
			plainRes, plainBody := roundTrip(plainConn, plainRd, http.MethodGet, p.target, hdr)
			if n := plainCounted.take(); n > 1 {
				sawTwoWrites = true
			}
			if len(plainBody) != len(body) || plainRes.Header.Get("Etag") != res.Header.Get("Etag") {
				t.Errorf("%s %s: %d bytes (tag %s) through Listener, %d (tag %s) without", p.name, enc.name,
					len(body), res.Header.Get("Etag"), len(plainBody), plainRes.Header.Get("Etag"))
			}
			// And the same headers, each once, the fixed ones spliced in included.
			if diff := headerDiff(res.Header, plainRes.Header); diff != "" {
				t.Errorf("%s %s: headers through Listener and without differ:\n%s", p.name, enc.name, diff)
			}

			// A revalidation and a HEAD are one write too.
			hdr["If-None-Match"] = res.Header.Get("Etag")
			res, _ = roundTrip(conn, rd, http.MethodGet, p.target, hdr)
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("%s %s: revalidation status %d, want 304", p.name, enc.name, res.StatusCode)
			}
			delete(hdr, "If-None-Match")
			roundTrip(conn, rd, http.MethodHead, p.target, hdr)
			if n := counted.take(); n != 2 {
				t.Errorf("%s %s: %d writes for a 304 and a HEAD, want 2", p.name, enc.name, n)
			}
		}
	}
	if !sawTwoWrites {
		t.Error("no page took two writes without Listener: this test no longer shows what Listener is for")
	}

	// Static assets go through the same path.
	counted.take()
	res, body := roundTrip(conn, rd, http.MethodGet, "/static/app.css", nil)
	if res.StatusCode != http.StatusOK || len(body) < 1000 {
		t.Fatalf("app.css: status %d, %d bytes", res.StatusCode, len(body))
	}
	if n := counted.take(); n != 1 {
		t.Errorf("app.css: %d writes, want 1", n)
	}
}

// A body over maxGather is not gathered: it is written as net/http writes it, whole.
func TestOversizedBodyIsNotGathered(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", maxGather/16+1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		send(w, r, http.StatusOK, "application/octet-stream", "", "", false, []byte(big))
	})
	srv, counted := serveCounted(t, h, true)
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != big {
		t.Fatalf("got %d bytes, want %d", len(body), len(big))
	}
	if n := counted.take(); n < 2 {
		t.Errorf("%d writes for %d bytes: a body over maxGather should not have been gathered", n, len(big))
	}
}

// failingConn fails every write.
type failingConn struct{ net.Conn }

func (failingConn) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

// A failed gathered write is reported by the connection's next write, so net/http closes it.
func TestGatheredWriteErrorIsReported(t *testing.T) {
	c := &oneWriteConn{Conn: failingConn{}}
	c.gather(nil)
	if n, err := c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n")); err != nil || n != 19 {
		t.Fatalf("gathered write: %d, %v", n, err)
	}
	c.release()
	if _, err := c.Write([]byte("next")); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("write after a failed release: %v, want the release's error", err)
	}
}

// headerDiff lists how two responses' headers differ, ignoring the date and the CSP nonce, and
// any header sent more than once in a.
func headerDiff(a, b http.Header) string {
	var diff []string
	comparable := func(k string, v []string) string {
		joined := strings.Join(v, " | ")
		if k == "Content-Security-Policy" {
			before, after, _ := strings.Cut(joined, "'nonce-")
			_, after, _ = strings.Cut(after, "'")
			joined = before + "'nonce-…'" + after
		}
		return joined
	}
	for k, v := range a {
		if len(v) != 1 {
			diff = append(diff, fmt.Sprintf("%s sent %d times: %q", k, len(v), v))
		}
		if k == "Date" {
			continue
		}
		if got, want := comparable(k, v), comparable(k, b[k]); got != want {
			diff = append(diff, fmt.Sprintf("%s: %q, want %q", k, got, want))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s missing (want %q)", k, v))
		}
	}
	slices.Sort(diff)
	return strings.Join(diff, "\n")
}

// The fixed security headers reach the wire on every kind of response through Listener: pages and
// errors, the site and the embed, with HSTS when the public URL is https, and a handler's own value
// for one of them replaces it rather than joining it.
func TestFixedHeadersOnTheWire(t *testing.T) {
	c, err := decision.Default()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := url.Parse("https://wizard.example.com")
	s := newServer(c, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{PublicURL: pub, EmbedAllowedOrigins: []string{"https:"}})
	srv, _ := serveCounted(t, s.routes(), true)

	ownPolicy := s.instrument(s.securityHeaders(false)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		send(w, r, http.StatusOK, "text/plain; charset=utf-8", "", "", false, []byte("own policy"))
	})))
	own, _ := serveCounted(t, ownPolicy, true)

	site := map[string]string{
		"X-Frame-Options":           "DENY",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "strict-origin-when-cross-origin",
		"Permissions-Policy":        hPermissions[0],
		"Strict-Transport-Security": hHSTS[0],
	}
	embed := maps.Clone(site)
	embed["X-Frame-Options"] = ""
	withOwnPolicy := maps.Clone(site)
	withOwnPolicy["Referrer-Policy"] = "no-referrer"

	for _, tc := range []struct {
		url    string
		status int
		want   map[string]string
	}{
		{srv.URL + "/", http.StatusOK, site},
		{srv.URL + "/result?" + fullPlatform, http.StatusOK, site},
		{srv.URL + "/q/nope?v=2", http.StatusNotFound, site},
		{srv.URL + "/static/app.css", http.StatusOK, site},
		{srv.URL + "/embed/q/build?v=2", http.StatusOK, embed},
		{own.URL + "/", http.StatusOK, withOwnPolicy},
	} {
		for _, accept := range []string{"", "br"} {
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			req.Header.Set("Accept-Encoding", accept)
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("%s: status %d, want %d", tc.url, res.StatusCode, tc.status)
			}
			for k, want := range tc.want {
				if got := res.Header.Values(k); want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
					t.Errorf("%s (%q): %s = %q, want %q once", tc.url, accept, k, got, want)
				}
			}
		}
	}
}

// A gathered response must start with its status line, or the fixed headers would have nowhere
// to go: the connection fails the response rather than send it without them.
func TestSpliceNeedsAStatusLine(t *testing.T) {
	c := &oneWriteConn{Conn: failingConn{}}
	c.gather([]byte("X-Test: 1\r\n"))
	if _, err := c.Write([]byte("not a status line\r\n\r\n")); !errors.Is(err, errNoStatusLine) {
		t.Fatalf("write: %v, want errNoStatusLine", err)
	}
	c.release()
	if _, err := c.Write([]byte("next")); !errors.Is(err, errNoStatusLine) {
		t.Fatalf("the connection must stay failed, got %v", err)
	}
}
