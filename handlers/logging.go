package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
)

// requestState is what the middleware keeps about one request: its ID, the CSP nonce of its
// response, and what was written. It is the response writer the handlers see, and the one value
// the request's context gains, so the whole chain costs one allocation and one copy of the
// request (it was four of each: a request ID, a response wrapper and templ's nonce context).
type requestState struct {
	http.ResponseWriter
	id     string
	nonce  string        // set by securityHeaders; "" on routes without it
	fixed  *fixedHeaders // set by securityHeaders; added when the response is written (commit)
	status int
	bytes  int
}

type stateKey struct{}

// stateOf is the request's state, or nil outside instrument (a handler tested on its own).
func stateOf(r *http.Request) *requestState {
	st, _ := r.Context().Value(stateKey{}).(*requestState)
	return st
}

// requestID names the request in logs and on error pages ("" outside instrument).
func requestID(r *http.Request) string {
	if st := stateOf(r); st != nil {
		return st.id
	}
	return ""
}

// nonceOf is the CSP nonce of r's response ("" when it has none).
func nonceOf(r *http.Request) string {
	if st := stateOf(r); st != nil {
		return st.nonce
	}
	return ""
}

// commit puts the fixed headers in the header map before the response's header is written, unless
// send has taken them to go out with a gathered response (takeFixedLines).
func (st *requestState) commit() {
	if st.fixed != nil {
		st.fixed.addTo(st.ResponseWriter.Header())
		st.fixed = nil
	}
}

// takeFixedLines hands the fixed headers over as header lines for a gathered response, or nil
// when there are none, or when a handler set one of them itself: that one must win, once.
func (st *requestState) takeFixedLines(h http.Header) []byte {
	if st.fixed == nil || st.fixed.setIn(h) {
		return nil
	}
	lines := st.fixed.lines
	st.fixed = nil
	return lines
}

func (st *requestState) WriteHeader(code int) {
	st.commit()
	// 1xx responses are interim: the final status comes later (101 switches protocols and is final).
	if st.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		st.status = code
	}
	st.ResponseWriter.WriteHeader(code)
}

func (st *requestState) Write(p []byte) (int, error) {
	if st.status == 0 {
		st.commit() // net/http writes the header of a 200 itself
		st.status = http.StatusOK
	}
	n, err := st.ResponseWriter.Write(p)
	st.bytes += n
	return n, err
}

// Flush lets send hand a gathered response to the connection (onewrite.go).
func (st *requestState) Flush() {
	if f, ok := st.ResponseWriter.(http.Flusher); ok {
		if st.status == 0 {
			st.commit()
			st.status = http.StatusOK
		}
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach net/http's writer.
func (st *requestState) Unwrap() http.ResponseWriter { return st.ResponseWriter }

// Request IDs are a random prefix per process, so IDs from several instances or restarts do not
// collide, then a counter.
var (
	requestIDPrefix = func() string {
		var b [5]byte
		rand.Read(b[:])
		return base32.StdEncoding.EncodeToString(b[:])
	}()
	requestCount atomic.Uint64
)

func newRequestID() string {
	var buf [32]byte
	b := append(buf[:0], requestIDPrefix...)
	b = append(b, '-')
	return string(strconv.AppendUint(b, requestCount.Add(1), 10))
}

// upstreamRequestID is the X-Request-Id a proxy in front set, when it is a plain token short
// enough to log; anything else is ignored and the wizard names the request itself.
func upstreamRequestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':' || c == '/') {
			return ""
		}
	}
	return id
}

// instrument names the request, logs one line for it and, with metrics on, records its duration.
// Logs and metrics name the route pattern rather than the path, and never the query string, which
// holds the visitor's answers.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{ResponseWriter: w, id: upstreamRequestID(r)}
		if st.id == "" {
			st.id = newRequestID()
		}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		next.ServeHTTP(st, r)
		end := time.Now()
		elapsed := end.Sub(start)
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		status := st.status
		if status == 0 {
			status = http.StatusOK // nothing written: net/http sends an empty 200
		}
		if s.metrics != nil {
			s.metrics.observeRequest(route, r.Method, status, elapsed)
		}
		if h := s.log.Handler(); h.Enabled(r.Context(), slog.LevelInfo) {
			// A record made here has no caller: slog's Logger methods find theirs by unwinding the
			// stack (runtime.Callers), on every request, for a source this log never shows.
			rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			rec.AddAttrs(
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", st.bytes),
				slog.Duration("duration", elapsed),
				slog.String("request_id", st.id),
			)
			h.Handle(r.Context(), rec)
		}
	})
}
