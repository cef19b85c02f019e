package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/a-h/templ"
)

// render writes a component with a status. It renders into a buffer first so a failure mid-page
// becomes an error page rather than half a page.
//
// Pages get an ETag and "no-cache": the browser revalidates and gets a 304 when nothing changed.
// The tag ignores the per-response CSP nonce, and a 304 carries no CSP header, so the browser keeps
// the policy (and nonce) that came with the body it already has.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	nonce := nonceOf(r)
	if err := c.Render(templ.WithNonce(r.Context(), nonce), buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body := buf.Bytes()
	h := w.Header()
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	etag := ""
	if status == http.StatusOK {
		etag = etagWithout(body, nonce)
	}
	writeBody(w, r, status, "text/html; charset=utf-8", body, etag)
}

// redirect sends the visitor on with 303 See Other, so a GET form lands on a clean URL.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	path, query, _ := strings.Cut(target, "?")
	http.Redirect(w, r, (&url.URL{Path: path, RawQuery: query}).String(), http.StatusSeeOther)
	return nil
}

// bufPool keeps render buffers: pages are 5 to 30 KB, and growing a new buffer to that size
// costs several allocations and copies per request. writeBody is done with the bytes when render
// returns (compression reads them, the connection copies them).
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 256<<10 {
		bufPool.Put(b)
	}
}

// etagWithout is etagOf(bytes.ReplaceAll(body, nonce, nil)) without the copy: the hash is fed the
// pieces between the nonces.
func etagWithout(body []byte, nonce string) string {
	if nonce == "" {
		return etagOf(body)
	}
	h := sha256.New()
	for {
		i := bytes.Index(body, []byte(nonce))
		if i < 0 {
			break
		}
		h.Write(body[:i])
		body = body[i+len(nonce):]
	}
	h.Write(body)
	var sum [sha256.Size]byte
	return `"` + hex.EncodeToString(h.Sum(sum[:0])[:16]) + `"`
}
