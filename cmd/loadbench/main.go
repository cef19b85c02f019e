// Command loadbench measures the wizard under load next to a floor: a plain net/http server that
// returns, for each URL, the wizard's own bytes for it from memory (in the same content coding). Both run
// as separate processes on 127.0.0.1 and are driven alternately by wrk with the same settings, so
// the table shows how much of the machine's HTTP capacity the wizard's pages keep. Each
// Accept-Encoding profile (-codings: none, as wrk sends by default, and a browser's) is measured
// separately.
//
// By default the servers are pinned to CPU 0 and wrk to the other CPUs (-pin; see setPinning),
// so that on a small machine the two do not fight over the same cores and runs repeat.
//
// It also measures start-up (process start to the first 200 on /healthz) and the wizard's peak
// resident memory (VmHWM) after the load runs.
//
//	go build -o /tmp/wizard ./cmd/wizard
//	go run ./cmd/loadbench -wizard /tmp/wizard
//
// All traffic goes to 127.0.0.1 only, every run is bounded by -d, and the whole program by
// -timeout. scripts/loadbench.sh builds both and installs wrk when it is missing.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// page is one wizard page under load.
type page struct{ name, path string }

// defaultPages are the three pages the issue names: the start page, the first question and the
// result of a complete answer set (the heaviest page: it evaluates every counterfactual).
var defaultPages = []page{
	{"start", "/"},
	{"question", "/q/build?v=3"},
	{"result", "/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"},
}

// floorPath is where loadbench checks that the floor is up.
const floorPath = "/result"

// mixPaths are the mixed load: pages, the API, the embed and the decision record, in the
// proportions a visit makes them (the question pages most).
var mixPaths = []string{
	"/",
	"/q/build?v=3",
	"/q/logic?build=platform&v=3",
	"/q/realtime?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&v=3",
	defaultPages[2].path,
	"/api/v1/decision",
	"/api/v1/result?" + strings.TrimPrefix(defaultPages[2].path, "/result?"),
	"/embedding",
	"/embed/result?" + strings.TrimPrefix(defaultPages[2].path, "/result?"),
	"/result.md?" + strings.TrimPrefix(defaultPages[2].path, "/result?"),
}

// mixAccept is what the mixed load sends: a browser's preference, brotli or gzip.
const mixAccept = "br, gzip"

type options struct {
	wizard      string
	threads     int
	connections int
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	startups    int
	codings     string
	load        bool
	timeout     time.Duration
	wrk         string
	pin         bool
	mix         bool
	logLevel    string
	mixConns    int
	// floorHeaders makes the floor send every header the wizard sent (see the flag).
	floorHeaders bool
	// serverCPUs and loadCPUs are taskset CPU lists when pinned, "" otherwise.
	serverCPUs, loadCPUs string
}

// coding is one Accept-Encoding profile: the header wrk sends (none for identity).
type coding struct{ name, accept string }

var knownCodings = map[string]coding{
	"identity": {"identity", ""},
	// What Chromium sends; the wizard picks brotli.
	"br":   {"br", "gzip, deflate, br, zstd"},
	"gzip": {"gzip", "gzip"},
}

