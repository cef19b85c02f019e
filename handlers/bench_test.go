package handlers

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/andybalholm/brotli"

	"nestnext/decision"
	"nestnext/serve"
	"nestnext/views"
)

// Page benchmarks: each page through the real router (every middleware as the binary has them:
// request logging at info level to io.Discard, Prometheus metrics on), the view model alone, and
// the templ component alone. They report time and allocations; they check the status, never
// wall-clock time. Run:
//
//	go test ./handlers/ -run '^$' -bench . -benchmem

// benchPages are the pages the benchmarks and the load benchmark (cmd/loadbench) measure.
var benchPages = []struct{ name, target string }{
	{"start", "/"},
	{"question", "/q/build?v=3"},
	{"question-mid", "/q/realtime?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed&api=public&v=3"},
	{"result", "/result?" + fullPlatform},
	{"result-unsure", "/result?build=site&logic=notsure&growth=small&seo=critical&render=mixed&api=none&realtime=no&team=notsure&share=notsure&quality=notsure&v=3"},
}

// benchMixOnly are the rest of the load benchmark's mixed load: the API, the embed and the
// decision record. BenchmarkRouter measures them too (a cached embed page once cost twice a site
// page's allocations, from parsing its query for the theme on every hit).
var benchMixOnly = []struct{ name, target string }{
	{"api-decision", "/api/v1/decision"},
	{"api-result", "/api/v1/result?" + fullPlatform},
	{"embedding", "/embedding"},
	{"embed-result", "/embed/result?" + fullPlatform},
	{"record", "/result.md?" + fullPlatform},
}

// discardWriter is a ResponseWriter that keeps headers and the status and drops the body, so
// the benchmark measures the handler rather than a recorder's buffer growth.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

// benchServer is the handler as cmd/wizard builds it by default (metrics on).
func benchServer(b *testing.B) (*Server, http.Handler) {
	b.Helper()
	return newTestServer(b, withConfig(Config{Metrics: serve.NewMetrics()}))
}

// benchCodings are the Accept-Encoding headers measured: none (wrk's default), and what browsers
// send (brotli is chosen), and gzip only.
var benchCodings = []struct{ name, accept string }{
	{"identity", ""},
	{"br", "gzip, deflate, br, zstd"},
	{"gzip", "gzip"},
}

// BenchmarkRouter serves each page, and the rest of the mixed load, through the whole router,
// from the cache. SetBytes is the body size as sent, so MB/s is the response throughput of one core.
func BenchmarkRouter(b *testing.B) {
	_, h := benchServer(b)
	for _, p := range append(benchPages[:len(benchPages):len(benchPages)], benchMixOnly...) {
		for _, enc := range benchCodings {
			b.Run(p.name+"/"+enc.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, p.target, nil)
				if enc.accept != "" {
					req.Header.Set("Accept-Encoding", enc.accept)
				}
				w := &discardWriter{h: http.Header{}}
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("%s: status %d", p.target, w.status)
				}
				if enc.accept != "" && w.h.Get("Content-Encoding") == "" {
					b.Fatalf("%s: not compressed for Accept-Encoding %q", p.target, enc.accept)
				}
				b.SetBytes(int64(w.n))
				b.ReportAllocs()
				for b.Loop() {
					w.reset()
					h.ServeHTTP(w, req)
				}
				if w.status != http.StatusOK {
					b.Fatalf("%s: status %d", p.target, w.status)
				}
			})
		}
	}
}

// BenchmarkServe serves each page over a real loopback connection: net/http's own work (reading
// the request, the header map, writing) is included, which BenchmarkRouter leaves out. The client
// reads raw bytes and allocates nothing, so the allocations reported are the server's.
func BenchmarkServe(b *testing.B) {
	_, h := benchServer(b)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range benchPages {
		for _, enc := range benchCodings {
			b.Run(p.name+"/"+enc.name, func(b *testing.B) {
				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				req := "GET " + p.target + " HTTP/1.1\r\nHost: wizard.test\r\nUser-Agent: bench\r\n"
				if enc.accept != "" {
					req += "Accept-Encoding: " + enc.accept + "\r\n"
				}
				raw := []byte(req + "\r\n")
				rd := bufio.NewReaderSize(conn, 64<<10)
				roundTrip := func() int {
					if _, err := conn.Write(raw); err != nil {
						b.Fatal(err)
					}
					n, err := readRawResponse(rd)
					if err != nil {
						b.Fatalf("%s: %v", p.target, err)
					}
					return n
				}
				b.SetBytes(int64(roundTrip()))
				b.ReportAllocs()
				for b.Loop() {
					roundTrip()
				}
			})
		}
	}
}

// readRawResponse reads one 200 response with a Content-Length and returns its size on the wire.
func readRawResponse(rd *bufio.Reader) (int, error) {
	line, err := rd.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return 0, fmt.Errorf("status line %q", line)
	}
	size, length := len(line), -1
	for {
		line, err = rd.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		size += len(line)
		if len(line) == 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return 0, errors.New("no Content-Length")
	}
	if _, err := rd.Discard(length); err != nil {
		return 0, err
	}
	return size + length, nil
}

