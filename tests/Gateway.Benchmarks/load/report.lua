-- wrk reporter: one machine-readable line per run, so run.sh never parses wrk's human output
-- (whose units change with magnitude). Latencies are in microseconds, durations too.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d bytes=%d duration_us=%d socket_errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests,
    summary.bytes,
    summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout,
    errors.status,
    latency:percentile(50),
    latency:percentile(99)))
end
