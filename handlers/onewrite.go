package handlers

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
)

// A response should leave in one write. net/http writes the status line and headers into a
// fixed 4 KiB connection buffer and the body after them, so any response over about 3 KB (a
// result page in any coding, a question page without compression) leaves in two writes: two
// system calls, two TCP transmissions and, when the client is waiting, two wake-ups of it. On
// the 2-core VM that second write cost more than the whole router (BENCHMARKS.md).
//
// Listener wraps each accepted connection so that send can gather one response: the connection
// keeps the bytes net/http hands it while a response is gathered, and passes them to the socket
// in one write when send has flushed the response. Everything else passes straight through.
//
// While it gathers, the connection also adds the route's fixed security headers right after the
// status line, from bytes made at start-up, so they never enter net/http's header map (see
// fixedHeaders for why).

// Listener makes the connections ln accepts able to send a response in one write. Use it with
// ConnContext on the same http.Server; either alone changes nothing.
func Listener(ln net.Listener) net.Listener { return oneWriteListener{ln} }

// ConnContext is the http.Server ConnContext that lets send find a connection made by Listener.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if oc, ok := c.(*oneWriteConn); ok {
		return context.WithValue(ctx, oneWriteKey{}, oc)
	}
	return ctx
}

// maxGather is the largest body gathered into one write. Past it, copying costs about what the
// second write saves, and a buffer that large would not go back to the pool (putBuf).
const maxGather = 128 << 10

type oneWriteKey struct{}

type oneWriteListener struct{ net.Listener }

func (l oneWriteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &oneWriteConn{Conn: c}, nil
}

// oneWriteConn is only used by the goroutine net/http serves it from, so it needs no lock.
type oneWriteConn struct {
	net.Conn
	held  *bytes.Buffer // not nil while a response is being gathered
	lines []byte        // header lines still to add after the gathered response's status line
	err   error         // the last gathered write's error, reported on the next write
}

// errNoStatusLine means a gathered response did not start with a status line, so its fixed
// headers had nowhere to go. It fails the response rather than send it without them.
var errNoStatusLine = errors.New("handlers: gathered response does not start with a status line")

func (c *oneWriteConn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.held == nil {
		return c.Conn.Write(p)
	}
	if c.lines != nil {
		// The first bytes of a response are its status line: the header lines go right after
		// it, which HTTP allows (the order of different header fields does not matter).
		end := bytes.Index(p, crlf)
		if end < 0 || !bytes.HasPrefix(p, httpVersion) {
			c.err = errNoStatusLine
			return 0, c.err
		}
		c.held.Write(p[:end+2])
		c.held.Write(c.lines)
		c.held.Write(p[end+2:])
		c.lines = nil
		return len(p), nil
	}
	return c.held.Write(p)
}

var (
	crlf        = []byte("\r\n")
	httpVersion = []byte("HTTP/1.")
)

// CloseWrite keeps net/http's graceful close: it half-closes a TCP connection before closing it,
// so the client reads the whole response instead of a reset.
func (c *oneWriteConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// gather starts gathering a response, with lines (header lines, or nil) to add to its header.
func (c *oneWriteConn) gather(lines []byte) {
	c.held = bufPool.Get().(*bytes.Buffer)
	c.held.Reset()
	c.lines = lines
}

// release writes what was gathered, in one write.
func (c *oneWriteConn) release() {
	b := c.held
	c.held, c.lines = nil, nil
	if b.Len() > 0 && c.err == nil {
		_, c.err = c.Conn.Write(b.Bytes())
	}
	putBuf(b)
}

// gatherer is the connection r came on when it can gather a response of n bytes, else nil.
func gatherer(r *http.Request, n int) *oneWriteConn {
	if n > maxGather || r.ProtoMajor != 1 {
		return nil
	}
	oc, _ := r.Context().Value(oneWriteKey{}).(*oneWriteConn)
	return oc
}