// BenchmarkRouterMiss serves a page the page cache has never seen (each iteration links from
// another, newer content version, which the page notes, so each is a page of its own): the cost
// of a first visit, and of a flood of never-repeated URLs. It renders, caches and, for br and
// gzip, compresses the page. team8 is a team page of eight members, the first renamed each time.
// BenchmarkRouterJunk is a known page under a new tracking parameter.
func BenchmarkRouterMiss(b *testing.B) {
	s, h := benchServer(b)
	var team []decision.TeamMember
	for i := range decision.MaxTeamMembers {
		team = append(team, decision.TeamMember{Answers: walkAnswers(s.content, func(q *decision.Question) int { return (i + q.Position) % len(q.Options) })})
	}
	b.Run("team8/br", func(b *testing.B) {
		w := &discardWriter{h: http.Header{}}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			team[0].Name = "m" + strconv.Itoa(i)
			req := httptest.NewRequest(http.MethodGet, "/team?"+s.teamQuery(team), nil)
			req.Header.Set("Accept-Encoding", "br")
			w.reset()
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("team: status %d", w.status)
			}
		}
	})
	for _, p := range []string{"question", "result"} {
		for _, enc := range benchCodings {
			b.Run(p+"/"+enc.name, func(b *testing.B) {
				var target string
				for _, bp := range benchPages {
					if bp.name == p {
						target = bp.target
					}
				}
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					req := httptest.NewRequest(http.MethodGet, strings.Replace(target, "v="+strconv.Itoa(s.content.Version), "v="+strconv.Itoa(i+s.content.Version), 1), nil)
					if enc.accept != "" {
						req.Header.Set("Accept-Encoding", enc.accept)
					}
					w.reset()
					h.ServeHTTP(w, req)
					if w.status != http.StatusOK {
						b.Fatalf("%s: status %d", target, w.status)
					}
				}
			})
		}
	}
}

// benchComponent builds a page's view model as its handler does and returns the component.
func benchComponent(b *testing.B, s *Server, name string) templ.Component {
	b.Helper()
	c := s.content
	var target string
	for _, p := range benchPages {
		if p.name == name {
			target = p.target
		}
	}
	rq := s.read(httptest.NewRequest(http.MethodGet, target, nil))
	rp := c.Replay(rq.State().Raw)
	switch name {
	case "start":
		return views.Start(views.StartPage{Meta: s.meta(rq, siteName, "", false), StartURL: "/q/build?v=3"})
	case "question":
		return views.Question(s.questionPage(rq, &rp, c.Question("build"), ""))
	case "result", "result-unsure":
		res, err := c.Evaluate(&rp)
		if err != nil {
			b.Fatal(err)
		}
		return views.Result(s.resultPage(rq, &rp, res))
	}
	b.Fatalf("no page %q", name)
	return nil
}

// BenchmarkRouterJunk serves the cached result page under a new tracking parameter each time:
// the URL is parsed to its canonical key, and nothing is rendered.
func BenchmarkRouterJunk(b *testing.B) {
	_, h := benchServer(b)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		w.reset()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/result?"+fullPlatform+"&utm_source="+strconv.Itoa(i), nil))
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// BenchmarkTemplRender renders a ready view model: the cost of templ alone.
func BenchmarkTemplRender(b *testing.B) {
	s, _ := benchServer(b)
	ctx := context.Background()
	for _, name := range []string{"start", "question", "result", "result-unsure"} {
		b.Run(name, func(b *testing.B) {
			comp := benchComponent(b, s, name)
			b.ReportAllocs()
			for b.Loop() {
				if err := comp.Render(ctx, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResultModel is everything the result handler does before templ: decode the URL,
// replay, evaluate, counterfactuals, open questions, and the view model with its links.
func BenchmarkResultModel(b *testing.B) {
	s, _ := benchServer(b)
	for _, p := range benchPages[3:] {
		b.Run(p.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, p.target, nil)
			c := s.content
			b.ReportAllocs()
			for b.Loop() {
				rq := s.read(r)
				state := rq.State()
				rp := c.Replay(state.Raw)
				res, err := c.Evaluate(&rp)
				if err != nil {
					b.Fatal(err)
				}
				page := s.resultPage(rq, &rp, res)
				page.Notes = s.linkNotes(rq.Site(), state, rp.Answers)
			}
		})
	}
}

// BenchmarkCompressLevels compresses a rendered page at the levels serve.Page uses: the fast ones
// for a page's first response, the best ones once it is asked for again. B/page is the size.
func BenchmarkCompressLevels(b *testing.B) {
	_, h := benchServer(b)
	for _, p := range []struct{ name, target string }{{"result", "/result?" + fullPlatform}, {"question", "/q/build?v=3"}} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p.target, nil))
		body := w.Body.Bytes()
		gz1, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		gz6, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
		for _, c := range []struct {
			name string
			z    interface {
				io.WriteCloser
				Reset(io.Writer)
			}
		}{{"br1", brotli.NewWriterLevel(nil, 1)}, {"br5", brotli.NewWriterLevel(nil, 5)}, {"gzip1", gz1}, {"gzip6", gz6}} {
			b.Run(p.name+"/"+c.name, func(b *testing.B) {
				var out bytes.Buffer
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					out.Reset()
					c.z.Reset(&out) // one writer, reset, as serve's pool hands them out
					c.z.Write(body)
					c.z.Close()
				}
				b.ReportMetric(float64(out.Len()), "B/page")
			})
		}
	}
}
