#!/usr/bin/env bash
# HTTP reverse proxy benchmark: Junction's http listener and proxy action vs nginx (proxy_pass, upstream
# keepalive) vs HAProxy (mode http, http-reuse always), optionally vs a plain io.vertx:vertx-http-proxy program,
# all in front of the same backend.
#
#   bench/http.sh [--junction PATH] [--rounds N] [--duration S] [--systems "LIST"] [--workloads "h1 h2"] ...
#
# Everything runs on 127.0.0.1. The backend is nginx with one worker answering `return 200 "hello"` (5-byte body)
# with keepalive_requests 100000000, on two ports: HTTP/1.1, and HTTP/2 over cleartext (for the "direct" h2 row).
# Every proxy speaks HTTP/1.1 with keep-alive to it.
#
# Workloads:
#   h1: wrk -t1 -c64 -d<S>s --latency URL          HTTP/1.1 keep-alive, 64 connections, closed loop
#       (req/s = completed requests / wrk's duration; p50/p99 from wrk's latency histogram, via a Lua done())
#   h2: h2load -c 64 -m 10 -t 1 -D <S> URL          HTTP/2 cleartext by prior knowledge, 64 connections x 10 streams
#       (req/s as h2load prints it; p50/p99 computed from h2load's --log-file, one line per request; h2load's
#       own mean/sd/max of "time for request" are kept in the CSV and the logs)
#
# Per round, every system is measured once, in an order that rotates from round to round:
#   start (a fresh instance per system and round unless --reuse) -> wait for the first proxied 200
#   check: GET / through the proxy answers 200 "hello" (h2: over HTTP/2 by prior knowledge, with curl)
#   per workload: warm-up for --warmup s (Junction and vertx-http-proxy: --junction-warmup s, for the JIT), in
#                 client runs of at most 5 s (connections open and close as in the measured run), then the
#                 measured run of --duration s
# Around each measured run: the proxy's process-tree CPU (utime+stime from /proc/PID/stat, so also its kernel
# share) divided by the requests completed (µs per request; for "direct" the backend's own), the backend's and
# the client's CPU per request, the machine's busy CPU and what other processes used, and for the JVM systems the
# CPU per thread name (logs/threads-*.txt).
#
# Results: DIR/summary.md (the tables, also printed), DIR/{h1,h2}.csv (one row per round and system),
# DIR/versions.txt, DIR/run.log, DIR/logs/, DIR/conf/ (every configuration used). --save copies summary.md, the
# CSVs, versions.txt and conf/ to bench/http/results/<date>/ (or <date>-N when that exists).
# Every process the script starts is recorded by PID (with its start time) and stopped by PID, with its
# descendants, on exit; each client run is bounded by `timeout`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/http"

JUNCTION="$here/../distribution/target/junction-0.1.0/bin/junction"
ROUNDS=3
DURATION=10
WARMUP=1
JWARMUP=30
WARM_SLICE=5 # seconds: warm-ups run as client runs of at most this long (see warm())
CONNS=64
STREAMS=10
WORKLOADS="h1 h2"
SYSTEMS="direct nginx-w1 haproxy-t1 junction junction-el1 junction-epoll vertx-http-proxy"
REF=nginx-w1
OUT=""
REUSE=0
SAVE=0
VERTX_INSTANCES=2
PORT_MIN=18000
PORT_MAX=19999

usage() {
    cat <<EOF
usage: $0 [options]
  --junction PATH        Junction launcher (default: distribution/target/junction-0.1.0/bin/junction)
  --rounds N             interleaved rounds, order rotating (default $ROUNDS)
  --duration S           seconds per measured run (default $DURATION)
  --warmup S             warm-up seconds per workload for direct, nginx and HAProxy (default $WARMUP)
  --junction-warmup S    warm-up seconds per workload for Junction and vertx-http-proxy (default $JWARMUP; JIT)
  --workloads "LIST"     h1 (wrk, HTTP/1.1 keep-alive) and/or h2 (h2load, h2c prior knowledge) (default "$WORKLOADS")
  --systems "LIST"       any of: direct nginx-wN haproxy-tN junction junction-el1 junction-epoll junction-uring vertx-http-proxy
                         (N = workers/threads, e.g. nginx-w1 nginx-w2; default "$SYSTEMS")
  --ref SYSTEM           ratios are against this system's medians (default $REF)
  --conns N              client connections, wrk -c and h2load -c (default $CONNS)
  --streams N            h2load -m, concurrent streams per connection (default $STREAMS)
  --vertx-instances N    vertx-http-proxy: verticle instances = event loops (default $VERTX_INSTANCES)
  --reuse                start each system once and reuse it in every round (default: a fresh instance per
                         system and round)
  --out DIR              results directory (default: a new /tmp/bench-http-out.XXXXXX)
  --save                 also copy the summary, CSVs, versions and configurations to bench/http/results/<date>/
Needs wrk, h2load (nghttp2-client), nginx, haproxy, curl; Junction and vertx-http-proxy need a JDK >= 21
(JAVA_HOME is set to /usr/lib/jvm/temurin-25-jdk-amd64 when unset and present); vertx-http-proxy also needs
Maven (its jars are copied once into bench/http/lib). Install the tools with:
  apt-get install -y --no-install-recommends nginx haproxy wrk nghttp2-client curl
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
    --junction) JUNCTION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --junction-warmup) JWARMUP=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --systems) SYSTEMS=$2; shift 2 ;;
    --ref) REF=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --vertx-instances) VERTX_INSTANCES=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --save) SAVE=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

sys_list=()
for s in $SYSTEMS; do
    case "$s" in
    direct | junction | junction-el1 | junction-epoll | junction-uring | vertx-http-proxy) sys_list+=("$s") ;;
    nginx-w[1-9] | nginx-w[1-9][0-9] | haproxy-t[1-9] | haproxy-t[1-9][0-9]) sys_list+=("$s") ;;
    *) echo "unknown system: $s" >&2; exit 2 ;;
    esac
done
[ ${#sys_list[@]} -gt 0 ] || { echo "no systems" >&2; exit 2; }
wl_list=()
for w in $WORKLOADS; do
    case "$w" in h1 | h2) wl_list+=("$w") ;; *) echo "unknown workload: $w (expected h1, h2)" >&2; exit 2 ;; esac
