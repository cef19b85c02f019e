package serve

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Cache keeps pages by key within a byte budget, so a flood of never-repeated URLs only cycles
// it. It holds two generations of half the budget each: pages go into the young one (a page found
// in the old one moves back), and when the young one is full the old one is dropped and the young
// one becomes old. So a page in use stays, and one unused for a generation goes.
//
// Building a page that is not in the cache (a miss) takes one of a few build slots, so a flood of
// never-seen URLs cannot take every CPU from the requests the cache answers: a hit never waits
// for a slot, and a miss that finds none free within Wait fails with ErrBusy.
type Cache struct {
	mu         sync.Mutex
	half       int // bytes a generation may hold
	young, old map[string]*Page
	youngBytes int
	oldBytes   int

	// slots holds a token per build in progress; its capacity is the bound.
	slots chan struct{}
	// Wait is how long a miss waits for a build slot before Get gives up with ErrBusy (zero: it
	// does not wait). Set it before the cache is used.
	Wait    time.Duration
	waiting atomic.Int64
}

// ErrBusy is Get's error for a miss that found no build slot free within the cache's Wait.
var ErrBusy = errors.New("serve: every page build slot is busy")

// Builds and BuildWait are the bound a cache starts with:
//
//   - Half the CPUs (GOMAXPROCS), at least one. A miss is CPU work from start to end (a result
//     page renders in about 0.2 ms and compresses fast in 0.1 ms more; a team page of eight
//     members takes about 1.4 ms), with no I/O to overlap. With a slot per CPU a flood kept
//     every P building (a waiter woken by a freed slot runs next on that P), and hits waited for
//     one. On the 2-core machine of docs/benchmarks.md (Misses under a flood), side by side in one
//     run, the cached result page kept 0.11× its quiet throughput with p99 at 29× under a flood
//     with two slots, and 0.31× with p99 at 4.5× with one; the flood got 2,160 and 1,508 pages/s.
//   - A miss waits at most 1 s for a slot. At 0.3 ms a build, that is a queue of some 3,000 misses
//     per slot, far beyond what a visitor's click meets (under a 32-connection flood a miss waits
//     about 15 ms), so only a flood past that gets 503s; and 1 s is about where a visitor stops
//     feeling that a page answers directly, so a longer wait would hold connections open for a
//     page nobody is waiting for any more.
var (
	Builds    = max(1, runtime.GOMAXPROCS(0)/2)
	BuildWait = time.Second
)

// NewCache makes a cache holding about maxBytes of pages, building at most Builds at once.
func NewCache(maxBytes int) *Cache {
	return &Cache{half: maxBytes / 2, young: map[string]*Page{}, old: map[string]*Page{},
		slots: make(chan struct{}, max(Builds, 1)), Wait: BuildWait}
}

// Get returns the page stored under key for r, or makes it with build, stores it and returns it.
// build runs in a build slot (see Cache), which Get waits for at most Wait, giving up with
// ErrBusy, or with the context's error when r ends first; the copy r's Accept-Encoding asks for
// is compressed in the slot too, so a miss's work is all bounded. A page another request built
// while this one waited is served without a build. Two requests missing the same key at once may
// both build it. A page build returns with a nil error is stored, and a nil page (build answered
// the request itself, with a redirect) is not.
func (c *Cache) Get(r *http.Request, key string, build func() (*Page, error)) (*Page, error) {
	if p, ok := c.Lookup(key); ok {
		return p, nil
	}
	if err := c.acquire(r.Context()); err != nil {
		return nil, err
	}
	defer c.release()
	if p, ok := c.Lookup(key); ok {
		return p, nil
	}
	p, err := build()
	if err == nil && p != nil {
		p.variantFor(r)
		c.mu.Lock()
		c.add(key, p)
		c.mu.Unlock()
	}
	return p, err
}

// Lookup returns the page stored under key, if there is one.
func (c *Cache) Lookup(key string) (*Page, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.young[key]
	if !ok {
		if p, ok = c.old[key]; ok {
			c.add(key, p)
		}
	}
	if ok && !p.again.Load() {
		p.again.Store(true) // asked for again: worth compressing well (see Page)
	}
	return p, ok
}

func (c *Cache) add(key string, p *Page) {
	if p.cache == nil {
		p.cache = c // set once, before the page is shared
	}
	size := len(key) + p.Size()
	if c.youngBytes+size > c.half {
		c.old, c.oldBytes = c.young, c.youngBytes
		c.young, c.youngBytes = map[string]*Page{}, 0
	}
	c.young[key] = p
	c.youngBytes += size
}

// Bytes is about the memory the pages hold (at most the budget).
func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.youngBytes + c.oldBytes
}

// Waiting is the number of misses waiting for a build slot now.
func (c *Cache) Waiting() int { return int(c.waiting.Load()) }

// Hold takes every build slot until release is called, as a flood that keeps them all busy
// would; for tests.
func (c *Cache) Hold() (release func()) {
	for range cap(c.slots) {
		c.slots <- struct{}{}
	}
	return func() {
		for range cap(c.slots) {
			<-c.slots
		}
	}
}

func (c *Cache) acquire(ctx context.Context) error {
	if c.tryAcquire() {
		return nil
	}
	if c.Wait <= 0 {
		return ErrBusy
	}
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	t := time.NewTimer(c.Wait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryAcquire takes a build slot if one is free. Slots are handed to waiting misses first (a
// release passes its slot straight to the first waiter), so this succeeds only with none waiting.
func (c *Cache) tryAcquire() bool {
	select {
	case c.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (c *Cache) release() { <-c.slots }
