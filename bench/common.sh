# Sourced by the bench scripts (from the repository root); not executable on its own.
#
#   find_binary NAME   sets binary, if empty, to the release or else the test build of infercost;
#                      exits 2 with a message from NAME when there is none
#   nginx_start DIR    starts one Debian nginx on a free loopback port, with a private prefix and
#                      config under DIR, one worker process, keep-alive without limits, answering
#                      every request (any method) with a 3-byte body, but /static/NAME, which it
#                      serves from DIR/static/NAME; sets nginx_pid and nginx_url
#                      (http://127.0.0.1:PORT/)
#   nginx_stop         stops it (safe to call twice; call it from the caller's EXIT trap)
#   nginx_version      e.g. 1.22.1
#   binary_version     `$binary version` on one line: version, revision; allocator
#
# Needs nginx, curl and python3 (deploy/install-deps.sh --all).

find_binary() {
  if [ -z "${binary:-}" ]; then
    for candidate in build/release/exporter/infercost build/test/exporter/infercost; do
      if [ -x "$candidate" ]; then binary=$candidate; break; fi
    done
  fi
  if [ -z "${binary:-}" ] || [ ! -x "$binary" ]; then
    echo "$1: no infercost binary; build it (cmake --workflow --preset release) or pass --binary" >&2
    exit 2
  fi
}

nginx_pid=""
nginx_url=""

nginx_start() {
  local dir=$1 port bin
  bin=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -x "$bin" ]; then
    echo "nginx is missing; run deploy/install-deps.sh --all" >&2
    return 2
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir/logs" "$dir/static"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 "ok\n"; }
    # Files as a peer serves them (bench/serve_scrape.py times /metrics's bytes from here).
    location /static/ { alias $dir/static/; }
    # Requests served, for benches that count on the server's side (bench/serve_scrape.py).
    location = /nginx_status { stub_status; }
  }
}
EOF
  "$bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
  nginx_pid=$!
  nginx_url="http://127.0.0.1:$port/"
  for _ in $(seq 1 50); do
    curl -sf "$nginx_url" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nginx did not start:" >&2
  cat "$dir/logs/error.log" >&2
  return 1
}

nginx_stop() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
  fi
}

binary_version() {
  "$binary" version | paste -sd ';' - | sed 's/;/; /g'
}

nginx_version() {
  "$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1 | sed 's/.*\///'
}
