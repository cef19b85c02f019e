package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Response bodies go out through writeBody: it answers If-None-Match with 304, and compresses
// text with brotli or gzip when the client accepts it. Static assets bring their own
// precompressed variants, made once at start-up.

// encoded is a body in one content coding ("" for identity).
type encoded struct {
	coding string
	body   []byte
}

// minCompress is the size below which compression costs more than it saves.
const minCompress = 512

// etagOf is a strong validator for a body: equal bytes give equal tags on every instance.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// writeBody writes body with the status. etag may be empty (no validator). variants, when given,
// are precompressed codings of body; otherwise compressible bodies are compressed here.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte, etag string, variants ...encoded) {
	compressible := isCompressible(contentType) && len(body) >= minCompress
	chosen := encoded{body: body}
	if coding := negotiate(r.Header.Values("Accept-Encoding")); coding != "" {
		for _, v := range variants {
			if v.coding == coding {
				chosen = v
			}
		}
		if chosen.coding == "" && compressible && len(variants) == 0 {
			chosen = compress(coding, body)
		}
	}
	send(w, r, status, contentType, withCoding(etag, chosen.coding), chosen.coding, compressible || len(variants) > 0, chosen.body)
}

// send writes a body, given as pieces, in a content coding ("" for identity), or a 304 when the
// client's copy is current. etag is the coding's own tag (or empty); vary says the body depends on
// Accept-Encoding.
func send(w http.ResponseWriter, r *http.Request, status int, contentType, etag, coding string, vary bool, body ...[]byte) {
	h := w.Header()
	if vary {
		if _, ok := h["Vary"]; ok {
			h.Add("Vary", "Accept-Encoding")
		} else {
			setShared(h, "Vary", hVaryCoding)
		}
	}
	if etag != "" {
		// Each coding is its own representation and needs its own strong tag.
		h["Etag"] = []string{etag}
		if status == http.StatusOK && etagMatch(r.Header.Values("If-None-Match"), etag) {
			// The cached body's own CSP (and its nonce) must stay with it.
			h.Del("Content-Security-Policy")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if contentType == hHTML[0] {
		setShared(h, "Content-Type", hHTML)
	} else {
		h.Set("Content-Type", contentType)
	}
	if coding != "" {
		if v, ok := hCodings[coding]; ok {
			setShared(h, "Content-Encoding", v)
		} else {
			h.Set("Content-Encoding", coding)
		}
	}
	n := 0
	for _, b := range body {
		n += len(b)
	}
	h.Set("Content-Length", strconv.Itoa(n))
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	if oc := gatherer(r, n); oc != nil {
		if f, ok := w.(http.Flusher); ok {
			// The connection gathers the headers and the pieces, copying each once, and the
			// flush hands them over: one write (see onewrite.go). The fixed security headers
			// go in as bytes rather than through the header map (fixedHeaders).
			var lines []byte
			if st := stateOf(r); st != nil {
				lines = st.takeFixedLines(h)
			}
			oc.gather(lines)
			defer oc.release()
			w.WriteHeader(status)
			for _, b := range body {
				w.Write(b)
			}
			f.Flush()
			return
		}
	}
	w.WriteHeader(status)
	if len(body) == 1 {
		w.Write(body[0])
		return
	}
	// One write: separate ones can go out as separate TCP segments (and system calls), which
	// cost more than copying the pieces together.
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	for _, b := range body {
		buf.Write(b)
	}
	w.Write(buf.Bytes())
	putBuf(buf)
}

// withCoding is the tag writeBody gives a body in a content coding.
func withCoding(etag, coding string) string {
	if coding == "" || etag == "" {
		return etag
	}
	return etag[:len(etag)-1] + "-" + coding + `"`
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

func isCompressible(contentType string) bool {
	for _, p := range []string{"text/", "application/json", "application/problem+json", "image/svg+xml"} {
		if strings.HasPrefix(contentType, p) {
			return true
		}
	}
	return false
}

// negotiate picks br, then gzip, from Accept-Encoding; a coding with q=0 is refused. It runs on
// every page, so it allocates nothing for the headers browsers send.
func negotiate(header []string) string {
	br, gz := false, false
	for _, line := range header {
		for part := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(part, ";")
			q := strings.ReplaceAll(params, " ", "")
			accepted := !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
			switch name = strings.TrimSpace(name); {
			case strings.EqualFold(name, "br"):
				br = accepted
			case strings.EqualFold(name, "gzip"):
				gz = accepted
			}
		}
	}
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}

// brotliPool keeps brotli writers: a new one allocates about 1 MB of tables (1.1 MB per request
// measured); Reset reuses them and gives the same bytes.
var brotliPool = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, dynamicBrotliLevel) }}

// Pages differ in every response (the CSP nonce), so they are compressed per response at fast
// levels: brotli 1 and gzip 1 take about 0.1 ms for a 27 KB result page and give about 6.7 KB,
// where brotli 5 took 0.5 ms for 5.4 KB (measured on the CI machine type). Static assets are
// compressed once at start-up at high levels instead.
const (
	dynamicBrotliLevel = 1
	dynamicGzipLevel   = 1
)

var compressSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, dynamicGzipLevel)
	return w
}}

// compress encodes a dynamic body at the fast levels above.
func compress(coding string, body []byte) encoded {
	// Compression is pure CPU: more at once than there are cores only multiplies the encoders
	// held in memory (about 1 MB each for brotli), not the throughput.
	compressSlots <- struct{}{}
	defer func() { <-compressSlots }()
	var buf bytes.Buffer
	buf.Grow(len(body) / 3)
	switch coding {
	case "br":
		bw := brotliPool.Get().(*brotli.Writer)
		bw.Reset(&buf)
		bw.Write(body)
		bw.Close()
		bw.Reset(nil)
		brotliPool.Put(bw)
	case "gzip":
		gw := gzipPool.Get().(*gzip.Writer)
		gw.Reset(&buf)
		gw.Write(body)
		gw.Close()
		gzipPool.Put(gw)
	default:
		return encoded{body: body}
	}
	return encoded{coding: coding, body: buf.Bytes()}
}
