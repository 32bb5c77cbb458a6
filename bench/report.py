#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench, host side: turn the guests' records into tables and plot data.

bench/report.py RESULTS OUTDIR

RESULTS holds one record a line, "<lane> <record>", where record is what
bench/guest/bench.sh prints (M, B, R and N lines) or what bench/run adds
about the host side of a guest:
    H <tag> size <GiB>            nominal device size (pmem namespace)
    H <tag> blocks_gib <GiB>      block size asked for (0.125 or 2)
    H <tag> wall_s <s>            the guest's wall time on the host
    H <tag> qemu_hwm_kb <kB>      peak RSS of its QEMU process
    H <tag> load <1> <5> <15>     host load average when it ended
    H <tag> status <text>         ok, or what went wrong
Writes OUTDIR/table.txt (what make bench prints at the end), table.md (the
same as Markdown, for the README) and OUTDIR/plot-<lane>-<blocks>.dat (ms
per GiB against GiB added, one column per method) for bench/plot.gp.
Medians and spreads are over the repetitions; only successful samples
count. Nothing here times anything.
"""
import collections
import os
import statistics
import sys

GIB = 1 << 30

# kmem_hp's operations, in table order, with what they are compared to:
# (floor ops in the per-block loop, kmem add/remove parts, daxctl op).
OPS = [
    # op, label, floor op, kmem parts, daxctl op
    ("add", "unplugged -> offline (add)", None, ["add"], "add"),
    ("online_movable", "offline -> online_movable", "online_movable", [], "online_movable"),
    ("offline", "online_movable -> offline", "offline", [], "offline"),
    ("online", "offline -> online", "online", [], "online_kernel"),
    ("offline_k", "online (kernel zone) -> offline", "offline_k", [], "offline_k"),
    ("online_kernel", "offline -> online_kernel", "online_kernel", [], "online_kernel"),
    ("remove", "offline -> unplugged (remove)", None, ["remove"], "remove"),
    ("add+online_movable", "unplugged -> online_movable", "online_movable", ["add"], "add+online_movable"),
    ("offline+remove", "online_movable -> unplugged", "offline", ["remove"], "offline+remove"),
    ("bind_online_movable", "bind, default_state=online_movable", "online_movable", ["add"], "add+online_movable"),
    ("unbind", "unbind from online_movable", "offline", ["remove"], "offline+remove"),
]
ONLINE_OPS = {"online_movable", "online", "online_kernel"}
OFFLINE_OPS = {"offline", "offline_k"}

# Plot panels: (file suffix, title, [(column title, method, op)]).
PANELS = [
    ("online", "offline -> online_movable", [
        ("kmem_hp", "kmem_hp", "online_movable"),
        ("per-block, kmem_hp order", "floor-hp", "online_movable"),
        ("per-block, ascending", "floor-asc", "online_movable"),
        ("daxctl online-memory", "daxctl", "online_movable"),
        ("front end on kmem_hp", "fe-kmem_hp", "online_movable"),
    ]),
    ("offline", "online_movable -> offline", [
        ("kmem_hp", "kmem_hp", "offline"),
        ("per-block, kmem_hp order", "floor-hp", "offline"),
        ("per-block, second then top down", "floor-top", "offline"),
        ("per-block, ascending", "floor-asc", "offline"),
        ("daxctl offline-memory", "daxctl", "offline"),
        ("front end on kmem_hp", "fe-kmem_hp", "offline"),
    ]),
    ("add", "unplugged -> online_movable (add + online)", [
        ("kmem_hp hotplug", "kmem_hp", "add+online_movable"),
        ("kmem_hp bind", "kmem_hp", "bind_online_movable"),
        ("daxctl -m system-ram", "daxctl", "add+online_movable"),
        ("front end -m kmem_hp", "fe-kmem_hp", "add+online_movable"),
        ("kmem bind (add only)", "kmem", "add"),
    ]),
    ("remove", "online_movable -> unplugged (offline + remove)", [
        ("kmem_hp hotplug", "kmem_hp", "offline+remove"),
        ("kmem_hp unbind", "kmem_hp", "unbind"),
        ("daxctl -m devdax -f", "daxctl", "offline+remove"),
        ("front end -m devdax -f", "fe-kmem_hp", "offline+remove"),
        ("kmem unbind (remove only)", "kmem", "remove"),
    ]),
]


class Guest:
    def __init__(self, lane, tag):
        self.lane, self.tag = lane, tag
        self.meta = {}
        self.host = {}
        self.samples = collections.defaultdict(list)
        self.steps = collections.defaultdict(list)
        self.fails = collections.defaultdict(list)
        self.reads = []
        self.notes = []

    @property
    def block_bytes(self):
        return int(self.meta.get("block_bytes", "0") or 0)

    @property
    def gib(self):
        try:
            return int(self.meta["blocks"]) * self.block_bytes / GIB
        except (KeyError, ValueError):
            return 0.0

    @property
    def size(self):
        return float(self.host.get("size", "0") or 0)

    def med(self, method, op):
        v = self.samples.get((method, op))
        return statistics.median(v) / 1e6 if v else None

    def spread(self, method, op):
        v = self.samples.get((method, op))
        return (min(v) / 1e6, max(v) / 1e6) if v else None


def load(path):
    guests = collections.OrderedDict()

    def guest(lane, tag):
        if (lane, tag) not in guests:
            guests[(lane, tag)] = Guest(lane, tag)
        return guests[(lane, tag)]

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            w = line.split()
            if len(w) < 4:
                continue
            lane, kind, tag = w[0], w[1], w[2]
            g = guest(lane, tag)
            if kind == "M":
                g.meta[w[3]] = " ".join(w[4:])
            elif kind == "H":
                g.host[w[3]] = " ".join(w[4:])
            elif kind == "N":
                g.notes.append(" ".join(w[3:]))
            elif kind == "B" and len(w) >= 8:
                method, op, res = w[3], w[4], w[6]
                if res == "OK":
                    g.samples[(method, op)].append(int(w[7]))
                    if len(w) >= 10:
                        g.steps[(method, op)].append((float(w[8]), float(w[9])))
                else:
                    g.fails[(method, op)].append(" ".join(w[6:]))
            elif kind == "R" and len(w) >= 12:
                g.reads.append({"dev": w[3], "state": w[4], "blocks": int(w[5]),
                                "res": w[6], "med": int(w[7]), "p90": int(w[8]),
                                "min": int(w[9]), "max": int(w[10])})
    return list(guests.values())


def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def best_holey(g, fop):
    """Median of the best hole-keeping per-block order for a floor op."""
    c = [m for m in (g.med("floor-hp", fop), g.med("floor-top", fop)) if m is not None]
    return min(c) if c else None


def floor_of(g, op, holey):
    """The per-block floor of one kmem_hp op: loop (holey or ascending)
    plus in-tree kmem's add/remove where the op adds or removes."""
    _, _, fop, parts, _ = next(o for o in OPS if o[0] == op)
    total = 0.0
    if fop:
        v = best_holey(g, fop) if holey else g.med("floor-asc", fop)
        if v is None:
            return None
        total += v
    for p in parts:
        v = g.med("kmem", p)
        if v is None:
            return None
        total += v
    return total