done
[ ${#wl_list[@]} -gt 0 ] || { echo "no workloads" >&2; exit 2; }
has_sys() { local s; for s in "${sys_list[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
uses() { local s; for s in "${sys_list[@]}"; do [[ $s == $1 ]] && return 0; done; return 1; }
uses_junction=0; uses 'junction*' && uses_junction=1
uses_vertx=0; has_sys vertx-http-proxy && uses_vertx=1
uses_haproxy=0; uses 'haproxy-*' && uses_haproxy=1
has_sys "$REF" || REF=""
if [ -z "$REF" ]; then
    for s in nginx-w1 haproxy-t1 direct; do has_sys $s && { REF=$s; break; }; done
fi

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/bench-http-out.XXXXXX)
mkdir -p "$OUT/logs" "$OUT/conf"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/run.log"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---------------------------------------------------------------- tools
missing=()
for t in wrk h2load nginx curl ss; do command -v "$t" >/dev/null || missing+=("$t"); done
[ $uses_haproxy = 1 ] && ! command -v haproxy >/dev/null && missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
    log "missing: ${missing[*]}; install with: apt-get install -y --no-install-recommends nginx haproxy wrk nghttp2-client curl iproute2"
    exit 1
fi
if [ $uses_junction = 1 ] || [ $uses_vertx = 1 ]; then
    if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
        export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
    fi
fi
if [ $uses_junction = 1 ]; then
    if [ ! -x "$JUNCTION" ]; then
        log "Junction launcher not found or not executable: $JUNCTION"
        log "build the distribution (mvn -q -o install -DskipTests && mvn -q -o -pl distribution package),"
        log "pass --junction PATH, or leave junction out of --systems"
        exit 1
    fi
    JUNCTION=$(cd "$(dirname "$JUNCTION")" && pwd)/$(basename "$JUNCTION")
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- processes we start
PIDS=() # "pid:starttime" of every process started here
starttime() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
alive() { # pid:starttime -> true if that very process still runs
    local pid=${1%%:*} st=${1#*:} cur
    cur=$(starttime "$pid") || return 1
    [ "$cur" = "$st" ]
}
tree_pids() { # the process and all its descendants
    [ -d "/proc/$1" ] || return 0
    ps -e -o pid=,ppid= | awk -v r="$1" '{par[$1] = $2}
        END { inn[r] = 1; ch = 1
              while (ch) { ch = 0; for (p in par) if (!(p in inn) && (par[p] in inn)) { inn[p] = 1; ch = 1 } }
              for (p in inn) print p }'
}
stop_tree() { # PID GRACE_S: TERM the whole tree (collected first), wait, then KILL what is left
    local root=$1 grace=${2:-3} p st left i
    local -a members=()
    for p in $(tree_pids "$root"); do
        st=$(starttime "$p") && members+=("$p:$st")
    done
    [ ${#members[@]} -gt 0 ] || return 0
    for p in "${members[@]}"; do kill -TERM "${p%%:*}" 2>/dev/null || true; done
    for ((i = 0; i < grace * 20; i++)); do
        left=0
        for p in "${members[@]}"; do alive "$p" && left=1; done
        [ $left = 0 ] && break
        sleep 0.05
    done
    for p in "${members[@]}"; do alive "$p" && kill -KILL "${p%%:*}" 2>/dev/null || true; done
    wait "$root" 2>/dev/null || true
}
cleanup() {
    local e
    trap - EXIT INT TERM
    for e in "${PIDS[@]}"; do
        alive "$e" && stop_tree "${e%%:*}" 3
    done
    [ -n "${BIN:-}" ] && rm -rf "$BIN"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

start_bg() { # LOGFILE CMD... ; sets STARTED_PID
    local logf=$1; shift
    "$@" >"$logf" 2>&1 </dev/null &
    STARTED_PID=$!
    local st
    st=$(starttime "$STARTED_PID") || st=gone
    PIDS+=("$STARTED_PID:$st")
}
forget_pid() { local e k=(); for e in "${PIDS[@]}"; do [ "${e%%:*}" = "$1" ] || k+=("$e"); done; PIDS=("${k[@]}"); }

# ---------------------------------------------------------------- /proc readings
CLK_TCK=$(getconf CLK_TCK)
tree_ticks() { # "utime stime" of the tree, in clock ticks
    local p s u=0 k=0
    for p in $(tree_pids "$1"); do
        s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        s=${s##*) }
        set -- $s
        u=$((u + ${12})); k=$((k + ${13}))
    done
    echo $u $k
}
machine_busy() { # busy and total jiffies of all CPUs
    local l
    read -r l </proc/stat
    set -- $l
    echo $(($2 + $3 + $4 + $7 + $8 + $9)) $(($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9))
}
tree_rss() { # RSS of the tree in MiB
    local p rss=0 v
    for p in $(tree_pids "$1"); do
        v=$(awk '/^VmRSS:/ {print $2 + 0}' "/proc/$p/status" 2>/dev/null) || continue
        rss=$((rss + ${v:-0}))
    done
    awk -v r=$rss 'BEGIN {printf "%.1f\n", r / 1024}'
}
thread_ticks() { # "tid ticks comm" for every thread of every process in the tree
    local p t s c
    for p in $(tree_pids "$1"); do
        for t in /proc/"$p"/task/*; do
            s=$(cat "$t/stat" 2>/dev/null) || continue
            c=$(cat "$t/comm" 2>/dev/null) || c="?"
            s=${s##*) }
            set -- $s
            echo "${t##*/} $((${12} + ${13})) ${c// /_}"
        done
    done
}
thread_report() { # BEFORE AFTER SECONDS -> CPU per thread name (Java: comm is the thread name, cut to 15 chars)
    awk -v secs="$3" 'NR == FNR { b[$1] = $2; next }
        { d = $2 - (($1 in b) ? b[$1] : 0); n = $3; gsub(/[0-9]+$/, "#", n); by[n] += d; cnt[n]++; tot += d }
        END { printf "%-20s %8s %6s %s\n", "thread (name#)", "ticks", "%core", "threads"
              for (n in by) if (by[n] > 0) printf "%-20s %8d %6.1f %d\n", n, by[n], 100 * by[n] / (secs * '"$CLK_TCK"'), cnt[n]
              printf "%-20s %8d %6.1f\n", "total", tot, 100 * tot / (secs * '"$CLK_TCK"') }' <(echo "$1") <(echo "$2") |
        { read -r h; echo "$h"; sort -k2,2nr; }
}
calc() { awk "BEGIN { v = $1; printf \"%.${2:-2}f\", v }"; }
parse_kv() { local pre=$1 kv; shift; for kv in $*; do [[ $kv == *=* ]] && printf -v "${pre}_${kv%%=*}" '%s' "${kv#*=}"; done; return 0; }

# ---------------------------------------------------------------- ports
# distinct ports in PORT_MIN..PORT_MAX that no socket on the machine uses (below the ephemeral range, so no
# outgoing connection takes one of them as its local port between this check and the server's bind)
pick_ports() {
    local n=$1 used p tries=0 out=()
    used=" $(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u | tr '\n' ' ') "
    while [ ${#out[@]} -lt "$n" ]; do
        tries=$((tries + 1)); [ $tries -lt 10000 ] || { echo "no free ports in $PORT_MIN-$PORT_MAX" >&2; return 1; }
        p=$((PORT_MIN + (RANDOM * 32768 + RANDOM) % (PORT_MAX - PORT_MIN + 1)))
        [[ $used == *" $p "* ]] && continue
        [[ " ${out[*]} " == *" $p "* ]] && continue
        out+=("$p")
    done
    echo "${out[@]}"
}
declare -A PORT=() PORT_H2=() ADMIN_PORT=()
read -r P_BACKEND P_BACKEND_H2 < <(pick_ports 2)
PORT[direct]=$P_BACKEND; PORT_H2[direct]=$P_BACKEND_H2
for s in "${sys_list[@]}"; do
    [ "$s" = direct ] && continue
    read -r a b c < <(pick_ports 3)
    # keep the ports of different systems distinct too
    while [[ " ${PORT[*]} ${PORT_H2[*]} ${ADMIN_PORT[*]} " == *" $a "* || " ${PORT[*]} ${PORT_H2[*]} ${ADMIN_PORT[*]} " == *" $b "* ||
        " ${PORT[*]} ${PORT_H2[*]} ${ADMIN_PORT[*]} " == *" $c "* ]]; do read -r a b c < <(pick_ports 3); done
    PORT[$s]=$a
    case "$s" in
    nginx-* | haproxy-*) PORT_H2[$s]=$b ;; # a separate h2c listener (prior knowledge only)
    *) PORT_H2[$s]=$a ;;                   # one port: HTTP/1.1 and h2c by prior knowledge
    esac
    case "$s" in junction*) ADMIN_PORT[$s]=$c ;; esac
done
warmup_of() { case "$1" in junction* | vertx-*) echo "$JWARMUP" ;; *) echo "$WARMUP" ;; esac; }

# ---------------------------------------------------------------- helpers: Lua report for wrk, vertx-http-proxy
BIN=$(mktemp -d /tmp/bench-http.XXXXXX)
cat >"$BIN/report.lua" <<'EOF'
-- prints one machine-readable line after wrk's own report; latencies in microseconds
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk_result requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f " ..
    "non2xx=%d err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end
EOF

VERTX_CP=""
if [ $uses_vertx = 1 ]; then
    lib="$src/lib"
    if ! compgen -G "$lib/vertx-http-proxy-*.jar" >/dev/null || ! compgen -G "$lib/vertx-core-*.jar" >/dev/null; then
        command -v mvn >/dev/null || { log "vertx-http-proxy needs Maven (apt-get install -y maven) to fetch its jars"; exit 1; }
        log "vertx-http-proxy: copying its jars into $lib (mvn dependency:copy-dependencies)"
        mkdir -p "$lib"
        mvn_args=(-q -B -f "$src/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime)
        if ! mvn -o "${mvn_args[@]}" >"$OUT/logs/mvn-vertx.log" 2>&1; then
            mvn "${mvn_args[@]}" >"$OUT/logs/mvn-vertx.log" 2>&1 || { log "mvn failed: see $OUT/logs/mvn-vertx.log"; exit 1; }
        fi
    fi
    mkdir -p "$BIN/classes"
    "${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$BIN/classes" -cp "$lib/*" "$src/VertxHttpProxyBench.java"
    VERTX_CP="$lib/*:$BIN/classes"
fi
# the same JVM defaults as bin/junction (serial GC, native access), then JAVA_OPTS like bin/junction
VERTX_JVM_OPTS=(-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED)
if [ $uses_vertx = 1 ]; then
    jmajor=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == 1 ? v[2] : v[1]); exit }')
    [ "${jmajor:-0}" -ge 23 ] && VERTX_JVM_OPTS+=(--sun-misc-unsafe-memory-access=allow)
fi

# ---------------------------------------------------------------- versions
dist_fingerprint() {
    local home
    home=$(dirname "$(dirname "$JUNCTION")")
    find "$home/bin" "$home/lib" "$home/plugins" -type f \( -name '*.jar' -o -path '*/bin/*' \) -print0 2>/dev/null |
        sort -z | xargs -0 -r md5sum | md5sum | cut -c1-12
}
cmdline="$0 --rounds $ROUNDS --duration $DURATION --warmup $WARMUP --junction-warmup $JWARMUP --workloads \"${wl_list[*]}\" --systems \"${sys_list[*]}\" --conns $CONNS --streams $STREAMS"
[ $uses_vertx = 1 ] && cmdline="$cmdline --vertx-instances $VERTX_INSTANCES"
[ $REUSE = 1 ] && cmdline="$cmdline --reuse"
{
    echo "date: $(date -Is)"
    echo "command: $cmdline"
    echo "warm-up: client runs of at most ${WARM_SLICE} s each"
    echo "kernel: $(uname -r); cpus: $(nproc); $(awk '/model name/ {$1 = $2 = $3 = ""; print "cpu:" $0; exit}' /proc/cpuinfo)"
    echo "mem: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "nginx: $(nginx -v 2>&1 | head -1); wrk: $(wrk -v 2>&1 | head -1 | cut -c1-60); h2load: $(h2load --version 2>&1 | head -1)"
    [ $uses_haproxy = 1 ] && echo "haproxy: $(haproxy -v | head -1)"
    if [ $uses_junction = 1 ] || [ $uses_vertx = 1 ]; then
        echo "JAVA_HOME: ${JAVA_HOME:-unset}"
        echo "java: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
        echo "JAVA_OPTS: ${JAVA_OPTS:-unset}; JUNCTION_OPTS: ${JUNCTION_OPTS:-unset}"
    fi
    if [ $uses_junction = 1 ]; then
        echo "junction: $JUNCTION; version: $(timeout 60 "$JUNCTION" version 2>&1 | head -3 | tr '\n' ' ')"
        echo "distribution fingerprint: $(dist_fingerprint)"
    fi
    if [ $uses_vertx = 1 ]; then
        echo "vertx-http-proxy: $(cd "$src/lib" && ls vertx-*.jar netty-transport-native-epoll*.jar | tr '\n' ' ')"
        echo "vertx-http-proxy JVM options: ${VERTX_JVM_OPTS[*]} ${JAVA_OPTS:-}"
    fi
} >"$OUT/versions.txt"
tee -a "$OUT/run.log" <"$OUT/versions.txt" >&2

# ---------------------------------------------------------------- configurations
RUNDIR="$BIN/run"
mkdir -p "$RUNDIR"
nginx_common() { # name -> lines shared by the backend and the nginx proxies
    cat <<EOF
pid $RUNDIR/$1/nginx.pid;
error_log $OUT/logs/$1-error.log warn;
EOF
}
nginx_temp_paths() {
    local d="$RUNDIR/$1"
    printf '    client_body_temp_path %s/body;\n    proxy_temp_path %s/proxy;\n    fastcgi_temp_path %s/fastcgi;\n    uwsgi_temp_path %s/uwsgi;\n    scgi_temp_path %s/scgi;\n' "$d" "$d" "$d" "$d" "$d"
}
{
    nginx_common backend
    cat <<EOF
worker_processes 1;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
$(nginx_temp_paths backend)
    server {
        listen 127.0.0.1:$P_BACKEND;
        listen 127.0.0.1:$P_BACKEND_H2 http2;
        location / { return 200 "hello"; }
    }
}
EOF
} >"$OUT/conf/backend.conf"
mkdir -p "$RUNDIR/backend"

nginx_conf() { # name workers
    mkdir -p "$RUNDIR/$1"
    {
        nginx_common "$1"
        cat <<EOF
worker_processes $2;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
$(nginx_temp_paths "$1")
    upstream backend {
        server 127.0.0.1:$P_BACKEND;
        keepalive 128;
        keepalive_requests 100000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:${PORT[$1]};
        listen 127.0.0.1:${PORT_H2[$1]} http2;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
    } >"$OUT/conf/$1.conf"
}
haproxy_conf() { # name threads
    cat >"$OUT/conf/$1.cfg" <<EOF
global
    nbthread $2
    maxconn 8192

defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    maxconn 8192

frontend bench
    bind 127.0.0.1:${PORT[$1]}
    bind 127.0.0.1:${PORT_H2[$1]} proto h2
    default_backend backend

backend backend
    server backend 127.0.0.1:$P_BACKEND
EOF
}
junction_conf() { # name extra_runtime
    cat >"$OUT/conf/$1.yaml" <<EOF
admin: {address: 127.0.0.1:${ADMIN_PORT[$1]}}
runtime: {drain-timeout: 1s$2}
listeners:
  web:
    protocol: http
    address: 127.0.0.1:${PORT[$1]}
    options: {access-log: off}
    routes:
      - name: app
        action: {proxy: {upstream: app}}
upstreams:
  app:
    protocol: http
    endpoints: [127.0.0.1:$P_BACKEND]
EOF
}
for s in "${sys_list[@]}"; do
    case "$s" in
    nginx-w*) nginx_conf "$s" "${s#nginx-w}" ;;
    haproxy-t*) haproxy_conf "$s" "${s#haproxy-t}" ;;
    junction) junction_conf "$s" "" ;;
    junction-el1) junction_conf "$s" ", event-loops: 1" ;;
    junction-uring) junction_conf "$s" ", transport: io-uring" ;;
    junction-epoll) junction_conf "$s" ", transport: epoll" ;;
    esac
