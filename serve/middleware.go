package serve

import (
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Headers sets fixed headers on every response before the handler runs, which may still change
// them. The values are made once and assigned to every response's header map, which saves an
// allocation per header per response; each is clipped to its length, so an append to one (a
// handler's Header.Add, a Vary) copies it instead of writing into what other responses share.
func Headers(set http.Header) func(http.Handler) http.Handler {
	fixed := make(http.Header, len(set))
	for k, v := range set {
		fixed[http.CanonicalHeaderKey(k)] = slices.Clip(slices.Clone(v))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for k, v := range fixed {
				h[k] = v
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Instrument names each request, then logs one line and records its duration, by route pattern,
// never by path or query (which holds the visitor's answers). A request whose client went away
// is recorded with status 499 (nginx's "client closed request"), not as a server error.
type Instrument struct {
	Log     *slog.Logger
	Metrics *Metrics // nil: no metrics
	// Route names the route r matched ("" for none); it runs after the handler.
	Route func(r *http.Request) string
}

// StatusClientClosed is the status recorded for a request the client abandoned.
const StatusClientClosed = 499

// Middleware is Instrument as middleware.
func (in Instrument) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, id: upstreamRequestID(r)}
		if rec.id == "" {
			rec.id = newRequestID()
		}
		next.ServeHTTP(rec, r)
		end := time.Now()
		status := rec.status
		switch {
		case r.Context().Err() != nil && (status == 0 || status >= 500):
			status = StatusClientClosed
		case status == 0:
			status = http.StatusOK // nothing written: net/http sends an empty 200
		}
		route := in.Route(r)
		if in.Metrics != nil {
			in.Metrics.observe(route, r.Method, status, end.Sub(start))
		}
		if h := in.Log.Handler(); h.Enabled(r.Context(), slog.LevelInfo) {
			// Without a caller: slog's Logger methods unwind the stack to find one.
			line := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			line.AddAttrs(
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", rec.bytes),
				slog.Duration("duration", end.Sub(start)),
				slog.String("request_id", rec.id),
			)
			h.Handle(r.Context(), line)
		}
	})
}

// recorder notes a response's status and size, and carries the request's ID (the request's
// context would cost a copy of the request).
type recorder struct {
	http.ResponseWriter
	id            string
	status, bytes int
}

func (rec *recorder) WriteHeader(code int) {
	// 1xx responses are interim: the final status comes later.
	if rec.status == 0 && code >= 200 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach net/http's writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// RequestID names the request w answers, in logs and on error pages ("" outside Instrument).
func RequestID(w http.ResponseWriter) string {
	for {
		switch v := w.(type) {
		case *recorder:
			return v.id
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return ""
		}
	}
}

// Request IDs are a random prefix per process (so instances and restarts do not collide) and a
// counter.
var (
	requestIDPrefix = func() string {
		var b [5]byte
		rand.Read(b[:])
		return base32.StdEncoding.EncodeToString(b[:])
	}()
	requestCount atomic.Uint64
)

func newRequestID() string {
	return requestIDPrefix + "-" + strconv.FormatUint(requestCount.Add(1), 10)
}

// upstreamRequestID is the X-Request-Id a proxy in front set, when it is a plain token short
// enough to log, else "".
func upstreamRequestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	odd := func(c rune) bool {
		return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("-_.:/", c))
	}
	if len(id) > 64 || strings.ContainsFunc(id, odd) {
		return ""
	}
	return id
}
