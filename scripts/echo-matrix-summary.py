#!/usr/bin/env python3
"""Summarises an echo matrix (scripts/echo-matrix.sh or scripts/echo-matrix-loops.sh output): ours/baseline per
cell, and for the many-connection ping-pong fib(24) cells the best ratio a server with no overhead beyond the work
could reach (docs/benchmarks.md). With the native server's rows (echo-matrix-loops.sh), also each cell against the
goals of docs/benchmarks.md, and with --svg PATH a chart of every cell (ours, the .NET async server, the native server and, in the
worker tables, the native server with as many workers, in messages per second relative to the async server), written
as SVG directly (no plotting tool needed).
Given several matrices of the same script (independent runs), it prints instead each cell's verdict in every run and
how many cells met the goals in every run, in some, and in none.
Usage: python3 scripts/echo-matrix-summary.py [artifacts/echo-matrix.md] [--svg PATH]
       python3 scripts/echo-matrix-summary.py RUN1.md RUN2.md ... (the goals across runs)"""
import re
import sys

args = sys.argv[1:]
svg_path = None
if "--svg" in args:
    i = args.index("--svg")
    svg_path = args[i + 1]
    del args[i : i + 2]
paths = args or ["artifacts/echo-matrix.md"]


def cells(section):
    """The cells of one table: dicts with the ours, .NET and (if run) native rows (native: its loops only; native
    workers: handing each read to workers; native dotnet and native workers dotnet: the same with the work replaced
    by what .NET's fib costs, EchoLoad compare --native-dotnet-work; minimal: the native server's design in C#,
    EchoLoad compare --minimal-dotnet; twin: a second copy of our server, --twin), each a list of columns, and "work":
    the column
    of the work's CPU per message, where the table has it (EchoLoad compare --work-cpu), else None."""
    result = []
    work = None
    for line in section.splitlines():
        if line.count("|") < 12:
            continue
        row = [c.strip() for c in line.split("|")]
        if line.startswith("| server |") and "work CPU us/msg" in row:
            work = row.index("work CPU us/msg")
        if line.startswith("| Pool reactor"):
            result.append({"ours": row, "work": work})
        elif line.startswith("| .NET") and result:
            result[-1]["net"] = row
        elif line.startswith("| native epoll (C, ") and "NET's work" in line and result:
            result[-1]["native workers dotnet" if "workers" in line else "native dotnet"] = row
        elif line.startswith("| native epoll (C, ") and result:
            result[-1]["native workers"] = row
        elif line.startswith("| native") and result:
            result[-1]["native"] = row
        elif line.startswith("| minimal .NET") and result:
            result[-1]["minimal"] = row
        elif line.startswith("| twin of ours") and result:
            result[-1]["twin"] = row
    return [c for c in result if "net" in c]


def sections_of(text):
    """Every table of a matrix: its heading's match and its cells."""
    result = []
    for sec in re.split(r"^### ", text, flags=re.M)[1:]:
        m = re.match(r"client (\w+), work (\d+), depth (\d+)(?:, loops (\d+), threads (\d+))?", sec.splitlines()[0])
        if m:
            result.append((m, cells(sec)))
    return result


work_names = {"0": "0", "19": "fib(19)", "24": "fib(24)"}


def handlers_of(m):
    """A section's handler mode, and its depth when pipelined."""
    mode = "inline" if m.group(5) == "0" else f"{m.group(5)} workers"
    return mode + ("" if m.group(3) == "1" else f", depth {m.group(3)}")


def cell_of(row):
    """A row's cell: connections x size."""
    return f"{row[2]}x{'4K' if row[3] == '4096' else row[3]}"