done
for f in "$OUT"/conf/backend.conf "$OUT"/conf/nginx-*.conf; do
    [ -e "$f" ] || continue
    n=$(basename "$f" .conf)
    nginx -t -q -p "$RUNDIR/$n/" -e "$OUT/logs/$n-error.log" -c "$f" 2>"$OUT/logs/nginx-t-$n.log" || {
        log "invalid nginx config $f:"; cat "$OUT/logs/nginx-t-$n.log" >&2; exit 1
    }
done
for f in "$OUT"/conf/haproxy-*.cfg; do
    [ -e "$f" ] || continue
    haproxy -c -q -f "$f" || { log "invalid HAProxy config $f"; exit 1; }
done
for f in "$OUT"/conf/junction*.yaml; do
    [ -e "$f" ] || continue
    if ! timeout 60 "$JUNCTION" validate -c "$f" >"$OUT/logs/validate-$(basename "$f").log" 2>&1; then
        log "Junction rejected $f:"; cat "$OUT/logs/validate-$(basename "$f").log" >&2; exit 1
    fi
done

# ---------------------------------------------------------------- readiness probes
# wait_200 URL TIMEOUT_S PID [curl options...]: poll until URL answers 200; prints ms since the call
wait_200() {
    local url=$1 limit=$2 pid=$3 t0 code
    shift 3
    t0=$EPOCHREALTIME
    while :; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$@" "$url" 2>/dev/null) || code=000
        [ "$code" = 200 ] && { calc "($EPOCHREALTIME - $t0) * 1000" 0; return 0; }
        [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && { echo exited; return 1; }
        awk -v a="$EPOCHREALTIME" -v b="$t0" -v l="$limit" 'BEGIN { exit !(a - b > l) }' && { echo timeout; return 1; }
        sleep 0.02
    done
}
# check_body WORKLOAD PORT: the proxied answer is 200 "hello" (h2: and it came over HTTP/2)
check_body() {
    local out
    if [ "$1" = h2 ]; then
        out=$(curl -s --max-time 5 --http2-prior-knowledge -w ' %{http_code} %{http_version}' "http://127.0.0.1:$2/" 2>&1) || true
        [ "$out" = "hello 200 2" ] || { echo "$out"; return 1; }
    else
        out=$(curl -s --max-time 5 --http1.1 -w ' %{http_code} %{http_version}' "http://127.0.0.1:$2/" 2>&1) || true
        [ "$out" = "hello 200 1.1" ] || { echo "$out"; return 1; }
    fi
}

# ---------------------------------------------------------------- backend
start_bg "$OUT/logs/backend.log" nginx -p "$RUNDIR/backend/" -e "$OUT/logs/backend-error.log" -c "$OUT/conf/backend.conf" -g 'daemon off;'
BACKEND_PID=$STARTED_PID
wait_200 "http://127.0.0.1:$P_BACKEND/" 10 "$BACKEND_PID" >/dev/null || { log "backend did not start"; cat "$OUT/logs/backend-error.log" >&2; exit 1; }
log "backend nginx pid $BACKEND_PID on 127.0.0.1:$P_BACKEND (h2c: $P_BACKEND_H2); results in $OUT"

# ---------------------------------------------------------------- start / stop a system
declare -A SYS_PID=()
cols="round,system,rps,requests,secs,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,errors,proxy_us_per_req,backend_us_per_req,client_us_per_req,proxy_cpu_pct,machine_busy_pct,other_cpu_pct,proxy_sys_pct,rss_mib"
for w in "${wl_list[@]}"; do echo "$cols" >"$OUT/$w.csv"; done
echo "round,system,ready_ms" >"$OUT/start.csv"

start_system() { # name round -> sets SYS_PID[name]
    local name=$1 round=$2 t0 r port=${PORT[$1]}
    case "$name" in
    direct) SYS_PID[$name]=$BACKEND_PID; return 0 ;;
    nginx-w*)
        rm -f "$RUNDIR/$name/nginx.pid"
        t0=$EPOCHREALTIME
        start_bg "$OUT/logs/$name-r$round.log" nginx -p "$RUNDIR/$name/" -e "$OUT/logs/$name-error.log" -c "$OUT/conf/$name.conf" -g 'daemon off;'
        ;;
    haproxy-t*)
        t0=$EPOCHREALTIME
        start_bg "$OUT/logs/$name-r$round.log" haproxy -db -f "$OUT/conf/$name.cfg"
        ;;
    junction*)
        t0=$EPOCHREALTIME
        start_bg "$OUT/logs/$name-r$round.log" "$JUNCTION" run -c "$OUT/conf/$name.yaml"
        r=$(wait_200 "http://127.0.0.1:${ADMIN_PORT[$name]}/health" 120 "$STARTED_PID") || {
            log "$name: no 200 on the admin /health ($r; log: $OUT/logs/$name-r$round.log)"; tail -20 "$OUT/logs/$name-r$round.log" >&2
            SYS_PID[$name]=$STARTED_PID
            return 1
        }
        ;;
    vertx-http-proxy)
        t0=$EPOCHREALTIME
        # shellcheck disable=SC2086
        start_bg "$OUT/logs/$name-r$round.log" "$JAVA" "${VERTX_JVM_OPTS[@]}" ${JAVA_OPTS:-} -cp "$VERTX_CP" \
            VertxHttpProxyBench "$port" 127.0.0.1 "$P_BACKEND" "$VERTX_INSTANCES"
        ;;
    esac
    SYS_PID[$name]=$STARTED_PID
    r=$(wait_200 "http://127.0.0.1:$port/" 60 "$STARTED_PID") || {
        log "$name: no proxied 200 ($r; log: $OUT/logs/$name-r$round.log)"; tail -20 "$OUT/logs/$name-r$round.log" >&2
        return 1
    }
    r=$(calc "($EPOCHREALTIME - $t0) * 1000" 0)
    echo "$round,$name,$r" >>"$OUT/start.csv"
    log "$name: started pid ${SYS_PID[$name]}, first proxied 200 after $r ms"
}
stop_system() {
    local name=$1 pid=${SYS_PID[$1]:-}
    [ -n "$pid" ] || return 0
    [ "$name" = direct ] && { unset "SYS_PID[$name]"; return 0; }
    case "$name" in
    junction*) stop_tree "$pid" 20 ;; # SIGTERM: drain (1 s here), exit
    *) stop_tree "$pid" 5 ;;
    esac
    forget_pid "$pid"
    unset "SYS_PID[$name]"
}

# ---------------------------------------------------------------- clients
# run_client WORKLOAD PORT SECONDS OUTFILE [H2_LOG]: wrk or h2load, bounded by timeout; the client's CPU
# (user+sys seconds, from bash's time) goes to OUTFILE.cpu
run_client() {
    local wl=$1 port=$2 secs=$3 outf=$4 h2log=${5:-} rc=0 TIMEFORMAT='%3U %3S'
    local limit=$((secs + 30))
    if [ "$wl" = h1 ]; then
        { time timeout -k 5 "$limit" wrk -t1 -c"$CONNS" -d"${secs}s" --latency -s "$BIN/report.lua" \
            "http://127.0.0.1:$port/" >"$outf" 2>&1; } 2>"$outf.cpu" || rc=$?
    else
        { time timeout -k 5 "$limit" h2load -c "$CONNS" -m "$STREAMS" -t 1 -D "$secs" ${h2log:+--log-file="$h2log"} \
            "http://127.0.0.1:$port/" >"$outf" 2>&1; } 2>"$outf.cpu" || rc=$?
    fi
    return $rc
}
# h2_latency LOGFILE -> "p50 p90 p99 p999 max mean n" in µs over the 2xx/3xx lines of h2load's --log-file
# (tab-separated: start time in µs since the epoch, status, µs until the response's end)
h2_latency() {
    awk -F'\t' '$2 >= 200 && $2 < 400 { print $3 }' "$1" | sort -n | awk '
        { v[NR] = $1; s += $1 }
        function pct(p,   i) { i = int(NR * p / 100); if (i < NR * p / 100) i++; if (i < 1) i = 1; return v[i] }
        END { if (!NR) { print "NA NA NA NA NA NA 0"; exit }
              printf "%d %d %d %d %d %.1f %d\n", pct(50), pct(90), pct(99), pct(99.9), v[NR], s / NR, NR }'
}

# ---------------------------------------------------------------- one measured run
# measure WORKLOAD NAME ROUND: the client with the CPU sampling around it; appends a CSV row
measure() {
    local wl=$1 name=$2 round=$3 port pid pu0 pk0 pu1 pk1 bu0 bk0 bu1 bk1 m0 m1 rc=0 th0=""
    local outf="$OUT/logs/$wl-$name-r$round.txt" h2log="$BIN/h2log-$name-r$round.tsv"
    if [ "$wl" = h1 ]; then port=${PORT[$name]}; else port=${PORT_H2[$name]}; fi
    pid=${SYS_PID[$name]}
    case "$name" in junction* | vertx-*) th0=$(thread_ticks "$pid") ;; esac
    read -r pu0 pk0 < <(tree_ticks "$pid"); read -r bu0 bk0 < <(tree_ticks "$BACKEND_PID"); m0=$(machine_busy)
    run_client "$wl" "$port" "$DURATION" "$outf" "$h2log" || rc=$?
    read -r pu1 pk1 < <(tree_ticks "$pid"); read -r bu1 bk1 < <(tree_ticks "$BACKEND_PID"); m1=$(machine_busy)
    [ -z "$th0" ] || thread_report "$th0" "$(thread_ticks "$pid")" "$DURATION" >"$OUT/logs/threads-$name-$wl-r$round.txt"
    local rss cu cs client_s
    rss=$(tree_rss "$pid")
    read -r cu cs <"$outf.cpu" || true
    client_s=$(calc "${cu:-0} + ${cs:-0}" 3)
    [ $rc = 0 ] || log "$name $wl round $round: client exit $rc (see $outf)"

    local rps="" requests="" secs="" p50="" p90="" p99="" p999="" max="" mean="" errors=""
    if [ "$wl" = h1 ]; then
        local r_requests="" r_duration_us="" r_p50_us="" r_p90_us="" r_p99_us="" r_p999_us="" r_max_us="" r_mean_us=""
        local r_non2xx=0 r_err_connect=0 r_err_read=0 r_err_write=0 r_err_timeout=0
        parse_kv r $(grep '^wrk_result ' "$outf" | head -1)
        if [ -n "$r_requests" ] && [ "${r_duration_us:-0}" -gt 0 ]; then
            requests=$r_requests; secs=$(calc "$r_duration_us / 1e6" 3)
            rps=$(calc "$r_requests / $secs" 1)
            p50=$r_p50_us; p90=$r_p90_us; p99=$r_p99_us; p999=$r_p999_us; max=$r_max_us; mean=$r_mean_us
            errors=$((r_non2xx + r_err_connect + r_err_read + r_err_write + r_err_timeout))
        fi
    else
        local fin req sc
        fin=$(grep -m1 '^finished in' "$outf" || true)       # finished in 10.00s, 42427.00 req/s, 1.23MB/s
        req=$(grep -m1 '^requests:' "$outf" || true)         # requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout
        sc=$(grep -m1 '^status codes:' "$outf" || true)      # status codes: N 2xx, N 3xx, N 4xx, N 5xx
        if [ -n "$fin" ] && [ -n "$req" ]; then
            secs=$(awk '{ s = $3; sub(/s,$/, "", s); print s + 0 }' <<<"$fin")
            rps=$(awk '{ print $4 + 0 }' <<<"$fin")
            requests=$(awk '{ print $8 + 0 }' <<<"$req")     # succeeded
            # failed + errored + timeout, and the 4xx and 5xx answers
            errors=$(awk -v sc="$sc" '{ e = $10 + $12 + $14; split(sc, a, /[ ,]+/); print e + a[7] + a[9] }' <<<"$req")
            if [ -s "$h2log" ]; then
                read -r p50 p90 p99 p999 max mean _ < <(h2_latency "$h2log")
            fi
            [ "$p50" = NA ] && { p50=""; p90=""; p99=""; p999=""; max=""; mean=""; }
        fi
        rm -f "$h2log"
    fi
    if [ -z "$rps" ] || [ "${requests:-0}" = 0 ]; then
        echo "$round,$name,,,,,,,,,,${errors:-1},,,,,,,,$rss" >>"$OUT/$wl.csv"
        log "$name $wl r$round: no result (see $outf)"
        return
    fi
    set -- $m0; local mb0=$1 mt0=$2
    set -- $m1; local mb1=$1 mt1=$2
    local busy proxy_s backend_s other sys_share own
    busy=$(calc "100 * ($mb1 - $mb0) / ($mt1 - $mt0 + 0.000001)" 1)
    proxy_s=$(calc "($pu1 + $pk1 - $pu0 - $pk0) / $CLK_TCK" 4)
    backend_s=$(calc "($bu1 + $bk1 - $bu0 - $bk0) / $CLK_TCK" 4)
    sys_share=$(calc "100 * ($pk1 - $pk0) / ($pu1 + $pk1 - $pu0 - $pk0 + 0.000001)" 0)
    own="$proxy_s + $backend_s"
    [ "$name" = direct ] && own="$proxy_s"
    other=$(calc "100 * (($mb1 - $mb0) / $CLK_TCK - ($own) - $client_s) / $secs" 0)
    local pus bus cus pct
    pus=$(calc "$proxy_s * 1e6 / $requests"); bus=$(calc "$backend_s * 1e6 / $requests"); cus=$(calc "$client_s * 1e6 / $requests")
    pct=$(calc "100 * $proxy_s / $secs" 1)
    echo "$round,$name,$rps,$requests,$secs,$p50,$p90,$p99,$p999,$max,$mean,$errors,$pus,$bus,$cus,$pct,$busy,$other,$sys_share,$rss" >>"$OUT/$wl.csv"
    log "$name $wl r$round: $rps req/s p50 ${p50}µs p99 ${p99}µs errors $errors; proxy $pus µs/req ($(calc "$pct" 0)% of a core, ${sys_share}% sys); backend $bus, client $cus µs/req; machine busy $busy%, others ${other}% of a core"
}

# warm WORKLOAD NAME: the warm-up, in client runs of at most WARM_SLICE seconds, so that the proxy has seen its
# connections open and close several times before the measured run opens new ones (a JIT compiles the code of
# steady traffic first; new connections then bring code paths and types it recompiles for, which long-running
# gateways with connections coming and going have long done)
warm() {
    local wl=$1 name=$2 w port left slice
    w=$(warmup_of "$name")
    [ "$w" = 0 ] && return 0
    if [ "$wl" = h1 ]; then port=${PORT[$name]}; else port=${PORT_H2[$name]}; fi
    left=$w
    while [ "$left" -gt 0 ]; do
        slice=$((left < WARM_SLICE ? left : WARM_SLICE))
        left=$((left - slice))
        run_client "$wl" "$port" "$slice" "$OUT/logs/warmup-$wl-$name.txt" || {
            log "$name $wl warm-up failed (see $OUT/logs/warmup-$wl-$name.txt)"
            return 0
        }
    done
}

# ---------------------------------------------------------------- rounds
n=${#sys_list[@]}
for ((r = 1; r <= ROUNDS; r++)); do
    order=()
    for ((i = 0; i < n; i++)); do order+=("${sys_list[$(((i + r - 1) % n))]}"); done
    log "round $r/$ROUNDS: ${order[*]}"
    for name in "${order[@]}"; do
        if [ -z "${SYS_PID[$name]:-}" ] || ! kill -0 "${SYS_PID[$name]}" 2>/dev/null; then
            if ! start_system "$name" "$r"; then
                stop_system "$name"
                for w in "${wl_list[@]}"; do echo "$r,$name,,,,,,,,,,1,,,,,,,," >>"$OUT/$w.csv"; done
                continue
            fi
        fi
        for w in "${wl_list[@]}"; do
            if [ "$w" = h1 ]; then p=${PORT[$name]}; else p=${PORT_H2[$name]}; fi
            if ! bad=$(check_body "$w" "$p"); then
                log "$name $w r$r: GET / did not answer 200 \"hello\" over the expected protocol (got: $bad); skipped"
                echo "$r,$name,,,,,,,,,,1,,,,,,,," >>"$OUT/$w.csv"
                continue
            fi
            warm "$w" "$name"
            measure "$w" "$name" "$r"
            sleep 0.5
        done
        [ $REUSE = 1 ] || stop_system "$name"
        sleep 0.5
    done
done
for name in "${!SYS_PID[@]}"; do stop_system "$name"; done
DIST_CHANGED=""
if [ $uses_junction = 1 ]; then
    fp_end=$(dist_fingerprint)
    if ! grep -q "distribution fingerprint: $fp_end" "$OUT/versions.txt"; then
        DIST_CHANGED="the Junction distribution (jars or launcher) changed during the run; its numbers mix builds"
        log "WARNING: $DIST_CHANGED"
    fi
    echo "distribution fingerprint at end: $fp_end" >>"$OUT/versions.txt"
fi

# ---------------------------------------------------------------- summary
stats() { # FILE SYSTEM COLUMN -> "median min max n" (empty cells skipped)
    awk -F, -v s="$2" -v c="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
        $2 == s && $col != "" { v[n++] = $col + 0 }
        END {
            if (!n) { print "NA NA NA 0"; exit }
            for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            med = (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
            print med, v[0], v[n - 1], n
        }' "$1"
}
fmt() { # number decimals -> with thousands separators
    awk -v x="$1" -v d="${2:-0}" 'BEGIN {
        if (x == "NA") { print "NA"; exit }
        s = sprintf("%." d "f", x); neg = (s ~ /^-/); if (neg) s = substr(s, 2)
        split(s, p, "."); i = p[1]; o = ""
        while (length(i) > 3) { o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3) }
        o = i o; if (d > 0) o = o "." p[2]; print (neg ? "-" : "") o }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "—"; else printf "%.2f\n", a / b }'; }
ms() { [ "$1" = NA ] && { echo NA; return; }; calc "$1 / 1000" 3; }
round_ratio() { # FILE SYSTEM COLUMN: median [min–max] of (system / REF) over the rounds where both have a value
    [ -n "$REF" ] || { echo "—"; return; }
    awk -F, -v s="$2" -v ref="$REF" -v c="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
        $col != "" && $2 == s { a[$1] = $col + 0 }
        $col != "" && $2 == ref { b[$1] = $col + 0 }
        END {
            for (r in a) if ((r in b) && b[r] > 0) v[n++] = a[r] / b[r]
            if (!n) { print "—"; exit }
            for (i = 1; i < n; i++) { x = v[i]; for (j = i - 1; j >= 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            med = (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
            printf "%.2f [%.2f–%.2f]\n", med, v[0], v[n - 1]
        }' "$1"
}
wl_title() {
    case "$1" in
    h1) echo "HTTP/1.1 keep-alive (wrk -t1 -c$CONNS -d${DURATION}s --latency)" ;;
    h2) echo "HTTP/2 cleartext, prior knowledge (h2load -c $CONNS -m $STREAMS -t 1 -D $DURATION)" ;;
    esac
}
{
    echo "# HTTP reverse proxy: $ROUNDS interleaved rounds, ${DURATION} s per run; medians [min–max]; ratios vs ${REF:-none}"
    echo
    echo "Backend: nginx, 1 worker, \`return 200 \"hello\"\`. Every proxy speaks HTTP/1.1 with keep-alive to it."
    [ -z "$DIST_CHANGED" ] || { echo; echo "**WARNING: $DIST_CHANGED.**"; }
    for w in "${wl_list[@]}"; do
        f="$OUT/$w.csv"
        ref_rps=NA; ref_p99=NA
        if [ -n "$REF" ]; then
            read -r ref_rps _ < <(stats "$f" "$REF" rps)
            read -r ref_p99 _ < <(stats "$f" "$REF" p99_us)
        fi
        echo
        echo "## $(wl_title "$w")"
        echo
        echo "| system | req/s | ×${REF:-ref} | p50 ms | p99 ms | p99 ×${REF:-ref} | proxy µs CPU/req | errors |"
        echo "|---|---|---|---|---|---|---|---|"
        for s in "${sys_list[@]}"; do
            read -r rm rmin rmax _ < <(stats "$f" "$s" rps)
            read -r p50 _ < <(stats "$f" "$s" p50_us)
            read -r p99 _ < <(stats "$f" "$s" p99_us)
            read -r cpu _ < <(stats "$f" "$s" proxy_us_per_req)
            errs=$(awk -F, -v s="$s" 'NR > 1 && $2 == s { e += $12 } END { print e + 0 }' "$f")
            note=""; [ "$s" = direct ] && note=" (backend)"
            rps_s="NA"; [ "$rm" != NA ] && rps_s="$(fmt "$rm") [$(fmt "$rmin")–$(fmt "$rmax")]"
            echo "| $s | $rps_s | $(ratio "$rm" "$ref_rps") | $(ms "$p50") | $(ms "$p99") | $(ratio "$p99" "$ref_p99") | $(fmt "$cpu" 2)$note | $errs |"
        done
        echo
        echo "Per round (system ÷ ${REF:-ref} in the same round, median [min–max]) and where the CPU went (medians):"
        echo
        echo "| system | req/s ×${REF:-ref} per round | p99 ×${REF:-ref} per round | p99.9 ms | proxy % of a core (kernel share) | backend µs/req | client µs/req | machine busy % (others, % of a core) | RSS after MiB |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for s in "${sys_list[@]}"; do
            read -r p999 _ < <(stats "$f" "$s" p999_us)
            read -r pc _ < <(stats "$f" "$s" proxy_cpu_pct)
            read -r ps _ < <(stats "$f" "$s" proxy_sys_pct)
            read -r bu _ < <(stats "$f" "$s" backend_us_per_req)
            read -r cu _ < <(stats "$f" "$s" client_us_per_req)
            read -r mb _ < <(stats "$f" "$s" machine_busy_pct)
            read -r ot _ < <(stats "$f" "$s" other_cpu_pct)
            read -r rs _ < <(stats "$f" "$s" rss_mib)
            pre=""; [ "$s" = direct ] && pre="(backend) "
            echo "| $s | $(round_ratio "$f" "$s" rps) | $(round_ratio "$f" "$s" p99_us) | $(ms "$p999") | $pre$(fmt "$pc") ($(fmt "$ps")% sys) | $(fmt "$bu" 2) | $(fmt "$cu" 2) | $(fmt "$mb") ($(fmt "$ot")) | $(fmt "$rs" 1) |"
        done
    done
    # the target: on HTTP/1.1 keep-alive, Junction's req/s >= nginx's and its p99 <= 1.2 x nginx's
    if [[ " ${wl_list[*]} " == *" h1 "* ]] && has_sys nginx-w1; then
        read -r n_rps _ < <(stats "$OUT/h1.csv" nginx-w1 rps)
        read -r n_p99 _ < <(stats "$OUT/h1.csv" nginx-w1 p99_us)
        for s in junction junction-el1 junction-epoll junction-uring; do
            has_sys $s || continue
            read -r j_rps _ < <(stats "$OUT/h1.csv" $s rps)
            read -r j_p99 _ < <(stats "$OUT/h1.csv" $s p99_us)
            verdict=$(awk -v a="$j_rps" -v b="$n_rps" -v c="$j_p99" -v d="$n_p99" 'BEGIN {
                if (a == "NA" || b == "NA" || c == "NA" || d == "NA") { print "no data"; exit }
                t = (a >= b) ? "met" : "missed"; l = (c <= 1.2 * d) ? "met" : "missed"
                printf "throughput %.2f× nginx-w1 (target ≥ 1.00: %s), p99 %.2f× nginx-w1 (target ≤ 1.20: %s)", a / b, t, c / d, l }')
            echo
            echo "Target (HTTP/1.1 keep-alive), $s: $verdict."
        done
    fi
    # what the JVM systems logged: errors, and passive-health ejections of the backend (a run after an ejection
    # measured a proxy whose only endpoint was marked down)
    anomalies=""
    for s in "${sys_list[@]}"; do
        case "$s" in junction* | vertx-*) ;; *) continue ;; esac
        for lf in "$OUT"/logs/"$s"-r*.log; do
            [ -e "$lf" ] || continue
            ne=$(grep -c ' ERROR ' "$lf" || true); nw=$(grep -c ' WARN ' "$lf" || true); nj=$(grep -c 'ejected' "$lf" || true)
            [ "$ne$nw$nj" = 000 ] && continue
            anomalies="$anomalies| $(basename "$lf" .log) | $ne | $nw | $nj | $(grep -m1 -E ' (ERROR|WARN) ' "$lf" | cut -c1-160 | tr '|' '/') |"$'\n'
        done
    done
    if [ -n "$anomalies" ]; then
        echo
        echo "**The JVM systems logged errors or warnings** (logs/NAME-rROUND.log; 'ejected': the backend was marked"
        echo "down by passive health, and runs after that measured a proxy without a healthy endpoint):"
        echo
        echo "| log | ERROR lines | WARN lines | ejections | first |"
        echo "|---|---|---|---|---|"
        printf '%s' "$anomalies"
    fi
    echo
    echo "proxy µs CPU/req: Δ(utime+stime) of the proxy's process tree during the run ÷ requests completed; for"
    echo "direct, the backend's. 'others' = busy CPU of the machine minus proxy, backend and client, in % of one"
    echo "core (of 200 %). h2 latencies are computed from h2load's per-request log."
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
echo
if [ $SAVE = 1 ]; then
    d="$src/results/$(date +%F)"
    if [ -e "$d" ]; then i=2; while [ -e "$d-$i" ]; do i=$((i + 1)); done; d="$d-$i"; fi
    mkdir -p "$d"
    cp -r "$OUT/summary.md" "$OUT/versions.txt" "$OUT/start.csv" "$OUT/conf" "$d/"
    for w in "${wl_list[@]}"; do cp "$OUT/$w.csv" "$d/"; done
    log "saved to $d"
fi
log "raw rows: $(for w in "${wl_list[@]}"; do printf '%s ' "$OUT/$w.csv"; done); logs: $OUT/logs; configs: $OUT/conf"
