package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// instrument logs one line per request and, with metrics on, records its duration. Both name the
// route pattern rather than the path, and never the query string, which holds the visitor's
// answers. One wrapper serves both: it runs on every request.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		elapsed := time.Since(start)
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK // nothing written: net/http sends an empty 200
		}
		if s.metrics != nil {
			label := route
			if label == "" {
				label = "unmatched"
			}
			s.metrics.duration.WithLabelValues(label, r.Method, strconv.Itoa(status)).Observe(elapsed.Seconds())
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", elapsed),
			slog.String("request_id", middleware.GetReqID(r.Context())),
		)
	})
}