def daxctl_of(g, op, method="daxctl"):
    return g.med(method, next(o for o in OPS if o[0] == op)[4])


class Table:
    def __init__(self, head):
        self.head = head
        self.rows = []

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def text(self):
        w = [max(len(r[i]) for r in [self.head] + self.rows) for i in range(len(self.head))]
        out = ["  ".join(c.rjust(w[i]) if i else c.ljust(w[i]) for i, c in enumerate(r))
               for r in [self.head] + self.rows]
        out.insert(1, "  ".join("-" * x for x in w))
        return "\n".join(out)

    def md(self):
        out = ["| " + " | ".join(self.head) + " |",
               "|" + "|".join("---" for _ in self.head) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out)


def sized(guests):
    """Single-device guests, by lane and block size, sorted by size."""
    groups = collections.OrderedDict()
    for g in guests:
        if g.meta.get("mode") != "single" or not g.block_bytes:
            continue
        groups.setdefault((g.lane, g.block_bytes), []).append(g)
    for k in groups:
        groups[k].sort(key=lambda g: g.gib)
    return groups


def bs_name(b):
    return f"{b >> 30} GiB" if b >= GIB else f"{b >> 20} MiB"


def main_table(gs):
    t = Table(["size", "GiB added", "transition", "kmem_hp ms", "spread ms", "ms/GiB",
               "floor-holey ms", "floor-asc ms", "daxctl ms", "hp/holey", "hp/asc",
               "hp/daxctl", "front end ms"])
    for g in gs:
        for op, label, *_ in OPS:
            hp = g.med("kmem_hp", op)
            sp = g.spread("kmem_hp", op)
            if hp is None and not g.fails.get(("kmem_hp", op)):
                continue
            fh, fa, dx = floor_of(g, op, True), floor_of(g, op, False), daxctl_of(g, op)
            fe = g.med("fe-kmem_hp", op) if op in ("online_movable", "offline", "add+online_movable",
                                                   "offline+remove") else None
            t.add(f"{g.size:g} GiB", f"{g.gib:.2f}", label,
                  fmt_ms(hp) if hp is not None else "FAILED",
                  f"{fmt_ms(sp[0])}-{fmt_ms(sp[1])}" if sp else "-",
                  fmt_ms(hp / g.gib) if hp is not None and g.gib else "-",
                  fmt_ms(fh), fmt_ms(fa), fmt_ms(dx), fmt_ratio(ratio(hp, fh)),
                  fmt_ratio(ratio(hp, fa)), fmt_ratio(ratio(hp, dx)), fmt_ms(fe))
    return t


