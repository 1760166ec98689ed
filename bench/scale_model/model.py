#!/usr/bin/env python3
"""Scale model of a swarmcopy rollout: N machines in S subnets fetch one file of F bytes.

First it reproduces the lab's measured figures (all peers on one 2-core host), then it
extrapolates to real fleets (a CPU per machine). Python 3 standard library only.

    python3 model.py            # calibration table + extrapolation tables (markdown)
    python3 model.py --dat DIR  # also the .dat files plot.gp reads (default: this folder)

Every equation is explained in README.md. Constants marked CODE are read from the sources
(swarmcopy and libtorrent 2.x defaults); ASSUMED ones are not measured anywhere; FIT ones are
fitted to the lab runs below.
"""
import math
import os
import sys

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
MBIT = 1e6 / 8  # bytes/s

# --- CODE: read from the sources -----------------------------------------------------------
TAKE_OVER_S = 2.0        # engine/src/swarm/origin_planner.h kTakeOverAfter
ORIGIN_REQS = 4          # engine_options.h connections_per_file: origin requests per peer
CONN_LIMIT = 200         # peer/.../session.h connections_limit (= libtorrent's default)
NUM_WANT = 200           # libtorrent num_want; opentracker returns <= 200 (OT_MAX_PEERS_UDP4)
TRACKER_INTERVAL_S = 1800  # opentracker's interval (30 min +- 6); libtorrent floor: 300 s
LSD_INTERVAL_S = 300     # libtorrent local_service_announce_interval: each torrent every 5 min
LSD_PACKETS = 3          # lsd.cpp: each announce is sent 3 times (at 0, +2 s, +6 s)
TARGET_PIECES = 2048     # peer/src/metainfo.cpp site_piece_size

# --- ASSUMED -------------------------------------------------------------------------------
FLEET_FIXED_S = 1.2      # one machine's fixed cost per run (bench/README.md, savings: ~1.2 s)
LSD_PACKET_BYTES = 180   # BT-SEARCH text (~150 B) + UDP/IP headers
PAIR_CONNS_GROUP = 2     # group mode: a pair meets in the announce torrent and in the content's
                         # swarm; the announce connection idles until inactivity_timeout (600 s)
TRACKER_BUDGET = 1000    # announces/s one tracker process is trusted with (measure yours)
ORIGIN_CONN_BUDGET = 768 * 4  # nginx: Debian's worker_connections 768 x 4 workers

# --- the lab's measured runs (bench/README.md "savings", 256 MiB, 100 Mbit, one 2-core host) -
LAB = dict(F=256 * MiB, host_cores=2)
LAB_RUNS = [  # (name, N, kind, origin Mbit, measured egress, last/ideal, CPU-s per peer, fitted)
    ("N=8 published", 8, "swarm", 100, "1.000", 1.07, 2.2, True),
    ("N=16 published", 16, "swarm", 100, "1.000", 1.13, 2.43, True),
    ("N=32 published", 32, "swarm", 100, "1.020-1.040", 1.84, 2.28, True),
    ("N=8 curl", 8, "curl", 100, "8.0", 8.4, 0.3, True),
    ("N=8 no-publish (cold start)", 8, "cold", 100, "1.000", 1.67, 2.8, False),
    ("N=8 lan, 2 subnets x 4", 8, "swarm2", 100, "~2.0", None, 2.2, False),
    ("N=8 rerun, this session", 8, "swarm", 100, "1.000", 1.10, 3.45, False),
    ("N=32 at 20 Mbit, this session", 32, "swarm", 20, "1.064", 1.20, 4.56, False),
]
# Origin bytes a machine loses when the start stalls (see rollout): fitted to the 20 Mbit run,
# 17.3 MiB over 32 peers (~4 origin request slots x ~135 KiB: about a socket buffer each).
LOST_PER_STALL = 17.3 * MiB / 32


def piece_size(F):
    p = 16 * KiB
    while p < 16 * MiB and math.ceil(F / p) > TARGET_PIECES:
        p *= 2
    return p


