package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"nestnext/decision"
)

// TestMissParsesTheQueryOnce: a result page that misses the cache, on the site and in the embed,
// reads its query once, however many parts of the page (the key, the page, its head, the oEmbed
// link, the embed's "open in a new tab") need the answers.
func TestMissParsesTheQueryOnce(t *testing.T) {
	s, h := newTestServer(t)
	parses := 0
	parse := s.parseState
	s.parseState = func(q url.Values) decision.State { parses++; return parse(q) }
	for _, target := range []string{
		"/result?" + fullPlatform,
		"/embed/result?" + fullPlatform + "&accent=336699",
		"/result?utm_source=x&" + fullPlatform, // not canonical: its key is worked out
	} {
		parses = 0
		wantStatus(t, get(t, h, target), http.StatusOK)
		if parses != 1 {
			t.Errorf("%s: the query was parsed %d times on a miss, want once", target, parses)
		}
		parses = 0
		wantStatus(t, get(t, h, target), http.StatusOK)
		if target == "/result?"+fullPlatform && parses != 0 {
			t.Errorf("%s: a canonical link found in the cache was parsed %d times, want none", target, parses)
		}
	}
}