def floor_table(gs):
    """The per-block loops themselves: total, first and last quarter step."""
    t = Table(["size", "loop", "transition", "ms", "spread ms", "ms/GiB",
               "first-quarter step ms", "last-quarter step ms"])
    for g in gs:
        for method in ("floor-asc", "floor-hp", "floor-top", "hpfloor-asc", "hpfloor-hp"):
            for op in ("online_movable", "offline", "online", "online_kernel", "offline_k"):
                v = g.med(method, op)
                if v is None:
                    continue
                st = g.steps.get((method, op))
                first = statistics.median(s[0] for s in st) / 1e6 if st else None
                last = statistics.median(s[1] for s in st) / 1e6 if st else None
                sp = g.spread(method, op)
                t.add(f"{g.size:g} GiB", method, op, fmt_ms(v), f"{fmt_ms(sp[0])}-{fmt_ms(sp[1])}",
                      fmt_ms(v / g.gib), f"{first:.3f}" if first is not None else "-",
                      f"{last:.3f}" if last is not None else "-")
    return t


def rel_spread(sp, med):
    return (sp[1] - sp[0]) / med if sp and med else 0.0


def notifier_table(gs):
    t = Table(["size", "what (on an in-tree kmem device)", "kmem_hp not loaded ms", "spread",
               "kmem_hp loaded ms", "spread", "loaded/not", "within noise"])
    verdicts = []
    for g in gs:
        for (m0, m1, op, label) in [
                ("kmem", "nf-kmem", "add", "kmem bind (add)"),
                ("floor-hp", "nf-floor-hp", "online_movable", "per-block online_movable, kmem_hp order"),
                ("floor-hp", "nf-floor-hp", "offline", "per-block offline, kmem_hp order"),
                ("floor-asc", "nf-floor-asc", "online_movable", "per-block online_movable, ascending"),
                ("floor-asc", "nf-floor-asc", "offline", "per-block offline, ascending"),
                ("kmem", "nf-kmem", "remove", "kmem unbind (remove)")]:
            a, b = g.med(m0, op), g.med(m1, op)
            if a is None or b is None:
                continue
            sa, sb = g.spread(m0, op), g.spread(m1, op)
            # Noise: the larger relative spread of the two, at least 2%
            # or 0.05 ms (50,000 instructions under icount).
            noise = max(rel_spread(sa, a), rel_spread(sb, b), 0.02, 0.05 / a)
            ok = abs(b / a - 1) <= noise
            verdicts.append(ok)
            t.add(f"{g.size:g} GiB", label, fmt_ms(a), f"{fmt_ms(sa[0])}-{fmt_ms(sa[1])}",
                  fmt_ms(b), f"{fmt_ms(sb[0])}-{fmt_ms(sb[1])}", fmt_ratio(b / a),
                  f"{'yes' if ok else 'no'} (noise {noise * 100:.0f}%)")
    return t, verdicts


def frontend_table(gs):
    t = Table(["size", "daxctl command", "stock daxctl on kmem ms", "front end on kmem ms",
               "front end on kmem_hp ms", "kmem_hp hotplug ms", "front end kmem_hp / stock kmem"])
    cmds = [("add+online_movable", "reconfigure-device -m system-ram / -m kmem_hp"),
            ("offline", "offline-memory"), ("online_movable", "online-memory"),
            ("offline+remove", "reconfigure-device -m devdax -f")]
    for g in gs:
        for op, label in cmds:
            d, fk, fh, hp = (g.med("daxctl", op), g.med("fe-kmem", op), g.med("fe-kmem_hp", op),
                             g.med("kmem_hp", op))
            if d is None and fh is None:
                continue
            t.add(f"{g.size:g} GiB", label, fmt_ms(d), fmt_ms(fk), fmt_ms(fh), fmt_ms(hp),
                  fmt_ratio(ratio(fh, d)))
    return t


