// Command journeys walks the wizard as visitors do, over HTTP, for the scripts that run it
// behind real servers. Visitors are the content's own typical projects (decision/content.yaml's
// examples): each opens the start page, follows its links, submits each question's form,
// follows the redirects to a result, and fetches what that page links to (stylesheet, scripts,
// preview card, decision record, oEmbed, the API's answer). Some walk the embed (themed) and
// one decides as a team with another.
//
//	journeys edge -edge URL -direct URL[,URL]   # scripts/edge-cache.sh
//	journeys bump -edge URL -direct URL -version N
//	journeys funnel -target URL[,URL] -visitors N   # scripts/prometheus-readback.sh
//	journeys readback -prometheus URL -expect FILE
//
// edge walks every journey through a cache, as clients with different Accept-Encoding, and
// compares each response with what a replica gives the same client directly: the same status,
// type and decoded body, in a coding the client accepts (brotli where the replica gives brotli),
// and If-None-Match answered with a 304. It exits 1 on any difference.
//
// bump checks a content version bump through the cache, after the replicas were restarted with
// content of version N: journeys move to the new version at their first answer, and the
// unversioned start page follows once its shared-cache lifetime is over.
//
// funnel walks visitors against the replicas (round robin per request, as a load balancer
// does) and prints, as JSON, what the wizard's funnel counters must have counted. readback
// waits until Prometheus, scraping those replicas, shows the same totals summed over them
// through its HTTP API, and until every query of the Grafana dashboard answers with data.
//
// Everything is plain GETs to the URLs given; nothing is sent anywhere else.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: journeys edge|bump|funnel|readback [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	edge := fs.String("edge", "", "the cache's URL (edge, bump)")
	direct := fs.String("direct", "", "replica URLs, comma-separated, to compare with (edge, bump)")
	target := fs.String("target", "", "replica URLs, comma-separated (funnel)")
	public := fs.String("public", "", "the replicas' PUBLIC_URL, which absolute links start with (default: -edge, or the first -target)")
	revalidate := fs.Bool("revalidate", false, "also send each ETag back through the edge and want a 304 (edge)")
	visitors := fs.Int("visitors", 40, "visitors to walk, at least (funnel)")
	spread := fs.Duration("for", 0, "walk visitors for at least this long, spread evenly (funnel)")
	prometheus := fs.String("prometheus", "", "Prometheus' URL (readback)")
	expect := fs.String("expect", "", "what funnel printed (readback)")
	dashboard := fs.String("dashboard", "deploy/grafana/wizard.json", "the Grafana dashboard whose queries to run (readback)")
	version := fs.Int("version", 0, "the content version the replicas now serve (bump)")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up after this long")
	fs.Parse(os.Args[2:])
	time.AfterFunc(*timeout, func() {
		fmt.Fprintf(os.Stderr, "journeys: still running after %s\n", *timeout)
		os.Exit(1)
	})
	targets := split(*target)
	if *public == "" {
		*public = *edge
		if *public == "" && len(targets) > 0 {
			*public = targets[0]
		}
	}
	var err error
	switch os.Args[1] {
	case "edge":
		err = edgeCheck(*edge, *public, split(*direct), *revalidate)
	case "bump":
		err = bumpCheck(*edge, *public, split(*direct), *version)
	case "funnel":
		err = funnel(targets, *public, *visitors, *spread)
	case "readback":
		err = readback(*prometheus, *expect, *dashboard)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "journeys:", err)
		os.Exit(1)
	}
}

func split(list string) []string {
	var out []string
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.TrimSuffix(s, "/"))
		}
	}
	return out
}
