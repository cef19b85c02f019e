package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the flush timer writes to it.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) read() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String(), s.writes
}

func TestLineBuffer(t *testing.T) {
	out := &syncBuffer{}
	b := newLineBuffer(out)
	for i := range 100 {
		b.Write([]byte("line " + strings.Repeat("x", i%10) + "\n"))
	}
	if got, _ := out.read(); got != "" {
		t.Fatalf("lines went out before a flush: %q", got[:min(len(got), 40)])
	}
	// The timer flushes them, in one write.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, writes := out.read()
		if strings.Count(got, "\n") == 100 {
			if writes != 1 {
				t.Errorf("100 lines took %d writes, want 1", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lines were not flushed within 5 s of being written (%d of 100 out)", strings.Count(got, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A full buffer is written out at once, and a line larger than the buffer goes straight out.
	out2 := &syncBuffer{}
	b2 := newLineBuffer(out2)
	line := strings.Repeat("y", 1000) + "\n"
	for range logBufferSize/len(line) + 1 {
		b2.Write([]byte(line))
	}
	if got, writes := out2.read(); writes != 1 || len(got) != (logBufferSize/len(line))*len(line) {
		t.Errorf("full buffer: %d writes, %d bytes", writes, len(got))
	}
	huge := strings.Repeat("z", logBufferSize+1)
	b2.Write([]byte(huge))
	if got, _ := out2.read(); !strings.HasSuffix(got, huge) {
		t.Error("a line larger than the buffer was not written through")
	}
	b2.Flush()
	if got, _ := out2.read(); strings.Count(got, "y") != (logBufferSize/len(line)+1)*1000 {
		t.Error("lines were lost or reordered")
	}
}
