#!/usr/bin/env bash
# End-to-end scrape benchmark: Sundial and the Debian Prometheus 2.42 scrape the same synthetic
# farm (bench/scrape_farm_exporter: TARGETS ports x SERIES series, values evolving) at the same
# time with the same configuration. After a warm-up, both processes' CPU time and RSS are sampled
# over DURATION seconds, and each server is asked how many scrapes and samples it took in that
# window and whether every scrape ran (none missed, none failed).
#
#   bash bench/scrape_farm.sh                       # 500 targets x 1000 series every 10s, 180 s
#   TARGETS=100 SERIES=1000 DURATION=60 bash bench/scrape_farm.sh
#
# Needs a built tree (scripts/build.sh), /usr/bin/prometheus, curl and jq.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=${TARGETS:-500}
series=${SERIES:-1000}
interval_s=${INTERVAL_S:-10}
warmup_s=${WARMUP_S:-40}
duration_s=${DURATION:-180}
first_port=${FIRST_PORT:-21000}
build=${SUNDIAL_BUILD_DIR:-build}
for tool in curl jq /usr/bin/prometheus "$build/src/sundial" "$build/bench/scrape_farm_exporter"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/scrape_farm_exporter" "$first_port" "$targets" "$series" >"$work/exporter.out" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$work/exporter.out" 2>/dev/null && break; sleep 0.1; done

{
  echo "global:"
  echo "  scrape_interval: ${interval_s}s"
  echo "  scrape_timeout: ${interval_s}s"
  echo "scrape_configs:"
  echo "  - job_name: farm"
  echo "    static_configs:"
  echo "      - targets:"
  for ((i = 0; i < targets; i++)); do echo "        - 127.0.0.1:$((first_port + i))"; done
} >"$work/farm.yml"

prom_port=$((first_port - 1))
sundial_port=$((first_port - 2))
/usr/bin/prometheus --config.file="$work/farm.yml" --storage.tsdb.path="$work/prometheus" \
  --web.listen-address="127.0.0.1:$prom_port" 2>"$work/prometheus.log" &
prom_pid=$!
pids+=($prom_pid)
"$build/src/sundial" --config.file="$work/farm.yml" --storage.tsdb.path="$work/sundial" \
  --web.listen-address="127.0.0.1:$sundial_port" 2>"$work/sundial.log" &
sundial_pid=$!
pids+=($sundial_pid)

echo "farm: $targets targets x $series series every ${interval_s}s; warm-up ${warmup_s}s," \
  "measuring ${duration_s}s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
sleep "$warmup_s"

# utime + stime of a process in seconds.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mib() { awk '/VmRSS/ { print $2 / 1024 }' "/proc/$1/status"; }

p0=$(cpu_s $prom_pid)
s0=$(cpu_s $sundial_pid)
sleep "$duration_s"
p1=$(cpu_s $prom_pid)
s1=$(cpu_s $sundial_pid)
prss=$(rss_mib $prom_pid)
srss=$(rss_mib $sundial_pid)

# The scalar result of an instant query at the end of the window.
query() {
  curl -sf --data-urlencode "query=$2" "http://127.0.0.1:$1/api/v1/query" |
    jq -r '.data.result[0].value[1] // "0"'
}
window="${duration_s}s"
expected=$((targets * duration_s / interval_s))
printf '\n%-10s %9s %12s %12s %14s %9s %8s %10s\n' server cpu_s samples scrapes "cpu_s/1M" rss_mib \
  failed max_dur_s
for row in "prometheus $prom_port $p0 $p1 $prss" "sundial $sundial_port $s0 $s1 $srss"; do
  read -r name port c0 c1 rss <<<"$row"
  samples=$(query "$port" "sum(sum_over_time(scrape_samples_scraped[$window]))")
  scrapes=$(query "$port" "sum(count_over_time(up[$window]))")
  failed=$(query "$port" "sum(count_over_time((up == 0)[$window:${interval_s}s]))")
  max_dur=$(query "$port" "max(max_over_time(scrape_duration_seconds[$window]))")
  awk -v n="$name" -v c0="$c0" -v c1="$c1" -v s="$samples" -v sc="$scrapes" -v r="$rss" \
    -v f="$failed" -v d="$max_dur" 'BEGIN {
      printf "%-10s %9.1f %12d %12d %14.3f %9.0f %8d %10.3f\n", n, c1 - c0, s, sc,
             (c1 - c0) / (s > 0 ? s : 1) * 1e6, r, f, d }'
done
echo "expected scrapes per server in the window: $expected"
