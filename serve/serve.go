// Package serve is the wizard's HTTP plumbing, with nothing of the wizard in it: it sends a
// response body as bytes (Write), keeps rendered bodies in a bounded cache (Cache), and has the
// middleware every request passes through (Headers, Instrument) and the Prometheus metrics.
//
// Every response body the wizard sends goes out through Write, in this file: it picks a content
// coding from Accept-Encoding, sets ETag, Vary, Content-Encoding and Content-Length through
// http.Header, answers a matching If-None-Match with 304, and writes the bytes. The body was
// rendered before, once per canonical URL when it is cached (see Cache), and each coding is
// compressed once at a fast level and, when the page is asked for again, once at the best (see
// Page), so a cached response costs no rendering and no compression.
package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
)

// Page is one response body ready to send: its bytes, and for compressible types brotli and gzip
// copies. Each coding is its own representation with its own strong ETag. A Page is safe for
// concurrent use and any number of responses.
//
// A copy is made on the first response that asks for its coding, at a fast level: most pages a
// flood of never-seen URLs builds are sent once, and brotli 5 costs five times brotli 1 for 20 %
// fewer bytes (docs/benchmarks.md). Once the page is asked for again from its cache, the next response
// in that coding compresses it at the best level, in a build slot of the cache when one is free
// (else a later response does), and every response after that sends the small copy.
type Page struct {
	// Header holds further headers sent with every response of the page (Content-Disposition).
	Header http.Header
	// Hit, when set, runs for every response of the page (the wizard counts question views).
	Hit func()

	contentType []string
	identity    variant
	br, gz      *coded // nil when the body is not worth compressing

	// cache is the cache that stores the page (nil for none): it is set once, before the page is
	// shared, and its build slots bound recompression.
	cache *Cache
	// again is set when the cache serves the page a second time.
	again atomic.Bool
}

// variant is the page in one coding. Its header values are made once and shared by every
// response (assigned to the header map, never changed in place), which saves an allocation per
// header per response.
type variant struct {
	body         []byte
	coding       []string // nil for identity
	etag, length []string
	best         bool // compressed at the best level, not the fast one
	// fastTag is the tag of the fast copy a best one replaced: a client that has the fast copy
	// still has the page, so revalidating it gets a 304 too.
	fastTag []string
}

func newVariant(body []byte, etag, coding string) *variant {
	if coding != "" {
		etag = etag[:len(etag)-1] + "-" + coding + `"`
	}
	v := &variant{body: body, etag: shared(etag), length: shared(strconv.Itoa(len(body)))}
	if coding != "" {
		v.coding = shared(coding)
	}
	return v
}

// shared makes a header value to assign to many responses' header maps. Its length is its
// capacity, so an append to it (Header.Add, or a Vary added in Write) copies rather than writes
// into what other responses hold.
func shared(values ...string) []string { return slices.Clip(values) }

// coded is a page's copy in one content coding: none yet, the fast one, or the best one.
type coded struct {
	name      string
	mu        sync.Mutex // held while the fast copy is made
	cur       atomic.Pointer[variant]
	upgrading atomic.Bool // set by the response that makes the best copy
}

// minCompress is the size below which compression costs more than it saves.
const minCompress = 512

// Compression levels. A 29 KB result page (docs/benchmarks.md, A cheap first response): brotli 5
// takes it to 6.2 KB in 0.49 ms, brotli 1 to 7.8 KB in 0.10 ms; gzip 6 to 6.6 KB in 0.31 ms,
// gzip 1 to 7.7 KB in 0.08 ms. The best levels are for bodies compressed once and served many
// times, the fast ones for a first response.
const (
	brotliBest, brotliFast = 5, 1
	gzipBest, gzipFast     = gzip.DefaultCompression, gzip.BestSpeed
)

// NewPage makes a page of body; text bodies of minCompress bytes or more get compressed copies.
func NewPage(contentType string, body []byte) *Page {
	p := &Page{contentType: shared(contentType), identity: *newVariant(body, ETag(body), "")}
	if compressible(contentType) && len(body) >= minCompress {
		p.br, p.gz = &coded{name: "br"}, &coded{name: "gzip"}
	}
	return p
}

// FixedBody is a body served for the life of the process (an asset), for NewFixedPages.
type FixedBody struct {
	ContentType string
	Body        []byte
}

