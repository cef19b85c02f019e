package handlers

import (
	"bytes"
	"container/list"
	"context"
	"net/http"
	"sync"

	"github.com/a-h/templ"
)

// pageCache keeps recently rendered result pages. A result costs a few hundred microseconds to
// build (every counterfactual is evaluated) and is the page most often reopened, through share
// links. The bodies are stored with a placeholder in place of the CSP nonce, which is swapped for
// each response's own nonce on the way out, so no nonce is ever served twice.
type pageCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cachedPage struct {
	key  string
	body []byte // with noncePlaceholder
	etag string
}

// noncePlaceholder cannot occur in a page otherwise: base64 nonces have no '!' and templ escapes
// nothing into it.
const noncePlaceholder = "!nonce-placeholder!"

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *pageCache) get(key string) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedPage), true
	}
	return nil, false
}

func (c *pageCache) put(p *cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[p.key]; ok {
		e.Value = p
		c.order.MoveToFront(e)
		return
	}
	c.items[p.key] = c.order.PushFront(p)
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cachedPage).key)
	}
}

// renderCached serves a 200 page from the cache, or builds it with build, caches it and serves it.
// The key must capture everything the page depends on.
func (s *Server) renderCached(w http.ResponseWriter, r *http.Request, key string, build func() (templ.Component, error)) error {
	nonce := templ.GetNonce(r.Context())
	p, ok := s.pages.get(key)
	if !ok {
		c, err := build()
		if err != nil {
			return err
		}
		// templ.WithNonce changes the nonce in place when the context already carries templ's
		// values, as the request's does: render in a context of its own.
		var buf bytes.Buffer
		if err := c.Render(templ.WithNonce(context.Background(), noncePlaceholder), &buf); err != nil {
			return err
		}
		p = &cachedPage{key: key, body: buf.Bytes(), etag: etagWithout(buf.Bytes(), noncePlaceholder)}
		s.pages.put(p)
	}
	body := bytes.ReplaceAll(p.body, []byte(noncePlaceholder), []byte(nonce))
	w.Header().Set("Cache-Control", "no-cache")
	writeBody(w, r, http.StatusOK, "text/html; charset=utf-8", body, p.etag)
	return nil
}
