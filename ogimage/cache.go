package ogimage

import "sync"

// Cache renders each distinct key once and keeps the PNG bytes in memory for
// the life of the process. The cards form a small finite set (outcomes ×
// content versions, plus the start page), so nothing is ever evicted. It is
// safe for concurrent use; concurrent first requests for one key wait for a
// single render instead of each rendering.
type Cache struct {
	m sync.Map // key → *cacheEntry
}

type cacheEntry struct {
	once sync.Once
	png  []byte
	err  error
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{} }

// Get returns the PNG for key, calling card and Render only the first time
// the key is seen. The key must identify everything the card depends on
// (e.g. outcome ID and content version). Render is deterministic, so an
// error is cached too: retrying would fail the same way. The returned slice
// is shared between callers and must not be modified.
func (c *Cache) Get(key string, card func() Card) ([]byte, error) {
	v, ok := c.m.Load(key)
	if !ok {
		v, _ = c.m.LoadOrStore(key, &cacheEntry{})
	}
	e := v.(*cacheEntry)
	e.once.Do(func() { e.png, e.err = Render(card()) })
	return e.png, e.err
}
