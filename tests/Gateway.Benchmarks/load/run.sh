#!/usr/bin/env bash
# The download-path benchmark: the gateway against nginx proxy_pass and against the origin itself,
# on the same objects, side by side in one run, ending with a table of ratios checked against the
# performance floors. Everything runs on this machine, on loopback, as separate processes:
# redis-server, the origin, nginx, the gateway (published Release build, as the image ships it) and
# wrk as the client.
#
#   bash tests/Gateway.Benchmarks/load/run.sh                 # origin: LocalOss (checks signatures)
#   ORIGIN=static bash tests/Gateway.Benchmarks/load/run.sh   # origin: nginx serving the files
#   DURATION=20 LARGE_MIB=128 bash tests/Gateway.Benchmarks/load/run.sh
#
# Origins. "localoss": LocalOss verifies every V4 signature, as OSS does; "direct" is a presigned URL
# to it and nginx forwards presigned URLs. "static": nginx serves the bucket's files with no signature
# check, so the origin's own CPU does not hide the gateway's (the gateway still signs every request).
#
# The "bare YARP" rows are tests/Gateway.Benchmarks.BareProxy: Kestrel and YARP alone, forwarding to
# the small object's direct URL with no store, signing, policy, metering or telemetry. They say what any
# YARP proxy costs here, so the gateway's own work is the difference between its rows and those; the
# "bare YARP + Redis read" rows add one HMGET per request, so they say what the link's round trip costs.
#
# Phases: origin, nginx and bare YARP warm-up; a cold replica's first COLD_SECONDS of load (the replica
# that created the links has been stopped; this one has served nothing); its warm-up; 4 KiB objects at
# 32 and 256 connections, SMALL_ROUNDS times (default 3) with direct, nginx, both bare YARPs and the
# gateway taking turns; COLD_RUNS - 1 more cold replicas (COLD_RUNS in all, default 3), each started fresh;
# large objects (LARGE_MIB x LARGE_CONNECTIONS in parallel); 404s for an unknown
# code; then SLOW_CLIENTS clients reading a SLOW_MIB object at SLOW_RATE each from a new replica. For
# each row: req/s, MiB/s, p50/p99, and the CPU each process spent per request (from /proc/<pid>/stat,
# children included, so nginx's workers count).
#
# Needs wrk, nginx, redis-server and curl; installs the missing ones from Debian's packages when run as
# root. Bounded: every wrk run stops after its duration, the slow clients after SLOW_SECONDS, and every
# process started here is stopped on exit. STRICT=1 exits 1 when a floor is missed.
#
# PROFILE=1 adds a profiled pass after the rows: DURATION seconds of 4 KiB downloads at 32 connections
# while `dotnet-trace collect-linux --profile cpu-sampling` (kernel CPU samples with managed stacks;
# installed as a dotnet tool when missing) records the gateway, then splits its CPU into the parts of a
# download (tests/Gateway.Benchmarks/Profiling/CpuBreakdown.cs), in µs from the unprofiled 32-connection
# row; then the same for the bare YARP proxy with its Redis read, so each part can be set against what
# any YARP proxy pays; then the gateway's allocation samples by type and by the code that allocated
# (tests/Gateway.Benchmarks/Profiling/AllocationBreakdown.cs). The traces stay in artifacts/load/.
#
# WEBHOOK_DEAD=1 adds a phase at the end: DURATION seconds of 4 KiB downloads at 32 connections three
# times: with no webhook endpoint; with one endpoint subscribed to every event ("*", so every download
# raises download.completed) whose receiver answers 204 at once (nginx); and with that endpoint replaced
# by one whose receiver never answers. It prints the rows and the ratios: dead / live shows what a dead
# receiver changes (the claim is: nothing), live / none what producing and delivering an event per
# download costs. The dead receiver is a TCP listener that accepts and then hangs (each attempt waits
# for Gateway:Webhooks:AttemptTimeout); WEBHOOK_DEAD=closed points at a closed port instead (refused at
# once, then retried). Without WEBHOOK_DEAD nothing of this runs and the admin key has no webhooks scope.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
root=$PWD
here=$root/tests/Gateway.Benchmarks/load

