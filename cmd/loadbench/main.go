// Command loadbench measures the wizard under load next to a floor: a plain net/http server that
// answers each URL with the wizard's bytes for it, from memory. Both run as separate processes on
// 127.0.0.1, driven alternately by wrk with the same settings, so a ratio says how much of the
// machine's HTTP capacity the wizard keeps: each page in each Accept-Encoding (-codings), then a
// mixed load (-mix). Several -wizard binaries (scripts/loadbench.sh BASELINE=commit adds an older
// one) run in the same rounds, next to one floor serving the first one's bytes. wrk runs wrk.lua,
// whose done hook writes JSON: no text of wrk's is parsed. Also measured: CPU time per request,
// start-up and peak RSS. Every run is bounded by -d, the whole program by -timeout.
package main

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const answers = "build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"

// pages are the start page, the first question and the result of a complete answer set (the
// heaviest page: it evaluates every counterfactual).
var pages = [][2]string{{"start", "/"}, {"question", "/q/build?v=3"}, {"result", "/result?" + answers}}

// mixPaths are the mixed load: pages, the API, the embed and the decision record, in the
// proportions a visit makes them (the question pages most). They include the pages.
var mixPaths = []string{"/", "/q/build?v=3", "/q/logic?build=platform&v=3",
	"/q/realtime?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&v=3",
	"/result?" + answers, "/api/v1/decision", "/api/v1/result?" + answers, "/embedding",
	"/embed/result?" + answers, "/result.md?" + answers}

// codings are the pages' Accept-Encoding profiles: no header (wrk's default), Chromium's, gzip.
var codings = map[string]string{"identity": "", "br": "gzip, deflate, br, zstd", "gzip": "gzip"}

const (
	mixAccept = "br, gzip"      // what the mix sends
	warmup    = 2 * time.Second // an unmeasured wrk run against each server before each load
)

//go:embed wrk.lua
var wrkScript []byte