func main() {
	// The floor is this same program started again with -serve-floor.
	if len(os.Args) > 1 && os.Args[1] == "-serve-floor" {
		if err := serveFloor(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench floor:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.StringVar(&o.wizard, "wizard", "", "wizard binary to run (empty: go build ./cmd/wizard into a temp dir; run from the module root)")
	flag.IntVar(&o.threads, "t", 0, "wrk threads (0: 2 unpinned, one per load CPU pinned)")
	flag.IntVar(&o.connections, "c", 64, "wrk connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "duration of each measured wrk run")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured wrk run against each server and page before measuring")
	flag.IntVar(&o.rounds, "rounds", 1, "measured runs per page (the table shows the median round)")
	flag.IntVar(&o.startups, "startups", 20, "start-up measurements (process start to first 200 on /healthz); 0 skips")
	flag.StringVar(&o.codings, "codings", "identity,br", "comma-separated Accept-Encoding profiles to measure: identity (no header, wrk's default), br (a browser's header), gzip")
	flag.BoolVar(&o.load, "load", true, "run the load benchmark (-load=false measures start-up only)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up after this long")
	flag.StringVar(&o.wrk, "wrk", "wrk", "wrk binary")
	flag.BoolVar(&o.mix, "mix", true, "also run the mixed load (every kind of page, the API, the embed and the decision record, Accept-Encoding: br, gzip) against a floor serving the same bytes per URL")
	flag.StringVar(&o.logLevel, "log-level", "info", "the wizard's LOG_LEVEL (info logs a line per request; warn logs none)")
	flag.IntVar(&o.mixConns, "mix-c", 256, "wrk connections for the mixed load")
	flag.BoolVar(&o.floorHeaders, "floor-headers", false, "the floor also sends every response header the wizard sent for the URL (Date aside), through http.Header: the same bytes on the wire, so the ratio leaves out what the wizard's headers cost net/http and measures its own work")
	flag.BoolVar(&o.pin, "pin", true, "pin the servers to CPU 0 and wrk to the other CPUs (taskset; needs 2 or more CPUs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if _, err := exec.LookPath(o.wrk); err != nil {
		return fmt.Errorf("wrk not found (apt-get install -y wrk, or scripts/loadbench.sh): %w", err)
	}
	tmp, err := os.MkdirTemp("", "loadbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.wizard == "" {
		o.wizard = filepath.Join(tmp, "wizard")
		fmt.Fprintln(os.Stderr, "building ./cmd/wizard")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.wizard, "./cmd/wizard")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/wizard: %w", err)
		}
	}

	o.setPinning()
	placement := "unpinned: servers and wrk share every CPU"
	if o.serverCPUs != "" {
		placement = fmt.Sprintf("servers pinned to CPU %s (GOMAXPROCS follows), wrk to CPU %s", o.serverCPUs, o.loadCPUs)
	}
	fmt.Printf("# loadbench: wrk -t%d -c%d -d%s --latency, %d round(s), warm-up %s, all on 127.0.0.1; %s\n\n",
		o.threads, o.connections, o.duration, o.rounds, o.warmup, placement)

	if o.startups > 0 {
		st, err := measureStartups(ctx, o.wizard, o.startups)
		if err != nil {
			return err
		}
		fmt.Printf("Start-up, process start to first 200 on /healthz (%d runs): min %s, median %s, max %s\n\n",
			len(st), ms(st[0]), ms(st[len(st)/2]), ms(st[len(st)-1]))
	}

	if !o.load {
		return nil
	}
	wiz, err := o.startWizard(ctx, o.wizard)
	if err != nil {
		return err
	}
	defer wiz.stop()

	var codings []coding
	for _, name := range strings.Split(o.codings, ",") {
		cd, ok := knownCodings[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown coding %q (identity, br, gzip)", name)
		}
		codings = append(codings, cd)
	}

	// The floor serves, for every URL measured, exactly the bytes the wizard sent for it, in each
	// coding.
	floorDir := filepath.Join(tmp, "floor")
	if err := os.Mkdir(floorDir, 0o700); err != nil {
		return err
	}
	profiles := codings
	if o.mix && !slices.Contains(profiles, knownCodings["br"]) {
		profiles = append(profiles, knownCodings["br"]) // what the mix's "br, gzip" gets
	}
	urls := slices.Clone(mixPaths)
	for _, p := range defaultPages {
		if !slices.Contains(urls, p.path) {
			urls = append(urls, p.path)
		}
	}
	n := 0
	for _, cd := range profiles {
		for _, u := range urls {
			body, hdr, err := fetch(ctx, wiz.base+u, cd.accept)
			if err != nil {
				return err
			}
			if got := hdr.Get("Content-Encoding"); u == defaultPages[2].path && got != strings.TrimPrefix(cd.name, "identity") {
				return fmt.Errorf("Accept-Encoding %q: the wizard answered with coding %q, want %q", cd.accept, got, cd.name)
			}
			meta := cd.name + "\n" + u + "\n" + hdr.Get("Content-Type") + "\n" + hdr.Get("Content-Encoding") + "\n"
			if o.floorHeaders {
				for k, vs := range hdr {
					if k == "Date" {
						continue
					}
					for _, v := range vs {
						meta += k + ": " + v + "\n"
					}
				}
			}
			if err := os.WriteFile(filepath.Join(floorDir, strconv.Itoa(n)+".meta"), []byte(meta), 0o600); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(floorDir, strconv.Itoa(n)+".body"), body, 0o600); err != nil {
				return err
			}
			n++
			if u == defaultPages[2].path {
				fmt.Printf("Result page as sent with coding %s: %d bytes.\n", cd.name, len(body))
			}
		}
	}
	fmt.Println()
	floor, err := o.startFloor(ctx, floorDir)
	if err != nil {
		return err
	}
	defer floor.stop()
	for _, p := range defaultPages {
		if _, _, err := fetch(ctx, wiz.base+p.path, ""); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}

	if o.warmup > 0 {
		fmt.Fprintln(os.Stderr, "warming up")
		for _, cd := range codings {
			for _, p := range defaultPages {
				if _, err := o.wrkRun(ctx, wiz.base+p.path, cd.accept, o.warmup); err != nil {
					return err
				}
			}
			if _, err := o.wrkRun(ctx, floor.base+defaultPages[2].path, cd.accept, o.warmup); err != nil {
				return err
			}
		}
	}

	// Alternate: floor, page, floor, page, ... so each page is compared with a floor run made
	// moments before it, under the same background load.
	type row struct {
		coding       coding
		page         page
		wiz, floor   wrkResult
		floorRatio   float64
		goalMet      bool
		goalFailures []string
	}
	var rows []row
	for _, cd := range codings {
		for _, p := range defaultPages {
			var pairs []row
			for i := 0; i < o.rounds; i++ {
				fmt.Fprintf(os.Stderr, "%s, round %d/%d: floor, then %s\n", cd.name, i+1, o.rounds, p.name)
				f, err := o.measure(ctx, floor, p.path, cd.accept, o.duration)
				if err != nil {
					return err
				}
				w, err := o.measure(ctx, wiz, p.path, cd.accept, o.duration)
				if err != nil {
					return err
				}
				pairs = append(pairs, row{coding: cd, page: p, wiz: w, floor: f, floorRatio: w.rps / f.rps})
			}
			slices.SortFunc(pairs, func(a, b row) int { return cmpFloat(a.floorRatio, b.floorRatio) })
			r := pairs[len(pairs)/2]
			if r.floorRatio < 0.9 {
				r.goalFailures = append(r.goalFailures, "throughput < 0.9× floor")
			}
			if r.wiz.errors != "" {
				r.goalFailures = append(r.goalFailures, r.wiz.errors)
			}
			r.goalMet = len(r.goalFailures) == 0
			rows = append(rows, r)
		}
	}

	fmt.Printf("| coding | page | bytes/response | requests/s | p50 | p99 | floor requests/s | floor p50 | floor p99 | ratio to floor | CPU/request | floor CPU/request | CPU ratio | goal (≥ 0.9×, no errors) |\n")
	fmt.Printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		goal := "met"
		if !r.goalMet {
			goal = "NOT met: " + strings.Join(r.goalFailures, "; ")
		}
		fmt.Printf("| %s | %s `%s` | %d | %.0f | %s | %s | %.0f | %s | %s | %.2f× | %s | %s | %.2f× | %s |\n",
			r.coding.name, r.page.name, short(r.page.path), r.wiz.bytesPerReq(), r.wiz.rps, ms(r.wiz.p50), ms(r.wiz.p99),
			r.floor.rps, ms(r.floor.p50), ms(r.floor.p99), r.floorRatio, us(r.wiz.cpuPerReq), us(r.floor.cpuPerReq), cpuRatio(r.floor, r.wiz), goal)
	}
	fmt.Println()
	fmt.Printf("CPU/request is the server process's user+system CPU time during the run divided by the requests served (/proc/PID/stat): it does not move with the rest of the machine's load as requests/s does. CPU ratio = floor CPU/request ÷ wizard CPU/request. ")
	fmt.Printf("bytes/response counts headers too (wrk's bytes read / requests). Floor: a plain net/http server (a separate process, same Go) writing, for each URL, the bytes the wizard sent for it in that coding, from memory, %s.\n", floorHeaderWords(o.floorHeaders))

	if o.mix {
		if err := o.runMix(ctx, wiz, floor, tmp); err != nil {
			return err
		}
	}

	wizMem, err := procMemory(wiz.cmd.Process.Pid)
	if err != nil {
		return err
	}
	floorMem, _ := procMemory(floor.cmd.Process.Pid)
	fmt.Printf("Wizard memory after the runs: peak RSS (VmHWM) %s, RSS now %s (floor process: peak %s).\n",
		mib(wizMem.hwm), mib(wizMem.rss), mib(floorMem.hwm))
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("Load average at the end: %s", load)
	}
	return nil
}