origin_kind=${ORIGIN:-localoss}
duration=${DURATION:-10}
cold_seconds=${COLD_SECONDS:-8}
cold_runs=${COLD_RUNS:-3}
small_rounds=${SMALL_ROUNDS:-3}
warmup_seconds=${WARMUP_SECONDS:-20}
threads=${THREADS:-2}
large_mib=${LARGE_MIB:-512}
large_connections=${LARGE_CONNECTIONS:-4}
large_seconds=${LARGE_SECONDS:-15}
slow_clients=${SLOW_CLIENTS:-64}
slow_rate=${SLOW_RATE:-1M}
slow_mib=${SLOW_MIB:-1024}
slow_seconds=${SLOW_SECONDS:-15}
webhook_dead=${WEBHOOK_DEAD:-0}
[[ $origin_kind == localoss || $origin_kind == static ]] || { echo "ORIGIN must be localoss or static" >&2; exit 2; }
[[ $webhook_dead == 0 || $webhook_dead == 1 || $webhook_dead == closed ]] || { echo "WEBHOOK_DEAD must be 1 or closed" >&2; exit 2; }

work=$(mktemp -d /tmp/gateway-load.XXXXXX)
chmod 755 "$work" # nginx's workers run as nobody and read the static files from here
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

missing=()
for tool in wrk nginx redis-server curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]} > 0)); then
  packages=("${missing[@]/python3/python3-minimal}")
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "==> installing ${packages[*]} (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} (apt-get install -y ${packages[*]})" >&2
    exit 1
  fi
fi

echo "==> publishing the gateway, the bare YARP proxy and LocalOss (Release)"
out=$root/artifacts/load
dotnet publish "$root/src/Gateway" -c Release -o "$out/gateway" -v quiet -nologo >/dev/null
gateway_dll=$out/gateway/Gateway.dll
dotnet publish "$root/tests/Gateway.Benchmarks.BareProxy" -c Release -o "$out/bare" -v quiet -nologo >/dev/null
if [[ $origin_kind == localoss ]]; then
  dotnet publish "$root/src/LocalOss" -c Release -o "$out/localoss" -v quiet -nologo >/dev/null
fi

# free_port, wait_for, gateway_settings and the keys: shared with compare.sh.
source "$here/common.sh"

# Any HTTP answer will do (the origin answers 403 to an unsigned request).
wait_for_port() {
  local _
  for _ in $(seq 1 200); do curl -sS -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0; sleep 0.1; done
  echo "timeout waiting for port $1" >&2
  exit 1
}

clock_ticks=$(getconf CLK_TCK)
# CPU time (ticks) of a process and its children, so nginx's master and workers count together.
cpu_ticks() {
  local pid total=0 stat
  for pid in "$1" $(pgrep -P "$1" || true); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) } # the command name may contain spaces; fields after it are fixed
    total=$((total + $(awk '{print $12 + $13}' <<<"$stat")))
  done
  echo "$total"
}
# Peak (VmHWM) or current (VmRSS) resident memory in KiB, the largest over a process and its children.
memory_kib() {
  local field=$1 pid max=0 kib
  for pid in "$2" $(pgrep -P "$2" || true); do
    kib=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    ((${kib:-0} > max)) && max=$kib
  done
  echo "$max"
}

redis_port=$(free_port) origin_port=$(free_port) nginx_port=$(free_port) gateway_port=$(free_port)

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")

# One nginx instance: 1 worker, long-lived client connections, temp files and logs under $work.
start_nginx() { # name server-block -> pid
  local dir=$work/nginx-$1
  mkdir -p "$dir/logs" "$dir/temp"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  $2
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' &
  pids+=($!)
  NGINX_PID=$!
}

if [[ $origin_kind == localoss ]]; then
  mkdir -p "$work/oss/$bucket"
  dotnet "$out/localoss/LocalOss.dll" --urls "http://127.0.0.1:$origin_port" --LocalOss:Root="$work/oss" \
    --LocalOss:AccessKeyId=$ak --LocalOss:AccessKeySecret=$sk --LocalOss:Region=cn-hangzhou >"$work/localoss.log" 2>&1 &
  origin_pid=$!
  pids+=("$origin_pid")