def read_table(guests):
    t = Table(["guest", "device", "state", "blocks (device)", "blocks (guest, kmem_hp)",
               "median us", "p90 us", "min us", "max us"])
    for g in guests:
        for r in g.reads:
            t.add(f"{g.lane} {g.tag}", r["dev"], r["state"], r["blocks"],
                  g.meta.get("blocks", "-") if g.meta.get("mode") == "multi" else r["blocks"],
                  f"{r['med'] / 1e3:.1f}", f"{r['p90'] / 1e3:.1f}",
                  f"{r['min'] / 1e3:.1f}", f"{r['max'] / 1e3:.1f}")
    return t


def host_table(guests):
    t = Table(["guest", "kernel", "block size", "GiB added", "status", "wall s",
               "QEMU peak RSS MiB", "host load (1/5/15 min) at end"])
    for g in guests:
        rss = g.host.get("qemu_hwm_kb")
        t.add(f"{g.lane} {g.tag}", g.meta.get("kver", "-"),
              bs_name(g.block_bytes) if g.block_bytes else "-", f"{g.gib:.2f}",
              g.host.get("status", "-"), g.host.get("wall_s", "-"),
              f"{int(rss) / 1024:.0f}" if rss else "-", g.host.get("load", "-"))
    return t


def targets(groups, guests, nf_verdicts):
    """The issue's targets, each: (text, met?, evidence)."""
    out = []
    gs_all = [g for gs in groups.values() for g in gs]

    over, n = [], 0
    for g in gs_all:
        for op, *_ in OPS:
            r = ratio(g.med("kmem_hp", op), floor_of(g, op, True))
            if r is None:
                continue
            n += 1
            if r > 1.05:
                over.append(f"{op}@{g.tag}:{r:.2f}")
    if n:
        out.append(("every transition <= 1.05x the holey per-block floor", not over,
                    f"{n - len(over)} of {n} within; over: {' '.join(over)}" if over else f"all {n} within"))

    ev, met = [], True
    for g in gs_all:
        for op in sorted(ONLINE_OPS | OFFLINE_OPS):
            if g.size < 16 and not (op in OFFLINE_OPS and g.size >= 4):
                continue
            r = ratio(g.med("kmem_hp", op), floor_of(g, op, False))
            if r is None:
                continue
            ev.append(f"{op}@{g.tag}:{r:.2f}")
            met &= r <= 0.5
    if ev:
        out.append(("<= 0.5x the ascending loop (online/offline >= 16 GiB, offline >= 4 GiB)", met,
                    " ".join(ev)))

    for gs in groups.values():
        big = [g for g in gs if g.size >= 4]
        if len(big) < 2:
            continue
        ev, met = [], True
        for op, *_ in OPS:
            v = [g.med("kmem_hp", op) / g.gib for g in big if g.med("kmem_hp", op) is not None]
            if len(v) < 2:
                continue
            var = max(v) / min(v) - 1
            ev.append(f"{op}:{var * 100:.0f}%")
            met &= var <= 0.15
        sizes = ",".join(f"{g.size:g}" for g in big)
        out.append((f"ms/GiB flat within 15% from 4 GiB up (sizes {sizes}, {bs_name(gs[0].block_bytes)} blocks)",
                    met, " ".join(ev)))

    ev, met = [], True
    for g in gs_all:
        for op, *_ in OPS:
            r = ratio(g.med("kmem_hp", op), daxctl_of(g, op))
            if r is None:
                continue
            lim = 0.5 if g.size <= 4 else 0.8
            if r > lim:
                met = False
                ev.append(f"{op}@{g.tag}:{r:.2f}>{lim}")
    out.append(("<= 0.5x daxctl at 1-4 GiB, <= 0.8x at every size", met,
                " ".join(ev) if ev else "all within"))

    multi = [g for g in guests if g.meta.get("mode") == "multi"]
    reads = [(g, r) for g in guests for r in g.reads if not r["state"].startswith("ref:")]
    refs = [r["med"] for g in guests for r in g.reads if r["state"].startswith("ref:")]
    if reads:
        worst = max(reads, key=lambda x: x[1]["med"])
        ev = [f"worst median {worst[1]['med'] / 1e3:.1f} us ({worst[0].tag} {worst[1]['dev']} "
              f"{worst[1]['state']}, {worst[1]['blocks']} blocks)"]
        if refs:
            ev.append(f"a plain sysfs attribute (size) reads in {statistics.median(refs) / 1e3:.1f} us")
        flat = True
        for state in sorted({r["state"] for _, r in reads}):
            rs = sorted((r for _, r in reads if r["state"] == state), key=lambda r: r["blocks"])
            if rs[0]["blocks"] == rs[-1]["blocks"]:
                continue
            slope = (rs[-1]["med"] - rs[0]["med"]) / (rs[-1]["blocks"] - rs[0]["blocks"])
            ev.append(f"{state}: {rs[0]['blocks']} blocks {rs[0]['med'] / 1e3:.1f} us, "
                      f"{rs[-1]['blocks']} blocks {rs[-1]['med'] / 1e3:.1f} us ({slope:+.0f} ns a block)")
            flat &= rs[-1]["med"] <= 1.15 * rs[0]["med"]
        if multi:
            ev.append("several devices: " + ", ".join(
                f"{g.lane} {g.tag} {len(g.meta.get('devices', '').split())} devices, "
                f"{g.gib:.0f} GiB" for g in multi))
        out.append(("hotplug read < 50 us, flat (within 15%) in the number of blocks",
                    worst[1]["med"] < 50000 and flat, "; ".join(ev)))
    if nf_verdicts:
        out.append(("notifier overhead on other drivers' blocks within noise", all(nf_verdicts),
                    f"{sum(nf_verdicts)} of {len(nf_verdicts)} comparisons within the spread"))
    return out


