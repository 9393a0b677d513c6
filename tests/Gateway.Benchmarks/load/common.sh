# Shared by run.sh and compare.sh (sourced, never run): ports, readiness, and the one configuration
# every gateway of the load scripts runs with.

# The origin's key pair, the admin key and the bucket, the same in every script.
ak=LTAIloadtest000000 sk=load-test-secret-0123456789 admin_key=gwk_load_test_key
bucket=load-bucket

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits up to 20 s for a URL to answer 2xx; exits the script when it never does.
wait_for() {
  local _
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timeout waiting for $1" >&2
  exit 1
}

# gateway_settings REDIS-PORT ORIGIN-PORT: exports the gateway's settings: redis-server on loopback,
# bucket alias "load" on the origin (path-style), the admin key with links:write and links:read,
# warnings only, and no 404/410 limit (every load client is 127.0.0.1).
gateway_settings() {
  export ConnectionStrings__Redis="127.0.0.1:$1"
  export Gateway__Buckets__load__Endpoint="http://127.0.0.1:$2"
  export Gateway__Buckets__load__Bucket=$bucket
  export Gateway__Buckets__load__Region=cn-hangzhou
  export Gateway__Buckets__load__AddressingStyle=Path
  export Gateway__Buckets__load__AccessKeyId=$ak
  export Gateway__Buckets__load__AccessKeySecret=$sk
  Gateway__Admin__ApiKeys__load__Sha256=$(printf %s "$admin_key" | sha256sum | cut -d' ' -f1)
  export Gateway__Admin__ApiKeys__load__Sha256
  export Gateway__Admin__ApiKeys__load__Scopes__0=links:write
  export Gateway__Admin__ApiKeys__load__Scopes__1=links:read
  export Logging__LogLevel__Default=Warning
  export Gateway__Abuse__Downloads__Limit=0
}
