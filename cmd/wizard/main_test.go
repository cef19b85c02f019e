package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
// then cancels the context and expects a clean exit.
func TestRunServesAndShutsDown(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"PORT": port}
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, &stdout, &stderr)
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
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(stdout.String(), "request") {
		t.Errorf("no request log in %q", stdout.String())
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
