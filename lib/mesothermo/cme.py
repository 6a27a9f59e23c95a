r"""The chemical master equation on a truncated lattice (finite state projection).

The copy numbers :math:`n \in \mathbb{N}^N` of a network evolve as the continuous-time Markov
chain of Ge–Qian's assumptions (i)–(ii) (each reaction direction fires at rate
:math:`r_{\pm\ell}(n)` with exponential waiting times). Its law :math:`p(n, t)` obeys the
chemical master equation, which the seed uses but does not print (van Kampen 2007, ch. V)

.. math::

    \frac{\partial p(n,t)}{\partial t} = \sum_{\ell=1}^{M} \Big[
        r_{+\ell}(n-\nu_\ell)\,p(n-\nu_\ell,t) - r_{+\ell}(n)\,p(n,t)
      + r_{-\ell}(n+\nu_\ell)\,p(n+\nu_\ell,t) - r_{-\ell}(n)\,p(n,t) \Big],

written here as :math:`\dot p = A p` with the generator :math:`A` (columns index the source
state, rows the target). The lattice is truncated to the box :math:`0 \le n_i \le n^{\max}_i`
and, when the network has conservation laws :math:`\nu L^T = 0`, to the one stoichiometric
compatibility class :math:`\{n : L n = L n_0\}` of a given :math:`n_0`.

Truncation (Munsky and Khammash's finite state projection, J. Chem. Phys. 124, 044104, 2006):
a transition from a state in the box to a state outside it is removed from the off-diagonal
part of :math:`A` and kept in the diagonal, so that probability which would leave the box is
lost. The columns of :attr:`CME.generator` therefore sum to minus the rate of leaving the box,
and :math:`\sum_n p(n,t)` decreases by exactly the integrated boundary outflow
:math:`\int_0^t \sum_n p(n,s)\, r_{\rm out}(n)\, ds` (:meth:`CME.boundary_outflow`). The FSP
solution is a lower bound on the true one, and the lost mass bounds its 1-norm error.

For the stationary law the leak is closed instead (a reflecting boundary): the leaking
transitions are also removed from the diagonal, the truncated chain conserves probability and
has a stationary law, and the outflow that the removed transitions would carry,
:meth:`CME.boundary_outflow` evaluated at that law, is the FSP error rate one should keep
small compared with the typical rates of the chain.

References
----------
B. Munsky and M. Khammash, "The finite state projection algorithm for the solution of the
chemical master equation", J. Chem. Phys. 124, 044104 (2006).
W. K. Grassmann, M. I. Taksar and D. P. Heyman, "Regenerative analysis and steady state
distributions for Markov chains", Oper. Res. 33, 1107 (1985) (the GTH algorithm).
A. H. Al-Mohy and N. J. Higham, "Computing the action of the matrix exponential", SIAM J. Sci.
Comput. 33, 488 (2011) (``expm_multiply``).
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed., Elsevier (2007).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from . import _kinetics
from ._validation import check_counts, check_network, check_species, check_volume
from ._lattice import jump_rates, lattice_states
from .markov import Evolution, MarkovChain, StationaryLaw
from .network import Network

__all__ = ["CME"]



def _check_max_counts(max_counts, N: int) -> np.ndarray:
    """One bound per species (an int applies to all), checked as counts are."""
    if isinstance(max_counts, numbers.Integral) and not isinstance(max_counts, bool):
        max_counts = [int(max_counts)] * N
    return check_counts(max_counts, N, "max_counts")


class CME:
    r"""The chemical master equation of ``net`` at volume ``V`` on a truncated lattice.

    Parameters
    ----------
    net : Network
        Mass-action or general rate laws (the propensities are evaluated with
        ``net.propensities``, so callables work).
    V : float
        Volume, > 0. Propensities follow Kurtz's convention (see :mod:`mesothermo.network`).
    max_counts : int or sequence of int, shape (N,)
        The box :math:`0 \le n_i \le` ``max_counts[i]``; an int applies to every species.
    n0 : sequence of int, shape (N,), optional
        A state in the box. Required when the network has conservation laws: the lattice is
        then the compatibility class :math:`\{n : L n = L n_0\}` within the box, where
        :math:`L` = ``net.conservation_laws()`` (see :attr:`conservation_laws` and
        :attr:`class_totals`). Without conservation laws it is only checked, and the whole
        box is used.

    Attributes
    ----------
    states : ndarray of int, shape (S, N)
        The lattice states, in lexicographic order (last species fastest).
    generator : scipy.sparse.csr_matrix, shape (S, S)
        :math:`A` with :math:`\dot p = A p`; column :math:`n` sums to minus the rate of leaving
        the box from :math:`n` (the FSP leak).
    N_states : int
        :math:`S`.
    max_counts : ndarray of int, shape (N,)
        The box; ``shape = tuple(max_counts + 1)`` is the shape of :meth:`to_grid` arrays.
    conservation_laws : ndarray of int, shape (K, N)
        :math:`L`, the integer basis from :meth:`Network.conservation_laws`.
    class_totals : ndarray of int, shape (K,)
        The conserved totals :math:`L n_0` selecting the class (empty when K = 0).

    Notes
    -----
    The generator is built without Python loops over states: the propensities of all states
    at once, the targets :math:`n \pm \nu_\ell` by index arithmetic on the box (mixed radix)
    and a sorted lookup to class indices. Targets inside the box always lie in the class
    (:math:`L\nu_\ell = 0`), so the only truncation is by the box.

    Examples
    --------
    >>> import mesothermo as mt
    >>> cme = mt.CME(mt.models.immigration_death(k_in=10, k_out=1), V=1.0, max_counts=60)
    >>> law = cme.stationary()
    >>> round(float(cme.mean(law.p)[0]), 10)
    10.0
    """

    def __init__(self, net: Network, V: float, max_counts, n0=None):
        self.net = check_network(net)
        self.V = check_volume(V)
        N = net.N
        self.max_counts = _check_max_counts(max_counts, N)
        self.shape = tuple(int(m) + 1 for m in self.max_counts)
        L = net.conservation_laws()
        self.conservation_laws = L
        if n0 is None:
            if L.shape[0] > 0:
                laws = "; ".join(_law_text(row, net.species) for row in L)
                raise ValueError(
                    "`n0` is required: the network has conservation laws (" + laws + "), and "
                    "`n0` selects the compatibility class of the lattice.")
            self.n0 = None
        else:
            n0 = check_counts(n0, N, "n0")
            if np.any(n0 > self.max_counts):
                raise ValueError(f"`n0` must lie in the box 0 <= n <= max_counts = "
                                 f"{self.max_counts.tolist()}; got {n0.tolist()}.")
            self.n0 = n0
        self.class_totals = (L @ self.n0).astype(np.int64) if L.shape[0] else np.zeros(0, np.int64)
        self._strides = np.array([int(np.prod(self.shape[i + 1:], dtype=np.int64))
                                  for i in range(N)], np.int64)
        self.states = lattice_states(L, self.shape, self.max_counts, self.class_totals)
        self.states.setflags(write=False)
        self._flat = self.states @ self._strides
        self._build()
        self._chain: MarkovChain | None = None

    # ------------------------------------------------------------------------------------------
    # construction
    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        net, S = self.net, self.states.shape[0]
        rp, rm = _kinetics.propensities(net, self.states, self.V)
        rp = np.asarray(rp, float).reshape(S, net.M)
        rm = np.asarray(rm, float).reshape(S, net.M)
        if not (np.all(np.isfinite(rp)) and np.all(np.isfinite(rm))):
            raise ValueError("the propensities are not finite on the lattice; check the rate "
                             "constants and `max_counts`.")
        self._rp, self._rm = rp, rm
        self._offdiag, self._leak = jump_rates(self.states, self._flat, self._strides,
                                               self.max_counts, net.nu, rp, rm)
        self._exit_inside = np.asarray(self._offdiag.sum(axis=0)).ravel()  # moves within
        self._generator = (self._offdiag - sp.diags(self._exit_inside + self._leak)).tocsr()
        self._generator.sort_indices()

    # ------------------------------------------------------------------------------------------
    # basic properties
    # ------------------------------------------------------------------------------------------
    @property
    def N_states(self) -> int:
        """The number S of lattice states."""
        return int(self.states.shape[0])

    @property
    def generator(self) -> sp.csr_matrix:
        r"""The FSP generator :math:`A` (S, S), CSR: :math:`\dot p = A p`.

        :math:`A_{mn}` is the rate of the jump :math:`n \to m`; :math:`A_{nn}` is minus the total
        rate of leaving :math:`n`, including jumps out of the box, so column :math:`n` sums to
        :math:`-r_{\rm out}(n)`, zero away from the boundary.
        """
        return self._generator

    @property
    def reflecting_generator(self) -> sp.csr_matrix:
        """The generator with the boundary closed (leaking jumps suppressed): columns sum to 0.

        This is the chain whose stationary law :meth:`stationary` returns.
        """
        return (self._offdiag - sp.diags(self._exit_inside)).tocsr()

    @property
    def outflow_rates(self) -> np.ndarray:
        r"""Rate :math:`r_{\rm out}(n)` of jumps leaving the box from each state, shape (S,)."""
        return self._leak.copy()

    @property
    def propensities(self):
        """``(r_plus, r_minus)``, each (S, M): the propensities at every lattice state."""
        return self._rp.copy(), self._rm.copy()

    def __repr__(self) -> str:
        cls = (f", class L n = {self.class_totals.tolist()}" if self.class_totals.size else "")
        return (f"CME(species={list(self.net.species)}, V={self.V:g}, "
                f"max_counts={self.max_counts.tolist()}, S={self.N_states}{cls})")

    def index(self, n) -> int:
        """The lattice index of state ``n`` (shape (N,)), so that ``states[index(n)] == n``."""
        n = check_counts(n, self.net.N, "n")
        if np.any(n > self.max_counts):
            raise ValueError(f"`n` must lie in the box 0 <= n <= max_counts = "
                             f"{self.max_counts.tolist()}; got {n.tolist()}.")
        flat = int(n @ self._strides)
        i = int(np.searchsorted(self._flat, flat))
        if i >= self.N_states or self._flat[i] != flat:
            raise ValueError(f"`n` = {n.tolist()} is not in the compatibility class "
                             f"L n = {self.class_totals.tolist()} of this lattice.")
        return i

    def _check_p(self, p, name: str = "p", finite: bool = True) -> np.ndarray:
        if p is None:
            return self.stationary().p
        try:
            arr = np.asarray(p, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`{name}` must be an array of probabilities of shape "
                            f"({self.N_states},).") from None
        if arr.shape != (self.N_states,):
            raise ValueError(f"`{name}` must have shape ({self.N_states},), one value per "
                             f"lattice state; got shape {arr.shape}.")
        if finite and not np.all(np.isfinite(arr)):
            raise ValueError(f"`{name}` must be finite.")
        return arr

    # ------------------------------------------------------------------------------------------
    # stationary law, evolution (solved by mesothermo.markov)
    # ------------------------------------------------------------------------------------------
    def _anchor(self) -> int:
        """A state near a fixed point of the drift, used to pin the normalisation of LU."""
        drift = (self._rp - self._rm) @ self.net.nu  # (S, N)
        total = (self._rp + self._rm).sum(axis=1) + 1e-300
        return int(np.argmin(np.linalg.norm(drift, axis=1) / total))

    @property
    def chain(self) -> MarkovChain:
        """The reflecting chain as a :class:`mesothermo.markov.MarkovChain` (built once)."""
        if self._chain is None:
            self._chain = MarkovChain(self.reflecting_generator)
        return self._chain

    def _with_outflow(self, law: StationaryLaw) -> StationaryLaw:
        return law._replace(outflow=float(law.p @ self._leak))

    def stationary(self, method: str = "auto") -> StationaryLaw:
        r"""The stationary law :math:`p^{ss}` of the truncated chain, as a :class:`StationaryLaw`.

        Solves :math:`A_{\rm refl}\, p = 0` (the master equation at stationarity) with the
        reflecting generator (:attr:`reflecting_generator`: the box is closed instead of
        leaking) by :meth:`mesothermo.markov.MarkovChain.stationary`:

        ``"gth"``
            GTH state reduction in log space: subtraction-free, every :math:`p(n)` with a small
            *relative* error; exact to round-off for one-step chains, and the right choice for
            multistable networks at large volume.
        ``"lu"``
            Sparse LU pinned at a state near a zero of the drift. Seconds for 250,000 states.
            Caveat: for a metastable chain the relative weights of the basins can be wrong by
            orders of magnitude although the residual is at round-off (the Schlögl model at
            V = 200: upper-basin weight 0.99997 by LU, 1.487e-10 exactly); use ``"gth"``.
        ``"auto"`` (default)
            ``"gth"`` when its cost :math:`S b^2` (band :math:`b`) is at most 2e8, else ``"lu"``.

        Returns
        -------
        StationaryLaw
            ``p`` (S,) summing to 1 (read-only), ``log_p`` (GTH only), ``method``,
            ``residual`` :math:`\lVert A_{\rm refl}p\rVert_1/\max_n|A_{nn}|` (typically
            1e-16–1e-13; above 1e-8 raises: the truncated chain is reducible) and ``outflow``,
            the FSP error rate :math:`\sum_n p(n) r_{\rm out}(n)` of this truncation.
        """
        return self._with_outflow(self.chain.stationary(method, anchor=self._anchor()))

    def log_stationary(self, method: str = "auto") -> StationaryLaw:
        r""":math:`\ln p^{ss}(n)` resolved far below 1e-300, as a :class:`StationaryLaw`.

        The stationary law of the reflecting chain (as :meth:`stationary`) by
        :meth:`mesothermo.markov.MarkovChain.log_stationary`: GTH state reduction with a
        log-space back-substitution (for a one-step chain exactly the product formula
        :math:`\ln p(n+1) - \ln p(n) = \ln r^{\uparrow}(n) - \ln r^{\downarrow}(n+1)`), or LU in
        a scaled basis. ``log_p`` is normalised (:math:`\sum e^{\ln p} = 1`) and ``-inf`` at
        states the stationary chain never visits; its relative accuracy is ~1e-13 (tested
        against the exact log-Poisson down to :math:`p \approx 10^{-2500}`); ``residual`` is the
        log-space balance residual :math:`\max_n |\ln \text{inflow}_n - \ln \text{outflow}_n|`.
        """
        return self._with_outflow(self.chain.log_stationary(method, anchor=self._anchor()))

    def evolve(self, p0, times, method: str = "auto") -> Evolution:
        r"""Transient law :math:`p(t) = e^{A t} p_0` at the given times, as an :class:`Evolution`.

        ``p0`` is the law at time 0 (shape (S,), non-negative), e.g.
        ``np.eye(cme.N_states)[cme.index(n0)]``. The FSP generator is used, so probability leaves
        through the box boundary, and ``mass_lost`` of the result reports it:

        .. math::

            \sum_n p(n,t) + \int_0^t \sum_n p(n,s)\, r_{\rm out}(n)\,ds = \sum_n p_0(n).

        Methods (:meth:`mesothermo.markov.MarkovChain.evolve`): ``"expm"``
        (``expm_multiply``; the sum is conserved to ~1e-14), ``"dense"`` (``expm`` per distinct
        step, S <= 10,000; ~1e-11), ``"bdf"`` (BDF with the exact Jacobian, rtol 1e-10,
        atol 1e-14; ~1e-13, the law within ~1e-9 of the exponential in the 1-norm); ``"auto"``
        takes expm when :math:`\lVert A\rVert_1 t_{\max} \le 5000`, else dense when S <= 2000,
        else BDF. The result's ``p`` has shape (T, S).
        """
        return MarkovChain(self._generator).evolve(p0, times, method)

    # ------------------------------------------------------------------------------------------
    # summaries
    # ------------------------------------------------------------------------------------------
    def marginal(self, i, p=None) -> np.ndarray:
        r"""Marginal law of species ``i`` (index or name), shape (max_counts[i] + 1,).

        :math:`p_i(m) = \sum_{n : n_i = m} p(n)`; ``p=None`` uses :meth:`stationary`.
        """
        i = check_species(i, self.net.species, "i")
        p = self._check_p(p)
        return np.bincount(self.states[:, i], weights=p, minlength=int(self.max_counts[i]) + 1)

    def mean(self, p=None) -> np.ndarray:
        r"""Mean copy numbers :math:`\sum_n n\,p(n)`, shape (N,) (divide by V for x)."""
        p = self._check_p(p)
        return p @ self.states

    def boundary_outflow(self, p=None) -> float:
        r"""Rate at which probability leaves the box, :math:`\sum_n p(n)\,r_{\rm out}(n)`.

        With ``p=None`` (the stationary law of the reflecting chain) this is the FSP error
        rate: the flux that the truncation suppresses. Keep it small compared with the
        chain's typical rates (or the inverse of the time scale of interest).
        """
        p = self._check_p(p)
        return float(p @ self._leak)

    def reaction_flux(self, p=None) -> np.ndarray:
        r"""Net flux of each reaction :math:`J_\ell = \sum_n p(n)\,(r_{+\ell}(n) - r_{-\ell}(n))`,
        shape (M,).

        At a detailed-balanced stationary law every :math:`J_\ell` vanishes (detailed balance,
        whose macroscopic form is Ge–Qian Eq. 9); a nonzero value is the stationary current of
        a driven network.
        """
        p = self._check_p(p)
        return p @ (self._rp - self._rm)

    def mean_first_passage_time(self, target, p0=None):
        r"""Mean first-passage (hitting) time of the set ``target``, by the backward equation.

        The mean time :math:`\tau(n)` for the chain started at :math:`n` to first enter the set
        :math:`T` solves the backward equation, the adjoint of the master equation
        :math:`\dot p = Ap` (van Kampen 2007, ch. XII):

        .. math::

            \sum_{m} A_{mn}\,\tau(m) = -1 \quad (n \notin T), \qquad \tau(n) = 0 \quad (n \in T),

        i.e. :math:`A^T\tau = -1` restricted to the states outside :math:`T`. It is solved
        exactly (one sparse LU, ``scipy.sparse.linalg.spsolve``) with the
        :attr:`reflecting_generator`: the box is closed, not leaking, so a path that would
        leave it stays on the lattice. The seeds print no equation for it; the book uses it
        to test the Arrhenius law :math:`\ln\tau \simeq V\Delta\varphi^{ss}` that follows
        from Ge–Qian Eq. 8, at volumes where simulation cannot wait for a switch.

        For a one-step chain the solution is the classical sum over the stationary weights
        (tested to 1e-10). States from which :math:`T` is not reached surely get ``inf``; the
        relative error is about :math:`10^{-16}\tau\max_n|A_{nn}|`
        (:meth:`mesothermo.markov.MarkovChain.mean_first_passage_time`).

        Parameters
        ----------
        target : array_like of bool, shape (S,), or callable
            The set :math:`T`: a mask over :attr:`states`, or a function of the states array
            (S, N) returning that mask, e.g. ``lambda n: n[:, 0] >= 40``. Must not be empty.
        p0 : array_like, shape (S,), optional
            A law of the starting state. Default: return :math:`\tau` from every state.

        Returns
        -------
        ndarray, shape (S,), or float
            :math:`\tau(n)` for every lattice state (0 on :math:`T`, ``inf`` where
            :math:`T` is not reached almost surely), in the time unit of the rate constants;
            with ``p0``, the mean :math:`\sum_n p_0(n)\tau(n)`.

        Examples
        --------
        Pure death :math:`X\to\emptyset` at rate :math:`k n`: from :math:`n` to 0 takes
        :math:`\sum_{k=1}^{n} 1/k` on average.

        >>> import mesothermo as mt
        >>> cme = mt.CME(mt.Network.from_string("X -> 0 ; 1"), V=1.0, max_counts=3)
        >>> tau = cme.mean_first_passage_time(lambda n: n[:, 0] == 0)
        >>> round(float(tau[3]), 12)
        1.833333333333
        """
        mask = target(self.states) if callable(target) else target
        return self.chain.mean_first_passage_time(mask, p0)

    def to_grid(self, p) -> np.ndarray:
        """Values on the lattice placed in an array shaped by the box (NaN outside the class).

        ``p`` has shape (S,), any values (``-inf`` from :meth:`log_stationary` included); the
        result has shape ``tuple(max_counts + 1)``, indexed by the copy numbers, e.g.
        ``grid[n_X, n_Y]`` for 2-D plots (``pcolormesh(grid.T)``).
        """
        p = self._check_p(p, finite=False)
        grid = np.full(self.shape, np.nan)
        grid.reshape(-1)[self._flat] = p
        return grid


def _law_text(row, species) -> str:
    terms = []
    for c, s in zip(row, species):
        if c:
            terms.append(f"n_{s}" if c == 1 else f"{c} n_{s}")
    return " + ".join(terms).replace("+ -", "- ")
