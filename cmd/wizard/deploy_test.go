package main

// Tests of the files in deploy/ against the binary they deploy: the probe timings against the
// drain, the configs against their own servers' checks, and the dashboard and recording rules
// against the series a running wizard really exposes.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func repoFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool finds a server's own checker (haproxy, varnishd, promtool). Without it the test skips,
// except under CI=true, where .ci/run has installed it and a missing one is a failure.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (Debian package %s); CI must install it", name, pkg)
		}
		t.Skipf("%s not found: install Debian's %s to run this test", name, pkg)
	}
	return path
}

// HAProxy and Kubernetes take a draining replica out with the same check, and both within the
// drain: a check every inter, out after fall failures, each bounded by its timeout.
func TestProbeTimingsMatchTheDrain(t *testing.T) {
	cfg := string(repoFile(t, "deploy/haproxy/haproxy.cfg"))
	field := func(pattern string) string {
		m := regexp.MustCompile(`(?m)` + pattern).FindStringSubmatch(cfg)
		if m == nil {
			t.Fatalf("haproxy.cfg has no %s", pattern)
		}
		return m[1]
	}
	if !strings.Contains(cfg, "option httpchk GET /readyz") {
		t.Error("haproxy.cfg must check GET /readyz")
	}
	inter, err1 := time.ParseDuration(field(`^\s*default-server .*\binter (\S+)`))
	fall, err2 := strconv.Atoi(field(`^\s*default-server .*\bfall (\d+)`))
	rise, err3 := strconv.Atoi(field(`^\s*default-server .*\brise (\d+)`))
	timeout, err4 := time.ParseDuration(field(`^\s*timeout check (\S+)`))
	if err := cmpErr(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}

	var probe struct {
		Period  int `yaml:"periodSeconds"`
		Failure int `yaml:"failureThreshold"`
		Success int `yaml:"successThreshold"`
		Timeout int `yaml:"timeoutSeconds"`
		HTTPGet struct {
			Path string `yaml:"path"`
		} `yaml:"httpGet"`
	}
	var k8sDrain time.Duration
	dec := yaml.NewDecoder(bytes.NewReader(repoFile(t, "deploy/kubernetes.yaml")))
	for {
		var doc struct {
			Kind string `yaml:"kind"`
			Spec struct {
				Template struct {
					Spec struct {
						Containers []struct {
							Env []struct {
								Name  string `yaml:"name"`
								Value string `yaml:"value"`
							} `yaml:"env"`
							ReadinessProbe yaml.Node `yaml:"readinessProbe"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != "Deployment" {
			continue
		}
		c := doc.Spec.Template.Spec.Containers[0]
		if err := c.ReadinessProbe.Decode(&probe); err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Env {
			if e.Name == "DRAIN_PERIOD" {
				k8sDrain, _ = time.ParseDuration(e.Value)
			}
		}
	}
	if probe.HTTPGet.Path != "/readyz" {
		t.Errorf("the Kubernetes readiness probe gets %q, want /readyz", probe.HTTPGet.Path)
	}
	if time.Duration(probe.Period)*time.Second != inter || probe.Failure != fall || probe.Success != rise || time.Duration(probe.Timeout)*time.Second != timeout {
		t.Errorf("Kubernetes probes every %d s, out after %d, in after %d, timeout %d s; HAProxy every %s, fall %d, rise %d, timeout check %s: keep them the same",
			probe.Period, probe.Failure, probe.Success, probe.Timeout, inter, fall, rise, timeout)
	}

	cfgDefault, err := parseConfig([]string{"wizard"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// Worst case: the check just before SIGTERM passed, then fall checks in a row fail; each
	// gets its 503 at once. A second to spare for requests already on their way.
	out := time.Duration(fall) * inter
	for name, drain := range map[string]time.Duration{"the default DRAIN_PERIOD": cfgDefault.DrainPeriod, "deploy/kubernetes.yaml's DRAIN_PERIOD": k8sDrain} {
		if out+time.Second > drain {
			t.Errorf("a replica is out of rotation up to %s after SIGTERM: less than a second inside %s (%s)", out, name, drain)
		}
	}
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Each config in deploy/ passes its own server's check, and the recording rules their unit test.
func TestDeployConfigsPassTheirChecks(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	check := func(t *testing.T, dir string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
	}
	t.Run("haproxy", func(t *testing.T) {
		check(t, root, tool(t, "haproxy", "haproxy"), "-c", "-q", "-f", "deploy/haproxy/haproxy.cfg")
	})
	t.Run("varnish", func(t *testing.T) {
		check(t, root, tool(t, "varnishd", "varnish"), "-C", "-n", t.TempDir(), "-f", filepath.Join(root, "deploy/varnish/default.vcl"))
	})
	t.Run("prometheus", func(t *testing.T) {
		promtool := tool(t, "promtool", "prometheus")
		dir := filepath.Join(root, "deploy/prometheus")
		check(t, dir, promtool, "check", "config", "prometheus.yml") // and the rule files it loads
		check(t, dir, promtool, "test", "rules", "wizard.rules.test.yml")
	})
}

// scrapeAfterAJourney runs the wizard, sends it a visitor's journey to a result (site and
// embed), and returns what its METRICS_ADDR serves.
func scrapeAfterAJourney(t *testing.T) string {
	t.Helper()
	port, metricsPort := freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"ADDR": "127.0.0.1:" + port, "METRICS_ADDR": "127.0.0.1:" + metricsPort, "LOG_LEVEL": "error", "DRAIN_PERIOD": "0s"}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"wizard"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := client.Get(path)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return string(body)
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v", path, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	base := "http://127.0.0.1:" + port
	for _, path := range []string{
		"/", "/q/build?v=3", "/next?q=build&build=api&v=3", "/q/logic?build=api&v=3",
		"/next?q=quality&build=api&logic=complex&growth=services&realtime=essential&team=java&quality=essential&v=3",
		"/embed/q/build?v=3", "/api/v1/decision", "/no-such-page",
	} {
		get(base + path)
	}
	return get("http://127.0.0.1:" + metricsPort + "/metrics")
}

// promtool's linter accepts what /metrics serves.
func TestMetricsPassPromtool(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(scrapeAfterAJourney(t))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// Every series the dashboard and the recording rules query is one the wizard exposes (or one a
// rule records, or Prometheus's own `up`), and every label they match on is one it carries.
func TestDashboardAndRulesQueryRealSeries(t *testing.T) {
	exposed := exposedSeries(scrapeAfterAJourney(t))
	if len(exposed["wizard_completions_total"]) == 0 {
		t.Fatal("the journey did not reach a result: no completions in the scrape")
	}

	var rules struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(repoFile(t, "deploy/prometheus/wizard.rules.yml"), &rules); err != nil {
		t.Fatal(err)
	}
	// Prometheus adds job and instance to every scraped series.
	known := map[string]labelSet{"up": {"job": true, "instance": true}}
	for name, labels := range exposed {
		known[name] = labelSet{"job": true, "instance": true}
		for l := range labels {
			known[name][l] = true
		}
	}
	queries := map[string]string{} // where -> expression
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			queries["recording rule "+r.Record] = r.Expr
			// A recorded series keeps the labels its expression aggregates by, and those of
			// the recorded series it is made of (rules come after the ones they use).
			labels := labelSet{}
			for _, m := range regexp.MustCompile(`\bby\s*\(([^)]*)\)`).FindAllStringSubmatch(r.Expr, -1) {
				for l := range strings.SplitSeq(m[1], ",") {
					labels[strings.TrimSpace(l)] = true
				}
			}
			names, _ := promqlSeries(r.Expr)
			for _, name := range names {
				if strings.Contains(name, ":") {
					maps.Copy(labels, known[name])
				}
			}
			known[r.Record] = labels
		}
	}

	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(repoFile(t, "deploy/grafana/wizard.json"), &dash); err != nil {
		t.Fatal(err)
	}
	for _, p := range dash.Panels {
		for i, target := range p.Targets {
			queries["panel "+strconv.Quote(p.Title)+" query "+strconv.Itoa(i+1)] = target.Expr
		}
	}
	for _, v := range dash.Templating.List {
		if m := regexp.MustCompile(`^label_values\((\w+),\s*(\w+)\)$`).FindStringSubmatch(v.Definition); m != nil {
			queries["variable $"+v.Name] = m[1] + `{` + m[2] + `=""}`
		}
	}
	if len(queries) < 20 {
		t.Fatalf("only %d queries found in the rules and the dashboard", len(queries))
	}

	for where, expr := range queries {
		names, matchers := promqlSeries(expr)
		if len(names) == 0 {
			t.Errorf("%s: no series found in %q", where, expr)
		}
		for _, name := range names {
			if known[name] == nil {
				t.Errorf("%s queries %s, which /metrics does not expose and no rule records", where, name)
			}
		}
		for _, m := range matchers {
			if labels := known[m.series]; labels != nil && !labels[m.label] {
				t.Errorf("%s matches %s on label %q, which it does not have (it has %v)", where, m.series, m.label, slices.Sorted(maps.Keys(labels)))
			}
		}
	}
}

type labelSet map[string]bool

// exposedSeries reads a Prometheus text exposition into metric name -> label names.
func exposedSeries(scrape string) map[string]labelSet {
	series := map[string]labelSet{}
	labelName := regexp.MustCompile(`([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"`)
	for line := range strings.SplitSeq(scrape, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, labels := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
			if line[i] == '{' {
				labels = line[i:strings.LastIndexByte(line, '}')]
			}
		}
		if series[name] == nil {
			series[name] = labelSet{}
		}
		for _, m := range labelName.FindAllStringSubmatch(labels, -1) {
			series[name][m[1]] = true
		}
	}
	return series
}

type matcher struct{ series, label string }

var (
	promqlString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promqlVariable = regexp.MustCompile(`\$\w+`)
	promqlSelector = regexp.MustCompile(`([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}`)
	promqlLabel    = regexp.MustCompile(`([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)`)
	promqlBrackets = regexp.MustCompile(`\[[^\]]*\]`)
	promqlGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlBraces   = regexp.MustCompile(`\{[^}]*\}`)
	promqlIdent    = regexp.MustCompile(`[a-zA-Z_:][\w:]*(\s*\()?`)
	promqlKeywords = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
		"group_right": true, "bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true}
)

// promqlSeries names the series a PromQL expression (or a Grafana query, with its $variables)
// selects, and the labels its selectors match on. It knows PromQL's shape, not its grammar:
// strings, ranges and grouping clauses are blanked, and what is left that is not a function
// call, a keyword or a number is a metric name.
func promqlSeries(expr string) (names []string, matchers []matcher) {
	expr = promqlString.ReplaceAllString(expr, `""`)
	expr = promqlVariable.ReplaceAllString(expr, "5m")
	for _, m := range promqlSelector.FindAllStringSubmatch(expr, -1) {
		for _, l := range promqlLabel.FindAllStringSubmatch(m[2], -1) {
			matchers = append(matchers, matcher{m[1], l[1]})
		}
	}
	expr = promqlBrackets.ReplaceAllString(expr, " ")
	expr = promqlGrouping.ReplaceAllString(expr, " ")
	expr = promqlBraces.ReplaceAllString(expr, " ")
	for _, m := range promqlIdent.FindAllStringSubmatch(expr, -1) {
		if m[1] != "" || promqlKeywords[strings.ToLower(m[0])] {
			continue // a function or aggregation, or a keyword
		}
		if !slices.Contains(names, m[0]) {
			names = append(names, m[0])
		}
	}
	return names, matchers
}

// The extractor itself, on the kinds of expression the files hold.
func TestPromqlSeries(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		names []string
		match []matcher
	}{
		{`sum by (job) (rate(wizard_starts_total[5m]))`, []string{"wizard_starts_total"}, nil},
		{`job:a:rate5m / (job:b:rate5m > 0)`, []string{"job:a:rate5m", "job:b:rate5m"}, nil},
		{`sum(rate(x_count{job="$job",route="/q/{id}"}[$__rate_interval])) / ignoring (outcome) group_left () y`,
			[]string{"x_count", "y"}, []matcher{{"x_count", "job"}, {"x_count", "route"}}},
		{`histogram_quantile(0.99, sum by (job, le) (rate(h_bucket{status=~"5.."}[5m]))) * 60`,
			[]string{"h_bucket"}, []matcher{{"h_bucket", "status"}}},
	} {
		names, match := promqlSeries(tc.expr)
		if !slices.Equal(names, tc.names) || !slices.Equal(match, tc.match) {
			t.Errorf("%s: got %v %v, want %v %v", tc.expr, names, match, tc.names, tc.match)
		}
	}
}
