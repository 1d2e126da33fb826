-- wrk script of the cluster load test: each request a random state of the treaty list (0 to 3
-- facet filters, a sort, a page), a search, or a detail page. The values are read from the file
-- named by CLUSTER_VALUES (lines "kind<TAB>value": party, kind, subject, decade, word, slug).
-- Counts every answer by status, and when the last non-200 came (seconds after the start).
local values = {party = {}, kind = {}, subject = {}, decade = {}, word = {}, slug = {}}
local sorts = {"", "&sort=date", "&sort=-date", "&sort=title"}
local threads = {}
-- Globals, not locals: done() reads them from each thread with thread:get().
counts = {}
retry_after = 0
started = 0
last_bad = -1

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  local file = io.open(os.getenv("CLUSTER_VALUES"), "r")
  for line in file:lines() do
    local kind, value = line:match("^(%w+)\t(.+)$")
    if kind and values[kind] then table.insert(values[kind], value) end
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  started = os.time()
end

local function pick(list)
  return list[math.random(#list)]
end

request = function()
  local roll = math.random(100)
  local path
  if roll <= 35 then
    path = "/treaties/" .. pick(values.slug) .. "/"
  elseif roll <= 50 then
    path = "/treaties/?q=" .. pick(values.word) .. pick(sorts)
  else
    local parts = {}
    for _ = 1, math.random(0, 3) do
      local facet = pick({"party", "party", "kind", "subject", "decade"})
      table.insert(parts, facet .. "=" .. pick(values[facet]))
    end
    path = "/treaties/?" .. table.concat(parts, "&") .. pick(sorts) .. "&page=" .. math.random(1, 3)
  end
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status ~= 200 then
    last_bad = os.time() - started
    if status == 503 and headers["Retry-After"] then retry_after = retry_after + 1 end
  end
end

done = function(summary, latency, requests)
  local total, with_retry, last = {}, 0, -1
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
    with_retry = with_retry + thread:get("retry_after")
    last = math.max(last, thread:get("last_bad"))
  end
  local statuses = {}
  for status, n in pairs(total) do table.insert(statuses, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'CLUSTER_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"statuses": {%s}, "503_with_retry_after": %d, "last_non_200_s": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect, e.read, e.write, e.timeout,
    table.concat(statuses, ", "), with_retry, last))
end