else
  mkdir -p "$work/static/$bucket"
  start_nginx origin "server { listen 127.0.0.1:$origin_port; root $work/static; location / { } }"
  origin_pid=$NGINX_PID
fi

# nginx proxy_pass as an operator would configure it: upstream keepalive, buffered (the default).
start_nginx proxy "
  upstream origin { server 127.0.0.1:$origin_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host 127.0.0.1:$origin_port;
      proxy_buffering on;
    }
  }"
nginx_pid=$NGINX_PID

gateway_settings "$redis_port" "$origin_port"
export Gateway__DataDirectory="$work/gateway"
if [[ $webhook_dead != 0 ]]; then
  # The dead receiver listens on 127.0.0.1, which endpoints may target only with private networks allowed.
  export Gateway__Admin__ApiKeys__load__Scopes__2=webhooks
  export Gateway__Webhooks__AllowPrivateNetworks=true
fi

start_gateway() { # log-name -> GATEWAY_PID
  dotnet "$gateway_dll" --urls "http://127.0.0.1:$gateway_port" >"$work/$1.log" 2>&1 &
  pids+=($!)
  GATEWAY_PID=$!
  wait_for "http://127.0.0.1:$gateway_port/readyz"
}

wait_for_port "$origin_port"
start_gateway gateway-setup
setup_pid=$GATEWAY_PID

presign() { # method key -> URL (the gateway's own presign command, same configuration)
  dotnet "$gateway_dll" presign --bucket load --key "$2" --method "$1" --expires 7200 | head -n 1
}

echo "==> seeding objects (4 KiB, $large_mib MiB, $slow_mib MiB)"
seed() { # name size-in-KiB
  if [[ $origin_kind == static ]]; then
    head -c $(($2 * 1024)) /dev/urandom >"$work/static/$bucket/$1"
  else
    head -c $(($2 * 1024)) /dev/urandom >"$work/$1"
    curl -fsS -X PUT -T "$work/$1" "$(presign PUT "$1")" -o /dev/null
    rm -f "$work/$1"
  fi
}
seed small.bin 4
seed large.bin $((large_mib * 1024))
seed slow.bin $((slow_mib * 1024))

create_link() {
  curl -fsS -X POST "http://127.0.0.1:$gateway_port/api/v1/links" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d "{\"bucket\":\"load\",\"key\":\"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'
}
small_code=$(create_link small.bin)
large_code=$(create_link large.bin)
slow_code=$(create_link slow.bin)
direct_url() {
  if [[ $origin_kind == static ]]; then echo "http://127.0.0.1:$origin_port/$bucket/$1"; else presign GET "$1"; fi
}
small_direct=$(direct_url small.bin)
large_direct=$(direct_url large.bin)
via_nginx() { echo "http://127.0.0.1:$nginx_port/${1#http://*/}"; }

# Kestrel and YARP alone (tests/Gateway.Benchmarks.BareProxy), forwarding every request to the small
# object's direct URL: what any YARP proxy pays per request here, before the gateway's own work.
# A second one first reads a hash from redis-server for each request, as the gateway reads its link.
start_bare() { # log-name [BARE_REDIS] -> BARE_PID, BARE_PORT
  BARE_PORT=$(free_port)
  BARE_TARGET=$small_direct BARE_REDIS=${2:-} dotnet "$out/bare/Gateway.Benchmarks.BareProxy.dll" --urls "http://127.0.0.1:$BARE_PORT" >"$work/$1.log" 2>&1 &
  BARE_PID=$!
  pids+=("$BARE_PID")
  wait_for "http://127.0.0.1:$BARE_PORT/small.bin"
}
start_bare bare
bare_pid=$BARE_PID bare_url=http://127.0.0.1:$BARE_PORT/small.bin
start_bare bare-redis "127.0.0.1:$redis_port"
bare_redis_pid=$BARE_PID bare_redis_url=http://127.0.0.1:$BARE_PORT/small.bin

# The replica that created the links is stopped: the one measured has served nothing yet.
kill "$setup_pid"
wait "$setup_pid" 2>/dev/null || true

