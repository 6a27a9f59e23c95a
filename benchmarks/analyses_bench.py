"""Analyses of the chapters 04, 07 and 08: our library against plain peers, side by side.

Rows asked for by three issues (benchmark rows, never timed tests):

1. Issue 11 — :func:`mesothermo.thermo.free_energy_balance` of one smooth positive law ``p``
   against a smooth positive reference ``pi`` on the 250,000-state lattice of the reversible
   Brusselator (``mt.models.brusselator(reverse=0.1)``, V = 100, box 0..499 for X and Y);
   target < 1 s. Peer: the same ``e_p``, ``E_in`` and ``dF/dt`` written here directly from
   ``cme.states``, ``cme.propensities`` and ``cme.reflecting_generator`` (a lookup table for
   the channel edges, then NumPy sums). Timed cold (one first call: the library builds and
   caches its channel edges, the peer builds its own) and warm (edges cached / prebuilt, the
   evaluation alone, minimum over repeats). The library returns more (F, f_d, the residual of
   Eq. 5 and its round-off scale, the leak) and handles p = 0; the peer needs p, pi > 0.
2. Issue 14 — :func:`mesothermo.energy_exchange.evolve` (Eqs. 7–8, rule "eq8") on a grid of
   10,000 cells (ΔE = 1, m = 100, E_max = 100) from a narrow uniform density to stationarity;
   target < 2 s. Peer: ``scipy.integrate.solve_ivp(method="RK45")`` on the same right-hand
   side (:func:`~mesothermo.energy_exchange.time_derivative`), same ``rtol``/``atol``.
   And :func:`~mesothermo.energy_exchange.simulate_particles` (exact exchange), 10^6 events,
   target < 1 s, against the library's own pure-Python event loop (``method="python"``, the
   plain-Python twin that replays the same path from the same seed) on a small count, per event.
3. Issue 15 — :func:`mesothermo.energy_exchange.simulate_phase_space`, particle
   steps per second for the dynamics "hamiltonian", "langevin" and "inelastic" (exchange
   "fixed", "mean_energy", "pairwise"); 10^4 particles in a 1-D double well, dt = 0.05, 800
   steps; target >= 1e7 particle-steps/s on one core. Peer: a plain NumPy velocity-Verlet loop
   (vectorised over particles) on the same potential from the same start, which must agree with
   the "hamiltonian" run to round-off.

Times are the minimum over the repeats (the estimate least disturbed by other processes on a
shared machine); CPU time (``time.process_time``) is printed beside wall time, because the
machine is loaded. BLAS threads do not matter here (no dense linear algebra is timed); run
with ``OPENBLAS_NUM_THREADS=1`` if you want to be sure. Numba kernels are compiled (or loaded
from cache) by a warm-up call before anything is timed.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

import mesothermo as mt
from mesothermo import energy_exchange as ee
from mesothermo import thermo

__all__ = ["run", "measure", "reference_balance", "numpy_verlet", "format_table"]


def _timed(fn, repeats: int):
    """(result of the last call, min wall s, min CPU s) over ``repeats`` calls."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return out, min(walls), min(cpus)


# ---------------------------------------------------------------------------------------------
# 1. the free-energy balance (issue 11)
# ---------------------------------------------------------------------------------------------
def _smooth_law(cme: mt.CME, centre, width) -> np.ndarray:
    z = (cme.states - np.asarray(centre, float)) / np.asarray(width, float)
    w = np.exp(-0.5 * np.sum(z * z, axis=1))
    return w / w.sum()


