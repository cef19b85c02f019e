// Command wizard serves the NestJS / Next.js decision wizard.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"nestnext/decision"
	"nestnext/handlers"
	"nestnext/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wizard:", err)
		var ue *usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// version is stamped at build time (-ldflags "-X main.version=…"); see the Dockerfile.
var version = "dev"

// usageError is a bad setting: the process exits 2 before listening.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// run starts the server and blocks until ctx is cancelled, then shuts down gracefully.
// "wizard validate [FILE]" checks a content file instead, and "wizard healthcheck" probes a
// running server.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "validate":
			return validate(args[2:], stdout)
		case "healthcheck":
			return healthcheck(ctx, args[2:], getenv, stdout)
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// Each line is written as it is logged, so a crash loses none.
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var log *slog.Logger
	if cfg.LogFormat == "json" {
		log = slog.New(slog.NewJSONHandler(stdout, opts))
	} else {
		log = slog.New(slog.NewTextHandler(stdout, opts))
	}
	content, err := loadContent(cfg.ContentFile)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return &usageError{fmt.Sprintf("cannot listen on %s: %v", cfg.Addr, err)}
	}
	public := cfg.PublicURL
	if public == nil {
		public = listenURL(ln.Addr())
		log.Warn("PUBLIC_URL is not set: share, canonical and preview-card links use the listen address; set PUBLIC_URL to the public origin (https://…) in production", "links", public.String())
	}
	var draining atomic.Bool
	hcfg := handlers.Config{
		PublicURL:           public,
		EmbedAllowedOrigins: cfg.EmbedOrigins,
		Ready:               func() bool { return !draining.Load() },
	}
	switch {
	case !cfg.Metrics || cfg.MetricsAddr == "":
		log.Info("metrics are off: set METRICS_ADDR, e.g. 127.0.0.1:9090, to serve them")
	case cfg.MetricsAddr == metricsOnApp:
		hcfg.Metrics, hcfg.ServeMetrics = serve.NewMetrics(), true
		log.Warn("metrics are served on the app's port (METRICS_ADDR=" + metricsOnApp + "): keep /metrics from the public at your proxy")
	default:
		hcfg.Metrics = serve.NewMetrics()
	}
	if hcfg.Metrics != nil && !hcfg.ServeMetrics {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return &usageError{fmt.Sprintf("cannot listen on METRICS_ADDR %s: %v", cfg.MetricsAddr, err)}
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", hcfg.Metrics.Handler())
		msrv := newHTTPServer(mux)
		go msrv.Serve(mln)
		defer msrv.Close()
		log.Info("metrics", "addr", mln.Addr().String())
	}
	handler := handlers.New(content, log, hcfg)
	log.Info("listening", "addr", ln.Addr().String(), "version", version, "content_version", content.Version)
	return runServer(ctx, ln, newHTTPServer(handler), &draining, cfg.DrainPeriod, cfg.ShutdownTimeout, log)
}

// listenURL is the origin links use when PUBLIC_URL is unset: the listen address, with localhost
// for an address that takes every interface.
func listenURL(addr net.Addr) *url.URL {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// runServer runs srv until ctx ends, then drains and shuts down. For the drain period /readyz answers
// 503, so load balancers take this instance out, while every request still gets its answer,
// with Connection: close so clients reconnect elsewhere. Then the listener closes, in-flight
// requests finish (up to timeout), and runServer returns nil.
//
// Idle keep-alive connections stay open through the drain (srv.SetKeepAlivesEnabled(false) would
// close them at once): a load balancer keeps a pool of them, and until its health check has seen
// the 503 it still sends requests down them. Closed under it, such a request is lost (HAProxy
// drops the client's connection; scripts/rolling-restart.sh counted 20-37 per run that way).
func runServer(ctx context.Context, ln net.Listener, srv *http.Server, draining *atomic.Bool, drain, timeout time.Duration, log *slog.Logger) error {
	h := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			w.Header().Set("Connection", "close") // net/http closes the connection after this answer
		}
		h.ServeHTTP(w, r)
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	log.Info("draining", "period", drain)
	select {
	case err := <-errc:
		return err
	case <-time.After(drain):
	}
	log.Info("shutting down", "timeout", timeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// healthcheck probes a running server's /healthz and fails unless it answers 200.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	target := "http://127.0.0.1:8080/healthz"
	if p := getenv("PORT"); p != "" {
		target = "http://127.0.0.1:" + p + "/healthz"
	}
	if len(args) > 0 {
		target = args[0]
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return &usageError{err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", target, resp.Status)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}

func loadContent(file string) (*decision.Content, error) {
	if file == "" {
		return decision.Default()
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return decision.Load(file, data)
}

// validate checks content files (the embedded one when none is named) and reports every problem.
// --html OUT also writes the "How it decides" map of the one file checked to OUT.
func validate(args []string, stdout io.Writer) error {
	var files []string
	htmlOut := ""
	for i := 0; i < len(args); i++ {
		switch a := strings.TrimPrefix(args[i], "-"); {
		case a == "-html" || a == "html":
			if i++; i == len(args) {
				return &usageError{"validate: --html needs a file to write"}
			}
			htmlOut = args[i]
		case strings.HasPrefix(a, "-html=") || strings.HasPrefix(a, "html="):
			htmlOut = a[strings.IndexByte(a, '=')+1:]
		default:
			files = append(files, args[i])
		}
	}
	if htmlOut != "" && len(files) > 1 {
		return &usageError{"validate: --html maps one content file at a time"}
	}
	if len(files) == 0 {
		files = []string{""}
	}
	for _, f := range files {
		c, err := loadContent(f)
		if err != nil {
			return err
		}
		name := f
		if name == "" {
			name = decision.ContentFile + " (embedded)"
		}
		lo, hi := c.PathLengths()
		fmt.Fprintf(stdout, "%s: ok: version %d, %d questions (%d to %d asked), %d table rows\n", name, c.Version, len(c.Questions), lo, hi, len(c.Table))
		if htmlOut != "" {
			var page bytes.Buffer
			if err := handlers.WriteHowHTML(&page, c, name); err != nil {
				return err
			}
			if err := os.WriteFile(htmlOut, page.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: wrote the decision map to %s\n", name, htmlOut)
		}
	}
	return nil
}