def smooth_max(xs, p):
    """max() with a soft knee: near-equal bottlenecks slow each other (CPU vs network)."""
    return sum(x ** p for x in xs if x > 0) ** (1.0 / p)


class Fit:
    eta = 0.955     # goodput / shaped link rate (HTTP + TCP)
    t_fixed = 0.7   # s: process start, metadata, the last flush (one machine)
    t_host = 0.0    # s per peer sharing the lab host (starts, N files flushed to one disk)
    p = 6.0         # knee of smooth_max
    k_starve = 0.04  # duplicate origin share per unit of CPU overload (lab only)
    t_elect = 3.0   # s, CODE: cold start waits 2 s for an offer, then a 1 s election


def rollout(N, S=1, mode="lan", F=256 * MiB, R=100 * MBIT, L=1000 * MBIT, B=1000 * MBIT,
            c=9.2, cores=2, lab_cpu=None, contents=1, window=10.0, together=True, cold=False,
            curl=False, full_view=False, fit=Fit):
    """One rollout. N machines, S equal subnets, mode lan|group, F bytes, R origin uplink,
    L per-machine LAN link, B each subnet's router link (group, S > 1), c CPU-s per GiB
    received (uploads included), cores per machine; lab_cpu: CPU-s per peer, all N peers on
    one host of LAB['host_cores'] cores. contents: swarms per machine at once; window: s in
    which the N machines start (control plane); together: all start in the same second (the
    lab; data plane)."""
    n = N / S                                   # machines per subnet
    swarms = S if mode == "lan" else 1
    Nsw = N / swarms                            # machines per swarm
    P = piece_size(F)
    M = math.ceil(F / P)
    ideal = F / R
    # Connections: lan finds its whole subnet by LSD; group also gets NUM_WANT per announce and
    # is dialled by as many. In group mode each pair holds two connections (announce + content).
    per_pair = 1 if mode == "lan" else PAIR_CONNS_GROUP
    wanted = n - 1 if mode == "lan" else min(N - 1, (n - 1) + 2 * NUM_WANT)
    degree = min(wanted, CONN_LIMIT // per_pair)      # peers a machine sees in the content swarm
    # Deconfliction ranks the participants a machine has seen: with a partial mesh, about
    # Nsw / (degree + 1) machines each rank first among their own view -> that many copies.
    owners = 1.0 if degree >= Nsw - 1 or full_view else Nsw / (degree + 1)
    # CPU
    cpu_peer = lab_cpu if lab_cpu is not None else c * F / GiB
    t_cpu = N * cpu_peer / LAB["host_cores"] if lab_cpu is not None else cpu_peer / cores
    t_net = F / (fit.eta * R)
    t_fixed = fit.t_fixed + fit.t_host * N if lab_cpu is not None else FLEET_FIXED_S
    starve = fit.k_starve * max(0.0, t_cpu / t_net - 1) if lab_cpu is not None else 0.0
    # Start stall: nothing is verified anywhere before the first origin pieces land, each of
    # the concurrent origin requests getting its share of R. Past 2 s every peer is "stalled"
    # and each request slot freed before the first piece is verified goes to any missing piece
    # (piece order): all peers ask for the same pieces, cancelled a moment later.
    flows = swarms * min(ORIGIN_REQS * Nsw, M * owners)
    t_first = P * flows / (fit.eta * R)
    start_loss = N * LOST_PER_STALL / F if t_first > TAKE_OVER_S else 0.0
    if not together:
        start_loss = 0.0
    # Far owners: a subnet whose router link brings less than a piece per 2 s stalls once its
    # own owners are done; then each subnet fetches the rest itself (lan-like).
    far_stall = mode == "group" and S > 1 and B < P / TAKE_OVER_S
    if curl:
        egress = float(N)
    elif far_stall:
        egress = owners * (1 + (S - 1) / S * S)
    else:
        egress = swarms * owners * (1 + starve)
    egress_spread = egress
    egress += start_loss
    t_origin = egress * F / (fit.eta * R)
    t_lan = F / L
    t_router = (S - 1) / S * F / B if mode == "group" and S > 1 and not far_stall else 0.0
    if curl:
        last = t_origin + t_fixed
    elif cold:  # one elected machine fetches it all, makes the metainfo, then the swarm
        spread = N - 1 if lab_cpu is not None else 1
        t_cpu2 = spread * cpu_peer / (LAB["host_cores"] if lab_cpu is not None else cores)
        last = (fit.t_elect + F / (fit.eta * R) + fit.t_fixed
                + smooth_max([t_lan, t_cpu2], fit.p) + t_fixed)
    else:
        last = smooth_max([t_origin, t_lan, t_cpu, t_router], fit.p) + t_fixed
    from_peers = max(0.0, F - egress * F / N) if not curl else 0.0
    cross_min = (S - 1) / S * F if mode == "group" and S > 1 else 0.0
    cross_blind = n * from_peers * (N - n) / max(1, N - 1) if mode == "group" else 0.0
    fetchers = swarms * min(Nsw, M * owners)
    return dict(
        N=N, S=S, n=n, mode=mode, P=P, egress=egress, egress_spread=egress_spread,
        last=last / ideal, last_s=last, ideal=ideal, t_first=t_first, owners=owners,
        from_peers=from_peers / F, uploaded=from_peers / F, cross_min=cross_min / F,
        cross_blind=cross_blind / F, wanted=wanted * per_pair, degree=degree,
        origin_conns=ORIGIN_REQS * fetchers,
        tracker_steady=(N * contents / TRACKER_INTERVAL_S) if mode == "group" else 0.0,
        tracker_burst=(N * contents / window) if mode == "group" else 0.0,
        lsd_steady=n * contents * LSD_PACKETS / LSD_INTERVAL_S,
        lsd_burst=n * contents * LSD_PACKETS / max(window, 6.0),
    )


def lab_model(N, kind, rate, cpu, fit=Fit):
    args = dict(F=LAB["F"], R=rate * MBIT, L=10e9, lab_cpu=cpu, fit=fit)  # loopback: L ~ unbounded
    if kind == "curl":
        return rollout(N, curl=True, **args)
    if kind == "cold":
        return rollout(N, cold=True, **args)
    if kind == "swarm2":
        return rollout(N, S=2, mode="lan", **args)
    return rollout(N, **args)


def calibrate():
    """Grid search of eta, t_fixed, t_host, p on the runs marked for the fit (last / ideal),
    then k_starve from the N=32 egress (1.03)."""
    best = None
    for eta in [0.90 + 0.005 * i for i in range(21)]:
        for t_fixed in [0.1 * i for i in range(21)]:
            for t_host in [0.01 * i for i in range(11)]:
                for p in [2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0]:
                    Fit.eta, Fit.t_fixed, Fit.t_host, Fit.p = eta, t_fixed, t_host, p
                    err = sum((lab_model(N, k, rate, cpu)["last"] - last) ** 2
                              for _, N, k, rate, _, last, cpu, used in LAB_RUNS if used)
                    if best is None or err < best[0]:
                        best = (err, eta, t_fixed, t_host, p)
    _, Fit.eta, Fit.t_fixed, Fit.t_host, Fit.p = best
    t_net = LAB["F"] / (Fit.eta * 100 * MBIT)
    Fit.k_starve = 0.03 / (32 * 2.28 / LAB["host_cores"] / t_net - 1)
    return best[0]


def fmt(x, d=2):
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{d}f}"