def reference_edges(cme: mt.CME):
    """Channel edges (source, target, r+(n), r-(n+nu)) built directly from the lattice."""
    states = cme.states
    S = states.shape[0]
    shape = np.asarray(cme.max_counts, np.int64) + 1
    lookup = np.full(int(np.prod(shape)), -1, np.int64)
    lookup[np.ravel_multi_index(states.T, shape)] = np.arange(S)
    rp, rm = cme.propensities
    src_all, tgt_all, a_all, b_all = [], [], [], []
    for l in range(cme.net.M):
        tgt_state = states + np.asarray(cme.net.nu[l], np.int64)
        inbox = np.all((tgt_state >= 0) & (tgt_state < shape), axis=1)
        src = np.flatnonzero(inbox)
        tgt = lookup[np.ravel_multi_index(tgt_state[inbox].T, shape)]
        keep = tgt >= 0
        src, tgt = src[keep], tgt[keep]
        a, b = rp[src, l], rm[tgt, l]
        live = (a > 0) & (b > 0)
        src_all.append(src[live])
        tgt_all.append(tgt[live])
        a_all.append(a[live])
        b_all.append(b[live])
    return tuple(np.concatenate(v) for v in (src_all, tgt_all, a_all, b_all))


def reference_balance(cme: mt.CME, p, pi, edges=None):
    """(e_p, E_in, dF/dt) of Ge–Qian Eq. 5 written out plainly (p, pi > 0 everywhere)."""
    src, tgt, a, b = reference_edges(cme) if edges is None else edges
    Jp, Jm = p[src] * a, p[tgt] * b
    j = Jp - Jm
    e_p = float(np.sum(j * np.log(Jp / Jm)))
    E_in = float(np.sum(j * np.log((pi[src] * a) / (pi[tgt] * b))))
    dF = float(np.sum((cme.reflecting_generator @ p) * np.log(p / pi)))
    return e_p, E_in, dF


def _balance_rows(quick: bool, repeats: int) -> list[dict]:
    V, box = (10.0, 99) if quick else (100.0, 499)
    cme = mt.CME(mt.models.brusselator(reverse=0.1), V=V, max_counts=[box, box])
    p = _smooth_law(cme, [0.3 * box, 0.5 * box], [0.12 * box, 0.12 * box])
    pi = _smooth_law(cme, [0.4 * box, 0.4 * box], [0.16 * box, 0.2 * box])
    cme.reflecting_generator  # built once, outside every timing (both sides use it)
    size = f"{cme.N_states:,} states"

    # cold: the first call on this CME builds (and caches) its channel edges; one call only
    lib_c, lib_c_wall, lib_c_cpu = _timed(lambda: thermo.free_energy_balance(cme, p, pi), 1)
    ref_c, ref_c_wall, ref_c_cpu = _timed(lambda: reference_balance(cme, p, pi), 1)
    lib_w, lib_w_wall, lib_w_cpu = _timed(lambda: thermo.free_energy_balance(cme, p, pi),
                                          repeats)
    edges = reference_edges(cme)
    ref_w, ref_w_wall, ref_w_cpu = _timed(lambda: reference_balance(cme, p, pi, edges), repeats)
    lib_vals = np.array([float(lib_w.e_p), float(lib_w.E_in), float(lib_w.dF_dt)])
    ref_vals = np.array(ref_w)
    agree = float(np.max(np.abs(lib_vals - ref_vals) / np.abs(ref_vals)))
    return [
        dict(issue=11, row="free_energy_balance, cold", size=size, target="< 1 s", unit="s",
             wall=lib_c_wall, cpu=lib_c_cpu, peer="NumPy edges+sums", peer_wall=ref_c_wall,
             peer_cpu=ref_c_cpu, measured=lib_c_wall, ok=lib_c_wall < 1.0, ok_cpu=lib_c_cpu < 1.0, agree=agree,
             note=f"e_p={float(lib_c.e_p):.6g} E_in={float(lib_c.E_in):.6g} "
                  f"dF/dt={float(lib_c.dF_dt):.6g}"),
        dict(issue=11, row="free_energy_balance, warm", size=size, target="< 1 s", unit="s",
             wall=lib_w_wall, cpu=lib_w_cpu, peer="NumPy sums (edges built)",
             peer_wall=ref_w_wall, peer_cpu=ref_w_cpu, measured=lib_w_wall,
             ok=lib_w_wall < 1.0, ok_cpu=lib_w_cpu < 1.0, agree=agree,
             note=f"Eq. 5 residual {float(lib_w.residual):.1e} (scale "
                  f"{float(lib_w.scale):.1e})"),
    ]


