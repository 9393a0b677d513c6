#!/usr/bin/env bash
# A/B comparison of two builds of the gateway under the same load at the same time, for tuning the
# download path on a shared, noisy machine: two gateways (A: the commit BASE, default HEAD; B: the
# working tree) on one redis-server and one LocalOss, each loaded by its own wrk at once with 4 KiB
# downloads of one link, ROUNDS times. Running both at once exposes them to the same noise; each round
# prints each one's req/s, CPU µs, context switches and managed bytes allocated per download, and the
# run ends with the geometric means of B/A and each one's peak resident memory.
#
#   bash tests/Gateway.Benchmarks/load/compare.sh                  # HEAD against the working tree
#   BASE=HEAD~3 ROUNDS=6 DURATION=10 bash tests/Gateway.Benchmarks/load/compare.sh
#   B_ENV='DOTNET_TieredCompilation=0' bash …/compare.sh          # same build, a runtime setting on B
#   REUSE=1 B_ENV=… bash …/compare.sh                             # the builds of the previous run again
#   WARMUP_SECONDS=0 DURATION=8 bash …/compare.sh                  # round 1: both replicas cold
#
# CONNECTIONS is per gateway (default 16, so 32 in all, as in run.sh's 32-connection row). Every round
# swaps which wrk starts first. Needs wrk, redis-server, curl and python3 (see run.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
root=$PWD
here=$root/tests/Gateway.Benchmarks/load
# free_port, wait_for, gateway_settings and the keys: shared with run.sh.
source "$here/common.sh"
base=${BASE:-HEAD}
rounds=${ROUNDS:-4}
duration=${DURATION:-10}
warmup=${WARMUP_SECONDS:-15}
connections=${CONNECTIONS:-16}