declare -A RPS MIBS P50 P99 CPU ORIGIN_CPU
# measure KEY LABEL PROXY-PID CONNECTIONS SECONDS URL [TIMEOUT]: one wrk run, one table row.
measure() {
  local key=$1 label=$2 proxy_pid=$3 connections=$4 seconds=$5 url=$6 timeout=${7:-5s}
  local proxy_before origin_before redis_before proxy_after origin_after redis_after result
  proxy_before=$( ((proxy_pid > 0)) && cpu_ticks "$proxy_pid" || echo 0)
  origin_before=$(cpu_ticks "$origin_pid") redis_before=$(cpu_ticks "$redis_pid")
  result=$(wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout "$timeout" -s "$here/report.lua" "$url" | grep '^RESULT')
  proxy_after=$( ((proxy_pid > 0)) && cpu_ticks "$proxy_pid" || echo 0)
  origin_after=$(cpu_ticks "$origin_pid") redis_after=$(cpu_ticks "$redis_pid")
  # RESULT requests=N bytes=N duration_us=N socket_errors=N non2xx=N p50_us=N p99_us=N (report.lua)
  local requests bytes duration_us socket_errors non2xx p50_us p99_us
  eval "$(sed 's/^RESULT //' <<<"$result")"
  ((requests > 0)) || requests=1
  RPS[$key]=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  MIBS[$key]=$(awk -v b="$bytes" -v d="$duration_us" 'BEGIN {printf "%.1f", b / 1048576 / (d / 1e6)}')
  P50[$key]=$(awk -v v="$p50_us" 'BEGIN {printf "%.2f", v / 1000}')
  P99[$key]=$(awk -v v="$p99_us" 'BEGIN {printf "%.2f", v / 1000}')
  # CPU per request; per MiB for the large objects, where a handful of requests move gigabytes.
  local units=$requests
  [[ $key == large* ]] && units=$(awk -v b="$bytes" 'BEGIN {printf "%.3f", b / 1048576}')
  per_unit() { awk -v t="$1" -v u="$units" -v hz="$clock_ticks" 'BEGIN {printf "%.0f", (u > 0 ? t / hz * 1e6 / u : 0)}'; }
  CPU[$key]=$(per_unit $((proxy_after - proxy_before)))
  ORIGIN_CPU[$key]=$(per_unit $((origin_after - origin_before)))
  local redis_cpu
  redis_cpu=$(per_unit $((redis_after - redis_before)))
  ((proxy_pid > 0)) || CPU[$key]="-"
  printf '| %-34s | %5s | %8s | %9s | %8s | %8s | %9s | %9s | %8s |\n' "$label" "$connections" "${RPS[$key]}" "${MIBS[$key]}" \
    "${P50[$key]}" "${P99[$key]}" "${CPU[$key]}" "${ORIGIN_CPU[$key]}" "$redis_cpu"
  # The 404 row answers 404 by design; anywhere else a non-2xx answer means the row measured errors.
  [[ $key == notfound ]] && non2xx=0
  if ((socket_errors + non2xx > 0)); then
    echo "   ! $label: $socket_errors socket errors, $non2xx non-2xx answers" >&2
  fi
}

gateway_url=http://127.0.0.1:$gateway_port
echo
echo "origin: $origin_kind; wrk $threads threads; $(nproc) cores shared by wrk and every server; $(date -u +%FT%TZ)"
echo "CPU columns: µs of each process's CPU per request (per MiB in the large-object rows)"
printf '| %-34s | %5s | %8s | %9s | %8s | %8s | %9s | %9s | %8s |\n' scenario conns "req/s" "MiB/s" "p50 ms" "p99 ms" "proxy µs" "origin µs" "redis µs"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-------" "----------" "-----------" "----------" "----------" "-----------" "-----------" "----------"