# ---------------------------------------------------------------------------------------------
# 2. the energy-exchange master equation and its particles (issue 14)
# ---------------------------------------------------------------------------------------------
def _plain_rhs(m: int, w_minus: float):
    """Eqs. 7-8 on the grid (one quantum of m cells, rule "eq8"), plain NumPy: the equation of
    :func:`~mesothermo.energy_exchange.time_derivative`, without its input checks (which
    refuse the slightly negative round-off of Runge-Kutta stages)."""
    def rhs(t, P):
        w_plus = w_minus * P[m:].sum() / P.sum()
        dp = -w_plus * P
        dp[m:] += w_plus * P[:-m]
        rel = w_minus * P[m:]
        dp[m:] -= rel
        dp[:-m] += rel
        return dp
    return rhs


def _evolve_rows(quick: bool, repeats: int) -> list[dict]:
    m, e_max, t_end = (10, 100.0, 50.0) if quick else (100, 100.0, 200.0)
    grid = ee.energy_grid(1.0, m, e_max)
    P0 = ee.uniform_density(grid, 3.0, 3.5)
    rtol, atol = 1e-10, 1e-14
    size = f"{grid.n_cells:,} cells, t=0..{t_end:g}"
    sol, wall, cpu = _timed(lambda: ee.evolve(grid, P0, [0.0, t_end], 1.0, rtol=rtol,
                                              atol=atol), repeats)
    rhs = _plain_rhs(grid.cells(1.0), 1.0)
    # the peer's right-hand side is time_derivative's equation (checked at P0 and at the end)
    rhs_diff = max(float(np.max(np.abs(rhs(0.0, q) - ee.time_derivative(grid, q, 1.0))))
                   for q in (P0, ee.uniform_density(grid, 1.0, 9.0)))
    ivp, ivp_wall, ivp_cpu = _timed(lambda: solve_ivp(rhs, (0.0, t_end), P0, method="RK45",
                                                      rtol=rtol, atol=atol), 1)
    P_end = sol.P[-1]
    agree = float(np.abs(ivp.y[:, -1] - P_end).sum())
    stat = float(np.abs(ee.time_derivative(grid, P_end, 1.0)).sum())
    return [dict(issue=14, row="energy_exchange.evolve", size=size, target="< 2 s", unit="s",
                 wall=wall, cpu=cpu, peer="solve_ivp RK45", peer_wall=ivp_wall,
                 peer_cpu=ivp_cpu, measured=wall, ok=wall < 2.0, ok_cpu=cpu < 2.0, agree=agree,
                 note=f"|dp/dt|_1 at t_end {stat:.1e}; rtol={rtol:g}, atol={atol:g}; "
                      f"nfev {sol.nfev} vs {ivp.nfev}; agree: sum|p-p_ivp|; peer rhs vs "
                      f"time_derivative max diff {rhs_diff:.1e}")]


def _particle_rows(quick: bool, repeats: int) -> list[dict]:
    grid = ee.energy_grid(1.0, 4, 80.0)
    P0 = ee.uniform_density(grid, 2.0, 4.0)
    n_events, n_py = (20_000, 2_000) if quick else (1_000_000, 20_000)
    N = 10_000
    times = [0.0, 1e9]  # the run stops at max_events

    def go(method, cap):
        return ee.simulate_particles(grid, P0, N, times, 1.0, mode="exchange", seed=7,
                                     method=method, max_events=cap)

    go("kernel", 10)  # warm-up: load or compile the kernel
    run, wall, cpu = _timed(lambda: go("kernel", n_events), repeats)
    py, py_wall, py_cpu = _timed(lambda: go("python", n_py), 1)
    small = go("kernel", n_py)
    # same seed, same path: the particle cells after n_py events must be identical
    agree = float(np.abs(small.counts - py.counts).sum())
    ev, ev_py = max(run.n_events, 1), max(py.n_events, 1)
    return [dict(issue=14, row="simulate_particles (exchange)",
                 size=f"N={N:,}, {run.n_events:,} events", target="< 1 s / 1e6 ev",
                 unit="ns/ev", wall=wall / ev * 1e9, cpu=cpu / ev * 1e9,
                 peer=f"pure Python loop ({py.n_events:,} ev)", peer_wall=py_wall / ev_py * 1e9,
                 peer_cpu=py_cpu / ev_py * 1e9, measured=wall * 1e6 / ev,
                 ok=wall * 1e6 / ev < 1.0,
                 ok_cpu=cpu * 1e6 / ev < 1.0, agree=agree,
                 note="measured: s per 1e6 events; agree: sum|counts - counts_py|")]


