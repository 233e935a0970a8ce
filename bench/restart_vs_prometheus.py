#!/usr/bin/env python3
"""Restart cost of the same head: Sundial's replay against Prometheus 2.42's, interleaved.

Sundial opens DATA_DIR in-process with bench/tsdb_head_memory (the phase `open`), or, with
--sundial=BIN, the `sundial` binary starts on a fresh copy of DATA_DIR with Prometheus' flags
and is timed until /-/ready as Prometheus is. Prometheus starts on its own fresh copy (both use
the Prometheus on-disk formats). A server's figures are wall seconds from exec to the first 200
of /-/ready, its CPU seconds then (/proc), VmHWM, VmRSS --settle seconds after ready (the
head's steady memory, also per series) and the replay time its log reports. Each round prints
both lines and the ratios; only ratios of one round are comparable on a shared machine. Make
the data first:

  build/bench/tsdb_head_memory write /tmp/hm 200000 120 in_memory
  bench/restart_vs_prometheus.py --bench=build/bench/tsdb_head_memory /tmp/hm 200000 120 \
      --mode=in_memory --rounds=2
  bench/restart_vs_prometheus.py --sundial=build/src/sundial /tmp/hm 200000 120 --mode=in_memory
  bench/restart_vs_prometheus.py --sundial=new/sundial --sundial-b=old/sundial /tmp/hm \
      200000 120 --mode=in_memory     # and an A/B of two builds, same rounds
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


def status_mib(pid, key):
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(key + r":\s+(\d+)", status).group(1)) // 1024


def start_and_wait_ready(binary, data_dir, work, name, settle):
    """Starts binary on a fresh copy of data_dir; returns (wall, cpu, VmHWM MiB) at the first 200
    of /-/ready, VmRSS MiB settle seconds later, and the log text."""
    data = os.path.join(work, f"{name}-data")
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(data_dir, data)
    if os.path.exists(os.path.join(data, "lock")):
        os.remove(os.path.join(data, "lock"))
    config = os.path.join(work, f"{name}.yml")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 15s\n")
    log_path = os.path.join(work, f"{name}.log")
    port = free_port()
    with open(log_path, "w") as log:
        start = time.monotonic()
        proc = subprocess.Popen([binary, f"--config.file={config}",
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
                except OSError:  # refused while starting, or 503 while replaying
                    pass
                if proc.poll() is not None:
                    sys.exit(f"{binary} exited; see {log_path}")
                time.sleep(0.05)
            wall = time.monotonic() - start
            cpu = process_cpu_seconds(proc.pid)
            hwm_mib = status_mib(proc.pid, "VmHWM")
            time.sleep(settle)
            rss_mib = status_mib(proc.pid, "VmRSS")
        finally:
            proc.terminate()
            proc.wait()
    return wall, cpu, hwm_mib, rss_mib, open(log_path).read()


def run_prometheus(args, work):
    wall, cpu, hwm, rss, log = start_and_wait_ready(args.prometheus, args.data_dir, work,
                                                    "prometheus", args.settle)
    replays = re.findall(r"WAL replay completed.*?total_replay_duration=(\S+)", log)
    if not replays:
        sys.exit("no 'WAL replay completed' line in Prometheus' log")
    return wall, cpu, go_duration_seconds(replays[0]), hwm, rss


def run_sundial_binary(binary, args, work):
    wall, cpu, hwm, rss, log = start_and_wait_ready(binary, args.data_dir, work, "sundial",
                                                    args.settle)
    replays = re.findall(r"WAL replay completed.*?duration=([\d.e+-]+)s", log)
    if not replays:
        sys.exit("no 'WAL replay completed' line in Sundial's log")
    return wall, cpu, float(replays[0]), hwm, rss


def dir_mib(path):
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / (1 << 20)


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
    p.add_argument("--sundial", help="time this sundial binary's restart instead of --bench")
    p.add_argument("--sundial-b", help="with --sundial: also time this binary each round, "
                   "alternating which of the two starts first (an A/B of two builds)")
    p.add_argument("--settle", type=float, default=0,
                   help="seconds after ready at which a server's VmRSS is read")
    args = p.parse_args()
    wal = os.path.join(args.data_dir, "wal")
    chunks = os.path.join(args.data_dir, "chunks_head")
    print(f"data: wal={dir_mib(wal):.0f}MiB chunks_head={dir_mib(chunks):.0f}MiB", flush=True)
    with tempfile.TemporaryDirectory(prefix="restart-vs-prometheus-") as work:
        for r in range(args.rounds):
            load = load_average()
            if args.sundial:
                binaries = [("a", args.sundial)]
                if args.sundial_b:
                    binaries.append(("b", args.sundial_b))
                    if r % 2:
                        binaries.reverse()
                results = {}
                for name, binary in binaries:
                    load = load_average()
                    results[name] = run_sundial_binary(binary, args, work)
                    s_wall, s_cpu, s_replay, s_hwm, s_rss = results[name]
                    print(f"round {r} sundial binary {name} ({args.mode}): ready={s_wall:.2f}s "
                          f"cpu_at_ready={s_cpu:.2f}s replay={s_replay:.2f}s VmHWM={s_hwm}MiB "
                          f"VmRSS={s_rss}MiB ({s_rss * 2**20 / args.series:.0f}B/series) "
                          f"load={load}", flush=True)
                s_wall, s_cpu, s_replay, s_hwm, s_rss = results["a"]
                if "b" in results:
                    b_wall, b_cpu, b_replay = results["b"][:3]
                    print(f"round {r} a/b: ready {s_wall / b_wall:.2f}x, cpu "
                          f"{s_cpu / b_cpu:.2f}x, replay {s_replay / b_replay:.2f}x", flush=True)
            else:
                s_cpu, s_replay, s_hwm = run_sundial(args)
                print(f"round {r} sundial({args.mode}): cpu={s_cpu:.2f}s replay={s_replay:.2f}s "
                      f"VmHWM={s_hwm}MiB load={load}", flush=True)
            load = load_average()
            p_wall, p_cpu, p_replay, p_hwm, p_rss = run_prometheus(args, work)
            ready = f"ready {p_wall / s_wall:.2f}x, " if args.sundial else ""
            print(f"round {r} prometheus: ready={p_wall:.2f}s cpu_at_ready={p_cpu:.2f}s "
                  f"replay={p_replay:.2f}s VmHWM={p_hwm}MiB VmRSS={p_rss}MiB "
                  f"({p_rss * 2**20 / args.series:.0f}B/series) load={load}  "
                  f"ratios: {ready}"
                  f"cpu {p_cpu / s_cpu:.2f}x, replay {p_replay / s_replay:.2f}x", flush=True)


if __name__ == "__main__":
    main()
