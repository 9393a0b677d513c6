#!/usr/bin/env bash
# Load test: the gateway against LocalOss, compared with the same downloads straight from LocalOss
# through presigned URLs. Everything runs on this machine, on loopback, as separate processes:
# redis-server, LocalOss, the gateway (Release builds) and wrk as the client.
#
#   bash tests/Gateway.Benchmarks/load/run.sh            # 10 s per scenario
#   DURATION=30s CONNECTIONS=64 bash tests/Gateway.Benchmarks/load/run.sh
#
# Needs wrk and redis-server (apt-get install -y wrk redis-server). Bounded: every wrk run stops
# after DURATION, and all servers are stopped on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
root=$PWD
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
work=$(mktemp -d /tmp/gateway-load.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in wrk redis-server curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk redis-server curl)" >&2; exit 1; }
done

echo "==> building (Release)"
dotnet build "$root/src/Gateway" -c Release -v quiet -nologo >/dev/null
bin="$root/src/Gateway/bin/Release/net10.0"
oss_bin="$root/src/LocalOss/bin/Release/net10.0"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "timeout waiting for $1" >&2; exit 1; }

redis_port=$(free_port) oss_port=$(free_port) gateway_port=$(free_port)
ak=LTAIloadtest000000 sk=load-test-secret-0123456789 admin_key=gwk_load_test_key
bucket=load-bucket

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)

mkdir -p "$work/oss/$bucket"
dotnet "$oss_bin/LocalOss.dll" --urls "http://127.0.0.1:$oss_port" --LocalOss:Root="$work/oss" \
  --LocalOss:AccessKeyId=$ak --LocalOss:AccessKeySecret=$sk --LocalOss:Region=cn-hangzhou >"$work/localoss.log" 2>&1 &
pids+=($!)

export ConnectionStrings__Redis="127.0.0.1:$redis_port"
export Gateway__DataDirectory="$work/gateway"
export Gateway__Buckets__load__Endpoint="http://127.0.0.1:$oss_port"
export Gateway__Buckets__load__Bucket=$bucket
export Gateway__Buckets__load__Region=cn-hangzhou
export Gateway__Buckets__load__AddressingStyle=Path
export Gateway__Buckets__load__AccessKeyId=$ak
export Gateway__Buckets__load__AccessKeySecret=$sk
export Gateway__Admin__ApiKeys__load__Sha256=$(printf %s "$admin_key" | sha256sum | cut -d' ' -f1)
export Gateway__Admin__ApiKeys__load__Scopes__0=links:write
export Gateway__Admin__ApiKeys__load__Scopes__1=links:read
export Logging__LogLevel__Default=Warning
export Gateway__Abuse__Downloads__Limit=0
dotnet "$bin/Gateway.dll" --urls "http://127.0.0.1:$gateway_port" >"$work/gateway.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$gateway_port/readyz"

presign() { # method key -> URL (the gateway's own presign command, same configuration)
  dotnet "$bin/Gateway.dll" presign --bucket load --key "$2" --method "$1" --expires 3600 | head -n 1
}

echo "==> seeding objects"
head -c 4096 /dev/urandom >"$work/small.bin"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$work/large.bin"
for name in small large; do
  curl -fsS -X PUT -T "$work/$name.bin" "$(presign PUT $name.bin)" -o /dev/null
done

create_link() {
  curl -fsS -X POST "http://127.0.0.1:$gateway_port/api/v1/links" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d "{\"bucket\":\"load\",\"key\":\"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'
}
small_code=$(create_link small.bin)
large_code=$(create_link large.bin)
small_direct=$(presign GET small.bin)
large_direct=$(presign GET large.bin)

run() { # label connections url
  local out
  out=$(wrk -t "$threads" -c "$2" -d "$duration" --latency "$3")
  local rps transfer p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  transfer=$(awk '/Transfer\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '| %-32s | %5s | %10s | %10s | %8s | %8s |\n' "$1" "$2" "$rps" "$transfer" "$p50" "$p99"
  grep -q "Non-2xx" <<<"$out" && { echo "non-2xx answers in: $1" >&2; grep "Non-2xx" <<<"$out" >&2; }
  return 0
}

echo
echo "wrk, $threads threads, $duration per row, $(nproc) cores shared by client and servers"
printf '| %-32s | %5s | %10s | %10s | %8s | %8s |\n' scenario conns "req/s" "transfer/s" p50 p99
printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------------" "-------" "------------" "------------" "----------" "----------"
run "4 KiB, LocalOss direct (presigned)" "$connections" "$small_direct"
run "4 KiB, through the gateway" "$connections" "http://127.0.0.1:$gateway_port/$small_code"
run "64 MiB, LocalOss direct (presigned)" 4 "$large_direct"
run "64 MiB, through the gateway" 4 "http://127.0.0.1:$gateway_port/$large_code"
run "404, unknown code" "$connections" "http://127.0.0.1:$gateway_port/unknown-code-1"
echo
echo "gateway RSS after the runs: $(ps -o rss= -p "${pids[2]}" | awk '{printf "%.0f MiB", $1/1024}')"
