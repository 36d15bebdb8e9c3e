-- intake.lua plus the percentiles wrk reports (corrected for coordinated omission) and its mean
dofile(os.getenv("INTAKE_LUA"))
function done(summary, latency, requests)
  local s = ""
  for _, p in ipairs({50, 90, 99, 99.9}) do s = s .. string.format("p%s %.2f, ", p, latency:percentile(p) / 1000) end
  io.write(string.format("%d requests, %.0f/s, %smax %.1f ms; mean %.2f ms\n", summary.requests,
    summary.requests / (summary.duration / 1e6), s, latency.max / 1000, latency.mean / 1000))
end