# ---------------------------------------------------------------------------------------------
# 3. phase-space particle steps (issue 15)
# ---------------------------------------------------------------------------------------------
def numpy_verlet(potential: ee.DoubleWell, x, p, dt: float, n_steps: int, mass: float = 1.0):
    """Velocity Verlet for the 1-D double well, vectorised over particles (plain NumPy)."""
    h, a2 = potential.barrier, potential.x_min ** 2
    x, p = np.array(x, float), np.array(p, float)

    def force(x):
        return -4.0 * h * (x * x / a2 - 1.0) * x / a2

    f = force(x)
    half = 0.5 * dt
    for _ in range(n_steps):
        p += half * f
        x += dt * p / mass
        f = force(x)
        p += half * f
    return x, p


CASES = [("hamiltonian", "fixed"), ("langevin", "fixed"), ("inelastic", "fixed"),
         ("inelastic", "mean_energy"), ("inelastic", "pairwise")]


def _phase_space_rows(quick: bool, repeats: int) -> list[dict]:
    """Issue 15's rows. The NumPy loop and the five dynamics are timed side by side, one round
    after another (each round runs every one once), and each keeps its best round: on a shared
    machine the ratios are then measured under the same load."""
    n, n_steps = (1_000, 50) if quick else (10_000, 800)
    dt = 0.05
    pot = ee.DoubleWell(barrier=1.0, x_min=1.0)
    x0, p0 = ee.sample_boltzmann(pot, n, 1, 1.0, 1.0, seed=11)
    x0, p0 = np.asarray(x0), np.asarray(p0)

    def sim(dyn, exch, n_part=n, steps=n_steps):
        kw = dict(w_plus=float(np.exp(-0.5))) if exch == "fixed" and dyn == "inelastic" else {}
        if dyn != "inelastic":
            kw = dict(w_plus=1.0)  # exchange is unused: "fixed" needs a w_plus
        return ee.simulate_phase_space(pot, n_part, steps * dt, dyn, 1, dt=dt, delta_e=0.5,
                                       w_minus=1.0, exchange=exch, x0=x0[:n_part],
                                       p0=p0[:n_part], seed=5, **kw)

    for dyn, exch in CASES:  # warm-up: load or compile the kernel
        sim(dyn, exch, 8, 2)
    jobs = {"numpy": lambda: numpy_verlet(pot, x0, p0, dt, n_steps)}
    jobs.update({case: (lambda case=case: sim(*case)) for case in CASES})
    wall = dict.fromkeys(jobs, np.inf)
    cpu = dict.fromkeys(jobs, np.inf)
    out = {}
    for _ in range(max(repeats, 1)):
        for key, job in jobs.items():
            out[key], w, c = _timed(job, 1)
            wall[key], cpu[key] = min(wall[key], w), min(cpu[key], c)
    xn, pn = out["numpy"]
    work = n * n_steps
    rows = []
    for case in CASES:
        dyn, exch = case
        res, w, c = out[case], wall[case], cpu[case]
        agree = np.nan
        if dyn == "hamiltonian":
            agree = float(max(np.max(np.abs(res.x[-1] - xn)), np.max(np.abs(res.p[-1] - pn))))
        label = dyn if dyn != "inelastic" else f"inelastic/{exch}"
        rate = work / w
        rows.append(dict(issue=15, row=f"simulate_phase_space {label}",
                         size=f"{n:,} x {n_steps} steps, d=1", target=">= 1e7 /s",
                         unit="ns/step", wall=w / work * 1e9, cpu=c / work * 1e9,
                         peer="NumPy velocity Verlet", peer_wall=wall["numpy"] / work * 1e9,
                         peer_cpu=cpu["numpy"] / work * 1e9, measured=rate, ok=rate >= 1e7,
                         ok_cpu=work / c >= 1e7,
                         agree=agree,
                         note=(f"{rate:.2e} particle-steps/s wall, {work / c:.2e} CPU; "
                               f"{cpu['numpy'] / c:.2f} x the NumPy Verlet loop's speed (CPU)"
                               + (f"; {res.n_up:,} up, {res.n_down:,} down"
                                  if dyn == "inelastic" else ""))))
    return rows