# The origin and nginx are warmed first: OSS is never cold, and a cold LocalOss would charge its own
# JIT to the gateway's first seconds.
measure warmup_direct "4 KiB, direct, warm-up" 0 32 5 "$small_direct"
measure warmup_nginx "4 KiB, nginx, warm-up" "$nginx_pid" 32 5 "$(via_nginx "$small_direct")"
measure warmup_bare "4 KiB, bare YARP, warm-up" "$bare_pid" 32 "$warmup_seconds" "$bare_url"
measure warmup_bare_redis "4 KiB, bare YARP + Redis, warm-up" "$bare_redis_pid" 32 "$warmup_seconds" "$bare_redis_url"
start_gateway gateway
gateway_pid=$GATEWAY_PID
measure cold "4 KiB, gateway, cold replica" "$gateway_pid" 32 "$cold_seconds" "$gateway_url/$small_code"
measure warmup "4 KiB, gateway, warm-up" "$gateway_pid" 32 "$warmup_seconds" "$gateway_url/$small_code"
# The machine's other load drifts over seconds, so the three take turns, round after round; the
# floors use the median of the rounds' ratios (and of the gateway's CPU), not one row each.
for connections in 32 256; do
  for round in $(seq 1 "$small_rounds"); do
    measure "direct${connections}_$round" "4 KiB, direct" 0 "$connections" "$duration" "$small_direct"
    measure "nginx${connections}_$round" "4 KiB, nginx proxy_pass" "$nginx_pid" "$connections" "$duration" "$(via_nginx "$small_direct")"
    measure "bare${connections}_$round" "4 KiB, bare YARP" "$bare_pid" "$connections" "$duration" "$bare_url"
    measure "bareredis${connections}_$round" "4 KiB, bare YARP + Redis read" "$bare_redis_pid" "$connections" "$duration" "$bare_redis_url"
    measure "gateway${connections}_$round" "4 KiB, gateway" "$gateway_pid" "$connections" "$duration" "$gateway_url/$small_code"
  done
done

median() { tr ' ' '\n' <<<"$*" | grep -v '^$' | sort -g | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
of() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}'; }
declare -A RATIO
for connections in 32 256; do
  rps_ratios="" p99_ratios="" direct_ratios="" nginx_direct_ratios="" gateway_rps="" gateway_cpu=""
  bare_nginx_ratios="" bare_cpu_ratios="" bare_redis_cpu_ratios=""
  for round in $(seq 1 "$small_rounds"); do
    g=gateway${connections}_$round n=nginx${connections}_$round d=direct${connections}_$round b=bare${connections}_$round
    bare_nginx_ratios+=" $(of "${RPS[$b]}" "${RPS[$n]}")"
    bare_cpu_ratios+=" $(of "${CPU[$b]}" "${CPU[$g]}")"
    bare_redis_cpu_ratios+=" $(of "${CPU[bareredis${connections}_$round]}" "${CPU[$g]}")"
    rps_ratios+=" $(of "${RPS[$g]}" "${RPS[$n]}")"
    p99_ratios+=" $(of "${P99[$g]}" "${P99[$n]}")"
    direct_ratios+=" $(of "${RPS[$g]}" "${RPS[$d]}")"
    nginx_direct_ratios+=" $(of "${RPS[$n]}" "${RPS[$d]}")"
    gateway_rps+=" ${RPS[$g]}" gateway_cpu+=" ${CPU[$g]}"
  done
  RATIO[rps$connections]=$(median $rps_ratios) RATIO[p99$connections]=$(median $p99_ratios)
  RATIO[direct$connections]=$(median $direct_ratios) RATIO[nginx_direct$connections]=$(median $nginx_direct_ratios)
  RATIO[bare_nginx$connections]=$(median $bare_nginx_ratios) RATIO[bare_cpu$connections]=$(median $bare_cpu_ratios)
  RATIO[bare_redis_cpu$connections]=$(median $bare_redis_cpu_ratios)
  RPS[gateway$connections]=$(printf '%.0f' "$(median $gateway_rps)") CPU[gateway$connections]=$(printf '%.0f' "$(median $gateway_cpu)")
  echo "   4 KiB at $connections connections, gateway / nginx by round:$rps_ratios (median ${RATIO[rps$connections]})"
done

