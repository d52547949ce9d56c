#!/usr/bin/env bash
# Runs deploy/tls-proxy/nginx.conf for real with Debian's nginx on loopback, in front of a small
# HTTP server standing in for infercost, with a certificate made here: the proxy terminates TLS,
# passes paths and headers through, answers its own /healthz, and refuses plain HTTP.
set -euo pipefail
nginx_bin=$1
conf=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null

# The stand-in upstream answers every GET with the path and the forwarded protocol it saw.
cat >"$tmp/upstream.py" <<'PY'
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"path={self.path} proto={self.headers.get('X-Forwarded-Proto')}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$tmp/upstream.py" >"$tmp/upstream.port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/upstream.port" ] && break; sleep 0.1; done
upstream_port=$(cat "$tmp/upstream.port")

proxy_port=$(free_port)
# /tmp/ first: the other replacements put $tmp (itself under /tmp/) into the line.
sed -e "s|/tmp/|$tmp/|g" \
    -e "s|server infercost:18090;|server 127.0.0.1:$upstream_port;|" \
    -e "s|listen 18443 ssl;|listen 127.0.0.1:$proxy_port ssl;|" \
    -e "s|/etc/nginx/certs/|$tmp/|g" \
    -e "s|access_log /dev/stdout;|access_log $tmp/access.log;|" \
    "$conf" >"$tmp/nginx.conf"
grep -q "127.0.0.1:$upstream_port" "$tmp/nginx.conf"
grep -q "127.0.0.1:$proxy_port ssl" "$tmp/nginx.conf"

"$nginx_bin" -e stderr -p "$tmp" -c "$tmp/nginx.conf" -t
"$nginx_bin" -e stderr -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)
url="https://localhost:$proxy_port"
for _ in $(seq 50); do
  curl -s --cacert "$tmp/tls.crt" --resolve "localhost:$proxy_port:127.0.0.1" -o /dev/null \
    "$url/healthz" && break
  sleep 0.1
done

get() {
  curl -sS --fail --max-time 5 --cacert "$tmp/tls.crt" \
    --resolve "localhost:$proxy_port:127.0.0.1" "$url$1"
}
[ "$(get /healthz)" = "ok" ]
got=$(get /metrics)
echo "$got"
[ "$got" = "path=/metrics proto=https" ]
got=$(get '/api/v1/targets?x=1')
[ "$got" = "path=/api/v1/targets?x=1 proto=https" ]
# Plain HTTP on the TLS port is refused (nginx answers 400).
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$proxy_port/metrics")
[ "$code" = 400 ]
echo "tls proxy: ok"
