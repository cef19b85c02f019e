package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// TestRunServesAndShutsDown starts the real server through run, waits for /healthz, checks a page,
// then cancels the context and expects a clean exit, with each log line written as it was logged
// (one write per line: nothing waits in a buffer for a crash to lose).
func TestRunServesAndShutsDown(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"PORT": port}
	var stderr bytes.Buffer
	var mu sync.Mutex
	var writes []string
	stdout := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		writes = append(writes, string(p))
		return len(p), nil
	})
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, stdout, &stderr)
	}()

	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v; stderr: %s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(base + "/")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %v %v", resp, err)
	}
	resp.Body.Close()
	// With no settings, nothing about the server's insides is on the public port.
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics with no settings: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	mu.Lock()
	defer mu.Unlock()
	if log := strings.Join(writes, ""); !strings.Contains(log, "request") {
		t.Errorf("no request log in %q", log)
	}
	for _, w := range writes {
		if strings.Count(w, "\n") != 1 || !strings.HasSuffix(w, "\n") {
			t.Errorf("a write that is not one log line: %q", w)
		}
	}
}

func TestRunRefusesInvalidContent(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "content.yaml")
	os.WriteFile(bad, []byte("version: 1\nquestions: []\nsurprise: true\n"), 0o644)
	err := run(context.Background(), []string{"wizard", "-content", bad}, func(k string) string { return map[string]string{"PORT": freePort(t)}[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), bad+":3:") {
		t.Fatalf("want a file:line error for invalid content, got %v", err)
	}
}

func TestValidateCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"wizard", "validate"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ok: version") {
		t.Errorf("validate output %q", out.String())
	}
}

func TestBadFlagIsUsageError(t *testing.T) {
	err := run(context.Background(), []string{"wizard", "-nope"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
	var ue *usageError
	if !errors.As(err, &ue) {
		t.Fatalf("want usageError, got %v", err)
	}
}

func TestValidateWritesTheMap(t *testing.T) {
	out := filepath.Join(t.TempDir(), "map.html")
	var log bytes.Buffer
	if err := run(context.Background(), []string{"wizard", "validate", "../../decision/content.yaml", "--html", out}, func(string) string { return "" }, &log, &log); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "How the wizard decides") || !strings.Contains(log.String(), "wrote the decision map to "+out) {
		t.Errorf("validate --html: %q; page of %d bytes", log.String(), len(page))
	}
	for _, args := range [][]string{{"--html"}, {"a.yaml", "b.yaml", "--html=x.html"}} {
		err := run(context.Background(), append([]string{"wizard", "validate"}, args...), func(string) string { return "" }, &log, &log)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("validate %v: want a usage error, got %v", args, err)
		}
	}
}

// After SIGTERM the server drains: /readyz answers 503 while pages are still served, with
// Connection: close, and only then does the listener close. /metrics is on METRICS_ADDR only.
func TestDrainThenShutdown(t *testing.T) {
	port, metricsPort := freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"PORT": port, "DRAIN_PERIOD": "1500ms", "METRICS_ADDR": "127.0.0.1:" + metricsPort}
	var stdout bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, &stdout, io.Discard)
	}()
	base := "http://127.0.0.1:" + port
	client := &http.Client{Timeout: 5 * time.Second}
	status := func(url string) (int, bool) {
		resp, err := client.Get(url)
		if err != nil {
			return -1, false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Close
	}
	deadline := time.Now().Add(10 * time.Second)
	for code, _ := status(base + "/readyz"); code != http.StatusOK; code, _ = status(base + "/readyz") {
		if time.Now().After(deadline) {
			t.Fatal("server did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := status("http://127.0.0.1:" + metricsPort + "/metrics"); code != http.StatusOK {
		t.Errorf("METRICS_ADDR /metrics: %d", code)
	}
	if code, _ := status(base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the app port with METRICS_ADDR set: %d", code)
	}
	// A keep-alive connection made before SIGTERM and idle when it comes, as in a load
	// balancer's pool: its next request must still be answered during the drain.
	idle, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idleReader := bufio.NewReader(idle)
	onIdle := func() (int, bool, error) {
		idle.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(idle, "GET /q/build?v=3 HTTP/1.1\r\nHost: wizard\r\n\r\n"); err != nil {
			return 0, false, err
		}
		resp, err := http.ReadResponse(idleReader, nil)
		if err != nil {
			return 0, false, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Close, nil
	}
	if code, closed, err := onIdle(); err != nil || code != http.StatusOK || closed {
		t.Fatalf("before SIGTERM, on a kept-alive connection: %d, close %v, %v", code, closed, err)
	}
	cancel() // what SIGTERM does through signal.NotifyContext
	time.Sleep(100 * time.Millisecond)
	if code, closed, err := onIdle(); err != nil || code != http.StatusOK || !closed {
		t.Errorf("during the drain, on a connection idle since before it: %d, Connection: close %v, %v; want 200 and close", code, closed, err)
	}
	if code, _ := status(base + "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the drain: %d, want 503", code)
	}
	if code, closed := status(base + "/q/build?v=1"); code != http.StatusOK || !closed {
		t.Errorf("a page during the drain: %d, Connection: close %v; want 200 and close", code, closed)
	}
	select {
	case err := <-done:
		t.Fatalf("run returned during the drain: %v", err)
	default:
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the drain")
	}
	if code, _ := status(base + "/readyz"); code != -1 {
		t.Errorf("still listening after shutdown: %d", code)
	}
}

// Without PUBLIC_URL links use the listen address, and the log says so.
func TestPublicURLFallback(t *testing.T) {
	if got := listenURL(&net.TCPAddr{Port: 8080}).String(); got != "http://localhost:8080" {
		t.Errorf("all interfaces: %s", got)
	}
	if got := listenURL(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 9000}).String(); got != "http://127.0.0.1:9000" {
		t.Errorf("loopback: %s", got)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// METRICS_ADDR=app is the one way to put /metrics on the app's port.
func TestMetricsOnTheAppPortWhenAsked(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"PORT": port, "METRICS_ADDR": "app", "DRAIN_PERIOD": "0s"}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	defer func() { cancel(); <-done }()
	url := "http://127.0.0.1:" + port + "/metrics"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "wizard_starts_total") {
				t.Errorf("GET /metrics with METRICS_ADDR=app: %d", resp.StatusCode)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %v", err)
		}
	}
}