def write_plot_data(groups, outdir):
    files = []
    for (lane, bb), gs in groups.items():
        for suffix, title, cols in PANELS:
            name = f"plot-{lane}-{bb >> 20}M-{suffix}.dat"
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
                f.write(f"# {len(cols) + 1} {title}\n")
                f.write('"GiB added" ' + " ".join(f'"{c[0]}"' for c in cols) + "\n")
                for g in gs:
                    vals = []
                    for _, m, op in cols:
                        v = g.med(m, op)
                        vals.append(f"{v / g.gib:.2f}" if v is not None and g.gib else "NaN")
                    f.write(f"{g.gib:.3f} " + " ".join(vals) + "\n")
            files.append(name)
    return files


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: report.py RESULTS OUTDIR")
    guests = load(sys.argv[1])
    outdir = sys.argv[2]
    groups = sized(guests)
    text, md = [], []

    def section(title, table, note=None):
        if not table.rows:
            return
        text.extend([title, "", table.text(), ""])
        md.extend([f"**{title}**", "", table.md(), ""])
        if note:
            text.extend([note, ""])
            md.extend([note, ""])

    nf_all = []
    for (lane, bb), gs in groups.items():
        kv = gs[0].meta.get("kver", lane)
        clock = gs[0].host.get("clock", "wall")
        where = f"{kv}, {bs_name(bb)} memory blocks, " + (
            "icount clock: 1 ms = 10^6 guest instructions" if clock == "icount" else "TCG wall clock")
        section(f"kmem_hp transitions ({where}; medians of the repetitions)", main_table(gs),
                "floor-holey: per-block memoryN/state loop in the best hole-keeping order (in-tree kmem, "
                "kmem_hp not loaded), plus kmem's own add/remove where the transition adds or removes; "
                "floor-asc: the same loop in ascending order; daxctl: the stock daxctl on in-tree kmem.")
        section(f"Per-block loops ({where})", floor_table(gs))
        nt, nv = notifier_table(gs)
        nf_all += nv
        section(f"kmem_hp's notifier on another driver's blocks ({where})", nt)
        section(f"daxctl: stock vs the project's front end ({where})", frontend_table(gs))
    clock = next((g.host["clock"] for g in guests if "clock" in g.host), "wall")
    section("hotplug read latency (open, read, close; "
            + ("icount clock: 1 us = 1000 guest instructions)" if clock == "icount" else "TCG wall clock)"),
            read_table(guests))
    section("Guests", host_table(guests))
    tg = targets(groups, guests, nf_all)
    if tg:
        text.append("Targets (issue 10)")
        md.append("**Targets (issue 10)**")
        md.append("")
        for what, met, ev in tg:
            line = f"{'MET    ' if met else 'NOT MET'}  {what}: {ev}"
            text.append("  " + line)
            md.append(f"- {'met' if met else '**not met**'}: {what} — {ev}")
        text.append("")
        md.append("")
    notes = [(g, n) for g in guests for n in g.notes]
    fails = [(g, k, v) for g in guests for k, v in g.fails.items()]
    if notes or fails:
        text.append("Notes and failed samples")
        for g, n in notes:
            text.append(f"  {g.lane} {g.tag}: {n}")
        for g, k, v in fails:
            text.append(f"  {g.lane} {g.tag}: {k[0]} {k[1]} failed: {'; '.join(v)}")
        text.append("")
    with open(os.path.join(outdir, "table.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(text))
    with open(os.path.join(outdir, "table.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    for name in write_plot_data(groups, outdir):
        print(name)


if __name__ == "__main__":
    main()