def print_ratios(sections):
    """Ours/baseline per table: the cells at 1.2x or more, and where our CPU per message and p99 are lower."""
    print("| client | work | depth | ours / baseline (1x64, 1x4K, 100x64, 100x4K, 1000x64, 1000x4K) | cells at 1.2x or more | our CPU/msg below the baseline's | our p99 below |")
    print("|---|---|---:|---|---:|---:|---:|")
    tot = ok = 0
    for m, cs in sections:
        if not cs:
            continue
        ratios = [float(c["ours"][11]) for c in cs]
        cpu = sum(1 for c in cs if float(c["ours"][10]) < float(c["net"][10]))
        p99 = sum(1 for c in cs if float(c["ours"][7]) < float(c["net"][7]))
        n = sum(1 for r in ratios if r >= 1.2)
        tot += len(ratios)
        ok += n
        mode = f" ({m.group(4)} loops, {'inline' if m.group(5) == '0' else m.group(5) + ' workers'})" if m.group(4) else ""
        print(f"| {m.group(1)} | {work_names[m.group(2)]}{mode} | {m.group(3)} | "
              + ", ".join(f"**{r:.2f}**" if r >= 1.2 else f"{r:.2f}" for r in ratios)
              + f" | {n} of {len(ratios)} | {cpu} of {len(ratios)} | {p99} of {len(ratios)} |")
    print(f"\ntotal: {ok} of {tot} cells at 1.2x or more")


