#!/usr/bin/env python3
"""Latency of small HTTP requests: Sundial binaries against Prometheus 2.42, interleaved.

Every server scrapes one exporter (this process) serving SERIES series of bench_metric every 2 s,
for --warmup seconds; then each round sends, to each server in turn, --requests requests of
each kind: /-/ready, query=up, an instant query over ~50 series, a label values call, a range
query of every series (a large streamed answer), first
from one client, then from --clients concurrent client processes (keep-alive connections). A
server's figures per kind and mode are p50/p90/p99 wall ms over all rounds and its CPU ms per
request (/proc utime+stime of the server over its blocks, scrapes included, 10 ms ticks).
With --hog=N the whole run repeats with N busy-loop processes running (started and killed
here) to load the machine. Only figures of one run are comparable on a shared machine.

  bench/http_latency.py --sundial=build/src/sundial --sundial=/tmp/old/sundial --hog=2
"""
import argparse
import http.client
import http.server
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")
PROMETHEUS = "/usr/bin/prometheus"

KINDS = [
    ("ready", "/-/ready"),
    ("up", "/api/v1/query?query=up"),
    ("q50", "/api/v1/query?query=" +
     urllib.parse.quote('sum by (group) (rate(bench_metric{shard="0"}[1m]))')),
    ("labels", "/api/v1/label/group/values"),
    # Every series at 1 s steps over the warm-up: ~0.5 MB of JSON, streamed in several writes.
    ("range", "/api/v1/query_range?query=bench_metric&start={start}&end={end}&step=1"),
]


def process_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exposition(series):
    lines = ["# TYPE bench_metric counter"]
    now = time.time()
    for i in range(series):
        # 6 shards of series/6; shard 0 holds ~50 series in 5 groups.
        lines.append(f'bench_metric{{shard="{i % 6}",group="g{i % 5}",id="{i}"}} '
                     f"{int(now * (1 + i % 7))}")
    return ("\n".join(lines) + "\n").encode()


def start_exporter(series):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = exposition(series)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def start_server(name, binary, work, exporter_port):
    config = os.path.join(work, f"{name}.yml")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 2s\nscrape_configs:\n- job_name: bench\n"
                f"  static_configs:\n  - targets: ['127.0.0.1:{exporter_port}']\n")
    port = free_port()
    log = open(os.path.join(work, f"{name}.log"), "w")
    proc = subprocess.Popen([binary, f"--config.file={config}",
                             f"--storage.tsdb.path={os.path.join(work, name + '-data')}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"{name} ({binary}) did not become ready; see {log.name}")


def client(port, path, count, gzip):
    """Sends count GETs over one keep-alive connection; returns wall seconds per request."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    out = []
    for _ in range(count):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        if r.status != 200:
            raise RuntimeError(f"{path}: HTTP {r.status}")
    conn.close()
    return out


def run_block(pool, port, path, count, clients, gzip):
    if clients == 1:
        return client(port, path, count, gzip)
    per = max(1, count // clients)
    results = pool.starmap(client, [(port, path, per, gzip)] * clients)
    return [x for r in results for x in r]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def measure(servers, args, pool):
    """{(server, kind, mode): (latencies, cpu seconds)} over args.rounds interleaved rounds."""
    stats = {}
    for _ in range(args.rounds):
        for mode, clients in (("seq", 1), (f"c{args.clients}", args.clients)):
            for kind, path in KINDS:
                for name, proc, port in servers:
                    client(port, path, 5, args.gzip)  # connection warm-up, not counted
                    cpu0 = process_cpu_seconds(proc.pid)
                    lat = run_block(pool, port, path, args.requests, clients, args.gzip)
                    cpu = process_cpu_seconds(proc.pid) - cpu0
                    entry = stats.setdefault((name, kind, mode), ([], [0.0]))
                    entry[0].extend(lat)
                    entry[1][0] += cpu
    return stats


def report(title, servers, stats):
    print(f"\n{title}   (load {open('/proc/loadavg').read().split()[0]} at end)")
    print(f"{'kind':7} {'mode':5} {'server':12} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'CPU ms/req':>10}  {'p50/first':>9}")
    modes = sorted({m for (_, _, m) in stats}, key=lambda m: m != "seq")
    for kind, _ in KINDS:
        for mode in modes:
            base = None
            for name, _, _ in servers:
                lat, cpu = stats[(name, kind, mode)]
                p50 = percentile(lat, 50) * 1e3
                base = base or p50
                print(f"{kind:7} {mode:5} {name:12} {p50:8.3f} {percentile(lat, 90) * 1e3:8.3f} "
                      f"{percentile(lat, 99) * 1e3:8.3f} {cpu[0] * 1e3 / len(lat):10.3f}  "
                      f"{p50 / base:9.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sundial", action="append", required=True,
                    help="a sundial binary; repeat to compare builds (named sundial0, 1, ...)")
    ap.add_argument("--prometheus", default=PROMETHEUS, help="'' to leave it out")
    ap.add_argument("--series", type=int, default=300)
    ap.add_argument("--warmup", type=float, default=20, help="seconds of scraping first")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--requests", type=int, default=200, help="per block (kind, mode, server)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--hog", type=int, default=0, help="busy-loop processes for the loaded run")
    ap.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="latency-http-", dir="/tmp")
    exporter_port = start_exporter(args.series)
    binaries = [(f"sundial{i}", b) for i, b in enumerate(args.sundial)]
    if args.prometheus:
        binaries.append(("prometheus", args.prometheus))
    servers = []
    hogs = []
    try:
        for name, binary in binaries:
            proc, port = start_server(name, binary, work, exporter_port)
            servers.append((name, proc, port))
        for name, binary in binaries:
            print(f"{name}: {binary}")
        time.sleep(args.warmup)
        end = time.time()
        KINDS[:] = [(k, p.format(start=end - args.warmup, end=end)) for k, p in KINDS]
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            report("idle", servers, measure(servers, args, pool))
            if args.hog > 0:
                hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                        for _ in range(args.hog)]
                report(f"with {args.hog} busy loops", servers, measure(servers, args, pool))
    finally:
        for h in hogs:
            h.kill()
            h.wait()
        for _, proc, _ in servers:
            proc.terminate()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
