-- wrk script: every request asks for a page the wizard has never seen, as a crawler walking share
-- links would (Accept-Encoding as a browser's):
--
--   wrk -t1 -c32 -d10s -s scripts/never-seen.lua http://127.0.0.1:8080 -- result SEED
--   wrk -t1 -c32 -d10s -s scripts/never-seen.lua http://127.0.0.1:8080 -- team SEED
--
-- "result" asks for the result page of a new complete answer set; "team" for the team page of
-- eight new members (the most a team link holds, so the dearest team page there is). Answer sets
-- are taken in turn from 460,800 combinations, starting where SEED says and stepping by a number
-- prime to their count, so none repeats within a run (use one wrk thread).
--
-- The questions and options are content version 3's (decision/content.yaml), with the token
-- character of each option (its position among its question's options, see the team link
-- format in docs/integrating.md). Only answers that ask every question are used: builds with
-- pages, logic that asks about growth. Every response should be a 200: the script counts those that are not (a
-- redirect would mean the answers no longer match the content) and prints "Not 200: N" at the end.
local questions = {
  { "build", { { "site", "1" }, { "app", "2" }, { "platform", "3" }, { "notsure", "4" } } },
  { "logic", { { "complex", "0" }, { "moderate", "1" }, { "notsure", "3" } } },
  { "growth", { { "services", "0" }, { "monolith", "1" }, { "small", "2" }, { "notsure", "3" } } },
  { "seo", { { "critical", "0" }, { "helpful", "1" }, { "none", "2" }, { "notsure", "4" } } },
  { "render", { { "mixed", "0" }, { "fast", "1" }, { "client", "2" }, { "notsure", "4" } } },
  { "api", { { "public", "0" }, { "graphql", "1" }, { "own", "2" }, { "none", "3" }, { "notsure", "4" } } },
  { "realtime", { { "essential", "0" }, { "some", "1" }, { "no", "2" }, { "notsure", "3" } } },
  { "team", { { "react", "0" }, { "fullstack", "1" }, { "java", "2" }, { "ddd", "3" }, { "notsure", "4" } } },
  { "share", { { "yes", "0" }, { "no", "1" }, { "notsure", "2" } } },
  { "quality", { { "essential", "0" }, { "helpful", "1" }, { "no", "2" }, { "notsure", "3" } } },
}
local total = 1
for _, q in ipairs(questions) do total = total * #q[2] end
local step = 7919 -- a prime; total is 2^11 * 3^2 * 5^2

local kind, n = "result", 0
function init(args)
  kind = args[1] or "result"
  n = tonumber(args[2] or "0") % total
end

-- combination returns the options of answer set i.
local function combination(i)
  local picked = {}
  for k, q in ipairs(questions) do
    local options = q[2]
    picked[k] = options[(i % #options) + 1]
    i = math.floor(i / #options)
  end
  return picked
end

local function resultPath(picked)
  local parts = {}
  for k, q in ipairs(questions) do parts[k] = q[1] .. "=" .. picked[k][1] end
  return "/result?" .. table.concat(parts, "&") .. "&v=3"
end

local function token(picked)
  local chars = {}
  for k = 1, #questions do chars[k] = picked[k][2] end
  return table.concat(chars)
end

local headers = { ["Accept-Encoding"] = "gzip, deflate, br, zstd" }

request = function()
  n = (n + step) % total
  local path
  if kind == "team" then
    -- The first member is new each time; the others vary too.
    local members = {}
    for m = 1, 8 do members[m] = "m=" .. token(combination((n + (m - 1) * 104729) % total)) end
    path = "/team?" .. table.concat(members, "&") .. "&v=3"
  else
    path = resultPath(combination(n))
  end
  return wrk.format("GET", path, headers)
end

-- Responses other than 200, per thread, summed at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("bad") or 0) end
  io.write(string.format("Not 200: %d\n", n))
end