// runMix drives the wizard and the floor with the mixed load, alternately, and prints a table row.
func (o options) runMix(ctx context.Context, wiz, floor *proc, tmp string) error {
	var lua strings.Builder
	lua.WriteString("local paths = {")
	for _, p := range mixPaths {
		fmt.Fprintf(&lua, "%q,", p)
	}
	// Each wrk thread walks the list from its own start, so the mix holds at any moment.
	lua.WriteString("}\nlocal i = 0\ninit = function(args) i = math.random(#paths) end\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
	script := filepath.Join(tmp, "mix.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o600); err != nil {
		return err
	}
	mo := o
	mo.connections = o.mixConns
	if o.warmup > 0 {
		for _, base := range []string{wiz.base, floor.base} {
			if _, err := mo.wrkRun(ctx, base+"/", mixAccept, o.warmup, "-s", script); err != nil {
				return err
			}
		}
	}
	var pairs [][2]wrkResult
	for i := 0; i < o.rounds; i++ {
		fmt.Fprintf(os.Stderr, "mix, round %d/%d: floor, then wizard\n", i+1, o.rounds)
		f, err := mo.measure(ctx, floor, "/", mixAccept, o.duration, "-s", script)
		if err != nil {
			return err
		}
		w, err := mo.measure(ctx, wiz, "/", mixAccept, o.duration, "-s", script)
		if err != nil {
			return err
		}
		pairs = append(pairs, [2]wrkResult{w, f})
	}
	slices.SortFunc(pairs, func(a, b [2]wrkResult) int { return cmpFloat(a[0].rps/a[1].rps, b[0].rps/b[1].rps) })
	w, f := pairs[len(pairs)/2][0], pairs[len(pairs)/2][1]
	ratio := w.rps / f.rps
	goal := "met"
	if ratio < 0.7 || w.errors != "" {
		goal = "NOT met"
		if w.errors != "" {
			goal += ": " + w.errors
		}
	}
	fmt.Printf("\nMixed load, %d connections, Accept-Encoding: %s, %d URLs (%s):\n\n", o.mixConns, mixAccept, len(mixPaths), strings.Join(mixPaths[:2], ", ")+", …")
	fmt.Printf("| load | bytes/response | requests/s | p50 | p99 | floor requests/s | floor p50 | floor p99 | ratio to floor | CPU/request | floor CPU/request | CPU ratio | goal (≥ 0.7×, no errors) |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	fmt.Printf("| mix | %d | %.0f | %s | %s | %.0f | %s | %s | %.2f× | %s | %s | %.2f× | %s |\n\n", w.bytesPerReq(), w.rps, ms(w.p50), ms(w.p99), f.rps, ms(f.p50), ms(f.p99), ratio, us(w.cpuPerReq), us(f.cpuPerReq), cpuRatio(f, w), goal)
	return nil
}

// setPinning decides where the servers and wrk run. On a small machine the load generator and
// the server otherwise compete for the same cores, and the scheduler's choices, not the server,
// decide the tail latency: unpinned runs on 2 cores vary by 20% or more between identical runs,
// pinned ones by about 1%. Pinned, each server has one core to itself (Go sets GOMAXPROCS from
// the affinity it starts with) and wrk has the rest.
func (o *options) setPinning() {
	if o.pin {
		if _, err := exec.LookPath("taskset"); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: taskset not found (util-linux); running unpinned")
		} else if n := runtime.NumCPU(); n < 2 {
			fmt.Fprintln(os.Stderr, "loadbench: one CPU only; running unpinned")
		} else {
			o.serverCPUs, o.loadCPUs = "0", "1"
			if n > 2 {
				o.loadCPUs = "1-" + strconv.Itoa(n-1)
			}
			if o.threads == 0 {
				o.threads = n - 1
			}
		}
	}
	if o.threads == 0 {
		o.threads = 2
	}
}

// command runs name with args, on the given CPUs when cpus is not "" (taskset execs the program,
// so the process keeps taskset's pid).
func (o options) command(ctx context.Context, cpus, name string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, name}, args...)...)
}

