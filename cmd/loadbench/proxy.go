package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync/atomic"
	"time"
)

// serveProxy is a small load balancer for scripts/rolling-restart.sh: ADDR BACKEND... It sends
// each request to the next backend whose /readyz answered 200 at its last check (every 100 ms),
// as a cloud load balancer or Kubernetes Service does with a readiness probe, and never retries.
// It serves until SIGTERM, and prints how many requests it could not deliver.
func serveProxy(args []string) error {
	if len(args) < 2 {
		return errors.New("usage: loadbench -serve-proxy ADDR BACKEND_URL...")
	}
	type backend struct {
		proxy *httputil.ReverseProxy
		ready atomic.Bool
	}
	var failed atomic.Int64
	var backends []*backend
	for _, raw := range args[1:] {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() != "127.0.0.1" {
			return fmt.Errorf("backend %q: want http://127.0.0.1:PORT", raw)
		}
		b := &backend{proxy: httputil.NewSingleHostReverseProxy(u)}
		b.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client went away (wrk stopping): nothing was lost
			}
			failed.Add(1)
			fmt.Fprintf(os.Stderr, "proxy: %s %s via %s: %v\n", r.Method, r.URL.Path, u.Host, err)
			w.WriteHeader(http.StatusBadGateway)
		}
		backends = append(backends, b)
		go func() {
			client := &http.Client{Timeout: 500 * time.Millisecond}
			for {
				res, err := client.Get(u.String() + "/readyz")
				b.ready.Store(err == nil && res.StatusCode == http.StatusOK)
				if err == nil {
					res.Body.Close()
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	var next atomic.Uint64
	srv := &http.Server{Addr: args[0], ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := next.Add(1)
		for i := range uint64(len(backends)) {
			if b := backends[(start+i)%uint64(len(backends))]; b.ready.Load() {
				b.proxy.ServeHTTP(w, r)
				return
			}
		}
		failed.Add(1)
		fmt.Fprintf(os.Stderr, "proxy: %s %s %s: no backend ready\n", time.Now().Format("15:04:05.000"), r.Method, r.URL.Path)
		http.Error(w, "no backend ready", http.StatusServiceUnavailable)
	})}
	if err := serveUntilSignal(srv); err != nil {
		return err
	}
	fmt.Printf("proxy: %d requests not delivered\n", failed.Load())
	return nil
}
