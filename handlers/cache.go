package handlers

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"nestnext/serve"
)

// Every cached response goes through respond, with the key rules in one place: a response is
// stored under the URL the wizard's own links use for it (path and canonical query, plus a
// variant such as a record's day), so a request for such a link is looked up as it came,
// unparsed; any other URL has its canonical key worked out and shares that entry, built on a
// miss (in a build slot of the page cache, serve.Cache).

// entry is a response kept whole, in one of two stores: the page cache (bounded, where a miss
// waits for a build slot), or, fixed, the few bodies made once for the life of the process
// (assets, preview cards), which a flood of misses can neither evict nor make wait.
type entry struct {
	// key is the canonical key, worked out only when the URL as it came is not stored; an error
	// is the response instead (a 400 for a query the API cannot read).
	key func() (string, error)
	// variant tells apart entries of one URL: a dated record's day; "" for none.
	variant string
	// build makes the body; a nil page with a nil error means build answered itself (a redirect).
	build        func() (*serve.Page, error)
	cacheControl string
	fixed        bool
}

// respond serves e: the stored body, or one built and stored now.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, e entry) error {
	p, err := s.stored(r, e)
	if err != nil || p == nil {
		return err
	}
	w.Header()["Cache-Control"] = cacheControlValue(e.cacheControl)
	serve.Write(w, r, http.StatusOK, p)
	return nil
}

// pageCacheControl bounds every cache's copy of a page, since a deploy can change its bytes
// under the same URL: browsers keep it five minutes; a shared cache (CDN, Varnish) one minute,
// then revalidates with the ETag (a replica's 304) and may answer from its copy meanwhile for one
// more. Answering stale is safe: an older page is still a working page, and its form goes to
// /next, which no cache keeps. The edge's Age counts against a browser's five minutes. No
// must-revalidate: it forbids the stale answers (docs/operations.md, Caching, says more).
const pageCacheControl = "public, max-age=300, s-maxage=60, stale-while-revalidate=60"

// immutable is the Cache-Control of a response whose URL names its content (a hash, a version).
const immutable = "public, max-age=31536000, immutable"

// assetCacheControl is that of an asset whose name has no hash: a deploy may change it.
const assetCacheControl = "public, max-age=300"

// embedScriptCacheControl is /embed.js's: a stable URL that sites load, revalidated hourly.
const embedScriptCacheControl = "public, max-age=3600"

// Shared Cache-Control values (never changed in place: serve.Write clips them), so a stored
// response allocates none.
var (
	pageCacheControlValue = []string{pageCacheControl}
	immutableValue        = []string{immutable}
	assetValue            = []string{assetCacheControl}
	embedScriptValue      = []string{embedScriptCacheControl}
)

// cacheControlValue is cc as a header value. It copies a value it does not know rather than
// store cc: storing it would let e's fields reach the heap, and with them the closures every
// caller makes for e (escape analysis does not tell a struct's fields apart), which costs a
// cached page five allocations and about 12 % of its time through the router
// (BenchmarkRouter, docs/benchmarks.md).
func cacheControlValue(cc string) []string {
	switch cc {
	case pageCacheControl:
		return pageCacheControlValue
	case immutable:
		return immutableValue
	case assetCacheControl:
		return assetValue
	case embedScriptCacheControl:
		return embedScriptValue
	}
	return []string{strings.Clone(cc)}
}

func (s *Server) stored(r *http.Request, e entry) (*serve.Page, error) {
	suffix := ""
	if e.variant != "" {
		suffix = " " + e.variant
	}
	if e.fixed {
		key, err := e.key()
		if err != nil {
			return nil, err
		}
		if p, ok := s.fixed.Load(key); ok {
			return p.(*serve.Page), nil
		}
		p, err := e.build()
		if err != nil || p == nil {
			return nil, err
		}
		stored, _ := s.fixed.LoadOrStore(key, p)
		return stored.(*serve.Page), nil
	}
	if p, ok := s.pages.Lookup(r.URL.Path + "?" + r.URL.RawQuery + suffix); ok {
		return p, nil
	}
	key, err := e.key()
	if err != nil {
		return nil, err
	}
	return s.pages.Get(r, key+suffix, e.build)
}

// fixedKey is the key function of an entry whose key never changes.
func fixedKey(k string) func() (string, error) { return func() (string, error) { return k, nil } }

// built is what a wizard page's build function returns: the page, or nil when build has already
// answered (a redirect), which is not cached.
type built struct {
	page templ.Component
	// header holds headers sent with every response of the page (the oEmbed discovery Link).
	header http.Header
	// seen runs for this response and every later one the cached page serves.
	seen func()
}

// servePage serves the wizard page rq asks for, keyed by rq.Key, built by build on a miss.
func (s *Server) servePage(w http.ResponseWriter, rq *request, build func() (built, error)) error {
	return s.serveKeyed(w, rq, func() string { return rq.Key() }, build)
}

// serveKeyed is servePage for a page whose canonical key is not rq.Key (a team page's members).
// build must depend only on what the key names, and must not write a 200 itself.
func (s *Server) serveKeyed(w http.ResponseWriter, rq *request, key func() string, build func() (built, error)) error {
	return s.respond(w, rq.Request, entry{
		key:          func() (string, error) { return key(), nil },
		cacheControl: pageCacheControl,
		build: func() (*serve.Page, error) {
			b, err := build()
			if err != nil || b.page == nil {
				return nil, err
			}
			p, err := renderHTML(b.page)
			if p != nil {
				p.Hit, p.Header = b.seen, b.header
			}
			return p, err
		},
	})
}