// wrkResult is what one wrk run reports.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int64
	bytes    int64
	errors   string // non-2xx/3xx responses and socket errors, "" when none
	// cpuPerReq is the server's CPU time per request (measure only).
	cpuPerReq time.Duration
}

func (r wrkResult) bytesPerReq() int64 {
	if r.requests == 0 {
		return 0
	}
	return r.bytes / r.requests
}

// measure runs wrk against server p and also reads the CPU time p used meanwhile, so the table can
// show CPU per request: on a machine other work shares, requests/s moves with the machine, while
// CPU per request stays the server's own cost.
func (o options) measure(ctx context.Context, p *proc, path, accept string, d time.Duration, extra ...string) (wrkResult, error) {
	before, err := cpuTime(p.cmd.Process.Pid)
	if err != nil {
		return wrkResult{}, err
	}
	r, err := o.wrkRun(ctx, p.base+path, accept, d, extra...)
	after, _ := cpuTime(p.cmd.Process.Pid)
	if r.requests > 0 {
		r.cpuPerReq = (after - before) / time.Duration(r.requests)
	}
	return r, err
}

// cpuTime is the user and system CPU time of a process so far (/proc/PID/stat fields 14 and 15,
// in clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func (o options) wrkRun(ctx context.Context, url, accept string, d time.Duration, extra ...string) (wrkResult, error) {
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		return wrkResult{}, fmt.Errorf("refusing to load %s: loopback only", url)
	}
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.connections), "-d" + strconv.Itoa(max(1, int(d.Seconds()))) + "s", "--latency", "--timeout", "5s"}
	if accept != "" {
		args = append(args, "-H", "Accept-Encoding: "+accept)
	}
	args = append(append(args, extra...), url)
	runCtx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	out, err := o.command(runCtx, o.loadCPUs, o.wrk, args...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w\n%s", url, err, out)
	}
	return parseWrk(string(out))
}

