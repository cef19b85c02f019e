package main

import (
	"runtime"
	"runtime/debug"
)

// The wizard's live heap is small, about 1 MB with the content and a few cached pages, and each
// request allocates a few KB (net/http's request and header maps, the CSP, the log line). With
// Go's default GOGC=100 the heap goal is then the 4 MB minimum, and the collector ran about 50
// times a second under load on one core, shrinking the connections' stacks each time for the next
// request to grow again. GOGC=400 makes that about 10 times a second, for about 12 MB more memory
// (peak RSS under scripts/loadbench.sh: 24 → 36 MiB).
//
// The memory limit keeps the total bounded with many connections or a full page cache (a flood of
// never-repeated URLs): past it, the collector runs as often as it must. scripts/load.sh (256
// connections) peaked at 49 MB of RSS with a 40 MiB limit, and at 42 MB with this one.
//
// Either can be set in the environment as usual, and then this leaves it alone.
const (
	defaultGCPercent   = 400
	defaultMemoryLimit = 32 << 20
)

// tuneGC applies the defaults above unless the environment sets GOGC or GOMEMLIMIT, which the Go
// runtime has already read.
//
// It also turns off the sampling of allocations for heap profiles. The wizard serves no profiles,
// but chi's middleware package links net/http/pprof, and a linked profiler keeps sampling on:
// every 512 KiB allocated (about 150 pages), an allocation unwinds its stack, about 0.5% of the
// CPU under load. A build that serves profiles should drop this line.
func tuneGC(getenv func(string) string) {
	runtime.MemProfileRate = 0
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
