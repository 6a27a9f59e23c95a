r"""Source of the kernels generated for one network structure (``method="compiled"``).

The generic kernels (:mod:`.generic`) read the network from CSR arrays, and chasing those
indices costs more per event than the random numbers and the logarithm together. A kernel
written out for one network structure (the stoichiometry of its channels; the constants stay
arguments) keeps every count and propensity in a local variable and every update in straight
code, like a hand-written simulator. It performs the same floating-point operations on the same
uniforms as the generic kernel and the pure-Python reference (left-to-right :math:`a_0`, the same
products, the same uniforms in the same order), so the paths are identical; only the speed
differs. Two things make it faster than a plain transcription:

* **The next waiting time's logarithm is taken before the channel is chosen** (in networks
  whose firings recompute few propensities, :data:`LOOKAHEAD_MAX_DEPENDENTS`). The uniform
  :math:`u_1` of event :math:`i+1` does not depend on which channel fires at event :math:`i`,
  so it is drawn (and :math:`\ln u_1` computed) right after event :math:`i`'s :math:`u_2`. The
  draws keep their order (:math:`u_1, u_2, u_1, u_2, \dots`); what changes is that the
  processor no longer waits for the logarithm after a mispredicted channel choice. When the
  loop stops without using the look-ahead uniform, the generator state before it is restored,
  so the state left behind is the one the plain loop leaves.
* **Small networks choose the channel without branches.** With cumulative sums
  :math:`s_j = a_0 + \dots + a_j` (the same partial sums that give :math:`a_0`), the direct
  method's :math:`j = \min\{j : s_j > r\}` equals :math:`\#\{j : s_j \le r\}` because the
  :math:`s_j` are non-decreasing; the counts then move by a table lookup and every propensity
  that any channel can change is recomputed. A recomputed propensity of unchanged counts is the
  same float, so the path is unchanged, and a random 50/50 branch the processor cannot predict
  is gone.

The functions are numba ``cfunc`` s with a C calling convention over raw pointers, so their
machine code can be stored and loaded without numba's dispatcher (:mod:`.native`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["generate_source", "CODEGEN_VERSION", "BRANCHLESS_MAX_CHANNELS",
           "LOOKAHEAD_MAX_DEPENDENTS"]

CODEGEN_VERSION = "4"

#: Up to this many channels the channel is chosen without branches (measured in issue 17: 28 %
#: faster per event on immigration-death, 9 % on dimerisation, 19 % on Schlogl; on the 18- and
#: 20-channel benchmark networks it neither gains nor loses, within 5 %, while the work of
#: recomputing every propensity grows with the network).
BRANCHLESS_MAX_CHANNELS = 4

#: The sampled loop takes the next logarithm before the channel choice when a firing recomputes
#: at most this many propensities on average (measured in issue 17: 15-25 % faster on the
#: two-channel models with and without branches, 3 % on the 10-species chain with 3.6 per
#: firing; 5 % slower on the 18-channel multistate network with 7, whose updates hide the
#: logarithm anyway).
LOOKAHEAD_MAX_DEPENDENTS = 5.0

_U = "1.1102230246251565e-16"  # 2**-53


def _falling_expr(j: int, reac_row) -> str:
    """``c_j * ((n_i * (n_i - 1.0)) * n_k)``: the factors multiplied first, then the constant."""
    factors = []
    for i in np.flatnonzero(reac_row):
        for o in range(int(reac_row[i])):
            factors.append(f"n_{i}" if o == 0 else f"(n_{i} - {float(o)!r})")
    if not factors:
        return f"c_{j}"
    prod = factors[0]
    for f in factors[1:]:
        prod = f"({prod} * {f})"
    return f"c_{j} * {prod}"


class _Writer:
    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def generate_source(reac: np.ndarray, delta: np.ndarray, deps,
                    xoshiro_module: str = "mesothermo._ssa_kernel.generic") -> str:
    """Python source of the kernels for one structure.

    ``reac`` and ``delta`` are the (R, N) reactant and net-change matrices of the kept channels,
    ``deps[j]`` the ascending list of channels to recompute after channel ``j`` fires. The
    module defines ``make_sampled()``, ``make_every()`` and ``make_ensemble()``, each compiling
    and returning one ``cfunc`` over raw pointers (see :mod:`.native` for their signatures):
    no arrays, so the machine code calls no numba runtime and loads without numba.
    """
    R, N = reac.shape
    exprs = [_falling_expr(j, reac[j]) for j in range(R)]
    branchless = R <= BRANCHLESS_MAX_CHANNELS
    lookahead = sum(len(d) for d in deps) <= LOOKAHEAD_MAX_DEPENDENTS * R
    changed = [i for i in range(N) if np.any(delta[:, i] != 0)]
    touched = sorted({q for j in range(R) for q in deps[j]})
    w = _Writer()

    def prologue(ind: int) -> None:
        for j in range(R):
            w(ind, f"c_{j} = c[{j}]")
        for i in range(N):
            w(ind, f"n_{i} = np.float64(n0[{i}])")
        for j in range(R):
            w(ind, f"a_{j} = {exprs[j]}")
        w(ind, "s0, s1, s2, s3 = state[so], state[so + 1], state[so + 2], state[so + 3]")

    def total(ind: int) -> None:
        if branchless:  # the partial sums are the a0 sum's own intermediate results
            w(ind, "cum_0 = a_0")
            for j in range(1, R):
                w(ind, f"cum_{j} = cum_{j - 1} + a_{j}")
            w(ind, f"a0 = cum_{R - 1}")
        else:
            w(ind, "a0 = " + " + ".join(f"a_{j}" for j in range(R)))

    def draw(ind: int, var: str, open0: bool) -> None:
        w(ind, "x, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)")
        plus = " + 1" if open0 else ""
        w(ind, f"{var} = np.float64(np.int64(x >> np.uint64(11)){plus}) * {_U}")

    def update(j: int, ind: int, every: bool) -> None:
        for i in np.flatnonzero(delta[j]):
            w(ind, f"n_{i} += {float(delta[j, i])!r}")
        for q in deps[j]:
            w(ind, f"a_{q} = {exprs[q]}")
        if every:
            w(ind, f"sel = {j}")

    def choose_and_fire(ind: int, every: bool, on_none: str) -> None:
        """Fire the channel of r; ``on_none`` runs when no channel can fire (never for a0 > 0)."""
        if branchless:
            terms = " + ".join(f"np.int64(cum_{j} <= r)" for j in range(R - 1)) or "0"
            w(ind, f"sel = {terms}")
            w(ind, f"if cum_{R - 1} <= r:  # r rounded up to a0: the last channel that can fire")
            for k, j in enumerate(range(R - 1, -1, -1)):
                w(ind + 4, f"{'if' if k == 0 else 'elif'} a_{j} > 0.0:")
                w(ind + 8, f"sel = {j}")
            w(ind + 4, "else:")
            w(ind + 8, on_none)
            for i in changed:
                w(ind, f"n_{i} += D_{i}[sel]")
            for q in touched:
                w(ind, f"a_{q} = {exprs[q]}")
            return
        # a flat elif chain (no nesting, so any number of channels fits Python's indentation)
        w(ind, "acc = a_0")
        for j in range(R):
            test = "acc > r" if j == 0 else f"(acc := acc + a_{j}) > r"
            w(ind, f"{'if' if j == 0 else 'elif'} {test}:")
            update(j, ind + 4, every)
        w(ind, "else:  # r rounded up to a0: the last channel that can fire")
        for k, j in enumerate(range(R - 1, -1, -1)):
            w(ind + 4, f"{'if' if k == 0 else 'elif'} a_{j} > 0.0:")
            update(j, ind + 8, every)
        w(ind + 4, "else:")
        w(ind + 8, on_none)

    def store(ind: int, row: str) -> None:
        for i in range(N):
            w(ind, f"out[oo + {row} * {N} + {i}] = np.int64(n_{i})")

    w(0, "# Generated by mesothermo._ssa_kernel.codegen; do not edit.")
    w(0, "import numpy as np")
    w(0, "from numba import cfunc, njit, types")
    w(0, f"from {xoshiro_module} import xoshiro_next")
    w(0, "")
    w(0, f"R, N = {R}, {N}")
    for i in changed:
        w(0, f"D_{i} = np.array({[float(v) for v in delta[:, i]]!r})")
    w(0, "f64p, i64p = types.CPointer(types.float64), types.CPointer(types.int64)")
    w(0, "u64p = types.CPointer(types.uint64)")
    w(0, "")
    w(0, "")
    # ---- one sampled path: the look-ahead loop
    w(0, "@njit(inline='always', error_model='numpy')")
    w(0, "def core_sampled(n0, times, K, t_end, c, state, so, max_events, out, oo):")
    prologue(4)
    w(4, "t = 0.0")
    w(4, "events = 0")
    w(4, "status = 0")
    w(4, "k = 0")
    w(4, "next_t = times[0] if K > 0 else np.inf")
    restore = "s0, s1, s2, s3 = p0, p1, p2, p3" if lookahead else "pass"
    if lookahead:
        w(4, "p0, p1, p2, p3 = s0, s1, s2, s3")
        draw(4, "u1", open0=True)
        w(4, "lu = np.log(u1)")
    w(4, "while True:")
    total(8)
    w(8, "if not a0 < np.inf:  # inf or NaN (the look-ahead uniform is not used)")
    w(12, "status = 2")
    w(12, restore)
    w(12, "break")
    w(8, "if a0 <= 0.0:")
    w(12, restore)
    w(12, "break")
    if not lookahead:
        draw(8, "u1", open0=True)
        w(8, "lu = np.log(u1)")
    w(8, "t_new = t - lu / a0")
    w(8, "if next_t < t_new:")
    w(12, "while k < K and times[k] < t_new:")
    store(16, "k")
    w(16, "k += 1")
    w(12, "next_t = times[k] if k < K else np.inf")
    w(8, "if t_new > t_end:")
    w(12, "break")
    w(8, "if events >= max_events:")
    w(12, "status = 1")
    w(12, "break")
    draw(8, "u2", open0=False)
    w(8, "r = u2 * a0")
    if lookahead:
        w(8, "p0, p1, p2, p3 = s0, s1, s2, s3")
        draw(8, "u1", open0=True)
        w(8, "lu = np.log(u1)")
    choose_and_fire(8, every=False, on_none="break")
    w(8, "t = t_new")
    w(8, "events += 1")
    w(4, "while k < K and status == 0:")
    store(8, "k")
    w(8, "k += 1")
    w(4, "state[so], state[so + 1], state[so + 2], state[so + 3] = s0, s1, s2, s3")
    w(4, "return events, status, t")
    w(0, "")
    w(0, "")
    w(0, "def make_sampled():")
    w(4, "@cfunc(types.int64(i64p, f64p, types.int64, types.float64, f64p, u64p, types.int64, "
         "i64p, f64p), error_model='numpy')")
    w(4, "def sampled(n0p, timesp, K, t_end, cp, statep, max_events, outp, infop):")
    w(8, "e, s, t = core_sampled(n0p, timesp, K, t_end, cp, statep, 0, max_events, outp, 0)")
    w(8, "infop[0] = t")
    w(8, "infop[1] = s")
    w(8, "return e")
    w(4, "return sampled")
    w(0, "")
    w(0, "")
    w(0, "def make_ensemble():")
    w(4, "@cfunc(types.int64(types.int64, types.int64, i64p, f64p, types.int64, types.float64, "
         "f64p, u64p, types.int64, i64p, i64p, i64p), error_model='numpy')")
    w(4, "def ensemble(lo, hi, n0p, timesp, K, t_end, cp, statesp, max_events, outp, eventsp, "
         "statusp):")
    w(8, "for i in range(lo, hi):")
    w(12, "e, s, _ = core_sampled(n0p, timesp, K, t_end, cp, statesp, 4 * i, max_events, outp, "
          "i * K * N)")
    w(12, "eventsp[i] = e")
    w(12, "statusp[i] = s")
    w(8, "return 0")
    w(4, "return ensemble")
    w(0, "")
    w(0, "")
    # ---- every event recorded, resumable: fills the buffers up to `cap` events and returns
    w(0, "def make_every():")
    w(4, "@cfunc(types.int64(f64p, f64p, u64p, types.float64, f64p, i64p, types.int64, f64p, "
         "i64p, i64p, types.int64), error_model='numpy')")
    w(4, "def every(n0, ctx, state, t_end, c, chan_id, max_events, ts, out, ch, cap):")
    w(8, "so = 0")
    w(8, "oo = 0")
    prologue(8)
    w(8, "t = ctx[0]")
    w(8, "events = 0")
    w(8, "status = 0")
    w(8, "sel = 0")
    w(8, "while True:")
    w(12, "if events >= cap:  # buffers full: the caller grows them and calls again")
    w(16, "status = 3")
    w(16, "break")
    total(12)
    w(12, "if not a0 < np.inf:")
    w(16, "status = 2")
    w(16, "break")
    w(12, "if a0 <= 0.0:")
    w(16, "break")
    draw(12, "u1", open0=True)
    w(12, "t_new = t - np.log(u1) / a0")
    w(12, "if t_new > t_end:")
    w(16, "break")
    w(12, "if events >= max_events:")
    w(16, "status = 1")
    w(16, "break")
    draw(12, "u2", open0=False)
    w(12, "r = u2 * a0")
    choose_and_fire(12, every=True, on_none="break")
    w(12, "t = t_new")
    w(12, "ts[events] = t")
    store(12, "events")
    w(12, "ch[events] = chan_id[sel]")
    w(12, "events += 1")
    for i in range(N):
        w(8, f"n0[{i}] = n_{i}")
    w(8, "ctx[0] = t")
    w(8, "ctx[1] = status")
    w(8, "state[0], state[1], state[2], state[3] = s0, s1, s2, s3")
    w(8, "return events")
    w(4, "return every")
    return w.text()