work=$(mktemp -d /tmp/gateway-compare.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  git -C "$root" worktree remove --force "$work/base-src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

out=$root/artifacts/compare
echo "==> publishing A ($base, $(git rev-parse --short "$base")), B (working tree) and LocalOss (Release)"
git -C "$root" worktree add --detach -q "$work/base-src" "$base"
publish() { # project output
  dotnet publish "$1" -c Release -o "$2" -v quiet -nologo >"$work/publish.log" 2>&1 || { grep -E 'error' "$work/publish.log" >&2; exit 1; }
}
if [[ ${REUSE:-0} == 1 && -f $out/a/Gateway.dll && -f $out/b/Gateway.dll && -f $out/localoss/LocalOss.dll ]]; then
  echo "    (REUSE=1: the builds of the previous run)"
else
  publish "$work/base-src/src/Gateway" "$out/a"
  publish "$root/src/Gateway" "$out/b"
  publish "$root/src/LocalOss" "$out/localoss"
fi

cpu_ticks() { local stat; stat=$(cat "/proc/$1/stat"); stat=${stat##*) }; awk '{print $12 + $13}' <<<"$stat"; }
# Context switches of all of a process's threads: each time a thread sleeps (and is later woken) counts
# one voluntary switch, each preemption one involuntary.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
# Bytes the process has allocated on the managed heap so far, from its own /metrics (the runtime's counter).
allocated() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ {printf "%.0f\n", $2}'; }

redis_port=$(free_port) origin_port=$(free_port) port_a=$(free_port) port_b=$(free_port)

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
mkdir -p "$work/oss/$bucket"
dotnet "$out/localoss/LocalOss.dll" --urls "http://127.0.0.1:$origin_port" --LocalOss:Root="$work/oss" \
  --LocalOss:AccessKeyId=$ak --LocalOss:AccessKeySecret=$sk --LocalOss:Region=cn-hangzhou >"$work/localoss.log" 2>&1 &
pids+=($!)

gateway_settings "$redis_port" "$origin_port"

# The B_ENV settings (space-separated NAME=VALUE) apply to B only.
read -r -a b_env <<<"${B_ENV:-}"
Gateway__DataDirectory="$work/a" dotnet "$out/a/Gateway.dll" --urls "http://127.0.0.1:$port_a" >"$work/a.log" 2>&1 &
pid_a=$!
pids+=("$pid_a")
env "${b_env[@]}" Gateway__DataDirectory="$work/b" dotnet "$out/b/Gateway.dll" --urls "http://127.0.0.1:$port_b" >"$work/b.log" 2>&1 &
pid_b=$!
pids+=("$pid_b")
wait_for "http://127.0.0.1:$port_a/readyz"
wait_for "http://127.0.0.1:$port_b/readyz"

head -c 4096 /dev/urandom >"$work/small.bin"
curl -fsS -X PUT -T "$work/small.bin" -o /dev/null \
  "$(dotnet "$out/a/Gateway.dll" presign --bucket load --key small.bin --method PUT --expires 3600 | head -n 1)"
code=$(curl -fsS -X POST "http://127.0.0.1:$port_a/api/v1/links" -H "Authorization: Bearer $admin_key" \
  -H 'Content-Type: application/json' -d '{"bucket":"load","key":"small.bin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
curl -fsS -o /dev/null "http://127.0.0.1:$port_b/$code"

load() { # port seconds -> RESULT line
  wrk -t 1 -c "$connections" -d "${2}s" -s "$here/report.lua" "http://127.0.0.1:$1/$code" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }

# WARMUP_SECONDS=0: the first round is both replicas' first seconds of load, cold (JIT, tiering, PGO).
if ((warmup > 0)); then
  echo "==> warm-up: ${warmup} s of both at once"
  load "$port_a" "$warmup" >/dev/null &
  background=$!
  load "$port_b" "$warmup" >/dev/null
  wait "$background"
fi

clock_ticks=$(getconf CLK_TCK)
printf '| round | A req/s | B req/s | A µs/download | B µs/download | A switches/download | B switches/download | A bytes/download | B bytes/download | B/A req/s | B/A CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
log_rps=0 log_cpu=0
for round in $(seq 1 "$rounds"); do
  a_before=$(cpu_ticks "$pid_a") b_before=$(cpu_ticks "$pid_b") a_switches=$(switches "$pid_a") b_switches=$(switches "$pid_b")
  a_allocated=$(allocated "$port_a") b_allocated=$(allocated "$port_b")
  if ((round % 2)); then
    load "$port_a" "$duration" >"$work/a.result" &
    background=$!
    load "$port_b" "$duration" >"$work/b.result"
  else
    load "$port_b" "$duration" >"$work/b.result" &
    background=$!
    load "$port_a" "$duration" >"$work/a.result"
  fi
  # Only the other wrk: a bare wait would also wait for the servers.
  wait "$background"
  a_after=$(cpu_ticks "$pid_a") b_after=$(cpu_ticks "$pid_b")
  a_switches=$(($(switches "$pid_a") - a_switches)) b_switches=$(($(switches "$pid_b") - b_switches))
  a_allocated=$(($(allocated "$port_a") - a_allocated)) b_allocated=$(($(allocated "$port_b") - b_allocated))
  a=$(cat "$work/a.result") b=$(cat "$work/b.result")
  for r in "$a" "$b"; do
    (($(field non2xx "$r") + $(field socket_errors "$r") == 0)) || echo "   ! errors in round $round: $r" >&2
  done
  read -r line rps_ratio cpu_ratio < <(awk -v ra="$(field requests "$a")" -v rb="$(field requests "$b")" \
    -v da="$(field duration_us "$a")" -v db="$(field duration_us "$b")" \
    -v ca="$((a_after - a_before))" -v cb="$((b_after - b_before))" -v hz="$clock_ticks" \
    -v sa="$a_switches" -v sb="$b_switches" -v ba="$a_allocated" -v bb="$b_allocated" 'BEGIN {
      rpsa = ra / (da / 1e6); rpsb = rb / (db / 1e6); cpua = ca / hz * 1e6 / ra; cpub = cb / hz * 1e6 / rb
      printf "%.0f|%.0f|%.0f|%.0f|%.2f|%.2f|%.0f|%.0f|%.3f|%.3f %f %f\n", rpsa, rpsb, cpua, cpub, sa / ra, sb / rb, ba / ra, bb / rb, rpsb / rpsa, cpub / cpua, log(rpsb / rpsa), log(cpub / cpua) }')
  IFS='|' read -r rps_a rps_b cpu_a cpu_b sw_a sw_b al_a al_b q_rps q_cpu <<<"$line"
  printf '| %d | %s | %s | %s | %s | %s | %s | %s | %s | %sx | %sx |\n' "$round" "$rps_a" "$rps_b" "$cpu_a" "$cpu_b" "$sw_a" "$sw_b" "$al_a" "$al_b" "$q_rps" "$q_cpu"
  log_rps=$(awk -v s="$log_rps" -v x="$rps_ratio" 'BEGIN {print s + x}')
  log_cpu=$(awk -v s="$log_cpu" -v x="$cpu_ratio" 'BEGIN {print s + x}')
done
awk -v r="$log_rps" -v c="$log_cpu" -v n="$rounds" 'BEGIN {
  printf "geometric mean over %d rounds: B/A req/s %.3fx, B/A CPU per download %.3fx\n", n, exp(r / n), exp(c / n) }'
peak_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
echo "peak RSS: A $(peak_mib "$pid_a") MiB, B $(peak_mib "$pid_b") MiB"