def calibration_table():
    rows = ["| lab run | egress measured | egress model | last/ideal measured | last/ideal model "
            "| CPU-s/peer (input) |", "|---|---:|---:|---:|---:|---:|"]
    for name, N, kind, rate, egress, last, cpu, used in LAB_RUNS:
        m = lab_model(N, kind, rate, cpu)
        meas = f"{last:.2f}" if last else "—"
        mark = "" if used else " (check, not fitted)"
        rows.append(f"| {name}{mark} | {egress} | {m['egress']:.3f} | {meas} | "
                    f"{m['last']:.2f} | {cpu} |")
    return "\n".join(rows)


NS = [10, 32, 100, 316, 1000, 3162, 10000]
PER_SUBNET = 50


def subnets(N, many):
    return max(1, round(N / PER_SUBNET)) if many else 1


CONFIGS = [  # (key, label, mode, many subnets, router link per subnet)
    ("lan_s1", "lan, 1 subnet", "lan", False, 1000 * MBIT),
    ("lan_sN", "lan, N/50 subnets", "lan", True, 1000 * MBIT),
    ("group_s1", "group, 1 subnet", "group", False, 1000 * MBIT),
    ("group_sN", "group, N/50 subnets, 1 Gbit routers", "group", True, 1000 * MBIT),
    ("group_sN_wan", "group, N/50 subnets, 20 Mbit links", "group", True, 20 * MBIT),
]


