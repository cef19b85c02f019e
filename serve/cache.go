package serve

import "sync"

// Cache keeps pages by key within a byte budget, so a flood of never-repeated URLs only cycles
// it. It holds two generations of half the budget each: pages go into the young one (a page found
// in the old one moves back), and when the young one is full the old one is dropped and the young
// one becomes old. So a page in use stays, and one unused for a generation goes.
type Cache struct {
	mu         sync.Mutex
	half       int // bytes a generation may hold
	young, old map[string]*Page
	youngBytes int
	oldBytes   int
}

// NewCache makes a cache holding about maxBytes of pages.
func NewCache(maxBytes int) *Cache {
	return &Cache{half: maxBytes / 2, young: map[string]*Page{}, old: map[string]*Page{}}
}

// Get returns the page stored under key, or makes it with build, stores it and returns it. build
// runs without the lock (two requests missing the same key at once may both build it); a page it
// returns with a nil error is stored, and a nil page (build answered the request itself, with a
// redirect) is not.
func (c *Cache) Get(key string, build func() (*Page, error)) (*Page, error) {
	if p, ok := c.Lookup(key); ok {
		return p, nil
	}
	p, err := build()
	if err == nil && p != nil {
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
	if p, ok := c.young[key]; ok {
		return p, true
	}
	p, ok := c.old[key]
	if ok {
		c.add(key, p)
	}
	return p, ok
}

func (c *Cache) add(key string, p *Page) {
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