# More cold starts: a replica's first seconds vary more than anything else measured here. Each one is
# a new process on its own port that has served nothing, stopped after its row.
cold_ratios=" $(of "${RPS[cold]}" "${RPS[gateway32]}")"
for run in $(seq 2 "$cold_runs"); do
  cold_port=$(free_port)
  dotnet "$gateway_dll" --urls "http://127.0.0.1:$cold_port" >"$work/gateway-cold-$run.log" 2>&1 &
  cold_pid=$!
  pids+=("$cold_pid")
  wait_for "http://127.0.0.1:$cold_port/readyz"
  measure "cold_$run" "4 KiB, gateway, cold replica $run" "$cold_pid" 32 "$cold_seconds" "http://127.0.0.1:$cold_port/$small_code"
  kill "$cold_pid" 2>/dev/null || true
  wait "$cold_pid" 2>/dev/null || true
  cold_ratios+=" $(of "${RPS[cold_$run]}" "${RPS[gateway32]}")"
done
RATIO[cold]=$(median $cold_ratios)
echo "   cold replicas' first ${cold_seconds} s / the median warm rate:$cold_ratios (median ${RATIO[cold]})"
measure large_direct "$large_mib MiB, direct" 0 "$large_connections" "$large_seconds" "$large_direct" 120s
measure large_nginx "$large_mib MiB, nginx proxy_pass" "$nginx_pid" "$large_connections" "$large_seconds" "$(via_nginx "$large_direct")" 120s
measure large_gateway "$large_mib MiB, gateway" "$gateway_pid" "$large_connections" "$large_seconds" "$gateway_url/$large_code" 120s
measure notfound "404, unknown code" "$gateway_pid" 32 "$duration" "$gateway_url/unknowncode1"

gateway_peak_kib=$(memory_kib VmHWM "$gateway_pid")

# Slow clients: each reads at SLOW_RATE for SLOW_SECONDS from a second replica that has served nothing
# else, so its memory is what the slow downloads hold (the whole-run peak above covers the rest); the
# replica's resident memory is sampled meanwhile.
slow_port=$(free_port)
dotnet "$gateway_dll" --urls "http://127.0.0.1:$slow_port" >"$work/gateway-slow.log" 2>&1 &
slow_gateway_pid=$!
pids+=("$slow_gateway_pid")
wait_for "http://127.0.0.1:$slow_port/readyz"
slow_peak_kib=0 slow_pids=()
for i in $(seq 1 "$slow_clients"); do
  curl -sS --limit-rate "$slow_rate" --max-time "$slow_seconds" -o /dev/null -w '%{size_download}\n' \
    "http://127.0.0.1:$slow_port/$slow_code" >"$work/slow-$i.out" 2>/dev/null &
  slow_pids+=($!)
done
slow_end=$((SECONDS + slow_seconds + 2))
while ((SECONDS < slow_end)); do
  kib=$(memory_kib VmRSS "$slow_gateway_pid")
  ((kib > slow_peak_kib)) && slow_peak_kib=$kib
  sleep 0.5
done
wait "${slow_pids[@]}" 2>/dev/null || true
kill "$slow_gateway_pid" 2>/dev/null || true
slow_bytes=$(cat "$work"/slow-*.out | awk '{s += $1} END {print s + 0}')
printf '| %-34s | %5s | %8s | %9s | %8s | %8s | %9s | %9s | %8s |\n' "$slow_mib MiB, $slow_rate/s each, new replica" "$slow_clients" "-" \
  "$(awk -v b="$slow_bytes" -v s="$slow_seconds" 'BEGIN {printf "%.1f", b / 1048576 / s}')" "-" "-" "-" "-" "-"

