package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter batches log lines into one write every logFlushEvery (or 64 KiB): a write per
// request line was 10–20% of the CPU of serving a cached page (docs/benchmarks.md, Log lines). A
// crash of the whole process loses at most that much; stop flushes the rest.
type logWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

const logFlushEvery = 100 * time.Millisecond

func newLogWriter(out io.Writer) (w *logWriter, stop func()) {
	w = &logWriter{w: bufio.NewWriterSize(out, 64<<10)}
	tick, done := time.NewTicker(logFlushEvery), make(chan struct{})
	go func() {
		for {
			select {
			case <-tick.C:
				w.flush()
			case <-done:
				return
			}
		}
	}()
	return w, func() { tick.Stop(); close(done); w.flush() }
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func (w *logWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.w.Flush()
}