def fleet(N, cfg, R, F=256 * MiB, **kw):
    key, label, mode, many, B = cfg
    return rollout(N, S=subnets(N, many), mode=mode, F=F, R=R, B=B, **kw)


def fleet_table(R, F=256 * MiB):
    out = [f"Origin {R / MBIT:.0f} Mbit, F = {F // MiB} MiB ({piece_size(F) // KiB} KiB pieces), "
           f"1 Gbit LAN, a CPU per machine. egress, last/ideal: all start in the same second "
           f"(as in the lab); spread: starts spread out (no start stall); fixed: starts spread "
           f"and deconfliction seeing every machine (both breaks below mended).", "",
           "| config | N | S | egress | egress spread | egress fixed | last/ideal "
           "| last/ideal fixed | from peers/F | cross-subnet in per subnet/F |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for cfg in CONFIGS:
        for N in NS:
            m, v = fleet(N, cfg, R, F), fleet(N, cfg, R, F, full_view=True, together=False)
            cross = (f"{m['cross_min']:.2f} (min) – {fmt(m['cross_blind'])} (blind)"
                     if m["mode"] == "group" and m["S"] > 1 else "—")
            out.append(f"| {cfg[1]} | {N} | {m['S']} | {fmt(m['egress'])} | "
                       f"{fmt(m['egress_spread'])} | {fmt(v['egress'])} | {fmt(m['last'])} | "
                       f"{fmt(v['last'])} | {m['from_peers']:.2f} | {cross} |")
    return "\n".join(out)


def control_table():
    out = ["Per content; the N start within 10 s. conns: connection slots a machine wants (limit "
           f"{CONN_LIMIT}); origin conns: {ORIGIN_REQS} per machine fetching from the origin.", "",
           "| N | tracker announces/s, start | tracker, steady | LSD pkt/s per subnet, start "
           "(1 subnet / 50 a subnet) | LSD steady (1 / 50) | conns lan 1 subnet | conns lan 50 "
           "| conns group | origin conns lan 50 | origin conns group | t_first s, 100 Mbit "
           "/ 1 Gbit |", "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|"]
    for N in NS:
        g = fleet(N, CONFIGS[3], 100 * MBIT)
        l1, l50 = fleet(N, CONFIGS[0], 100 * MBIT), fleet(N, CONFIGS[1], 100 * MBIT)
        g1 = fleet(N, CONFIGS[2], 1000 * MBIT)
        out.append(f"| {N} | {fmt(g['tracker_burst'], 1)} | {g['tracker_steady']:.2f} | "
                   f"{fmt(l1['lsd_burst'], 1)} / {fmt(l50['lsd_burst'], 1)} | "
                   f"{l1['lsd_steady']:.2f} / {l50['lsd_steady']:.2f} | {l1['wanted']:.0f} | "
                   f"{l50['wanted']:.0f} | {g['wanted']:.0f} | {l50['origin_conns']:.0f} | "
                   f"{g['origin_conns']:.0f} | {g['t_first']:.1f} / {g1['t_first']:.1f} |")
    return "\n".join(out)


def write_dat(folder):
    for R, tag in [(100 * MBIT, "100m"), (1000 * MBIT, "1g")]:
        for cfg in CONFIGS:
            path = os.path.join(folder, f"{cfg[0]}_{tag}.dat")
            with open(path, "w") as f:
                f.write(f"# {cfg[1]}, origin {tag}\n# N S egress egress_spread last_ratio "
                        "t_first conns_wanted degree tracker_burst tracker_steady lsd_burst "
                        "lsd_steady origin_conns egress_fixed last_fixed\n")
                for N in [round(10 ** (1 + 0.125 * i)) for i in range(25)]:
                    m, v = fleet(N, cfg, R), fleet(N, cfg, R, full_view=True, together=False)
                    f.write(f"{N} {m['S']} {m['egress']:.4f} {m['egress_spread']:.4f} "
                            f"{m['last']:.4f} {m['t_first']:.3f} {m['wanted']:.0f} "
                            f"{m['degree']:.0f} {m['tracker_burst']:.4f} "
                            f"{m['tracker_steady']:.4f} {m['lsd_burst']:.4f} "
                            f"{m['lsd_steady']:.4f} {m['origin_conns']:.0f} "
                            f"{v['egress']:.4f} {v['last']:.4f}\n")


def limits():
    """Where each limit bites (the model's thresholds)."""
    P = piece_size(256 * MiB)
    lines = []
    for R, tag in [(100 * MBIT, "100 Mbit"), (1000 * MBIT, "1 Gbit")]:
        n_stall = TAKE_OVER_S * Fit.eta * R / (ORIGIN_REQS * P)
        lines.append(f"- start stall (256 MiB, {P // KiB} KiB pieces, origin {tag}): t_first > "
                     f"{TAKE_OVER_S:.0f} s from N ≈ {n_stall:.0f} machines in one swarm; "
                     f"1 GiB ({piece_size(GiB) // KiB} KiB pieces): N ≈ "
                     f"{TAKE_OVER_S * Fit.eta * R / (ORIGIN_REQS * piece_size(GiB)):.0f}")
    lines.append(f"- full mesh lost: lan at a subnet of > {CONN_LIMIT + 1} machines; group at "
                 f"> {CONN_LIMIT // PAIR_CONNS_GROUP + 1} machines in the swarm")
    lines.append(f"- tracker over {TRACKER_BUDGET}/s: start window 10 s -> N > "
                 f"{TRACKER_BUDGET * 10}; steady (1800 s) -> N x contents > "
                 f"{TRACKER_BUDGET * TRACKER_INTERVAL_S}")
    lines.append(f"- origin connections (4 per fetching machine) over {ORIGIN_CONN_BUDGET}: "
                 f"N > {ORIGIN_CONN_BUDGET // ORIGIN_REQS} fetching machines at once")
    lines.append(f"- LSD: one 254-machine /24, 10 contents each: "
                 f"{254 * 10 * LSD_PACKETS / LSD_INTERVAL_S:.1f} pkt/s steady "
                 f"({254 * 10 * LSD_PACKETS / LSD_INTERVAL_S * LSD_PACKET_BYTES / 1e3:.1f} kB/s)")
    lines.append(f"- far owners stall (a subnet gets < 1 piece / 2 s over its router link): "
                 f"B < {P / TAKE_OVER_S * 8 / 1e6:.2f} Mbit/s (256 MiB) or "
                 f"{piece_size(GiB) / TAKE_OVER_S * 8 / 1e6:.2f} Mbit/s (1 GiB)")
    return "\n".join(lines)


def main():
    folder = os.path.dirname(os.path.abspath(__file__))
    if "--dat" in sys.argv:
        folder = sys.argv[sys.argv.index("--dat") + 1]
    err = calibrate()
    print(f"## Calibration (fit: eta={Fit.eta:.3f}, t_fixed={Fit.t_fixed:.1f} s, "
          f"t_host={Fit.t_host:.2f} s/peer, p={Fit.p:.1f}, "
          f"k_starve={Fit.k_starve:.3f}; squared error {err:.4f})\n")
    print(calibration_table())
    print("\n## Extrapolation, origin 100 Mbit\n")
    print(fleet_table(100 * MBIT))
    print("\n## Extrapolation, origin 1 Gbit\n")
    print(fleet_table(1000 * MBIT))
    print("\n## Control plane\n")
    print(control_table())
    print("\n## Limits\n")
    print(limits())
    write_dat(folder)


if __name__ == "__main__":
    main()