if [[ ${PROFILE:-0} == 1 ]]; then
  export PATH="$PATH:$HOME/.dotnet/tools"
  command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
  dotnet build "$root/tests/Gateway.Benchmarks" -c Release -v quiet -nologo >/dev/null
  # profile name pid url cpu-us-per-request: the same load and the same split for the gateway and for
  # the bare proxy with its Redis read, so each part can be set against what any YARP proxy pays.
  profile() {
    echo
    echo "==> profiling $1: $duration s of 4 KiB downloads at 32 connections"
    local trace=$out/$1.nettrace trace_pid
    rm -f "$trace"
    dotnet-trace collect-linux -p "$2" --profile cpu-sampling --duration "00:00:00:$((duration + 2))" -o "$trace" >"$work/trace.log" 2>&1 &
    trace_pid=$!
    sleep 1
    wrk -t "$threads" -c 32 -d "${duration}s" "$3" >/dev/null
    wait "$trace_pid" || { cat "$work/trace.log" >&2; exit 1; }
    dotnet "$root/tests/Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll" cpu-breakdown "$trace" \
      --pid "$2" --cpu-us-per-request "$4" --top "${PROFILE_TOP:-30}"
  }
  profile gateway "$gateway_pid" "$gateway_url/$small_code" "${CPU[gateway32]}"
  bare_redis_cpu=""
  for round in $(seq 1 "$small_rounds"); do bare_redis_cpu+=" ${CPU[bareredis32_$round]}"; done
  profile bare-yarp-redis "$bare_redis_pid" "$bare_redis_url" "$(printf '%.0f' "$(median $bare_redis_cpu)")"

  echo
  echo "==> the gateway's allocations: $duration s of 4 KiB downloads at 32 connections"
  trace=$out/gateway-allocations.nettrace
  rm -f "$trace"
  dotnet-trace collect -p "$gateway_pid" --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration "00:00:00:$((duration + 2))" -o "$trace" >"$work/trace.log" 2>&1 &
  trace_pid=$!
  sleep 1
  result=$(wrk -t "$threads" -c 32 -d "${duration}s" -s "$here/report.lua" "$gateway_url/$small_code" | grep '^RESULT')
  wait "$trace_pid" || { cat "$work/trace.log" >&2; exit 1; }
  dotnet "$root/tests/Gateway.Benchmarks/bin/Release/net10.0/Gateway.Benchmarks.dll" alloc-breakdown "$trace" \
    --pid "$gateway_pid" --requests "$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$result")" --top "${PROFILE_TOP:-30}"
fi

if [[ $webhook_dead != 0 ]]; then
  dead_port=$(free_port)
  if [[ $webhook_dead == 1 ]]; then
    # Accepts every connection and never reads or answers: each delivery hangs until its attempt times out.
    python3 -c '
import socket, sys
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen(4096)
held = []
while True:
    held.append(listener.accept()[0])
' "$dead_port" &
    pids+=($!)
    dead_kind="accepts and hangs"
  else
    dead_kind="closed port"
  fi

  live_port=$(free_port)
  start_nginx receiver "server { listen 127.0.0.1:$live_port; location / { return 204; } }"
  wait_for_port "$live_port"

  register_webhook() { # url -> endpoint id
    curl -fsS -X POST "$gateway_url/api/v1/webhooks" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
      -d "{\"url\":\"$1\",\"events\":[\"*\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
  }
  of() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

  echo
  echo "==> webhooks: 4 KiB downloads with no endpoint, an endpoint on \"*\" whose receiver answers, then one whose receiver $dead_kind"
  printf '| %-34s | %5s | %8s | %9s | %8s | %8s | %9s | %9s | %8s |\n' scenario conns "req/s" "MiB/s" "p50 ms" "p99 ms" "proxy µs" "origin µs" "redis µs"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-------" "----------" "-----------" "----------" "----------" "-----------" "-----------" "----------"
  measure webhook_none "4 KiB, gateway, no webhook" "$gateway_pid" 32 "$duration" "$gateway_url/$small_code"
  # The replica that registers an endpoint knows it at once; a moment for its background services to start.
  live_id=$(register_webhook "http://127.0.0.1:$live_port/hook")
  sleep 1
  measure webhook_live "4 KiB, gateway, live webhook on *" "$gateway_pid" 32 "$duration" "$gateway_url/$small_code"
  curl -fsS -X DELETE "$gateway_url/api/v1/webhooks/$live_id" -H "Authorization: Bearer $admin_key" -o /dev/null
  register_webhook "http://127.0.0.1:$dead_port/hook" >/dev/null
  sleep 1
  measure webhook_dead "4 KiB, gateway, dead webhook on *" "$gateway_pid" 32 "$duration" "$gateway_url/$small_code"
  echo "webhook, 4 KiB at 32 connections: dead receiver / live receiver: $(of "${RPS[webhook_dead]}" "${RPS[webhook_live]}")x req/s," \
    "$(of "${P99[webhook_dead]}" "${P99[webhook_live]}")x p99; live receiver / no endpoint: $(of "${RPS[webhook_live]}" "${RPS[webhook_none]}")x req/s;" \
    "dead receiver / no endpoint: $(of "${RPS[webhook_dead]}" "${RPS[webhook_none]}")x req/s"
