package main

import (
	"io"
	"sync"
	"time"
)

// lineBuffer batches log output into few writes. With one request line per request, each its own
// write, every request costs a system call for its log line (and, where stdout is a pipe to a log
// collector, a wake-up of the collector): 13% of the throughput of a page on one core, measured
// with cmd/loadbench. Lines wait at most logFlushAfter, or until logBufferSize bytes are waiting,
// and run flushes them when the server stops; a crash of the whole process loses at most that
// much.
type lineBuffer struct {
	mu    sync.Mutex
	out   io.Writer
	buf   []byte
	timer *time.Timer
}

const (
	logFlushAfter = 100 * time.Millisecond
	logBufferSize = 64 << 10
)

func newLineBuffer(out io.Writer) *lineBuffer {
	b := &lineBuffer{out: out, buf: make([]byte, 0, logBufferSize)}
	b.timer = time.AfterFunc(time.Hour, func() { b.Flush() })
	b.timer.Stop()
	return b
}

// Write keeps p for the next flush. slog handlers write whole lines, one call per record.
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(b.buf) {
			return b.out.Write(p)
		}
	}
	if len(b.buf) == 0 {
		b.timer.Reset(logFlushAfter)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes out everything waiting.
func (b *lineBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *lineBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.out.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}