type options struct {
	threads, conns, mixConns, rounds, startups int
	duration                                   time.Duration
	codings, logLevel, serverCPUs, loadCPUs    string // CPUs as taskset lists
	mix, floorHeaders                          bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-serve-floor" { // the floor: this program started again
		fmt.Fprintln(os.Stderr, "loadbench floor:", serveFloor(os.Args[2:]))
		os.Exit(1)
	}
	var o options
	wizards := flag.String("wizard", "", "wizard binaries, comma-separated, measured in the same rounds (scripts/loadbench.sh builds them)")
	flag.IntVar(&o.conns, "c", 64, "wrk connections for each page")
	flag.IntVar(&o.mixConns, "mix-c", 256, "wrk connections for the mixed load")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "duration of each measured wrk run")
	flag.IntVar(&o.rounds, "rounds", 1, "measured rounds per load, each the floor then every wizard (the table shows the median round)")
	flag.IntVar(&o.startups, "startups", 20, "start-up measurements per wizard (process start to first 200 on /healthz)")
	flag.StringVar(&o.codings, "codings", "identity,br", "Accept-Encoding profiles to measure each page with, comma-separated: identity (none, wrk's default), br (a browser's), gzip; empty: no pages")
	flag.BoolVar(&o.mix, "mix", true, "also run the mixed load (every kind of page, the API, the embed and the decision record, Accept-Encoding: br, gzip)")
	flag.StringVar(&o.logLevel, "log-level", "info", "the wizard's LOG_LEVEL (info logs a line per request; warn logs none)")
	flag.BoolVar(&o.floorHeaders, "floor-headers", false, "the floor also sends every response header the wizard sent for the URL (Date aside), through http.Header: the same bytes on the wire, so the ratio leaves out what the wizard's headers cost net/http and measures its own work")
	pin := flag.Bool("pin", true, "pin the servers to CPU 0 and wrk to the other CPUs (taskset; needs 2 or more CPUs)")
	timeout := flag.Duration("timeout", 15*time.Minute, "give up after this long")
	flag.Parse()
	// Pinned, a server has CPU 0 to itself (Go sets GOMAXPROCS from the affinity it starts with)
	// and wrk a thread on each other CPU. Unpinned on 2 cores, the scheduler's choices decide the
	// tail latency: identical runs vary by 20 % or more, pinned ones by about 1 %.
	n := runtime.NumCPU()
	all := "0-" + strconv.Itoa(n-1)
	o.serverCPUs, o.loadCPUs, o.threads = all, all, 2
	if *pin && n > 1 {
		o.serverCPUs, o.loadCPUs, o.threads = "0", "1-"+strconv.Itoa(n-1), n-1
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	err := errors.New("-wizard is required")
	if *wizards != "" {
		err = o.run(ctx, strings.Split(*wizards, ","))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// load is one measured load: wrk requests the paths in turn with one Accept-Encoding.
type load struct {
	coding, accept, name string
	paths                []string
	conns                int
	goal                 float64 // the least ratio to the floor the goal allows
}

func (o options) run(ctx context.Context, bins []string) error {
	var loads []load
	for _, c := range strings.FieldsFunc(o.codings, func(r rune) bool { return r == ',' }) {
		accept, ok := codings[c]
		if !ok {
			return fmt.Errorf("unknown coding %q (identity, br, gzip)", c)
		}
		for _, p := range pages {
			loads = append(loads, load{c, accept, p[0], []string{p[1]}, o.conns, 0.9})
		}
	}
	if o.mix {
		loads = append(loads, load{mixAccept, mixAccept, fmt.Sprintf("mix of %d URLs, -c%d", len(mixPaths), o.mixConns), mixPaths, o.mixConns, 0.7})
	}
	tmp, err := os.MkdirTemp("", "loadbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "wrk.lua"), wrkScript, 0o600); err != nil {
		return err
	}
	fmt.Printf("# loadbench: wrk -t%d, -c%d per page, -d%s, %d round(s), warm-up %s, all on 127.0.0.1; servers on CPU %s (GOMAXPROCS follows), wrk on CPU %s; load average at the start %s\n\n",
		o.threads, o.conns, o.duration, o.rounds, warmup, o.serverCPUs, o.loadCPUs, loadavg())

	var servers []*server // the wizards, then the floor
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, bin := range bins {
		st := make([]time.Duration, o.startups)
		for i := range st {
			s, err := o.start(ctx, bin, "0-"+strconv.Itoa(runtime.NumCPU()-1), bin, "-addr") // unpinned
			if err != nil {
				return err
			}
			st[i] = s.startup
			s.stop()
		}
		if slices.Sort(st); len(st) > 0 {
			fmt.Printf("Start-up of %s, process start to first 200 on /healthz (%d runs): min %s, median %s, max %s\n",
				filepath.Base(bin), len(st), ms(st[0]), ms(st[len(st)/2]), ms(st[len(st)-1]))
		}
		s, err := o.start(ctx, filepath.Base(bin), o.serverCPUs, bin, "-addr")
		if err != nil {
			return err
		}
		servers = append(servers, s)
	}
	if len(loads) == 0 {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	headers, words := "type", "with its Content-Type and Content-Encoding only (-floor-headers adds the wizard's other headers)"
	if o.floorHeaders {
		headers, words = "all", "with every header the wizard sent for it but Date (-floor-headers): the same bytes on the wire"
	}
	floor, err := o.start(ctx, "the floor", o.serverCPUs, self, "-serve-floor", servers[0].base, headers)
	if err != nil {
		return err
	}
	servers = append(servers, floor)

	fmt.Printf("\n| coding | load | server | bytes/response | requests/s | p50 | p99 | floor requests/s | floor p50 | floor p99 | ratio to floor | CPU/request | floor CPU/request | CPU ratio | goal (no errors) |\n")
	fmt.Printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, l := range loads {
		if err := o.compare(ctx, tmp, l, servers); err != nil {
			return err
		}
	}
	fmt.Printf("\nCPU/request is the server process's user+system CPU time during the run divided by the requests served (/proc/PID/stat): it does not move with the rest of the machine's load as requests/s does. CPU ratio = floor CPU/request ÷ wizard CPU/request. ")
	fmt.Printf("bytes/response counts headers too. Floor: a plain net/http server (a separate process, same Go) writing, for each URL, the bytes %s sent for it in that coding, from memory, %s.\n\n", servers[0].name, words)
	for _, s := range servers {
		fmt.Printf("Peak RSS of %s: %.1f MiB.\n", s.name, float64(s.stop())/(1<<20))
	}
	fmt.Printf("Load average at the end: %s.\n", loadavg())
	return nil
}

// compare warms every server up on l, then runs rounds of the floor followed by each wizard
// (starting with a different one each round, so none always runs last), and prints a row per
// wizard: its median round by throughput ratio to the floor run just before it. servers are
// the wizards, then the floor.
func (o options) compare(ctx context.Context, dir string, l load, servers []*server) error {
	for _, s := range servers {
		if _, err := o.wrk(ctx, dir, s, l, warmup); err != nil {
			return err
		}
	}
	wizards, floor := servers[:len(servers)-1], servers[len(servers)-1]
	rounds := make([][][2]wrkResult, len(wizards)) // per wizard: (wizard, floor) in each round
	for i := range o.rounds {
		f, err := o.wrk(ctx, dir, floor, l, o.duration)
		progress := fmt.Sprintf("%s, %s, round %d/%d: floor %.0f/s %s", l.coding, l.name, i+1, o.rounds, f.rps(), us(f.cpu))
		for j := 0; j < len(wizards) && err == nil; j++ {
			k := (i + j) % len(wizards)
			var w wrkResult
			w, err = o.wrk(ctx, dir, wizards[k], l, o.duration)
			rounds[k] = append(rounds[k], [2]wrkResult{w, f})
			progress += fmt.Sprintf(", %s %.0f/s %s", wizards[k].name, w.rps(), us(w.cpu))
		}
		fmt.Fprintln(os.Stderr, progress)
		if err != nil {
			return err
		}
	}
	for k, rs := range rounds {
		slices.SortFunc(rs, func(a, b [2]wrkResult) int { return cmp.Compare(a[0].rps()/a[1].rps(), b[0].rps()/b[1].rps()) })
		w, f := rs[len(rs)/2][0], rs[len(rs)/2][1]
		goal := "met"
		if e := w.Errors; e.Status+e.Connect+e.Read+e.Write+e.Timeout > 0 {
			goal = fmt.Sprintf("NOT met: %d responses with status > 399, socket errors: connect %d, read %d, write %d, timeout %d", e.Status, e.Connect, e.Read, e.Write, e.Timeout)
		} else if w.rps() < l.goal*f.rps() {
			goal = "NOT met"
		}
		fmt.Printf("| %s | %s | %s | %d | %.0f | %s | %s | %.0f | %s | %s | %.2f× | %s | %s | %.2f× | ≥ %.1f×: %s |\n",
			l.coding, l.name, wizards[k].name, w.Bytes/max(w.Requests, 1), w.rps(), lat(w.P50), lat(w.P99), f.rps(), lat(f.P50), lat(f.P99),
			w.rps()/f.rps(), us(w.cpu), us(f.cpu), float64(f.cpu)/float64(max(w.cpu, 1)), l.goal, goal)
	}
	return nil
}

// wrkResult is what wrk.lua's done hook writes: durations and latencies in microseconds. wrk
// counts statuses above 399 as errors.
type wrkResult struct {
	Duration, Requests, Bytes, P50, P99 int64
	Errors                              struct{ Connect, Read, Write, Status, Timeout int64 }
	cpu                                 time.Duration // the server's CPU time per request
}

func (r wrkResult) rps() float64 { return float64(r.Requests) / (float64(max(r.Duration, 1)) / 1e6) }

// wrk runs wrk.lua in dir for d against s, requesting l's paths in turn, and reads the CPU time s
// used meanwhile: on a machine other work shares, requests/s moves with the machine, while CPU
// per request stays the server's own cost.
func (o options) wrk(ctx context.Context, dir string, s *server, l load, d time.Duration) (wrkResult, error) {
	out := filepath.Join(dir, "result.json")
	os.Remove(out)
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(l.conns), "-d" + strconv.Itoa(max(1, int(d.Seconds()))) + "s",
		"--timeout", "5s", "-s", filepath.Join(dir, "wrk.lua")}
	if l.accept != "" {
		args = append(args, "-H", "Accept-Encoding: "+l.accept)
	}
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	cmd := taskset(ctx, o.loadCPUs, "wrk", slices.Concat(args, []string{s.base, "--"}, l.paths)...)
	cmd.Env = append(os.Environ(), "LOADBENCH_OUT="+out)
	var r wrkResult
	before, err := cpuTime(s.cmd.Process.Pid)
	if text, err2 := cmd.CombinedOutput(); err2 != nil {
		return r, fmt.Errorf("wrk %s: %w\n%s", s.base, err2, text)
	}
	after, err2 := cpuTime(s.cmd.Process.Pid)
	b, err3 := os.ReadFile(out)
	if err = errors.Join(err, err2, err3); err == nil {
		err = json.Unmarshal(b, &r)
	}
	r.cpu = (after - before) / time.Duration(max(r.Requests, 1))
	return r, err
}

// taskset runs name with args on the given CPUs (taskset execs it: the process keeps its pid),
// to be killed should loadbench die first.
func taskset(ctx context.Context, cpus, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// server is a server process on a loopback port.
type server struct {
	name, base string
	cmd        *exec.Cmd
	startup    time.Duration // from process start to the first 200 on /healthz
}

// start runs bin on cpus with args and a free loopback address (should another process take it
// first, starting fails and says so), and waits until /healthz answers 200 there. The wizard runs
// as an operator runs it (-log-level, the Dockerfile's Go memory settings, METRICS passed
// through), its log to /dev/null: writing each line is measured, a terminal is not.
func (o options) start(ctx context.Context, name, cpus, bin string, args ...string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ln.Close()
	s := &server{name: name, base: "http://" + ln.Addr().String(), cmd: taskset(ctx, cpus, bin, append(args, ln.Addr().String())...)}
	s.cmd.Env = append(os.Environ(), "PORT=", "ADDR=", "PUBLIC_URL=", "GOGC=400", "GOMEMLIMIT=96MiB", "LOG_LEVEL="+o.logLevel)
	s.cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Since(t0) < 10*time.Second {
		if _, _, err = fetch(ctx, client, s.base+"/healthz", ""); err == nil {
			s.startup = time.Since(t0)
			return s, nil
		}
		time.Sleep(500 * time.Microsecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer 200 on /healthz within 10 s: %w", name, err)
}

// stop kills the process (nothing of a server's shutdown is measured) and returns its peak
// resident memory in bytes: the exited child's maxrss, which is /proc's VmHWM at the end.
func (s *server) stop() int64 {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
	return s.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
}

// fetch GETs url with the Accept-Encoding given (none when empty) and returns the body as sent.
func fetch(ctx context.Context, client *http.Client, url, accept string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept) // set by hand, the transport leaves the body encoded
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return body, res.Header, err
}

// serveFloor is the floor process (loadbench -serve-floor WIZARD_URL all|type ADDR). It fetches
// every mix URL (the pages among them) from the wizard in every Accept-Encoding loadbench sends,
// keeping Content-Type and Content-Encoding (with "all", every header but Date), then answers
// each request with those bytes from memory, anything else with "ok", with the wizard's timeouts.
func serveFloor(args []string) error {
	type entry struct {
		header http.Header
		body   []byte
	}
	entries := map[string]entry{}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, accept := range append(slices.Collect(maps.Values(codings)), mixAccept) {
		for _, path := range mixPaths {
			body, hdr, err := fetch(context.Background(), client, args[0]+path, accept)
			if err != nil {
				return err
			}
			h := http.Header{"Content-Type": hdr["Content-Type"], "Content-Encoding": hdr["Content-Encoding"]}
			if args[1] == "all" {
				h = hdr.Clone()
				h.Del("Date")
			}
			maps.DeleteFunc(h, func(_ string, v []string) bool { return v == nil })
			entries[accept+" "+path] = entry{h, body}
		}
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, ok := entries[r.Header.Get("Accept-Encoding")+" "+r.URL.RequestURI()]
		if !ok {
			w.Write([]byte("ok"))
			return
		}
		maps.Copy(w.Header(), e.header)
		w.Write(e.body)
	})
	srv := &http.Server{Addr: args[2], Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
	return srv.ListenAndServe()
}

// cpuTime is a process's user and system CPU time so far, all threads: utime and stime, fields
// 14 and 15 of /proc/PID/stat, in clock ticks (USER_HZ, 100 on Linux). The command name, field
// 2, is in parentheses and may hold spaces and parentheses itself, so fields count from the last ')'.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if err != nil || i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q, %w", pid, b, err)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, errors.Join(err1, err2)
}

// loadavg is the 1-, 5- and 15-minute load average, and the runnable and all threads.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return string(bytes.Join(bytes.Fields(b)[:4], []byte(" ")))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func lat(us int64) string { return ms(time.Duration(us) * time.Microsecond) }

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }
