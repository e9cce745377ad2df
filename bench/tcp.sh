#!/usr/bin/env bash
# TCP proxy benchmark: Junction's tcp listener vs HAProxy (mode tcp) vs the direct path.
#
#   bench/tcp.sh [--junction PATH] [--rounds N] [--duration S] [--out DIR] [--systems "LIST"] ...
#
# Everything runs on 127.0.0.1. A single-threaded epoll backend (bench/tcp/backend.c) serves two
# modes on one port: echo (for the request/response test) and sink (for the bulk test; it reports
# the byte count back so the client can verify it). The load clients are small C programs too
# (bench/tcp/bulk.c, bench/tcp/rr.c), compiled here with gcc -O2 into a temp dir, so the load
# generator costs less CPU than the proxies on this 2-core machine.
#
# Before round 1 each proxy is launched once and stopped, unrecorded (page cache; Junction's launcher
# writes its class-data-sharing archive on the first clean exit). Then, per round, every system is
# measured once, in an order that rotates from round to round:
#   start (a fresh instance per system and round unless --reuse) -> startup time and idle RSS
#     (Junction: launch until the first 200 on the admin /health; HAProxy: until the first proxied echo)
#   warm-up: rr and bulk for --warmup s each (Junction: --junction-warmup s, for the JIT)
#   bulk: one connection pushes data one way for --duration s -> MiB/s, counted until the sink's byte
#         count came back after the client's half-close; a run the sink does not confirm is left out
#   rr:   64 connections, 64-byte request / 64-byte echo, closed loop, --duration s -> rr/s, p50/p99
# Around each measured run: the proxy's process-tree CPU (utime and stime from /proc/PID/stat, so also
# its kernel share) divided by the work done (µs per MiB, µs per round trip; for "direct" the backend's),
# the backend's and the client's CPU per op, the machine's busy CPU and what other processes used, and
# the proxy's CPU per thread name (logs/threads-*.txt: event loops vs JIT vs GC for Junction).
#
# Results: DIR/summary.md (the tables, also printed), DIR/{start,bulk,rr}.csv (one row per round),
# DIR/versions.txt, DIR/run.log, DIR/logs/, DIR/conf/ (the HAProxy and Junction configurations used).
# Every process the script starts is recorded by PID (with its start time) and stopped by PID, with
# its descendants, on exit; a checksum of the Junction distribution taken at the start and the end
# flags a rebuild during the run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/tcp"

JUNCTION="$here/../distribution/target/junction-0.1.0/bin/junction"
ROUNDS=3
DURATION=5
WARMUP=1
JWARMUP=5
CONNS=64
SIZE=64
BULK_MAX_MIB=0
SYSTEMS="direct haproxy-t1 haproxy-t2 junction junction-el1 junction-epoll"
REF=haproxy-t1
OUT=""
REUSE=0
IDLE_WAIT=2
PRELAUNCH=1

usage() {
    cat <<EOF
usage: $0 [options]
  --junction PATH        Junction launcher (default: distribution/target/junction-0.1.0/bin/junction)
  --rounds N             interleaved rounds, order rotating (default $ROUNDS)
  --duration S           seconds per measured test, bulk and rr each (default $DURATION)
  --warmup S             warm-up seconds per test for direct/HAProxy (default $WARMUP)
  --junction-warmup S    warm-up seconds per test for Junction (default $JWARMUP; JIT)
  --systems "LIST"       any of: direct haproxy-t1 haproxy-t2 junction junction-el1 junction-epoll junction-io-uring
                         (default "$SYSTEMS"; "haproxy" means haproxy-t1 haproxy-t2)
  --ref SYSTEM           ratios are against this system's medians (default $REF)
  --conns N              rr connections (default $CONNS)
  --size BYTES           rr request/response size (default $SIZE)
  --bulk-max-mib N       stop a bulk run after N MiB even before --duration (default 0: time only)
  --reuse                start each system once and reuse it in every round (default: a fresh
                         instance per system and round, so startup and idle RSS get one sample per round)
  --no-prelaunch         skip the discarded first launch of each proxy (default: one launch before round 1,
                         not recorded, as in the team's startup measurements)
  --out DIR              results directory (default: a new /tmp/bench-tcp-out.XXXXXX)
Junction needs JDK >= 21: JAVA_HOME is set to /usr/lib/jvm/temurin-25-jdk-amd64 when unset and present.
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
    --junction) JUNCTION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --junction-warmup) JWARMUP=$2; shift 2 ;;
    --systems) SYSTEMS=$2; shift 2 ;;
    --ref) REF=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --bulk-max-mib) BULK_MAX_MIB=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --no-prelaunch) PRELAUNCH=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

# expand "haproxy" and check names
sys_list=()
for s in $SYSTEMS; do
    case "$s" in
    haproxy) sys_list+=(haproxy-t1 haproxy-t2) ;;
    direct | haproxy-t1 | haproxy-t2 | junction | junction-el1 | junction-epoll | junction-io-uring) sys_list+=("$s") ;;
    *) echo "unknown system: $s" >&2; exit 2 ;;
    esac
done
[ ${#sys_list[@]} -gt 0 ] || { echo "no systems" >&2; exit 2; }
has_sys() { local s; for s in "${sys_list[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
uses_junction=0; has_sys junction && uses_junction=1; has_sys junction-el1 && uses_junction=1
has_sys junction-io-uring && uses_junction=1
has_sys junction-epoll && uses_junction=1
uses_haproxy=0; has_sys haproxy-t1 && uses_haproxy=1; has_sys haproxy-t2 && uses_haproxy=1
has_sys "$REF" || REF=""
if [ -z "$REF" ]; then
    for s in haproxy-t1 haproxy-t2 direct; do has_sys $s && { REF=$s; break; }; done
fi

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/bench-tcp-out.XXXXXX)
mkdir -p "$OUT/logs" "$OUT/conf"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/run.log"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---------------------------------------------------------------- processes we start
PIDS=()      # "pid:starttime" of every process started here
starttime() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
alive() { # pid:starttime -> true if that very process still runs
    local pid=${1%%:*} st=${1#*:} cur
    cur=$(starttime "$pid") || return 1
    [ "$cur" = "$st" ]
}
# the process and all its descendants (ours too: they were started by a process we started)
tree_pids() {
    [ -d "/proc/$1" ] || return 0
    ps -e -o pid=,ppid= | awk -v r="$1" '{par[$1] = $2}
        END { inn[r] = 1; ch = 1
              while (ch) { ch = 0; for (p in par) if (!(p in inn) && (par[p] in inn)) { inn[p] = 1; ch = 1 } }
              for (p in inn) print p }'
}
# stop_tree PID GRACE_S: TERM the whole tree (collected first), wait, then KILL what is left
stop_tree() {
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

# start_bg LOGFILE CMD... ; sets STARTED_PID
start_bg() {
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
tree_mem() { # "rss_mib pss_mib uss_mib threads" summed over the tree
    local p rss=0 pss=0 uss=0 thr=0 v
    for p in $(tree_pids "$1"); do
        v=$(awk '/^VmRSS:/ {r = $2} /^Threads:/ {t = $2} END {print r + 0, t + 0}' "/proc/$p/status" 2>/dev/null) || continue
        set -- $v
        rss=$((rss + $1)); thr=$((thr + $2))
        v=$(awk '/^Pss:/ {p = $2} /^Private_(Clean|Dirty):/ {u += $2} END {print p + 0, u + 0}' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
        set -- $v
        pss=$((pss + $1)); uss=$((uss + $2))
    done
    awk -v r=$rss -v p=$pss -v u=$uss -v t=$thr 'BEGIN {printf "%.1f %.1f %.1f %d\n", r / 1024, p / 1024, u / 1024, t}'
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
# thread_report BEFORE AFTER SECONDS -> CPU per thread name (Java: comm is the thread name, cut to 15 chars)
thread_report() {
    awk -v secs="$3" 'NR == FNR { b[$1] = $2; next }
        { d = $2 - (($1 in b) ? b[$1] : 0); n = $3; gsub(/[0-9]+$/, "#", n); by[n] += d; cnt[n]++; tot += d }
        END { printf "%-20s %8s %6s %s\n", "thread (name#)", "ticks", "%core", "threads"
              for (n in by) if (by[n] > 0) printf "%-20s %8d %6.1f %d\n", n, by[n], 100 * by[n] / (secs * '"$CLK_TCK"'), cnt[n]
              printf "%-20s %8d %6.1f\n", "total", tot, 100 * tot / (secs * '"$CLK_TCK"') }' <(echo "$1") <(echo "$2") |
        { read -r h; echo "$h"; sort -k2,2nr; }
}
calc() { awk "BEGIN { v = $1; printf \"%.${2:-2}f\", v }"; }
# parse "k=v k=v" into variables PREFIX_k
parse_kv() { local pre=$1 kv; shift; for kv in $*; do [[ $kv == *=* ]] && printf -v "${pre}_${kv%%=*}" '%s' "${kv#*=}"; done; return 0; }

# ---------------------------------------------------------------- build the helpers
BIN=$(mktemp -d /tmp/bench-tcp.XXXXXX)
for prog in backend bulk rr probe; do
    gcc -O2 -Wall -Wextra -o "$BIN/$prog" "$src/$prog.c"
done

# ---------------------------------------------------------------- environment checks
if [ $uses_haproxy = 1 ] && ! command -v haproxy >/dev/null; then
    log "haproxy not found: apt-get install -y --no-install-recommends haproxy"; exit 1
fi
if [ $uses_junction = 1 ]; then
    if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
        export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
    fi
    if [ ! -x "$JUNCTION" ]; then
        log "Junction launcher not found or not executable: $JUNCTION"
        log "build the distribution, pass --junction PATH, or leave junction out of --systems"
        exit 1
    fi
    JUNCTION=$(cd "$(dirname "$JUNCTION")" && pwd)/$(basename "$JUNCTION")
fi

# checksum over the launcher and every jar of the distribution, to detect a rebuild during the run
dist_fingerprint() {
    local home
    home=$(dirname "$(dirname "$JUNCTION")")
    find "$home/bin" "$home/lib" "$home/plugins" -type f \( -name '*.jar' -o -path '*/bin/*' \) -print0 2>/dev/null |
        sort -z | xargs -0 -r md5sum | md5sum | cut -c1-12
}
{
    echo "date: $(date -Is)"
    echo "command: $0 --rounds $ROUNDS --duration $DURATION --warmup $WARMUP --junction-warmup $JWARMUP --systems \"${sys_list[*]}\" --conns $CONNS --size $SIZE --bulk-max-mib $BULK_MAX_MIB$([ $REUSE = 1 ] && echo ' --reuse')$([ $PRELAUNCH = 0 ] && echo ' --no-prelaunch')"
    echo "kernel: $(uname -r); cpus: $(nproc); $(awk '/model name/ {$1 = $2 = $3 = ""; print "cpu:" $0; exit}' /proc/cpuinfo)"
    echo "mem: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "gcc: $(gcc --version | head -1)"
    [ $uses_haproxy = 1 ] && echo "haproxy: $(haproxy -v | head -1)"
    if [ $uses_junction = 1 ]; then
        echo "JAVA_HOME: ${JAVA_HOME:-unset}"
        echo "java: $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -2 | tr '\n' ' ')"
        echo "junction: $JUNCTION; version: $(timeout 60 "$JUNCTION" version 2>&1 | head -3 | tr '\n' ' ')"
        echo "JAVA_OPTS: ${JAVA_OPTS:-unset}; JUNCTION_OPTS: ${JUNCTION_OPTS:-unset}"
        echo "distribution fingerprint: $(dist_fingerprint)"
    fi
} >"$OUT/versions.txt"
cat "$OUT/versions.txt" | tee -a "$OUT/run.log" >&2

# ---------------------------------------------------------------- ports, backend
read -r P_BACKEND P_HA1 P_HA2 P_J P_JADMIN P_J1 P_J1ADMIN P_JU P_JUADMIN P_JE P_JEADMIN < <("$BIN/probe" freeport 11)
start_bg "$OUT/logs/backend.log" "$BIN/backend" "$P_BACKEND"
BACKEND_PID=$STARTED_PID
"$BIN/probe" echo 127.0.0.1 "$P_BACKEND" "$EPOCHREALTIME" 5 >/dev/null || { log "backend did not start"; exit 1; }
log "backend pid $BACKEND_PID on 127.0.0.1:$P_BACKEND; results in $OUT"

# ---------------------------------------------------------------- configs
haproxy_conf() { # threads port
    cat >"$OUT/conf/haproxy-t$1.cfg" <<EOF
global
    nbthread $1
    maxconn 4096

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    maxconn 4096

listen bench
    bind 127.0.0.1:$2
    server backend 127.0.0.1:$P_BACKEND
EOF
}
junction_conf() { # file port admin_port extra_runtime
    cat >"$1" <<EOF
admin: {address: 127.0.0.1:$3}
runtime: {drain-timeout: 1s$4}
listeners:
  bench:
    protocol: tcp
    address: 127.0.0.1:$2
    routes:
      - action: {proxy: {upstream: backend}}
upstreams:
  backend:
    protocol: tcp
    load-balancer: round-robin
    endpoints: [127.0.0.1:$P_BACKEND]
EOF
}
has_sys haproxy-t1 && haproxy_conf 1 "$P_HA1"
has_sys haproxy-t2 && haproxy_conf 2 "$P_HA2"
has_sys junction && junction_conf "$OUT/conf/junction.yaml" "$P_J" "$P_JADMIN" ""
has_sys junction-el1 && junction_conf "$OUT/conf/junction-el1.yaml" "$P_J1" "$P_J1ADMIN" ", event-loops: 1"
has_sys junction-io-uring && junction_conf "$OUT/conf/junction-io-uring.yaml" "$P_JU" "$P_JUADMIN" ", transport: io-uring"
has_sys junction-epoll && junction_conf "$OUT/conf/junction-epoll.yaml" "$P_JE" "$P_JEADMIN" ", transport: epoll"
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

port_of() {
    case "$1" in
    direct) echo "$P_BACKEND" ;; haproxy-t1) echo "$P_HA1" ;; haproxy-t2) echo "$P_HA2" ;;
    junction) echo "$P_J" ;; junction-el1) echo "$P_J1" ;; junction-io-uring) echo "$P_JU" ;; junction-epoll) echo "$P_JE" ;;
    esac
}
warmup_of() { case "$1" in junction*) echo "$JWARMUP" ;; *) echo "$WARMUP" ;; esac; }

# ---------------------------------------------------------------- start / stop a system
declare -A SYS_PID=()
echo "round,system,health_ms,first_echo_ms,idle_rss_mib,idle_pss_mib,idle_uss_mib,threads,after_rss_mib" >"$OUT/start.csv"
echo "round,system,mibps,bytes,secs,verified,drain_ms,proxy_us_per_mib,backend_us_per_mib,client_us_per_mib,proxy_cpu_pct,machine_busy_pct,other_cpu_pct,send_mibps,proxy_sys_pct" >"$OUT/bulk.csv"
echo "round,system,rr_s,ops,p50_us,p90_us,p99_us,p999_us,max_us,errors,proxy_us_per_rr,backend_us_per_rr,client_us_per_rr,proxy_cpu_pct,machine_busy_pct,other_cpu_pct,proxy_sys_pct" >"$OUT/rr.csv"

START_INFO=""
start_system() { # name round -> sets SYS_PID[name], START_INFO="health_ms,echo_ms,rss,pss,uss,threads"
    local name=$1 round=$2 t0 h="" e port cds=""
    port=$(port_of "$name")
    START_INFO=",,,,,"
    case "$name" in
    direct) SYS_PID[$name]=$BACKEND_PID; return 0 ;;
    haproxy-t*)
        t0=$EPOCHREALTIME
        start_bg "$OUT/logs/$name-r$round.log" haproxy -db -f "$OUT/conf/$name.cfg"
        ;;
    junction*)
        # bin/junction uses a class-data-sharing archive under $JUNCTION_HOME/var/cds once a clean exit wrote it
        cds=no
        compgen -G "$(dirname "$(dirname "$JUNCTION")")/var/cds/*.jsa" >/dev/null && cds=yes
        t0=$EPOCHREALTIME
        start_bg "$OUT/logs/$name-r$round.log" "$JUNCTION" run -c "$OUT/conf/$name.yaml"
        local ap=$P_JADMIN
        [ "$name" = junction-el1 ] && ap=$P_J1ADMIN
        [ "$name" = junction-epoll ] && ap=$P_JEADMIN
        [ "$name" = junction-io-uring ] && ap=$P_JUADMIN
        h=$("$BIN/probe" http 127.0.0.1 "$ap" /health "$t0" 120 "$STARTED_PID") || {
            log "$name: no 200 on /health ($h; log: $OUT/logs/$name-r$round.log)"; tail -20 "$OUT/logs/$name-r$round.log" >&2
            return 1
        }
        ;;
    esac
    SYS_PID[$name]=$STARTED_PID
    e=$("$BIN/probe" echo 127.0.0.1 "$port" "$t0" 60 "$STARTED_PID") || {
        log "$name: no proxied echo ($e; log: $OUT/logs/$name-r$round.log)"; tail -20 "$OUT/logs/$name-r$round.log" >&2
        return 1
    }
    sleep "$IDLE_WAIT"
    local m
    m=$(tree_mem "${SYS_PID[$name]}")
    START_INFO="$h,$e,${m// /,}"
    log "$name: started pid ${SYS_PID[$name]}; health ${h:-n/a} ms, first proxied echo $e ms; idle rss/pss/uss MiB, threads: $m${cds:+; CDS archive present at launch: $cds}"
}
stop_system() {
    local name=$1 pid=${SYS_PID[$1]:-}
    [ -n "$pid" ] || return 0
    [ "$name" = direct ] && { unset "SYS_PID[$name]"; return 0; }
    case "$name" in
    junction*) stop_tree "$pid" 20 ;; # SIGTERM: drain (1 s here), exit; the first clean exit writes the CDS archive
    *) stop_tree "$pid" 5 ;;
    esac
    forget_pid "$pid"
    unset "SYS_PID[$name]"
}

# ---------------------------------------------------------------- one measured run
# measure KIND NAME ROUND: runs the client with the CPU sampling around it; appends a CSV row
measure() {
    local kind=$1 name=$2 round=$3 port pid pu0 pk0 pu1 pk1 bu0 bk0 bu1 bk1 m0 m1 out rc=0
    port=$(port_of "$name")
    pid=${SYS_PID[$name]}
    local th0=""
    [ "$name" = direct ] || th0=$(thread_ticks "$pid")
    read -r pu0 pk0 < <(tree_ticks "$pid"); read -r bu0 bk0 < <(tree_ticks "$BACKEND_PID"); m0=$(machine_busy)
    if [ "$kind" = bulk ]; then
        out=$("$BIN/bulk" 127.0.0.1 "$port" "$DURATION" "$BULK_MAX_MIB" 2>>"$OUT/logs/clients.log") || rc=$?
    else
        out=$("$BIN/rr" 127.0.0.1 "$port" "$CONNS" "$DURATION" "$SIZE" 2>>"$OUT/logs/clients.log") || rc=$?
    fi
    read -r pu1 pk1 < <(tree_ticks "$pid"); read -r bu1 bk1 < <(tree_ticks "$BACKEND_PID"); m1=$(machine_busy)
    [ "$name" = direct ] || thread_report "$th0" "$(thread_ticks "$pid")" "$DURATION" >"$OUT/logs/threads-$name-$kind-r$round.txt"
    echo "r$round $name $kind: $out" >>"$OUT/logs/clients.log"
    local c_bytes="" c_secs="" c_mibps="" c_send_mibps="" c_verified="" c_drain_ms="" c_client_cpu_us=0 c_rr_per_s="" c_ops=""
    local c_p50_us="" c_p90_us="" c_p99_us="" c_p999_us="" c_max_us="" c_errors="" c_bad="" c_stuck=""
    parse_kv c $out
    [ $rc = 0 ] || log "$name $kind round $round: client exit $rc: $out"
    set -- $m0; local mb0=$1 mt0=$2
    set -- $m1; local mb1=$1 mt1=$2
    local busy proxy_s backend_s other
    busy=$(calc "100 * ($mb1 - $mb0) / ($mt1 - $mt0 + 0.000001)" 1)
    proxy_s=$(calc "($pu1 + $pk1 - $pu0 - $pk0) / $CLK_TCK" 4)
    backend_s=$(calc "($bu1 + $bk1 - $bu0 - $bk0) / $CLK_TCK" 4)
    local sys_share # the proxy's kernel (stime) share of its CPU, %
    sys_share=$(calc "100 * ($pk1 - $pk0) / ($pu1 + $pk1 - $pu0 - $pk0 + 0.000001)" 0)
    # CPU used by everything else on the machine (other sessions, the kernel's softirq accounted elsewhere...),
    # in % of one core: busy jiffies of all CPUs minus proxy, backend and client
    local own="$proxy_s + $backend_s"
    [ "$name" = direct ] && own="$proxy_s"
    other=$(calc "100 * (($mb1 - $mb0) / $CLK_TCK - ($own) - ${c_client_cpu_us:-0} / 1e6) / ${c_secs:-1}" 0)
    if [ "$kind" = bulk ]; then
        local mib
        mib=$(calc "${c_bytes:-0} / 1048576" 3)
        if [ -z "$c_mibps" ] || [ "$mib" = 0.000 ]; then
            echo "$round,$name,,,,no,,,,,,,,," >>"$OUT/bulk.csv"; return
        fi
        if [ "$c_verified" = yes ]; then
            echo "$round,$name,$c_mibps,$c_bytes,$c_secs,$c_verified,$c_drain_ms,$(calc "$proxy_s * 1e6 / $mib"),$(calc "$backend_s * 1e6 / $mib"),$(calc "$c_client_cpu_us / $mib"),$(calc "100 * $proxy_s / $c_secs" 1),$busy,$other,$c_send_mibps,$sys_share" >>"$OUT/bulk.csv"
        else # the sink did not confirm the bytes: no rate, no per-MiB cost (the CPU window includes the 15 s wait)
            echo "$round,$name,,$c_bytes,$c_secs,no,$c_drain_ms,,,,$(calc "100 * $proxy_s / $c_secs" 1),$busy,$other,$c_send_mibps,$sys_share" >>"$OUT/bulk.csv"
        fi
        log "$name bulk r$round: $c_mibps MiB/s verified=$c_verified; proxy $(calc "$proxy_s * 1e6 / $mib") µs/MiB ($(calc "100 * $proxy_s / $c_secs" 0)% of a core); machine busy $busy%, others ${other}% of a core"
    else
        if [ -z "$c_rr_per_s" ] || [ "${c_ops:-0}" = 0 ]; then
            echo "$round,$name,,,,,,,,${c_errors:-},,,,,,," >>"$OUT/rr.csv"; return
        fi
        local errs=$((c_errors + c_bad + c_stuck))
        echo "$round,$name,$c_rr_per_s,$c_ops,$c_p50_us,$c_p90_us,$c_p99_us,$c_p999_us,$c_max_us,$errs,$(calc "$proxy_s * 1e6 / $c_ops"),$(calc "$backend_s * 1e6 / $c_ops"),$(calc "$c_client_cpu_us / $c_ops"),$(calc "100 * $proxy_s / $c_secs" 1),$busy,$other,$sys_share" >>"$OUT/rr.csv"
        log "$name rr r$round: $c_rr_per_s rr/s p50 ${c_p50_us}µs p99 ${c_p99_us}µs errors $errs; proxy $(calc "$proxy_s * 1e6 / $c_ops") µs/rr ($(calc "100 * $proxy_s / $c_secs" 0)% of a core); machine busy $busy%, others ${other}% of a core"
    fi
}

