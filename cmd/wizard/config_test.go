package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // part of the error; "" means valid
	}{
		{"defaults", nil, nil, ""},
		{"flags override env", []string{"-port", "9001"}, map[string]string{"PORT": "abc"}, ""},
		{"bad port", nil, map[string]string{"PORT": "70000"}, `PORT="70000": must be a port number`},
		{"bad public url", nil, map[string]string{"PUBLIC_URL": "wizard.example.com"}, `PUBLIC_URL="wizard.example.com"`},
		{"public url with path", []string{"-public-url", "https://x.example/app"}, nil, "with no path"},
		{"bad origin", nil, map[string]string{"EMBED_ALLOWED_ORIGINS": "https://ok.example 'unsafe-inline'"}, "is not a frame-ancestors source"},
		{"bad origin injection", nil, map[string]string{"EMBED_ALLOWED_ORIGINS": "https://a.example; script-src *"}, "is not a frame-ancestors source"},
		{"none alone", nil, map[string]string{"EMBED_ALLOWED_ORIGINS": "'none'"}, ""},
		{"bad log level", nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad log format", []string{"-log-format", "xml"}, nil, "must be text or json"},
		{"bad metrics", nil, map[string]string{"METRICS": "yes"}, "must be on or off"},
		{"bad timeout", nil, map[string]string{"SHUTDOWN_TIMEOUT": "-1s"}, "must be a duration"},
		{"bad drain", nil, map[string]string{"DRAIN_PERIOD": "soon"}, "DRAIN_PERIOD"},
		{"unknown flag", []string{"-colour"}, nil, "flag provided but not defined"},
		{"stray argument", []string{"serve"}, nil, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"wizard"}, tt.args...)
			cfg, err := parseConfig(args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if cfg.Addr == "" {
					t.Error("no listen address")
				}
				return
			}
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want usage error containing %q, got %v", tt.want, err)
			}
		})
	}
}

// The embed allowlist follows PUBLIC_URL, never the listen address: unset (a development set-up,
// as the quick start runs) local pages may frame the embed, whatever the address; with a public
// origin, https only, a loopback bind behind a proxy included.
func TestEmbedDefaults(t *testing.T) {
	dev, prod := "https: http://localhost:* http://127.0.0.1:*", "https:"
	for _, tc := range []struct{ addr, public, want string }{
		{"", "", dev}, // the quick start: go run ./cmd/wizard
		{":8080", "", dev},
		{"0.0.0.0:8080", "", dev},
		{"127.0.0.1:8080", "", dev},
		{"[::1]:8080", "", dev},
		{":8080", "https://wizard.example.com", prod},
		{"127.0.0.1:8080", "https://wizard.example.com", prod},
		{"localhost:8080", "https://wizard.example.com", prod},
		{"127.0.0.1:8080", "http://intranet.example:8080", prod},
	} {
		args := []string{"wizard"}
		if tc.addr != "" {
			args = append(args, "-addr", tc.addr)
		}
		cfg, err := parseConfig(args, func(k string) string { return map[string]string{"PUBLIC_URL": tc.public}[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cfg.EmbedOrigins, " "); got != tc.want {
			t.Errorf("addr %q, PUBLIC_URL %q: %q, want %q", tc.addr, tc.public, got, tc.want)
		}
	}
}

// Every setting is listed by -h.
func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"wizard", "-h"}, func(string) string { return "" }, io.Discard, &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), "-"+s.flag) || !strings.Contains(out.String(), s.env) {
			t.Errorf("-h does not list %s / %s", s.flag, s.env)
		}
	}
}

// The settings table in docs/operations.md is the list -h prints, in Markdown: a row for every
// setting and a setting for every row, in the same order, each with its flag, variable, default
// (empty where there is none) and meaning. Code spans aside, the cells say what -h says.
func TestSettingsTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Settings\n")
	if !ok {
		t.Fatal(`docs/operations.md has no "## Settings" section`)
	}
	var rows [][]string
	reading := false
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "|") {
			if reading {
				break // the first table of the section ends here
			}
			continue
		}
		reading = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(strings.TrimSpace(c), "`", "")
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 || strings.Join(rows[0], "|") != "flag|environment|default|meaning" {
		t.Fatalf("the Settings section does not start with a flag | environment | default | meaning table: %q", rows)
	}
	rows = rows[2:] // the header and the separator

	inTable, inCode := map[string]bool{}, map[string]bool{}
	for _, s := range settings {
		inCode["-"+s.flag] = true
	}
	for i, r := range rows {
		if len(r) != 4 {
			t.Fatalf("row %d has %d cells, want 4: %q", i+1, len(r), r)
		}
		inTable[r[0]] = true
		if !inCode[r[0]] {
			t.Errorf("the table lists %s, which is not a setting", r[0])
		}
		if i >= len(settings) || r[0] != "-"+settings[i].flag {
			continue // a row -h does not have, or not in -h's order: reported by name
		}
		s := settings[i]
		if r[1] != s.env {
			t.Errorf("-%s: the table says variable %s, the code %s", s.flag, r[1], s.env)
		}
		if r[2] != s.def {
			t.Errorf("-%s: the table says default %q, the code %q", s.flag, r[2], s.def)
		}
		if r[3] != s.help {
			t.Errorf("-%s: the table's meaning is not -h's:\n table: %s\n    -h: %s", s.flag, r[3], s.help)
		}
	}
	for i, s := range settings {
		if !inTable["-"+s.flag] {
			t.Errorf("-%s (%s) is not in the table", s.flag, s.env)
		} else if i >= len(rows) || rows[i][0] != "-"+s.flag {
			t.Errorf("-%s is not row %d of the table, as it is in -h", s.flag, i+1)
		}
	}
}

// A request that started before shutdown finishes with 200; /readyz turns 503 meanwhile; serve
// returns nil.
func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var draining atomic.Bool
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(500 * time.Millisecond)
		w.Write([]byte("done"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServer(ctx, ln, newHTTPServer(mux), &draining, 0, 10*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	base := "http://" + ln.Addr().String()
	result := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			result <- -1
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	<-started
	cancel() // what SIGTERM does through signal.NotifyContext
	if code := <-result; code != http.StatusOK {
		t.Fatalf("in-flight request got %d", code)
	}
	if !draining.Load() {
		t.Error("readiness did not turn off")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return")
	}
}

func TestHealthcheckCommand(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"PORT": port, "METRICS": "off"}
	go run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	var err error
	for range 200 {
		if err = run(context.Background(), []string{"wizard", "healthcheck"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("healthcheck against a running server: %v", err)
	}
	if err := run(context.Background(), []string{"wizard", "healthcheck", "http://127.0.0.1:1/healthz"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck against nothing should fail")
	}
}