# ---------------------------------------------------------------------------------------------
def measure(quick: bool = False, repeats: int | None = None) -> list[dict]:
    """All rows as dicts (``quick``: tiny sizes, a smoke run)."""
    repeats = (1 if quick else 3) if repeats is None else repeats
    return (_balance_rows(quick, repeats) + _evolve_rows(quick, repeats)
            + _particle_rows(quick, repeats) + _phase_space_rows(quick, repeats))


def _fmt_measured(r: dict) -> str:
    return f"{r['measured']:.2e}/s" if r["issue"] == 15 else f"{r['measured']:.3f} s"


def _met(r: dict) -> str:
    """Target met on wall time / on CPU time (the machine may be loaded)."""
    cpu_ok = r["ok_cpu"]
    return f"{'yes' if r['ok'] else 'no'}/{'yes' if cpu_ok else 'no'}"


def format_table(rows: list[dict], quick: bool = False) -> str:
    """The table as text: one line per row, then one note line per row."""
    head = (f"{'issue':<6}{'row':<43}{'size':<28}{'target':<16}{'measured':>12}{'met w/cpu':>10}"
            f"{'unit':>9}{'ours':>10}{'ours cpu':>10}{'peer':>10}{'peer cpu':>10}"
            f"{'peer/ours':>10}{'cpu ratio':>10}{'agree':>10}  peer")
    lines = ["Analyses of chapters 04, 07, 08 against plain peers"
             + (" (--quick: tiny sizes, targets not meaningful)" if quick else ""), head]
    for r in rows:
        ratio = r["peer_wall"] / r["wall"]
        cratio = r["peer_cpu"] / max(r["cpu"], 1e-12)
        agree = "n/a" if not np.isfinite(r["agree"]) else f"{r['agree']:.1e}"
        lines.append(
            f"{r['issue']:<6}{r['row']:<43}{r['size']:<28}{r['target']:<16}"
            f"{_fmt_measured(r):>12}{_met(r):>10}{r['unit']:>9}"
            f"{r['wall']:>10.3g}{r['cpu']:>10.3g}{r['peer_wall']:>10.3g}{r['peer_cpu']:>10.3g}"
            f"{ratio:>10.1f}{cratio:>10.1f}{agree:>10}  {r['peer']}")
    lines.append("")
    for r in rows:
        lines.append(f"  {r['row']}: {r['note']}")
    lines += [
        "",
        "(ours/peer: wall and CPU (time.process_time) in the row's unit, minimum over repeats; "
        "peer/ours > 1 means the library is faster. measured: wall time (issue 14 particles: "
        "s per 1e6 events; issue 15: particle-steps per second). agree: issue 11 max relative "
        "difference of (e_p, E_in, dF/dt); issue 14 grid sum|p - p_RK45| at t_end, particles "
        "sum|counts - counts_python| on the same seed; issue 15 max |x, p - NumPy Verlet| "
        "after the run.)",
    ]
    return "\n".join(lines)


def run(quick: bool = False, repeats: int | None = None) -> str:
    """Measure and return the table as text."""
    return format_table(measure(quick, repeats), quick)


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv[1:]))
