package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"nestnext/handlers"
)

// config is every setting, read from flags, then environment variables, then defaults.
type config struct {
	Port            int
	Addr            string
	PublicURL       *url.URL
	EmbedOrigins    []string
	LogLevel        slog.Level
	LogFormat       string
	ShutdownTimeout time.Duration
	DrainPeriod     time.Duration
	ContentFile     string
	Metrics         bool
	MetricsAddr     string
}

// setting is one configurable value: its flag, its environment variable, its default and a parser
// that validates it. -h prints this list; the settings table in docs/operations.md is written by
// hand, and TestSettingsTable holds it to this list, row for row.
type setting struct {
	flag, env, def, help string
	set                  func(c *config, v string) error
}

var settings = []setting{
	{"port", "PORT", "8080", "TCP port to listen on (all interfaces)", func(c *config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("must be a port number from 1 to 65535")
		}
		c.Port = n
		return nil
	}},
	{"addr", "ADDR", "", "full listen address, e.g. 127.0.0.1:9000 (overrides PORT)", func(c *config, v string) error {
		c.Addr = v
		return nil
	}},
	{"public-url", "PUBLIC_URL", "", "public origin for every absolute link (canonical, share and preview-card links, the decision record, the API's URLs), e.g. https://wizard.example.com; https also turns on HSTS. Unset: http:// and the listen address (localhost for all interfaces), with a warning in the log, and local http://localhost pages may frame the embed (a development set-up)", func(c *config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("must be an absolute http(s) URL with no path, like https://wizard.example.com")
		}
		c.PublicURL = &url.URL{Scheme: u.Scheme, Host: u.Host}
		return nil
	}},
	{"embed-allowed-origins", "EMBED_ALLOWED_ORIGINS", "", "space-separated CSP frame-ancestors sources allowed to embed /embed/ pages; 'none' alone forbids embedding. Unset: " + strings.Join(handlers.DefaultEmbedAllowedOrigins, " ") + ", plus http://localhost:* http://127.0.0.1:* while PUBLIC_URL is unset, for local development", func(c *config, v string) error {
		if v == "" {
			return nil
		}
		origins := strings.Fields(v)
		if len(origins) == 0 {
			return fmt.Errorf("must list at least one source, or 'none'")
		}
		for _, o := range origins {
			if !frameSource.MatchString(o) && !(o == "'none'" && len(origins) == 1) {
				return fmt.Errorf("%q is not a frame-ancestors source (use https://example.com, https://*.example.com, http://localhost:*, https: or 'none' alone)", o)
			}
		}
		c.EmbedOrigins = origins
		return nil
	}},
	{"log-level", "LOG_LEVEL", "info", "debug, info, warn or error", func(c *config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"log-format", "LOG_FORMAT", "text", "text or json", func(c *config, v string) error {
		if v != "text" && v != "json" {
			return fmt.Errorf("must be text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"metrics-addr", "METRICS_ADDR", "", "serve Prometheus /metrics on this address, a listener of its own, e.g. 127.0.0.1:9090 (:9090 in a container, on a port you do not publish); " + metricsOnApp + ": on the app's own port, only behind a proxy that keeps /metrics private. Unset: no metrics", func(c *config, v string) error {
		c.MetricsAddr = v
		return nil
	}},
	{"metrics", "METRICS", "on", "on or off: off turns metrics off even where METRICS_ADDR points", func(c *config, v string) error {
		c.Metrics = v == "on"
		if v != "on" && v != "off" {
			return fmt.Errorf("must be on or off")
		}
		return nil
	}},
	{"shutdown-timeout", "SHUTDOWN_TIMEOUT", "20s", "how long in-flight requests may take to finish once the drain is over", duration(func(c *config) *time.Duration { return &c.ShutdownTimeout }, 1)},
	{"drain-period", "DRAIN_PERIOD", "3s", "after SIGTERM, how long /readyz answers 503 while requests are still served (with Connection: close), so load balancers stop sending traffic before the listener closes", duration(func(c *config) *time.Duration { return &c.DrainPeriod }, 0)},
	{"content", "CONTENT_FILE", "", "serve this content file from disk instead of the embedded decision/content.yaml (handy while editing)", func(c *config, v string) error {
		c.ContentFile = v
		return nil
	}},
}

// metricsOnApp is the METRICS_ADDR that asks for /metrics on the app's own port. Nothing else
// does: the metrics show the Go version, memory and traffic, and their funnel counters can be
// inflated by anyone who can reach them.
const metricsOnApp = "app"

// duration parses a setting of at least min into the field it picks.
func duration(field func(*config) *time.Duration, min time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < min {
			return fmt.Errorf("must be a duration such as 3s, at least %s", min)
		}
		*field(c) = d
		return nil
	}
}

// frameSource accepts scheme sources (https:) and origins with optional wildcard host or port.
var frameSource = regexp.MustCompile(`^(https?:|https?://(\*\.)?[a-zA-Z0-9.-]+(:(\d{1,5}|\*))?)$`)

// errHelp means -h was asked for: usage was printed and the process should exit 0.
var errHelp = errors.New("help requested")

// parseConfig reads flags (which win), then the environment, then defaults, and validates all.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := make([]*string, len(settings))
	for i, s := range settings {
		vals[i] = fs.String(s.flag, "", s.help)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stderr)
			return nil, errHelp
		}
		return nil, &usageError{err.Error() + " (run with -h for every setting)"}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{fmt.Sprintf("unexpected argument %q (run with -h for every setting)", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	c := &config{}
	var problems []string
	for i, s := range settings {
		v, from := s.def, "default"
		if e := getenv(s.env); e != "" {
			v, from = e, s.env
		}
		if set[s.flag] {
			v, from = *vals[i], "-"+s.flag
		}
		if err := s.set(c, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s=%q: %v", from, v, err))
		}
	}
	if len(problems) > 0 {
		return nil, &usageError{"invalid settings:\n  " + strings.Join(problems, "\n  ")}
	}
	if c.Addr == "" {
		c.Addr = ":" + strconv.Itoa(c.Port)
	}
	if c.EmbedOrigins == nil {
		// Without PUBLIC_URL this is a development set-up (the quick start), whatever the address:
		// local test pages may frame the embed. A bind address says nothing of who reaches the
		// server (a proxy on the same host makes a loopback bind public).
		c.EmbedOrigins = handlers.DefaultEmbedAllowedOrigins
		if c.PublicURL == nil {
			c.EmbedOrigins = handlers.DevEmbedAllowedOrigins
		}
	}
	return c, nil
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `wizard serves the "NestJS, Next.js, or both?" decision wizard.

Usage:
  wizard [flags]           serve (flags override environment variables)
  wizard validate [FILE] [--html OUT]
                           check a content file (default: the embedded one) and exit;
                           --html writes its "How it decides" map to OUT
  wizard healthcheck [URL] exit 0 if URL (default http://127.0.0.1:$PORT/healthz) answers 200;
                           for container health checks on images without curl

Settings:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  flag\tenvironment\tdefault\tmeaning")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(tw, "  -%s\t%s\t%s\t%s\n", s.flag, s.env, def, s.help)
	}
	tw.Flush()
}
