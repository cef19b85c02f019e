package handlers

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/andybalholm/brotli"
)

// The wizard's pages (start, questions, results) are a function of their URL, so each is
// rendered and compressed once and then served from memory. The one part that differs per
// response is the CSP nonce on the <script> tags, which the layout puts at the very end of the
// page. A cached page is therefore kept as a head (everything before the first nonce, the bulk of
// the page) and a short tail (the script tags, with a placeholder for the nonce). The head is
// compressed once into an unfinished brotli or gzip stream; each response appends its tail
// uncompressed (a brotli uncompressed meta-block, a deflate stored block) and ends the stream.
// So no nonce is ever served twice, and no response renders or compresses the page; the pieces
// are only copied into a pooled buffer, to leave in one write (see send).

// noncePlaceholder cannot occur in a page otherwise: base64 nonces have no '!' and templ escapes
// nothing into it.
const noncePlaceholder = "!nonce-placeholder!"

// pageCacheBytes bounds the memory the cache holds (about: compressed variants are estimated
// high). A result page counts about 47 KB and a question page 8 KB, so this keeps about 130
// results or 750 question pages. A flood of never-repeated URLs keeps the cache full: the process
// then peaked at 45 MiB with this bound, and at 57 MiB with twice as much (wrk, 64 connections,
// 20 s of unique result URLs).
const pageCacheBytes = 6 << 20

// Cached pages are compressed once, so they get better levels than per-response bodies: brotli 5
// takes a 28 KB result page to 5.4 KB instead of 6.7 KB at level 1. It costs about 0.5 ms, once
// per page; a flood of never-repeated URLs pays it on every request, which still leaves well
// over a thousand result pages a second per core.
const (
	cachedBrotliLevel = 5
	cachedGzipLevel   = gzip.DefaultCompression
)

// cachedPage is a rendered page ready to send with any nonce.
type cachedPage struct {
	key  string
	etag map[string]string // by content coding ("" for identity), of the page without its nonces
	head []byte            // identity bytes before the first nonce
	tail []byte            // the rest, with noncePlaceholder for each nonce
	size int               // bytes counted against pageCacheBytes
	// seen runs for every response of this page (it counts question views); may be nil.
	seen func()

	// The head compressed, made when a client first asks for the coding.
	br func() []byte // a brotli stream, flushed to a byte boundary and not finished
	gz func() gzHead
}

type gzHead struct {
	stream []byte // gzip header and deflate blocks, sync-flushed, no final block
	crc    uint32 // CRC-32 of head
}

func newCachedPage(key string, body []byte, seen func()) *cachedPage {
	tag := etagWithout(body, noncePlaceholder)
	p := &cachedPage{key: key, seen: seen, etag: map[string]string{"": tag}}
	for _, coding := range []string{"br", "gzip"} {
		p.etag[coding] = withCoding(tag, coding)
	}
	i := bytes.Index(body, []byte(noncePlaceholder))
	if i < 0 {
		i = len(body)
	}
	p.head, p.tail = body[:i:i], body[i:]
	// The compressed heads are estimated at a third of the page each.
	p.size = len(key) + len(body) + 2*len(body)/3
	p.br = sync.OnceValue(func() []byte { return brotliHead(p.head) })
	p.gz = sync.OnceValue(func() gzHead { return gzipHead(p.head) })
	return p
}

// Encoders are pooled: a new brotli writer at level 5 allocates over 1 MB of tables, which
// doubled the cost of compressing a result page (measured: 1.15 ms with a new writer).
var (
	cachedBrotliPool = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, cachedBrotliLevel) }}
	cachedGzipPool   = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, cachedGzipLevel)
		return w
	}}
)

func brotliHead(head []byte) []byte {
	compressSlots <- struct{}{}
	defer func() { <-compressSlots }()
	var buf bytes.Buffer
	bw := cachedBrotliPool.Get().(*brotli.Writer)
	bw.Reset(&buf)
	bw.Write(head)
	bw.Flush() // ends on a byte boundary, stream still open
	bw.Reset(nil)
	cachedBrotliPool.Put(bw)
	return bytes.Clone(buf.Bytes()) // without the buffer's spare capacity
}

func gzipHead(head []byte) gzHead {
	compressSlots <- struct{}{}
	defer func() { <-compressSlots }()
	var buf bytes.Buffer
	gw := cachedGzipPool.Get().(*gzip.Writer)
	gw.Reset(&buf)
	gw.Write(head)
	gw.Flush() // a sync flush: byte-aligned, no final block yet
	gw.Reset(nil)
	cachedGzipPool.Put(gw)
	return gzHead{stream: bytes.Clone(buf.Bytes()), crc: crc32.ChecksumIEEE(head)}
}

// body returns the page in a content coding ("" for identity) with nonce in place: the cached
// head, then the rest, which is built at the end of buf. The caller owns buf and may reuse it once
// the page is sent.
func (p *cachedPage) body(coding, nonce string, buf []byte) (head, rest []byte) {
	buf = appendReplaced(buf, p.tail, noncePlaceholder, nonce)
	tail := buf
	switch coding {
	case "br":
		rest = appendBrotliEnd(buf, tail)
		return p.br(), rest[len(tail):]
	case "gzip":
		h := p.gz()
		rest = appendGzipEnd(buf, tail, h.crc, len(p.head)+len(tail))
		return h.stream, rest[len(tail):]
	}
	return p.head, tail
}

