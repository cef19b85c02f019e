// Command wizard serves the NestJS / Next.js decision wizard.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"nestnext/decision"
	"nestnext/handlers"
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
// "wizard validate [FILE]" checks a content file instead and exits.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "validate" {
		return validate(args[2:], stdout)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}

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
	srv := &http.Server{
		Handler: handlers.New(content, log, handlers.Config{
			PublicURL:           cfg.PublicURL,
			EmbedAllowedOrigins: cfg.EmbedOrigins,
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	log.Info("listening", "addr", ln.Addr().String(), "version", version, "content_version", content.Version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
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
func validate(files []string, stdout io.Writer) error {
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
	}
	return nil
}
