package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// needWrk skips without wrk, except under CI, which installs it (.ci/run).
func needWrk(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("wrk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is not installed, and CI=true: .ci/run installs it")
		}
		t.Skip("wrk is not installed (apt-get install wrk); skipping")
	}
}

// wrk.lua requests every path given, each thread from its own start, sends the Accept-Encoding
// header, and its done hook reports requests, bytes, latencies and errors as JSON.
func TestWrkScriptReportsTheRun(t *testing.T) {
	needWrk(t)
	var mu sync.Mutex
	hits, encodings, failed := map[string]int{}, map[string]int{}, 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits[r.URL.RequestURI()]++
		encodings[r.Header.Get("Accept-Encoding")]++
		if r.URL.Path == "/missing" {
			failed++
			w.WriteHeader(http.StatusNotFound)
		}
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer ts.Close()

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wrk.lua"), wrkScript, 0o600); err != nil {
		t.Fatal(err)
	}
	self, _ := os.FindProcess(os.Getpid())
	all := "0-" + strconv.Itoa(runtime.NumCPU()-1)
	o := options{threads: 2, loadCPUs: all}
	paths := []string{"/", "/q/build?v=3", "/missing"}
	r, err := o.wrk(t.Context(), dir, &server{base: ts.URL, cmd: &exec.Cmd{Process: self}}, load{accept: "br, gzip", paths: paths, conns: 4}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	served := 0
	for _, p := range paths {
		if hits[p] == 0 {
			t.Errorf("%s was never requested: %v", p, hits)
		}
		served += hits[p]
	}
	if len(hits) != len(paths) || encodings["br, gzip"] != served {
		t.Errorf("requests went elsewhere or without the header: %v, %v", hits, encodings)
	}
	// Requests cut off at the end of the run are served but not counted.
	if r.Requests == 0 || r.Requests > int64(served) || r.Requests < int64(served)-4 {
		t.Errorf("wrk counted %d requests, the server answered %d", r.Requests, served)
	}
	if r.Errors.Status == 0 || r.Errors.Status > int64(failed) {
		t.Errorf("wrk counted %d error statuses, the server sent %d", r.Errors.Status, failed)
	}
	if r.Bytes < 100*r.Requests || r.P50 <= 0 || r.P99 < r.P50 || r.Duration < 900_000 || r.rps() <= 0 {
		t.Errorf("implausible totals: %+v", r)
	}
	if r.cpu <= 0 {
		t.Errorf("the server's CPU time per request was not measured: %v", r.cpu)
	}
}

// cpuTime reads a process's CPU time, also when its name holds spaces and parentheses.
func TestCPUTime(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	odd := filepath.Join(t.TempDir(), "a) (b c")
	if err := os.Symlink(sh, odd); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(odd, "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	stat, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
	if !strings.Contains(string(stat), "(a) (b c)") {
		t.Fatalf("the process is not named as the test needs: %s", stat)
	}
	var used time.Duration
	for deadline := time.Now().Add(10 * time.Second); used < 100*time.Millisecond && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if used, err = cpuTime(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
	}
	if used < 100*time.Millisecond || used > 30*time.Second {
		t.Errorf("a busy loop used %v of CPU", used)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := cpuTime(cmd.Process.Pid); err == nil {
		t.Error("no error for a process that is gone")
	}
}

// The floor answers each URL and Accept-Encoding with the wizard's bytes and coding, and only
// with -floor-headers with its other headers.
func TestFloorServesTheWizardsBytes(t *testing.T) {
	wizard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Wizard", "yes")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
			w.Header().Set("Content-Encoding", "br")
		}
		io.WriteString(w, r.URL.RequestURI()+" "+r.Header.Get("Accept-Encoding"))
	}))
	defer wizard.Close()
	for _, headers := range []string{"type", "all"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		go serveFloor([]string{wizard.URL, headers, ln.Addr().String()}) // runs until the test ends
		floor := "http://" + ln.Addr().String()
		client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		var body []byte
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if body, _, err = fetch(t.Context(), client, floor+"/healthz", ""); err == nil {
				break
			}
		}
		if string(body) != "ok" {
			t.Fatalf("%s: the floor did not start: %v", headers, err)
		}
		for _, accept := range []string{"", codings["br"], mixAccept, "gzip"} {
			for _, path := range mixPaths {
				got, hdr, err := fetch(t.Context(), client, floor+path, accept)
				if want := path + " " + accept; err != nil || string(got) != want {
					t.Errorf("%s: GET %s, Accept-Encoding %q: %q, %v; want %q", headers, path, accept, got, err, want)
				}
				if want := map[bool]string{true: "br"}[strings.Contains(accept, "br")]; hdr.Get("Content-Encoding") != want || hdr.Get("Content-Type") != "text/plain" {
					t.Errorf("%s: GET %s, Accept-Encoding %q: headers %v", headers, path, accept, hdr)
				}
				if (hdr.Get("X-Wizard") != "") != (headers == "all") {
					t.Errorf("%s: GET %s: X-Wizard %q", headers, path, hdr.Get("X-Wizard"))
				}
			}
		}
	}
}