var (
	reRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	reLatency  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	reTotal    = regexp.MustCompile(`(?m)^\s+(\d+) requests in [^,]+, ([0-9.]+)([KMG]?B) read`)
	reNon2xx   = regexp.MustCompile(`(?m)^\s+Non-2xx or 3xx responses: (\d+)`)
	reSocket   = regexp.MustCompile(`(?m)^\s+Socket errors: (.*)$`)
	byteScales = map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
)

// parseWrk reads requests/s, the 50% and 99% latency lines of --latency, totals and errors.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, lm := range reLatency.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(lm[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[lm[3]]
		d := time.Duration(v * float64(unit))
		if lm[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no latency distribution in wrk output (was --latency passed?):\n%s", out)
	}
	if tm := reTotal.FindStringSubmatch(out); tm != nil {
		r.requests, _ = strconv.ParseInt(tm[1], 10, 64)
		v, _ := strconv.ParseFloat(tm[2], 64)
		r.bytes = int64(v * byteScales[tm[3]])
	}
	var errs []string
	if em := reNon2xx.FindStringSubmatch(out); em != nil {
		errs = append(errs, em[1]+" non-2xx/3xx responses")
	}
	if em := reSocket.FindStringSubmatch(out); em != nil {
		errs = append(errs, "socket errors: "+em[1])
	}
	r.errors = strings.Join(errs, "; ")
	return r, nil
}

// proc is a server process on a loopback port.
type proc struct {
	cmd  *exec.Cmd
	base string
}

func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// freeAddr finds a free loopback port. Another process could take it before the server binds it;
// then starting fails and says so.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startWizard runs the binary as an operator would (its own flags, logging at info level, the
// Go memory settings of the Dockerfile), with the log going to /dev/null: formatting and writing
// each line is measured, a terminal is not.
func (o options) startWizard(ctx context.Context, bin string) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := o.command(ctx, o.serverCPUs, bin, "-addr", addr)
	cmd.Env = append(os.Environ(), "PORT=", "ADDR=", "PUBLIC_URL=", "GOGC=400", "GOMEMLIMIT=96MiB", "LOG_LEVEL="+o.logLevel)
	p := &proc{cmd: cmd, base: "http://" + addr}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if _, err := waitHealthy(ctx, p.base+"/healthz", 10*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("wizard did not become healthy: %w", err)
	}
	return p, nil
}

