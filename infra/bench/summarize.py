"""Median of each measurement in a run.sh results file, and the two ratios the targets name."""
import re
import statistics
import sys

runs = {}
label = None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("## "):
        label = line[3:].strip()
        runs.setdefault(label, {"rate": [], "p50": [], "p99": [], "avg": [], "login": []})
        continue
    if label is None:
        continue
    if m := re.match(r"Requests/sec:\s+([\d.]+)", line):
        runs[label]["rate"].append(float(m[1]))
    elif m := re.match(r"tps = ([\d.]+)", line):
        runs[label]["rate"].append(float(m[1]))
    elif m := re.match(r"\s+(50|99)%\s+([\d.]+)(us|ms|s)", line):
        ms = float(m[2]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m[3]]
        runs[label]["p50" if m[1] == "50" else "p99"].append(ms)
    elif m := re.match(r"latency average = ([\d.]+) ms", line):
        runs[label]["avg"].append(float(m[1]))
    elif m := re.match(r"login latency: p50 ([\d.]+) ms, p95 ([\d.]+) ms", line):
        runs[label]["login"].append((float(m[1]), float(m[2])))


def med(values):
    return statistics.median(values) if values else float("nan")


print("\n# summary (median of rounds)")
for name, r in runs.items():
    rate = med(r["rate"])
    if r["login"]:
        print(f"{name}: p50 {med([x[0] for x in r['login']]):.1f} ms, p95 {med([x[1] for x in r['login']]):.1f} ms")
    elif r["p50"]:
        print(f"{name}: {rate:,.0f} req/s, p50 {med(r['p50']):.1f} ms, p99 {med(r['p99']):.1f} ms  (rounds: {', '.join(f'{x:,.0f}' for x in r['rate'])})")
    else:
        print(f"{name}: {rate:,.0f} tx/s, avg latency {med(r['avg']):.1f} ms  (rounds: {', '.join(f'{x:,.0f}' for x in r['rate'])})")
for work, script in [("GET one volunteer", "one"), ("GET page of 20", "page")]:
    direct = med(runs[f"direct: {work}"]["rate"])
    gateway = med(runs[f"gateway: {work}"]["rate"])
    ceiling = med(runs[f"pgbench: {script} (BEGIN; set_config; SELECT; COMMIT) as lacznik_app"]["rate"])
    print(f"{work}: gateway = {gateway / ceiling:.1%} of the database ceiling (target ≥ 40%); "
          f"the gateway costs {1 - gateway / direct:.1%} of direct throughput (target ≤ 20%)")
no_token = med(runs["gateway: GET office card, no token"]["rate"])
with_token = med(runs["gateway: GET office card, with token"]["rate"])
print(f"office card through the gateway: {with_token:,.0f} req/s with a token vs {no_token:,.0f} without "
      f"— verifying the token (and the revocation look-up) costs {1 - with_token / no_token:.1%}")