// appendReplaced appends src to dst with every old replaced by new.
func appendReplaced(dst, src []byte, old, new string) []byte {
	for {
		i := bytes.Index(src, []byte(old))
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(append(dst, src[:i]...), new...)
		src = src[i+len(old):]
	}
}

// appendBrotliEnd finishes a flushed brotli stream with data stored as is (RFC 7932, section
// 9.2): uncompressed meta-blocks, then an empty last meta-block.
func appendBrotliEnd(out, data []byte) []byte {
	for len(data) > 0 {
		n := min(len(data), 1<<16)
		// ISLAST 0, MNIBBLES 0 (four nibbles), MLEN-1 in 16 bits, ISUNCOMPRESSED 1, then zero
		// bits to the byte boundary: 20 bits in 3 bytes, least significant bit first.
		h := uint32(n-1)<<3 | 1<<19
		out = append(out, byte(h), byte(h>>8), byte(h>>16))
		out = append(out, data[:n]...)
		data = data[n:]
	}
	return append(out, 0b11) // ISLAST 1, ISLASTEMPTY 1
}

// appendGzipEnd finishes a sync-flushed gzip stream with data in a final stored deflate block (RFC
// 1951, section 3.2.4), then the gzip trailer: the CRC-32 and length of the whole page (RFC 1952).
func appendGzipEnd(out, data []byte, headCRC uint32, total int) []byte {
	crc := crc32.Update(headCRC, crc32.IEEETable, data)
	for {
		n := min(len(data), 0xffff)
		final := byte(0)
		if n == len(data) {
			final = 1
		}
		// BFINAL, BTYPE 00 (stored), padding to the byte; then LEN and its complement.
		out = append(out, final)
		out = binary.LittleEndian.AppendUint16(out, uint16(n))
		out = binary.LittleEndian.AppendUint16(out, ^uint16(n))
		out = append(out, data[:n]...)
		data = data[n:]
		if final == 1 {
			break
		}
	}
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(total))
}

// pageCache keeps rendered pages, least recently used first out, within pageCacheBytes.
type pageCache struct {
	mu    sync.Mutex
	max   int
	bytes int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// get looks a page up by its key's bytes, which it does not keep.
func (c *pageCache) get(key []byte) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[string(key)]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedPage), true
	}
	return nil, false
}

func (c *pageCache) put(p *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[p.key]; ok {
		c.bytes -= e.Value.(*cachedPage).size
		e.Value = p
		c.order.MoveToFront(e)
	} else {
		c.items[p.key] = c.order.PushFront(p)
	}
	c.bytes += p.size
	for c.bytes > c.max && c.order.Len() > 1 {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		old := oldest.Value.(*cachedPage)
		delete(c.items, old.key)
		c.bytes -= old.size
	}
}

// appendPageKey appends the name of everything a wizard page depends on: the path (embed or not)
// as the router saw it, the query (answers, notes, embed theme) and, without PUBLIC_URL, the
// origin in its absolute links.
func (s *Server) appendPageKey(dst []byte, r *http.Request) []byte {
	if s.cfg.PublicURL == nil {
		if r.TLS != nil {
			dst = append(dst, "https://"...)
		} else {
			dst = append(dst, "http://"...)
		}
		dst = append(append(dst, r.Host...), ' ')
	}
	dst = append(append(dst, r.URL.EscapedPath()...), '?')
	return append(dst, r.URL.RawQuery...)
}

// built is what a page's build function returns: the page, or nil when build has already
// answered (a redirect), which is not cached.
type built struct {
	page templ.Component
	// seen runs for this response and every later one the cached page serves.
	seen func()
}

// servePage serves the wizard page for r from the cache, or builds, caches and serves it. build
// must depend only on what appendPageKey names, and must not write a 200 itself.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, build func() (built, error)) error {
	// Keys of ordinary length are built on the stack: a hit allocates nothing for them.
	var keyBuf [512]byte
	key := s.appendPageKey(keyBuf[:0], r)
	p, ok := s.pages.get(key)
	if !ok {
		b, err := build()
		if err != nil || b.page == nil {
			return err
		}
		// templ.WithNonce changes the nonce in place when the context already carries templ's
		// values, as the request's does: render in a context of its own.
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer putBuf(buf)
		if err := b.page.Render(templ.WithNonce(context.Background(), noncePlaceholder), buf); err != nil {
			return err
		}
		// A copy of exactly the page's size; the render buffer goes back to its pool.
		p = newCachedPage(string(key), bytes.Clone(buf.Bytes()), b.seen)
		s.pages.put(p)
	}
	if p.seen != nil {
		p.seen()
	}
	setShared(w.Header(), "Cache-Control", hNoCache)
	coding := negotiate(r.Header.Values("Accept-Encoding"))
	rest := bufPool.Get().(*bytes.Buffer)
	rest.Reset()
	rest.Grow(2*len(p.tail) + 256) // the tail with its nonces, then framed: once per pooled buffer
	head, end := p.body(coding, nonceOf(r), rest.AvailableBuffer())
	send(w, r, http.StatusOK, "text/html; charset=utf-8", p.etag[coding], coding, true, head, end)
	putBuf(rest)
	return nil
}