func (o options) startFloor(ctx context.Context, dir string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := o.command(ctx, o.serverCPUs, self, "-serve-floor", addr, dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	p := &proc{cmd: cmd, base: "http://" + addr}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if _, err := waitHealthy(ctx, p.base+floorPath, 10*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("floor did not start: %w", err)
	}
	return p, nil
}

// serveFloor is the floor process: ADDR DIR. DIR holds N.meta (coding profile, request URI,
// Content-Type, Content-Encoding, one a line, then with -floor-headers every header the wizard
// sent, as "Key: value" lines) and N.body for every URL measured. Each request
// gets, from memory, the body for its URI in the profile its Accept-Encoding asks for (br when it
// names br, else gzip when it names gzip, else identity), with the wizard's server timeouts,
// until SIGTERM. Anything else gets "ok".
func serveFloor(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: loadbench -serve-floor ADDR DIR")
	}
	type entry struct {
		ctype, coding string
		header        http.Header // with -floor-headers: all the wizard's; else nil
		body          []byte
	}
	bodies := map[string]entry{}
	for i := 0; ; i++ {
		meta, err := os.ReadFile(filepath.Join(args[1], strconv.Itoa(i)+".meta"))
		if err != nil {
			break
		}
		body, err := os.ReadFile(filepath.Join(args[1], strconv.Itoa(i)+".body"))
		if err != nil {
			return err
		}
		f := strings.Split(strings.TrimSuffix(string(meta), "\n"), "\n")
		e := entry{ctype: f[2], coding: f[3], body: body}
		for _, line := range f[4:] {
			if e.header == nil {
				e.header = http.Header{}
			}
			k, v, _ := strings.Cut(line, ": ")
			e.header[k] = append(e.header[k], v)
		}
		bodies[f[0]+" "+f[1]] = e
	}
	srv := &http.Server{
		Addr: args[0],
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			accept, profile := r.Header.Get("Accept-Encoding"), "identity"
			if strings.Contains(accept, "br") {
				profile = "br"
			} else if strings.Contains(accept, "gzip") {
				profile = "gzip"
			}
			e, ok := bodies[profile+" "+r.URL.RequestURI()]
			if !ok {
				w.Write([]byte("ok"))
				return
			}
			h := w.Header()
			if e.header != nil {
				for k, v := range e.header {
					h[k] = v
				}
				w.Write(e.body)
				return
			}
			h.Set("Content-Type", e.ctype)
			if e.coding != "" {
				h.Set("Content-Encoding", e.coding)
			}
			w.Write(e.body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	return serveUntilSignal(srv)
}

// serveUntilSignal runs srv until SIGTERM or an interrupt closes it.
func serveUntilSignal(srv *http.Server) error {
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// floorHeaderWords says which headers the floor sent.
func floorHeaderWords(all bool) string {
	if all {
		return "with every header the wizard sent for it but Date (-floor-headers): the same bytes on the wire"
	}
	return "with its Content-Type and Content-Encoding only (-floor-headers adds the wizard's other headers)"
}

// waitHealthy polls url until it answers 200, and returns how long that took.
func waitHealthy(ctx context.Context, url string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Since(start) < limit {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if res, err := client.Do(req); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		time.Sleep(500 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s: no 200 within %s", url, limit)
}

// measureStartups starts the wizard n times and times process start to the first 200 on
// /healthz, which includes loading and validating the content. Sorted ascending.
func measureStartups(ctx context.Context, bin string, n int) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n; i++ {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, bin, "-addr", addr)
		cmd.Env = append(os.Environ(), "PORT=", "ADDR=", "PUBLIC_URL=")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		p := &proc{cmd: cmd}
		_, err = waitHealthy(ctx, "http://"+addr+"/healthz", 10*time.Second)
		elapsed := time.Since(start)
		p.stop()
		if err != nil {
			return nil, err
		}
		out = append(out, elapsed)
	}
	slices.Sort(out)
	return out, nil
}

// fetch GETs url with the Accept-Encoding given (none when empty) and returns the body as sent.
func fetch(ctx context.Context, url, accept string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if accept != "" {
		// Set by hand, the transport leaves the body encoded.
		req.Header.Set("Accept-Encoding", accept)
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return body, res.Header, nil
}

type memory struct{ hwm, rss int64 }

// procMemory reads VmHWM (peak resident set) and VmRSS from /proc/PID/status, in bytes.
func procMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmHWM:":
			m.hwm = kb << 10
		case "VmRSS:":
			m.rss = kb << 10
		}
	}
	return m, sc.Err()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }

// cpuRatio is how many of the wizard's requests one core serves per floor request: the
// throughput ratio a server would have with a core to itself.
func cpuRatio(floor, wiz wrkResult) float64 {
	if wiz.cpuPerReq == 0 {
		return 0
	}
	return float64(floor.cpuPerReq) / float64(wiz.cpuPerReq)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func short(p string) string {
	if len(p) > 24 {
		return p[:21] + "…"
	}
	return p
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