warm() { # name
    local name=$1 port w out
    port=$(port_of "$name"); w=$(warmup_of "$name")
    [ "$w" = 0 ] && return 0
    out=$("$BIN/rr" 127.0.0.1 "$port" "$CONNS" "$w" "$SIZE" 2>>"$OUT/logs/clients.log") || log "$name warm-up rr failed: $out"
    out=$("$BIN/bulk" 127.0.0.1 "$port" "$w" "$BULK_MAX_MIB" 2>>"$OUT/logs/clients.log") || log "$name warm-up bulk failed: $out"
}

# ---------------------------------------------------------------- discarded first launch
# One launch per system before the rounds, not recorded: page cache, and for Junction the class-data-sharing
# archive that bin/junction has the JVM write on its first clean exit (later launches start faster).
if [ $PRELAUNCH = 1 ]; then
    for name in "${sys_list[@]}"; do
        [ "$name" = direct ] && continue
        log "$name: discarded first launch"
        if start_system "$name" 0; then :; else log "$name: the discarded first launch failed"; fi
        stop_system "$name"
    done
fi

# ---------------------------------------------------------------- rounds
n=${#sys_list[@]}
for ((r = 1; r <= ROUNDS; r++)); do
    order=()
    for ((i = 0; i < n; i++)); do order+=("${sys_list[$(((i + r - 1) % n))]}"); done
    log "round $r/$ROUNDS: ${order[*]}"
    for name in "${order[@]}"; do
        info=",,,,,"
        if [ -z "${SYS_PID[$name]:-}" ]; then
            if ! start_system "$name" "$r"; then
                stop_system "$name"
                echo "$r,$name,,,,,,," >>"$OUT/start.csv"
                continue
            fi
            info=$START_INFO
        fi
        warm "$name"
        measure bulk "$name" "$r"
        sleep 0.2
        measure rr "$name" "$r"
        after=$(tree_mem "${SYS_PID[$name]}")
        echo "$r,$name,$info,${after%% *}" >>"$OUT/start.csv"
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
# stats FILE SYSTEM COLUMN_NAME -> "median min max n" (empty cells skipped)
stats() {
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

# round_ratio FILE SYSTEM COLUMN: median [min–max] of (system / REF) over the rounds where both have a value
round_ratio() {
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
ref_bulk=NA; ref_rr=NA
if [ -n "$REF" ]; then
    read -r ref_bulk _ < <(stats "$OUT/bulk.csv" "$REF" mibps)
    read -r ref_rr _ < <(stats "$OUT/rr.csv" "$REF" rr_s)
fi
{
    echo "## TCP proxy: $ROUNDS interleaved rounds, ${DURATION} s per test, $CONNS×${SIZE} B rr; medians [min–max]; ratios vs ${REF:-none}"
    echo
    echo "| system | bulk MiB/s | ×${REF:-ref} | proxy µs CPU/MiB | rr/s | ×${REF:-ref} | p50 ms | p99 ms | proxy µs CPU/rr | startup ms | idle RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for s in "${sys_list[@]}"; do
        read -r bm bmin bmax bn < <(stats "$OUT/bulk.csv" "$s" mibps)
        read -r bc _ < <(stats "$OUT/bulk.csv" "$s" proxy_us_per_mib)
        read -r rm rmin rmax rn < <(stats "$OUT/rr.csv" "$s" rr_s)
        read -r p50 _ < <(stats "$OUT/rr.csv" "$s" p50_us)
        read -r p99 _ < <(stats "$OUT/rr.csv" "$s" p99_us)
        read -r rc _ < <(stats "$OUT/rr.csv" "$s" proxy_us_per_rr)
        case "$s" in
        junction*) read -r su smin smax _ < <(stats "$OUT/start.csv" "$s" health_ms) ;;
        *) read -r su smin smax _ < <(stats "$OUT/start.csv" "$s" first_echo_ms) ;;
        esac
        read -r rss _ < <(stats "$OUT/start.csv" "$s" idle_rss_mib)
        cpu_note=""; [ "$s" = direct ] && cpu_note=" (backend)"
        st="—"; [ "$su" != NA ] && st="$(fmt "$su" 1) [$(fmt "$smin" 1)–$(fmt "$smax" 1)]"
        rs="—"; [ "$rss" != NA ] && rs=$(fmt "$rss" 1)
        p50s="NA"; [ "$p50" != NA ] && p50s=$(calc "$p50 / 1000" 3)
        p99s="NA"; [ "$p99" != NA ] && p99s=$(calc "$p99 / 1000" 3)
        echo "| $s | $(fmt "$bm") [$(fmt "$bmin")–$(fmt "$bmax")] | $(ratio "$bm" "$ref_bulk") | $(fmt "$bc" 1)$cpu_note | $(fmt "$rm") [$(fmt "$rmin")–$(fmt "$rmax")] | $(ratio "$rm" "$ref_rr") | $p50s | $p99s | $(fmt "$rc" 2)$cpu_note | $st | $rs |"
    done
    echo
    fails=$(awk -F, 'NR > 1 && $2 != "direct" && $4 == "" && $9 == "" { f[$2]++ } END { for (s in f) printf "%s%s: %d", (n++ ? ", " : ""), s, f[s] }' "$OUT/start.csv")
    [ -z "$DIST_CHANGED" ] || { echo "**WARNING: $DIST_CHANGED.**"; echo; }
    unver=$(awk -F, 'NR > 1 && $6 != "yes" { n++ } END { print n + 0 }' "$OUT/bulk.csv")
    wfail=$(grep -c "warm-up bulk failed" "$OUT/run.log" || true)
    [ "$wfail" = 0 ] || { echo "**$wfail warm-up bulk run(s) failed (see run.log).**"; echo; }
    [ "$unver" = 0 ] || { echo "**$unver bulk run(s) were not confirmed by the sink (no byte count came back within 15 s after the half-close); they are left out of MiB/s and CPU/MiB — see the 'bulk verified' column and logs/clients.log. A proxy instance where this happened may still be busy with that connection during the rr test that follows.**"; echo; }
    [ -z "$fails" ] || { echo "**Failed starts (rounds without numbers): $fails** — see run.log and logs/."; echo; }
    echo "startup ms: Junction = launch until the first HTTP 200 on the admin /health; others = launch until the first 64-byte echo through the proxy."
    echo "Junction's time to its first proxied echo and the RSS after the load are in start.csv (columns first_echo_ms, after_rss_mib)."
    echo
    echo "### Per-round ratios and where the CPU went (medians over rounds)"
    echo
    echo "'others' = busy CPU of the whole machine minus proxy, backend and client, in % of one core (of 200 %): other"
    echo "sessions sharing the VM, and kernel work not charged to the three processes."
    echo
    echo "Per-round ratio: system ÷ ${REF:-ref} within the same round (both measured minutes apart at most), median [min–max]."
    echo
    echo "| system | bulk ×${REF:-ref} per round | rr ×${REF:-ref} per round | bulk: proxy % of a core (kernel share) | bulk: backend µs/MiB | bulk: client µs/MiB | bulk: machine busy % (others, % of a core) | rr: proxy % of a core (kernel share) | rr: backend µs/rr | rr: client µs/rr | rr: machine busy % (others) | rr p99.9 ms | rr errors | bulk verified |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for s in "${sys_list[@]}"; do
        read -r a _ < <(stats "$OUT/bulk.csv" "$s" proxy_cpu_pct)
        read -r b _ < <(stats "$OUT/bulk.csv" "$s" backend_us_per_mib)
        read -r c _ < <(stats "$OUT/bulk.csv" "$s" client_us_per_mib)
        read -r d _ < <(stats "$OUT/bulk.csv" "$s" machine_busy_pct)
        read -r e _ < <(stats "$OUT/rr.csv" "$s" proxy_cpu_pct)
        read -r f _ < <(stats "$OUT/rr.csv" "$s" backend_us_per_rr)
        read -r g _ < <(stats "$OUT/rr.csv" "$s" client_us_per_rr)
        read -r h _ < <(stats "$OUT/rr.csv" "$s" machine_busy_pct)
        read -r p999 _ < <(stats "$OUT/rr.csv" "$s" p999_us)
        read -r bo _ < <(stats "$OUT/bulk.csv" "$s" other_cpu_pct)
        read -r bk _ < <(stats "$OUT/bulk.csv" "$s" proxy_sys_pct)
        read -r rk _ < <(stats "$OUT/rr.csv" "$s" proxy_sys_pct)
        read -r ro _ < <(stats "$OUT/rr.csv" "$s" other_cpu_pct)
        errs=$(awk -F, -v s="$s" 'NR > 1 && $2 == s { e += $10; if ($3 == "") e += 1 } END { print e + 0 }' "$OUT/rr.csv")
        ver=$(awk -F, -v s="$s" 'NR > 1 && $2 == s { n++; if ($6 == "yes") y++ } END { printf "%d/%d", y, n }' "$OUT/bulk.csv")
        p999s="NA"; [ "$p999" != NA ] && p999s=$(calc "$p999 / 1000" 3)
        pre=""; [ "$s" = direct ] && pre="(backend) "
        echo "| $s | $(round_ratio "$OUT/bulk.csv" "$s" mibps) | $(round_ratio "$OUT/rr.csv" "$s" rr_s) | $pre$(fmt "$a") ($(fmt "$bk")% sys) | $(fmt "$b") | $(fmt "$c") | $(fmt "$d") ($(fmt "$bo")) | $pre$(fmt "$e") ($(fmt "$rk")% sys) | $(fmt "$f" 2) | $(fmt "$g" 2) | $(fmt "$h") ($(fmt "$ro")) | $p999s | $errs | $ver |"
    done
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
echo
log "raw rows: $OUT/bulk.csv $OUT/rr.csv $OUT/start.csv; logs: $OUT/logs; configs: $OUT/conf"
