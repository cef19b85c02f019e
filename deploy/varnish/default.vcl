vcl 4.1;

# Varnish as the wizard's edge cache (Debian's varnish 7.1; `varnishd -C -f` compiles it), in
# front of HAProxy (deploy/haproxy/haproxy.cfg), which balances the replicas. What it keeps and
# for how long is the wizard's own Cache-Control (docs/operations.md, Caching); this file adds
# only what a CDN adds: one Accept-Encoding per coding, no cookies in the key, and revalidation.
# scripts/edge-cache.sh runs this file with a loopback port in place of the backend's.

backend haproxy {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 20s;
}

sub vcl_recv {
    # Metrics belong on the replicas' METRICS_ADDR, never at the edge.
    if (req.url ~ "^/metrics") {
        return (synth(404));
    }
    # The wizard sets and reads no cookie; one set on the domain by something else (analytics)
    # must not make every request a pass.
    unset req.http.Cookie;

    # Accept-Encoding, normalised to the one coding this client gets: br, gzip or identity.
    # Browsers send a dozen spellings of the same preference; one variant per coding keeps the
    # hit ratio up. A coding is accepted when it is listed (gzip also as x-gzip) with no q-value
    # or one above 0, or is not listed and a "*" above 0 is; brotli wins when both are (q-values
    # above 0 are not compared). Anything else (a malformed q) gets identity, which every client
    # takes.
    if (req.http.Accept-Encoding ~ "(?i)(^|,)\s*br\s*(;\s*q\s*=\s*(1(\.0{0,3})?|0\.\d*[1-9]\d*)\s*)?(,|$)" ||
        (req.http.Accept-Encoding ~ "(^|,)\s*\*\s*(;\s*q\s*=\s*(1(\.0{0,3})?|0\.\d*[1-9]\d*)\s*)?(,|$)" &&
         req.http.Accept-Encoding !~ "(?i)(^|,)\s*br\s*(;|,|$)")) {
        set req.http.X-Coding = "br";
    } elsif (req.http.Accept-Encoding ~ "(?i)(^|,)\s*(x-)?gzip\s*(;\s*q\s*=\s*(1(\.0{0,3})?|0\.\d*[1-9]\d*)\s*)?(,|$)" ||
        (req.http.Accept-Encoding ~ "(^|,)\s*\*\s*(;\s*q\s*=\s*(1(\.0{0,3})?|0\.\d*[1-9]\d*)\s*)?(,|$)" &&
         req.http.Accept-Encoding !~ "(?i)(^|,)\s*(x-)?gzip\s*(;|,|$)")) {
        set req.http.X-Coding = "gzip";
    } else {
        set req.http.X-Coding = "identity";
    }
    # Varnish's own gzip support (on by default) rewrites Accept-Encoding after this: to "gzip"
    # for a client that takes gzip, and away for any other, and it asks the backend for gzip on
    # every miss. So the coding is kept in X-Coding: hashed (vcl_hash) and sent to the replica
    # (vcl_backend_fetch), and the replica's brotli reaches brotli clients. Accept-Encoding is
    # set too, for a varnishd run with http_gzip_support off, where Vary does the work.
    if (req.http.X-Coding == "identity") {
        unset req.http.Accept-Encoding;
    } else {
        set req.http.Accept-Encoding = req.http.X-Coding;
    }

    # The form endpoint counts answers and completions and redirects (303, never stored): every
    # request goes to a replica, and none is a cache miss.
    if (req.url ~ "^(/embed)?/next(\?|$)") {
        return (pass);
    }
}

sub vcl_hash {
    hash_data(req.http.X-Coding);
    # The built-in vcl_hash adds the URL and the Host.
}

sub vcl_backend_fetch {
    if (bereq.http.X-Coding == "identity") {
        unset bereq.http.Accept-Encoding;
    } else {
        set bereq.http.Accept-Encoding = bereq.http.X-Coding;
    }
    unset bereq.http.X-Coding;
}

sub vcl_backend_response {
    # Varnish applies stale-while-revalidate (as grace) but not must-revalidate: honour it.
    if (beresp.http.Cache-Control ~ "(?i)must-revalidate") {
        set beresp.grace = 0s;
    }
    # Keep an expired page a while longer, so the next request revalidates it with its ETag
    # (If-None-Match; a 304 from a replica, no body) instead of fetching it whole.
    set beresp.keep = 1h;
}