// NewFixedPages is NewPage for bodies served for the life of the process: their compressed
// copies are made now, at the best level, so no response pays for them. One encoder per coding
// serves the whole call and is then dropped, not pooled: made at start-up, a pooled brotli
// encoder's tables (megabytes) stayed live into the first collections, which with GOGC=400
// raised the peak RSS under the mixed load by about 5 MiB (60.3 against 55.8 MiB); a fresh
// encoder per page instead cost 9 ms of start-up.
func NewFixedPages(bodies []FixedBody) []*Page {
	fresh := map[string]encoder{}
	pages := make([]*Page, len(bodies))
	for i, b := range bodies {
		p := NewPage(b.ContentType, b.Body)
		for _, c := range []*coded{p.br, p.gz} {
			if c == nil {
				continue
			}
			e := fresh[c.name]
			if e == nil {
				e = encoders[encoderKey{c.name, true}].New().(encoder)
				fresh[c.name] = e
			}
			v := newVariant(encode(e, b.Body), p.identity.etag[0], c.name)
			v.best = true
			c.cur.Store(v)
		}
		pages[i] = p
	}
	return pages
}

// variantFor returns the copy of p to send for r's Accept-Encoding.
func (p *Page) variantFor(r *http.Request) *variant {
	if p.br != nil {
		switch Negotiate(r.Header["Accept-Encoding"]) {
		case "br":
			return p.copyIn(p.br)
		case "gzip":
			return p.copyIn(p.gz)
		}
	}
	return &p.identity
}

// copyIn returns the page in coding c (see Page for which copy).
func (p *Page) copyIn(c *coded) *variant {
	v := c.cur.Load()
	if v == nil {
		c.mu.Lock()
		if v = c.cur.Load(); v == nil {
			v = newVariant(compress(c.name, false, p.identity.body), p.identity.etag[0], c.name)
			v.etag = shared(v.etag[0][:len(v.etag[0])-1] + `-fast"`) // other bytes, so another tag
			c.cur.Store(v)
		}
		c.mu.Unlock()
	}
	if v.best || !p.again.Load() || p.cache == nil || !c.upgrading.CompareAndSwap(false, true) {
		return v
	}
	if !p.cache.tryAcquire() {
		c.upgrading.Store(false) // every slot is building: a later response tries again
		return v
	}
	defer p.cache.release()
	fast := v
	v = newVariant(compress(c.name, true, p.identity.body), p.identity.etag[0], c.name)
	v.best, v.fastTag = true, fast.etag
	c.cur.Store(v)
	return v
}

// Size is about the memory the page holds, compressed copies included (estimated at a third of
// the body each, before they are made).
func (p *Page) Size() int {
	if p.br == nil {
		return len(p.identity.body)
	}
	return len(p.identity.body) * 5 / 3
}

var varyCoding = shared("Accept-Encoding")

// Write sends p with status. The caller has set every other header it wants (Cache-Control,
// ...) on w.Header() before; the middleware has set the security headers.
func Write(w http.ResponseWriter, r *http.Request, status int, p *Page) {
	if p.Hit != nil {
		p.Hit()
	}
	h := w.Header()
	for k, v := range p.Header {
		h[k] = slices.Clip(v)
	}
	if p.br != nil {
		if vary, ok := h["Vary"]; ok {
			h["Vary"] = append(vary, varyCoding...)
		} else {
			h["Vary"] = varyCoding
		}
	}
	v := p.variantFor(r)
	h["Etag"] = v.etag
	if inm := r.Header["If-None-Match"]; status == http.StatusOK && inm != nil {
		match := etagMatch(inm, v.etag[0])
		if !match && v.fastTag != nil && etagMatch(inm, v.fastTag[0]) {
			h["Etag"], match = v.fastTag, true // the 304 names what the client has
		}
		if match {
			w.WriteHeader(http.StatusNotModified)
			return
		}
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

// compress encodes body at the best or the fast level. Encoders are pooled: a new brotli writer at
// level 5 allocates over 1 MB of tables, which doubled the cost of compressing a result page.
func compress(coding string, best bool, body []byte) []byte {
	pool := encoders[encoderKey{coding, best}]
	e := pool.Get().(encoder)
	out := encode(e, body)
	pool.Put(e)
	return out
}

// encode compresses body with e, leaving e ready for reuse.
func encode(e encoder, body []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body) / 3) // about what a page compresses to, so the buffer grows once at most
	e.Reset(&buf)
	e.Write(body)
	e.Close()
	e.Reset(nil)
	return bytes.Clone(buf.Bytes())
}

type encoder interface {
	io.WriteCloser
	Reset(io.Writer)
}

type encoderKey struct {
	coding string
	best   bool
}

var encoders = map[encoderKey]*sync.Pool{
	{"br", true}:  {New: func() any { return brotli.NewWriterLevel(nil, brotliBest) }},
	{"br", false}: {New: func() any { return brotli.NewWriterLevel(nil, brotliFast) }},
	{"gzip", true}: {New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipBest)
		return w
	}},
	{"gzip", false}: {New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipFast)
		return w
	}},
}