fi

nginx_peak_kib=$(memory_kib VmHWM "$nginx_pid")
echo
echo "peak RSS: gateway $((gateway_peak_kib / 1024)) MiB (whole run); a new replica with $slow_clients slow clients $((slow_peak_kib / 1024)) MiB; nginx proxy worker $((nginx_peak_kib / 1024)) MiB"

# The floors of the performance issue, as ratios measured above.
met=0 missed=0
floor() { # label value comparison threshold unit
  local ok
  ok=$(awk -v v="$2" -v t="$4" -v c="$3" 'BEGIN {print (c == ">=" ? v >= t : v <= t) ? "met" : "MISSED"}')
  printf '| %-52s | %9s | %2s %-8s | %-6s |\n' "$1" "$2$5" "$3" "$4$5" "$ok"
  if [[ $ok == met ]]; then met=$((met + 1)); else missed=$((missed + 1)); fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
echo
printf '| %-52s | %9s | %-11s | %-6s |\n' "floor" "measured" "target" "result"
printf '|%s|%s|%s|%s|\n' "------------------------------------------------------" "-----------" "-------------" "--------"
floor "4 KiB req/s, gateway / nginx (32 connections)" "$(ratio "${RATIO[rps32]}" 1)" ">=" 0.6 x
floor "4 KiB req/s, gateway / nginx (256 connections)" "$(ratio "${RATIO[rps256]}" 1)" ">=" 0.6 x
floor "4 KiB p99, gateway / nginx (32 connections)" "$(ratio "${RATIO[p9932]}" 1)" "<=" 3 x
floor "4 KiB p99, gateway / nginx (256 connections)" "$(ratio "${RATIO[p99256]}" 1)" "<=" 3 x
floor "gateway CPU per 4 KiB download (32 connections)" "${CPU[gateway32]}" "<=" 120 " µs"
floor "$large_mib MiB x$large_connections MiB/s, gateway / nginx" "$(ratio "${MIBS[large_gateway]}" "${MIBS[large_nginx]}")" ">=" 1.0 x
floor "cold replicas' first ${cold_seconds} s, req/s / warm (32 conns)" "$(ratio "${RATIO[cold]}" 1)" ">=" 0.7 x
floor "gateway peak RSS, whole run" "$((gateway_peak_kib / 1024))" "<=" 199 " MiB"
floor "new replica peak RSS, $slow_clients slow clients" "$((slow_peak_kib / 1024))" "<=" 149 " MiB"
echo
echo "the 4 KiB ratios and the gateway's CPU are medians over $small_rounds rounds; the cold ratio over $cold_runs replicas"
echo "also: gateway / direct, 4 KiB (32): $(ratio "${RATIO[direct32]}" 1)x; large: $(ratio "${MIBS[large_gateway]}" "${MIBS[large_direct]}")x;" \
  "nginx / direct, 4 KiB (32): $(ratio "${RATIO[nginx_direct32]}" 1)x"
echo "bare YARP (Kestrel and YARP alone) / nginx, 4 KiB req/s (32 / 256): $(ratio "${RATIO[bare_nginx32]}" 1)x / $(ratio "${RATIO[bare_nginx256]}" 1)x;" \
  "its CPU per request / the gateway's (32 / 256): $(ratio "${RATIO[bare_cpu32]}" 1)x / $(ratio "${RATIO[bare_cpu256]}" 1)x;" \
  "with a Redis read per request: $(ratio "${RATIO[bare_redis_cpu32]}" 1)x / $(ratio "${RATIO[bare_redis_cpu256]}" 1)x"
echo "floors: $met met, $missed missed"
if [[ ${STRICT:-0} == 1 ]] && ((missed > 0)); then exit 1; fi
