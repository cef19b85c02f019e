package serve

import (
	"container/list"
	"sync"
)

// Cache keeps pages by key, least recently used out first, within a byte budget, so a flood of
// never-repeated URLs only cycles the cache: memory stays bounded. The wizard keys a page by its
// canonical URL (the answers in canonical form, mode, theme, version), so variants of a link
// (tracking parameters, parameter order) share one entry.
type Cache struct {
	mu    sync.Mutex
	max   int
	bytes int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cached struct {
	key  string
	page *Page
	size int
}

// NewCache makes a cache holding about maxBytes of pages.
func NewCache(maxBytes int) *Cache {
	return &Cache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
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
	if err != nil || p == nil {
		return p, err
	}
	c.put(key, p)
	return p, nil
}

// Lookup returns the page stored under key, if there is one.
func (c *Cache) Lookup(key string) (*Page, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cached).page, true
	}
	return nil, false
}

func (c *Cache) put(key string, p *Page) {
	c.mu.Lock()
	defer c.mu.Unlock()
	item := &cached{key: key, page: p, size: len(key) + p.Size()}
	if e, ok := c.items[key]; ok {
		c.bytes -= e.Value.(*cached).size
		e.Value = item
		c.order.MoveToFront(e)
	} else {
		c.items[key] = c.order.PushFront(item)
	}
	c.bytes += item.size
	for c.bytes > c.max && c.order.Len() > 1 {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		old := oldest.Value.(*cached)
		delete(c.items, old.key)
		c.bytes -= old.size
	}
}

// Len is the number of pages held, and Bytes about their memory.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Bytes is about the memory the pages hold.
func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
