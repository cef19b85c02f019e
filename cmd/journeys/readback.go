package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// promQuery runs an instant query through Prometheus' HTTP API and returns each series' value
// by the value of label (or "" for a single series).
func promQuery(prom, query, label string) (map[string]float64, error) {
	res, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", query, body.Error)
	}
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: value %q", query, s)
		}
		out[r.Metric[label]] = v
	}
	return out, nil
}

// readback compares Prometheus' sums over the replicas with what funnel sent, waiting for the
// scrapes that follow the traffic, then runs every query of the dashboard.
func readback(prom, expectFile, dashboardFile string) error {
	raw, err := os.ReadFile(expectFile)
	if err != nil {
		return err
	}
	var want funnelCounts
	if err := json.Unmarshal(raw, &want); err != nil {
		return err
	}
	toFloat := func(m map[string]int) map[string]float64 {
		out := map[string]float64{}
		for k, v := range m {
			out[k] = float64(v)
		}
		return out
	}
	checks := []struct {
		what, query, label string
		want               map[string]float64
	}{
		{"replicas scraped", `count(up{job="wizard"} == 1)`, "", map[string]float64{"": float64(len(want.Requests))}},
		{"replicas that counted starts", `count(wizard_starts_total{job="wizard"} > 0)`, "", map[string]float64{"": float64(len(want.Requests))}},
		{"starts", `sum(wizard_starts_total{job="wizard"})`, "", map[string]float64{"": float64(want.Starts)}},
		{"views by question", `sum by (question) (wizard_question_views_total{job="wizard"})`, "question", toFloat(want.Views)},
		{"answers by question", `sum by (question) (wizard_question_answers_total{job="wizard"})`, "question", toFloat(want.Answers)},
		{"completions by outcome", `sum by (outcome) (wizard_completions_total{job="wizard"})`, "outcome", toFloat(want.Completions)},
	}
	began := time.Now()
	for {
		var diffs []string
		for _, c := range checks {
			got, err := promQuery(prom, c.query, c.label)
			if err != nil {
				return err
			}
			maps.DeleteFunc(got, func(k string, v float64) bool { return k != "" && v == 0 }) // series at 0: nothing sent
			if !maps.Equal(got, c.want) {
				diffs = append(diffs, fmt.Sprintf("%s: Prometheus has %v, sent %v", c.what, got, c.want))
			}
		}
		if len(diffs) == 0 {
			break
		}
		if time.Since(began) > 60*time.Second {
			return fmt.Errorf("after %s, Prometheus' sums differ from what was sent:\n  %s", time.Since(began).Round(time.Second), strings.Join(diffs, "\n  "))
		}
		time.Sleep(time.Second)
	}
	fmt.Printf("readback: after %s Prometheus' sums over %d replicas match what %d visitors did (%v requests per replica):\n",
		time.Since(began).Round(time.Second), len(want.Requests), want.Visitors, want.Requests)
	fmt.Printf("  %d starts; completions %v\n  answers %v\n  views %v\n", want.Starts, want.Completions, want.Answers, want.Views)

	// Every dashboard query, as Grafana would send it for this job, once the recording rules
	// have two evaluations to make rates from. A 5xx panel has no data while nothing failed.
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	raw, err = os.ReadFile(dashboardFile)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		return err
	}
	grafana := strings.NewReplacer("$__rate_interval", "1m", "$__range", "5m", "$job", "wizard")
	began = time.Now()
	for {
		var empty []string
		n := 0
		for _, p := range dash.Panels {
			for _, t := range p.Targets {
				got, err := promQuery(prom, grafana.Replace(t.Expr), "")
				if err != nil {
					return fmt.Errorf("panel %q: %w", p.Title, err)
				}
				n++
				if len(got) == 0 && !strings.Contains(p.Title, "5xx") {
					empty = append(empty, p.Title)
				}
			}
		}
		if len(empty) == 0 {
			fmt.Printf("readback: all %d dashboard queries answer, with data (%s after the sums matched)\n", n, time.Since(began).Round(time.Second))
			return nil
		}
		if time.Since(began) > 60*time.Second {
			slices.Sort(empty)
			return fmt.Errorf("dashboard panels with no data after %s: %s", time.Since(began).Round(time.Second), strings.Join(slices.Compact(empty), "; "))
		}
		time.Sleep(2 * time.Second)
	}
}