def print_zero_overhead(sections):
    """For the ping-pong fib(24) tables without loops: the best ratio a server with no overhead beyond the work could reach."""
    print()
    secs = {}
    for m, cs in sections:
        if not m.group(4):
            secs[(m.group(1), m.group(2), m.group(3))] = [c["net"] for c in cs]
    if secs:
        print("| client | connections | size | baseline msgs/s | baseline server CPU us/msg (fib(24) / work 0) | fib CPU F | rest C | best ratio with zero overhead |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for client in ["epoll", "async"]:
            w24 = secs.get((client, "24", "1"), [])
            w0 = secs.get((client, "0", "1"), [])
            for a, b in zip(w24, w0):
                if int(a[2]) < 100:
                    continue
                X = float(a[4]); S = float(a[10]); S0 = float(b[10]); total = 2e6 / X; F = S - S0; C = total - S
                print(f"| {client} | {a[2]} | {a[3]} | {X:.0f} | {S:.1f} / {S0:.1f} | {F:.1f} | {C:.1f} | {total/(F+C):.2f} |")


# The goals (docs/benchmarks.md), where the native server ran: at work 0 and fib(19) ours >= 1.2x the async server,
# >= 0.9x the native one, p99 no worse than the async server's; at fib(24) our server CPU per message beyond the
# work (server CPU per message minus fib(24)'s cost from the work-cost table) at most half the async server's. Where
# a ping-pong table has each server's work CPU measured under load (EchoLoad compare --work-cpu: perf's samples in
# fib), that is subtracted instead, each server its own; no bound is drawn there, and a miss is "as the limit" where
# the limit's own CPU beyond the work (below) is above half the async server's too.
#
# Where a goal is missed, the cell says whether it is out of reach, by these bounds (cells of 100 connections or more,
# where the client and the server saturate the two cores, so messages/s = 2,000,000 / (S + C), S the server's CPU per
# message and C the rest: the client and the kernel outside the server, from the cell of the server compared with):
# - the premise: no server spends less CPU per message than the native one, S_native, less gcc's fib plus .NET's fib
#   for a .NET server (the work-cost tables): S_min. Then no .NET server exceeds (S_async + C) / (S_min + C) times the
#   async server, nor (S_native + C) / (S_min + C) times the native one;
# - at fib(24), by the same premise no server's CPU beyond the work is below the native server's, S_native - gcc's
#   fib(24): where that is more than half the async server's, the goal is out of reach for every server;
# - the premise is checked against the run (the margins below), and a bound counts only beyond its error;
# - "as the limit", not a bound: a goal that the limit of the same design misses too. Inline, the limit is the native
#   server (for p99, and for 1.2x the async server); with workers, the native server that hands each read to as many
#   workers, where the run has it (for all three goals). The miss then belongs to the design on shared cores (one loop
#   per core, or a hand-off per message), not to this implementation; our server beat the limit with workers in some
#   cells (the column "ours / native workers"), so it bounds nothing. Where the table has the native servers paying
#   .NET's fib (EchoLoad compare --native-dotnet-work: their work is a loop as long as .NET's fib, idle), those
#   are the limit instead, for all three goals: a .NET server pays .NET's fib, so the native server paying gcc's is
#   not a limit it could reach by its design.
# - "within the noise", not a bound either: where the run has a twin of our server (--twin), a goal missed by less than
#   the median distance between the two copies (twin_noise), in a cell whose other misses are out of reach or as the
#   limit.
def judge(text, native):
    """Each cell of the tables where the native server ran against the goals: its rows (with "verdict" and "goal"),
    the tally of verdicts and the margins by which the bounds' premise failed."""
    # the work's CPU time per call where the table gives it (steady state), else its wall time
    def costs(prefix):
        return {int(n): float(cpu or us) for n, us, cpu in
                re.findall(r"^" + prefix + r"fib\((\d+)\): ([0-9.]+) us(?: \(CPU ([0-9.]+) us)?", text, flags=re.M)}
    cost = costs("")
    native_cost = costs("native ")
    tally = {"met": 0, "out of reach": 0, "missed as the limit": 0, "within the noise": 0, "missed": 0,
             "not judged": 0}
    rows = []
    # How far the bounds' premise failed in this run: by how much our server beat a bound (ours above "best .NET
    # server", or our CPU beyond fib(24) below the native server's own). A goal counts as out of reach only where its
    # bound misses the threshold by more than that.
    margin = {"async": 1.0, "native": 1.0, "fib24": 1.0}
    for m, cs in native:
        work = int(m.group(2))
        f_net = cost.get(work, 0.0) if work else 0.0
        f_gcc = native_cost.get(work, 0.0) if work else 0.0
        for c in cs:
            o, a, n = c["ours"], c["net"], c["native"]
            r = dict(m=m, o=o, a=a, n=n, w=c.get("native workers"), work=work, f_net=f_net, f_gcc=f_gcc)
            # the limit paying .NET's work, of the same design (with workers where the table has them), if it ran
            r["dotnet_limit"] = c.get("native workers dotnet" if r["w"] is not None else "native dotnet")
            # the native server's design in C#, where it ran: what a .NET server of that design reaches, not a bound
            r["minimal"] = c.get("minimal")
            r["twin"] = c.get("twin")
            r["X_o"], r["X_a"], r["X_n"] = float(o[4]), float(a[4]), float(n[4])
            r["S_o"], r["S_a"], r["S_n"] = float(o[10]), float(a[10]), float(n[10])
            r["ro"] = r["X_o"] / r["X_a"]; r["rn"] = r["X_o"] / r["X_n"]
            r["bound_a"] = r["bound_n"] = r["native_beyond"] = None
            # the work's CPU per message of each server, measured under load, where the table has it
            k = r["k"] = c["work"]
            measured = k is not None and all(row[k] for row in (o, a, n))
            r["W"] = {name: float(row[k]) for name, row in
                      (("o", o), ("a", a), ("n", n), ("w", r["w"])) if row is not None and row[k]} if measured else None
            # Pipelined, a read may carry several messages and the work is done once per read: its cost per message
            # is unknown (and a second run, where perf samples it, batches differently), so no bound that counts it
            # is drawn, and the fib(24) goal is not judged.
            r["per_read"] = work > 0 and m.group(3) != "1"
            if int(o[2]) >= 100 and (not work or work in native_cost) and not r["per_read"] and not (work == 24 and r["W"]):
                S_min = r["S_n"] - f_gcc + f_net
                C_a = 2e6 / r["X_a"] - r["S_a"]; C_n = 2e6 / r["X_n"] - r["S_n"]
                r["bound_a"] = (r["S_a"] + C_a) / (S_min + C_a); r["bound_n"] = (r["S_n"] + C_n) / (S_min + C_n)
                if work == 24:
                    r["native_beyond"] = r["S_n"] - f_gcc
                    margin["fib24"] = max(margin["fib24"], r["native_beyond"] / max(r["S_o"] - f_net, 1e-9))
                else:
                    margin["async"] = max(margin["async"], r["ro"] / r["bound_a"])
                    margin["native"] = max(margin["native"], r["rn"] / r["bound_n"])
            rows.append(r)
    noise = twin_noise(rows)
    for r in rows:
        m, o, a, n, work, f_net = r["m"], r["o"], r["a"], r["n"], r["work"], r["f_net"]
        ro, rn = r["ro"], r["rn"]
        p_o, p_a, p_n = float(o[7]), float(a[7]), float(n[7])
        bound_a, bound_n = r["bound_a"], r["bound_n"]
        misses = []  # (what, out of reach, as the limit, within the noise)
        if work == 24 and r["W"] and not r["per_read"]:
            # measured under load: each server's CPU beyond its own work; the limit, the native server (with as many
            # workers where it ran), misses too where its own is above half the async server's
            W = r["W"]
            ours_beyond = r["S_o"] - W["o"]; async_beyond = r["S_a"] - W["a"]
            limit, S_l = ("w", float(r["w"][10])) if r["w"] is not None and "w" in W else ("n", r["S_n"])
            limit_beyond = S_l - W[limit]
            if ours_beyond > 0.5 * async_beyond:
                misses.append((f"CPU beyond the work {ours_beyond:.1f} > half of {async_beyond:.1f} us, the limit's own "
                               f"{limit_beyond:.1f}", False, limit_beyond > 0.5 * async_beyond, False))
        elif work == 24:
            ours_beyond = r["S_o"] - f_net; async_beyond = r["S_a"] - f_net
            if not r["per_read"] and ours_beyond > 0.5 * async_beyond:
                native_beyond = r["native_beyond"]
                reach = native_beyond is not None and native_beyond / margin["fib24"] > 0.5 * async_beyond
                misses.append((f"CPU beyond fib {ours_beyond:.1f} > half of {async_beyond:.1f} us"
                               + (f", native's own {native_beyond:.1f}" if native_beyond is not None else ""), reach, False,
                               False))
        else:
            # the limit of this design: the native server with as many workers if it ran, else with its loops only;
            # paying .NET's work where it ran so
            w = r["w"]
            X_l = float(w[4]) if w else r["X_n"]
            p_l = float(w[7]) if w else p_n
            if work and r["dotnet_limit"] is not None:
                X_l, p_l = float(r["dotnet_limit"][4]), float(r["dotnet_limit"][7])
            s_x, s_p = noise or (1.0, 1.0)
            if ro < 1.2:
                misses.append(("<1.2x async", bound_a is not None and bound_a * margin["async"] < 1.2, X_l / r["X_a"] < 1.2,
                               ro * s_x >= 1.2))
            if rn < 0.9:
                misses.append(("<0.9x native", bound_n is not None and bound_n * margin["native"] < 0.9, X_l / r["X_n"] < 0.9,
                               rn * s_x >= 0.9))
            if p_o > p_a:
                misses.append(("p99", False, p_l > p_a, p_o <= p_a * s_p))
        # whether the native server's design in C# (where it ran) misses every goal ours misses, measured as ours
        r["minimal_too"] = None
        if r["minimal"] is not None and misses:
            mn, k = r["minimal"], r["k"]
            too = []
            for what, *_ in misses:
                if what.startswith("<1.2x"):
                    too.append(float(mn[4]) / r["X_a"] < 1.2)
                elif what.startswith("<0.9x"):
                    too.append(float(mn[4]) / r["X_n"] < 0.9)
                elif what == "p99":
                    too.append(float(mn[7]) > p_a)
                elif what.startswith("CPU beyond the work") and k is not None and mn[k]:
                    too.append(float(mn[10]) - float(mn[k]) > 0.5 * (r["S_a"] - r["W"]["a"]))
                else:
                    too.append(False)
            r["minimal_too"] = all(too)
        if work == 24 and r["per_read"]:
            verdict = "not judged"; goal = "not judged: fib(24) once per read, several messages per read"
        elif not misses:
            verdict = goal = "met"
        elif all(x for _, x, _, _ in misses):
            verdict = "out of reach"
        elif all(x or lim for _, x, lim, _ in misses):
            verdict = "missed as the limit"
        elif all(x or lim or within for _, x, lim, within in misses):
            verdict = "within the noise"
        else:
            verdict = "missed"
        if misses:
            goal = f"{verdict}: " + ", ".join(
                w + (" (out of reach)" if x else " (as the limit)" if lim else " (within the noise)" if within else "")
                for w, x, lim, within in misses)
        tally[verdict] += 1
        r["verdict"], r["goal"] = verdict, goal
    return rows, tally, margin, noise


def twin_noise(rows):
    """Where a second copy of our server ran (--twin): the median factor by which one copy's messages/s, and its p99,
    differ from the other's in a cell (1.07: the faster copy 7% ahead). Two measurements of one server differ by that
    much in half of the cells, so a goal missed by less is a miss one run cannot tell from its noise ("within the
    noise"). None without a twin."""
    pairs = [r for r in rows if r["twin"] is not None]
    if not pairs:
        return None
    p99 = [float(r["o"][7]) / float(r["twin"][7]) for r in pairs if float(r["o"][7]) > 0 and float(r["twin"][7]) > 0]
    return (median_apart(r["X_o"] / float(r["twin"][4]) for r in pairs), median_apart(p99) if p99 else 1.0)


def median_apart(ratios):
    """The median of max(x, 1/x) over ratios of two measurements: how far apart they are, whichever is ahead."""
    apart = sorted(max(x, 1 / x) for x in ratios)
    return apart[len(apart) // 2]


def print_twins(rows):
    """Where a second copy of our server ran: ours / its twin per cell, the distance the run's noise alone puts between
    two measurements of one server, against the goals' 0.9x and 1.2x."""
    pairs = [(r, r["X_o"] / float(r["twin"][4])) for r in rows if r["twin"] is not None]
    if not pairs:
        return
    print()
    print("| client | work | handlers | cell | ours msgs/s | twin msgs/s | ours / twin |")
    print("|---|---|---|---|---:|---:|---:|")
    for r, ratio in pairs:
        m = r["m"]
        print(f"| {m.group(1)} | {work_names[m.group(2)]} | {handlers_of(m)} | {cell_of(r['o'])} | {r['X_o']:.0f} | "
              f"{float(r['twin'][4]):.0f} | {ratio:.2f} |")
    ratios = [x for _, x in pairs]
    print(f"\nours / twin in {len(pairs)} cells: {min(ratios):.2f}-{max(ratios):.2f}; the faster copy ahead by a median "
          f"of {100 * (median_apart(ratios) - 1):.0f}%; one copy below 0.9x the other in "
          f"{sum(1 for x in ratios if max(x, 1 / x) > 1 / 0.9)} of {len(pairs)} cells")


def print_goals(rows, tally, margin, noise):
    """The goals table of one run, its premise's margins and its tally."""
    print()
    dotnet = any(r["dotnet_limit"] is not None for r in rows)
    minimal = any(r["minimal"] is not None for r in rows)
    print("| client | work | handlers | cell | ours msgs/s | async | native | ours/async | ours/native | native/async | ours / native workers | best .NET server / async | best .NET server / native | "
          + ("limit with .NET's work / native | " if dotnet else "")
          + ("minimal .NET / native | ours / minimal .NET | " if minimal else "")
          + "p99 ours / async / native us | server CPU us/msg ours / async / native | goal |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if dotnet else "")
          + ("---:|---:|" if minimal else "") + "---|")
    for r in rows:
        m, o, a, n, work = r["m"], r["o"], r["a"], r["n"], r["work"]
        ro, rn, bound_a, bound_n, goal = r["ro"], r["rn"], r["bound_a"], r["bound_n"], r["goal"]
        cell = cell_of(o)
        handlers = handlers_of(m)
        fmt = lambda b: "" if b is None else f"{b:.2f}"
        versus_workers = "" if r["w"] is None else f"{r['X_o'] / float(r['w'][4]):.2f}"
        limit = r["dotnet_limit"]
        dotnet_column = (("" if limit is None else f"{float(limit[4]) / r['X_n']:.2f}") + " | ") if dotnet else ""
        x_m = None if r["minimal"] is None else float(r["minimal"][4])
        if minimal:
            dotnet_column += "| | " if x_m is None else f"{x_m / r['X_n']:.2f} | {r['X_o'] / x_m:.2f} | "
        print(f"| {m.group(1)} | {work_names[m.group(2)]} | {handlers} | {cell} | {r['X_o']:.0f} | {r['X_a']:.0f} | {r['X_n']:.0f} | {ro:.2f} | {rn:.2f} | {r['X_n'] / r['X_a']:.2f} | {versus_workers} | {fmt(bound_a)} | {fmt(bound_n)} | {dotnet_column}{o[7]} / {a[7]} / {n[7]} | {o[10]} / {a[10]} / {n[10]} | {goal} |")
    fib24 = any(r["native_beyond"] is not None for r in rows)
    failed = [f"{100 * (margin['async'] - 1):.0f}% (ours above \"best .NET server / async\")",
              f"{100 * (margin['native'] - 1):.0f}% (ours above \"best .NET server / native\")"]
    if fib24:
        failed.append(f"{100 * (margin['fib24'] - 1):.0f}% (the native server's CPU beyond fib(24) above ours)")
    print(f"\nThe bounds' premise failed in this run by up to {', '.join(failed[:-1])} and {failed[-1]}; a goal counts as "
          "out of reach only where its bound misses the threshold by more than that.")
    if noise:
        print(f"\nThe run's noise (a second copy of our server): one copy's messages/s {100 * (noise[0] - 1):.0f}% and "
              f"its p99 {100 * (noise[1] - 1):.0f}% from the other's in the median cell; a goal missed by less, where "
              "the limit meets it, is \"within the noise\".")
    total = sum(tally.values())
    print(f"\ngoals met in {tally['met']} of {total} cells; out of reach in {tally['out of reach']}; missed only where the "
          f"native limit misses too or out of reach in {tally['missed as the limit']}; "
          + (f"missed within the noise in {tally['within the noise']}; " if noise else "")
          + f"missed in {tally['missed']}"
          + (f"; not judged in {tally['not judged']}" if tally["not judged"] else ""))
    compared = [r for r in rows if r["minimal_too"] is not None
                and r["verdict"] in ("missed", "within the noise", "missed as the limit")]
    if compared:
        for verdict in ("missed", "within the noise", "missed as the limit"):
            these = [r for r in compared if r["verdict"] == verdict]
            print(f"of the {len(these)} cells {verdict}, the native server's design in C# (minimal .NET) misses every "
                  f"goal ours misses in {sum(1 for r in these if r['minimal_too'])}")


def write_svg(native, path):
    """The chart: per table, each cell's messages/s relative to the async server, one bar per server."""
    panel_w, panel_h, cols = 470, 190, 2
    rows = (len(native) + cols - 1) // cols
    width, height = cols * panel_w + 20, rows * panel_h + 60
    colours = [("ours (2 loops)", "#2b6cb0"), (".NET async server", "#a0aec0"), ("native epoll (C)", "#c05621"),
               ("native epoll (C) with workers", "#f6ad55"), ("native, .NET's fib", "#6b46c1"),
               ("native with workers, .NET's fib", "#b794f4"), ("minimal .NET server (native's design)", "#38a169")]
    keys = ["native workers", "native dotnet", "native workers dotnet", "minimal"]
    shown = [0, 1, 2] + [3 + k for k, key in enumerate(keys) if any(key in c for _, cs in native for c in cs)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="10">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="16" font-size="13">Echo: messages/s relative to the .NET async server (1.0), per cell (connections x size); dashed: 1.2</text>']
    x, y = 10, 26
    for k in shown:
        label, colour = colours[k]
        advance = 14 + 5.6 * len(label) + 16  # the label's width at this font size, about 5.6 px a character
        if x + advance > width:
            x, y = 10, y + 14  # the legend goes on in a second row
        out.append(f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{colour}"/><text x="{x + 14:.0f}" y="{y + 9}">{label}</text>')
        x += advance
    legend = y - 26  # the height the legend's extra rows take
    out[0] = out[0].replace(f'height="{height}"', f'height="{height + legend}"')
    out[1] = out[1].replace(f'height="{height}"', f'height="{height + legend}"')
    for p, (m, cs) in enumerate(native):
        x0 = 10 + (p % cols) * panel_w; y0 = 50 + legend + (p // cols) * panel_h
        handlers = handlers_of(m)
        out.append(f'<text x="{x0}" y="{y0 + 12}" font-size="11">{m.group(1)} client, work {work_names[m.group(2)]}, {handlers}</text>')
        bars = [[(0, float(c["ours"][4])), (1, float(c["net"][4])), (2, float(c["native"][4]))]
                + [(3 + k, float(c[key][4])) for k, key in enumerate(keys) if key in c] for c in cs]
        values = [[x / float(c["net"][4]) for _, x in b] for c, b in zip(cs, bars)]
        group = (panel_w - 60) / len(cs)
        bar = min(20, int(group / max(len(v) for v in values)))
        top = max(2.0, max(max(v) for v in values))
        base = y0 + panel_h - 30; scale = (panel_h - 60) / top
        out.append(f'<line x1="{x0 + 30}" y1="{base}" x2="{x0 + panel_w - 20}" y2="{base}" stroke="black"/>')
        for tick in [1.0, 2.0] + ([3.0] if top >= 3 else []):
            y = base - tick * scale
            out.append(f'<text x="{x0 + 4}" y="{y + 3:.1f}">{tick:.0f}x</text><line x1="{x0 + 30}" y1="{y:.1f}" x2="{x0 + panel_w - 20}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        y = base - 1.2 * scale
        out.append(f'<line x1="{x0 + 30}" y1="{y:.1f}" x2="{x0 + panel_w - 20}" y2="{y:.1f}" stroke="#2b6cb0" stroke-dasharray="4 3"/>')
        for i, (c, v, b) in enumerate(zip(cs, values, bars)):
            gx = x0 + 36 + i * group
            for k, value in enumerate(v):
                h = value * scale
                label, colour = colours[b[k][0]]
                out.append(f'<rect x="{gx + k * bar:.1f}" y="{base - h:.1f}" width="{bar - 2}" height="{h:.1f}" fill="{colour}"><title>{label}: {value:.2f}</title></rect>')
            middle = gx + len(v) * bar / 2
            out.append(f'<text x="{gx + bar / 2:.1f}" y="{base - v[0] * scale - 3:.1f}" text-anchor="middle" font-size="9">{v[0]:.2f}</text>')
            cell = cell_of(c["ours"])
            out.append(f'<text x="{middle:.1f}" y="{base + 12}" text-anchor="middle">{cell}</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")
    print(f"\nchart: {path}")


def print_runs(judged):
    """Several runs of the same matrix: each cell's verdict in every run, and how many cells met the goals in every
    run, in some and in none."""
    keys = []
    verdicts = {}
    for k, (rows, _, _, _) in enumerate(judged):
        for r in rows:
            key = (r["m"].group(1), work_names[r["m"].group(2)], handlers_of(r["m"]), cell_of(r["o"]))
            if key not in verdicts:
                keys.append(key)
                verdicts[key] = [None] * len(judged)
            verdicts[key][k] = r
    runs = len(judged)
    print("| client | work | handlers | cell | " + " | ".join(f"run {k + 1}" for k in range(runs))
          + " | ours/async | ours/native |")
    print("|---|---|---|---|" + "---|" * runs + "---|---|")
    every = some = none = limit = partly = 0
    for key in keys:
        rs = verdicts[key]
        seen = [r for r in rs if r is not None]
        met = sum(1 for r in seen if r["verdict"] == "met")
        judged_here = [r for r in seen if r["verdict"] != "not judged"]
        if len(judged_here) < runs:
            partly += bool(judged_here)
        elif met == runs:
            every += 1
        elif met:
            some += 1
        else:
            none += 1
            limit += all(r["verdict"] in ("missed as the limit", "out of reach") for r in judged_here)
        shown = ["" if r is None else r["goal"].replace(" (as the limit)", "").replace(" (out of reach)", "").replace(" (within the noise)", "") for r in rs]
        ratios = lambda x: ", ".join(f"{r[x]:.2f}" for r in seen)
        print(f"| {' | '.join(key)} | {' | '.join(shown)} | {ratios('ro')} | {ratios('rn')} |")
    for k, (_, tally, _, noise) in enumerate(judged):
        print(f"\nrun {k + 1}: met {tally['met']}, out of reach {tally['out of reach']}, missed as the limit "
              f"{tally['missed as the limit']}, "
              + (f"within the noise {tally['within the noise']}, " if noise else "")
              + f"missed {tally['missed']}"
              + (f", not judged {tally['not judged']}" if tally["not judged"] else ""))
    print(f"\ncells judged in every run: {every + some + none}; goals met in all {runs} runs: {every}; in some: {some}; "
          f"in none: {none} (of these, missed only as the limit or out of reach in every run: {limit})"
          + (f"; cells judged in some runs only: {partly}" if partly else ""))


if len(paths) == 1:
    text = open(paths[0]).read()
    sections = sections_of(text)
    print_ratios(sections)
    print_zero_overhead(sections)
    native = [(m, cs) for m, cs in sections if cs and all("native" in c for c in cs)]
    if native:
        rows, tally, margin, noise = judge(text, native)
        print_goals(rows, tally, margin, noise)
        print_twins(rows)
    if svg_path and native:
        write_svg(native, svg_path)
else:
    judged = []
    for path in paths:
        text = open(path).read()
        native = [(m, cs) for m, cs in sections_of(text) if cs and all("native" in c for c in cs)]
        judged.append(judge(text, native))
    print_runs(judged)
