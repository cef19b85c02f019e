// Package serve is the wizard's HTTP plumbing, with nothing of the wizard in it: it sends a
// response body as bytes (Write), keeps rendered bodies in a bounded cache (Cache), and has the
// middleware every request passes through (Headers, Instrument) and the Prometheus metrics.
//
// Every response body the wizard sends goes out through Write, in this file: it picks a content
// coding from Accept-Encoding, sets ETag, Vary, Content-Encoding and Content-Length through
// http.Header, answers a matching If-None-Match with 304, and writes the bytes. The body was
// rendered and compressed before, once per canonical URL when it is cached (see Cache), so a
// cached response costs no rendering and no compression.
package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Page is one response body ready to send: its bytes, and for compressible types brotli and gzip
// copies made once, on the first request that asks for them. Each coding is its own
// representation with its own strong ETag. A Page never changes once made, so it is safe for
// concurrent use and any number of responses.
type Page struct {
	// Header holds further headers sent with every response of the page (Content-Disposition).
	Header http.Header
	// Hit, when set, runs for every response of the page (the wizard counts question views).
	Hit func()

	contentType []string
	identity    variant
	br, gz      func() variant // nil when the body is not worth compressing
}

// variant is the page in one coding. Its header values are made once and shared by every
// response (assigned to the header map, never changed in place), which saves an allocation per
// header per response.
type variant struct {
	body         []byte
	coding       []string // nil for identity
	etag, length []string
}

func newVariant(body []byte, etag, coding string) variant {
	v := variant{body: body, etag: []string{etag}, length: []string{strconv.Itoa(len(body))}}
	if coding != "" {
		v.coding = []string{coding}
		v.etag[0] = etag[:len(etag)-1] + "-" + coding + `"`
	}
	return v
}

// minCompress is the size below which compression costs more than it saves.
const minCompress = 512

// Compression levels for bodies compressed once and then served many times: brotli 5 takes a
// 28 KB result page to about 5.4 KB (level 1: 6.7 KB) for about 0.5 ms, once per page.
const (
	brotliLevel = 5
	gzipLevel   = gzip.DefaultCompression
)

// NewPage makes a page of body; text bodies of minCompress bytes or more get compressed copies.
func NewPage(contentType string, body []byte) *Page {
	p := Precompressed(contentType, body, nil, nil)
	if !compressible(contentType) || len(body) < minCompress {
		return p
	}
	p.br = sync.OnceValue(func() variant { return newVariant(compress("br", body), p.identity.etag[0], "br") })
	p.gz = sync.OnceValue(func() variant { return newVariant(compress("gzip", body), p.identity.etag[0], "gzip") })
	return p
}

// Precompressed makes a page of body with its brotli and gzip copies already made (nil: none).
func Precompressed(contentType string, body, br, gz []byte) *Page {
	p := &Page{contentType: []string{contentType}, identity: newVariant(body, ETag(body), "")}
	if br != nil && gz != nil {
		b, g := newVariant(br, p.identity.etag[0], "br"), newVariant(gz, p.identity.etag[0], "gzip")
		p.br, p.gz = func() variant { return b }, func() variant { return g }
	}
	return p
}

// Size is about the memory the page holds, compressed copies included (estimated at a third of
// the body each, before they are made).
func (p *Page) Size() int {
	if p.br == nil {
		return len(p.identity.body)
	}
	return len(p.identity.body) * 5 / 3
}

var varyCoding = []string{"Accept-Encoding"}

// Write sends p with status. The caller has set every other header it wants (Cache-Control,
// ...) on w.Header() before; the middleware has set the security headers.
func Write(w http.ResponseWriter, r *http.Request, status int, p *Page) {
	if p.Hit != nil {
		p.Hit()
	}
	h := w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	v := p.identity
	if p.br != nil {
		if vary, ok := h["Vary"]; ok {
			h["Vary"] = append(vary, varyCoding...)
		} else {
			h["Vary"] = varyCoding
		}
		switch Negotiate(r.Header["Accept-Encoding"]) {
		case "br":
			v = p.br()
		case "gzip":
			v = p.gz()
		}
	}
	h["Etag"] = v.etag
	if status == http.StatusOK && etagMatch(r.Header["If-None-Match"], v.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.contentType
	if v.coding != nil {
		h["Content-Encoding"] = v.coding
	}
	h["Content-Length"] = v.length
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(v.body)
	}
}

// ETag is a strong validator for body: equal bytes give equal tags on every instance.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatch applies If-None-Match, which compares tags weakly (RFC 9110, section 13.1.2): a W/
// prefix is ignored, and * matches any current representation.
func etagMatch(header []string, etag string) bool {
	for _, line := range header {
		for tag := range strings.SplitSeq(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// Negotiate picks the coding to send from Accept-Encoding (RFC 9110, section 12.5.3): brotli or
// gzip, whichever has the higher q-value (brotli on a tie), "" for identity. q=0 refuses a
// coding, and * stands for any coding not named.
func Negotiate(header []string) string {
	br, gz, any := -1.0, -1.0, -1.0
	for _, line := range header {
		for part := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(part, ";")
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // a malformed weight is no consent
					}
					q = f
				}
			}
			switch name = strings.TrimSpace(name); {
			case strings.EqualFold(name, "br"):
				br = q
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gz = q
			case name == "*":
				any = q
			}
		}
	}
	if br < 0 {
		br = any
	}
	if gz < 0 {
		gz = any
	}
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") ||
		strings.HasPrefix(contentType, "application/problem+json") || strings.HasPrefix(contentType, "image/svg+xml")
}

// compress encodes body once. Encoders are pooled: a new brotli writer at level 5 allocates over
// 1 MB of tables, which doubled the cost of compressing a result page.
func compress(coding string, body []byte) []byte {
	var buf bytes.Buffer
	e := encoders[coding].Get().(encoder)
	e.Reset(&buf)
	e.Write(body)
	e.Close()
	e.Reset(nil)
	encoders[coding].Put(e)
	return bytes.Clone(buf.Bytes())
}

type encoder interface {
	io.WriteCloser
	Reset(io.Writer)
}

var encoders = map[string]*sync.Pool{
	"br": {New: func() any { return brotli.NewWriterLevel(nil, brotliLevel) }},
	"gzip": {New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipLevel)
		return w
	}},
}
