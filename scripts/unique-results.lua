-- wrk script: every request asks for a result page the wizard has never seen (the same answers
-- plus a parameter the wizard ignores), as a browser would (brotli). It measures the page cache's
-- worst case: every request is a miss, and the cache, bounded in bytes, keeps turning over.
--
--   wrk -t2 -c64 -d20s -s scripts/unique-results.lua http://127.0.0.1:8080
--   grep VmHWM /proc/$(pgrep -f cmd/wizard)/status     # the server's peak memory
counter = 0
request = function()
  counter = counter + 1
  local path = "/result?build=platform&logic=complex&growth=monolith&seo=critical&render=mixed"
    .. "&api=public&realtime=some&team=fullstack&share=yes&quality=helpful&v=3"
    .. "&utm_source=" .. counter .. "-" .. math.random(1, 1000000000)
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip, deflate, br, zstd" })
end
