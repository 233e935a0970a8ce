#!/usr/bin/env python3
"""Restart cost of the same head: Sundial's replay against Prometheus 2.42's, interleaved.

Sundial opens DATA_DIR in-process with bench/tsdb_head_memory (the phase `open`); Prometheus
starts on a fresh copy of the same directory (both use the Prometheus on-disk formats) and is
timed until /-/ready. Each round prints both lines and the CPU and replay-time ratios; only
ratios of one round are comparable on a shared machine. Make the data first:

  build/bench/tsdb_head_memory write /tmp/hm 200000 120 in_memory
  bench/restart_vs_prometheus.py --bench=build/bench/tsdb_head_memory /tmp/hm 200000 120 \
      --mode=in_memory --rounds=2
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def go_duration_seconds(text):
    m = re.fullmatch(r"(?:(\d+)m)?([\d.]+)(ms|µs|s)", text)
    if not m:
        sys.exit(f"cannot read Prometheus' duration {text!r}")
    scale = {"s": 1, "ms": 1e3, "µs": 1e6}[m.group(3)]
    return int(m.group(1) or 0) * 60 + float(m.group(2)) / scale


def load_average():
    return open("/proc/loadavg").read().split()[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_sundial(args):
    cmd = [args.bench, "open", args.data_dir, str(args.series), str(args.samples)]
    if args.mode == "in_memory":
        cmd.append("in_memory")
    out = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"cpu_seconds=([\d.]+) replay_seconds=([\d.]+).*VmHWM=(\d+)", out.stdout)
    if out.returncode != 0 or not m:
        sys.exit(f"{args.bench} failed:\n{out.stdout}{out.stderr}")
    return float(m.group(1)), float(m.group(2)), int(m.group(3))


def run_prometheus(args, work):
    data = os.path.join(work, "prometheus-data")
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(args.data_dir, data)
    if os.path.exists(os.path.join(data, "lock")):
        os.remove(os.path.join(data, "lock"))
    config = os.path.join(work, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 15s\n")
    log_path = os.path.join(work, "prometheus.log")
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([args.prometheus, f"--config.file={config}",
                                 f"--storage.tsdb.path={data}",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=log, stderr=log)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready",
                                                timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None:
                    sys.exit(f"prometheus exited; see {log_path}")
                time.sleep(0.05)
            cpu = process_cpu_seconds(proc.pid)
            status = open(f"/proc/{proc.pid}/status").read()
            hwm_mib = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024
        finally:
            proc.terminate()
            proc.wait()
    replays = re.findall(r"WAL replay completed.*?total_replay_duration=(\S+)",
                         open(log_path).read())
    if not replays:
        sys.exit(f"no 'WAL replay completed' line in {log_path}")
    return cpu, go_duration_seconds(replays[0]), hwm_mib


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir")
    p.add_argument("series", type=int)
    p.add_argument("samples", type=int)
    p.add_argument("--mode", choices=["in_memory", "chunks_head"], default="chunks_head",
                   help="as the data was written by tsdb_head_memory")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--bench", default="build/bench/tsdb_head_memory")
    p.add_argument("--prometheus", default="/usr/bin/prometheus")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="restart-vs-prometheus-") as work:
        for r in range(args.rounds):
            load = load_average()
            s_cpu, s_replay, s_hwm = run_sundial(args)
            print(f"round {r} sundial({args.mode}): cpu={s_cpu:.2f}s replay={s_replay:.2f}s "
                  f"VmHWM={s_hwm}MiB load={load}", flush=True)
            load = load_average()
            p_cpu, p_replay, p_hwm = run_prometheus(args, work)
            print(f"round {r} prometheus: cpu_at_ready={p_cpu:.2f}s replay={p_replay:.2f}s "
                  f"VmHWM={p_hwm}MiB load={load}  ratios: cpu {p_cpu / s_cpu:.2f}x, "
                  f"replay {p_replay / s_replay:.2f}x", flush=True)


if __name__ == "__main__":
    main()
