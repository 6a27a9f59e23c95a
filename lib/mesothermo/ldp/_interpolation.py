"""Piecewise-linear interpolation on a Delaunay triangulation of scattered 2-D points.

One job: the interpolant that :class:`~mesothermo.ldp.characteristics.Characteristics` evaluates
between its rays.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TriangleInterpolator"]


class TriangleInterpolator:
    """Piecewise-linear interpolation on the Delaunay triangulation of scattered 2-D points.

    Point location by a k-d tree over triangle centroids and vectorised barycentric
    coordinates (no per-triangle LAPACK calls, which are slow under a threaded BLAS on a busy
    machine). Points closer than 1/2000 of the box to an earlier point are merged first.
    Queries outside the triangulation give NaN.
    """

    def __init__(self, pts: np.ndarray, values: np.ndarray, scale: np.ndarray):
        from scipy.spatial import Delaunay, cKDTree
        cell = np.floor(pts / scale * 2000.0).astype(np.int64)
        _, keep = np.unique(cell, axis=0, return_index=True)
        keep = np.union1d(keep, [0])
        self.pts, self.values = pts[keep], values[keep]
        simplices = Delaunay(self.pts).simplices
        P = self.pts[simplices]
        a = P[:, 1] - P[:, 0]
        b = P[:, 2] - P[:, 0]
        det = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        ok = np.abs(det) > 1e-13 * np.prod(scale)
        self.simplices, self.origin = simplices[ok], P[ok, 0]
        a, b, det = a[ok], b[ok], det[ok]
        # inverse of the 2x2 matrix with columns a, b
        self.inv = np.stack([np.stack([b[:, 1], -b[:, 0]], -1),
                             np.stack([-a[:, 1], a[:, 0]], -1)], 1) / det[:, None, None]
        self.tree = cKDTree(P[ok].mean(axis=1))

    def __call__(self, q: np.ndarray) -> np.ndarray:
        out = np.full((q.shape[0], self.values.shape[1]), np.nan)
        todo = np.nonzero(np.all(np.isfinite(q), axis=1))[0]
        n_tri = self.simplices.shape[0]
        for k in (8, 64, 512):
            if todo.size == 0:
                break
            k = min(k, n_tri)
            _, cand = self.tree.query(q[todo], k=k)
            cand = cand.reshape(todo.size, k)
            d = q[todo, None, :] - self.origin[cand]                   # (n, k, 2)
            lam = np.einsum("nkij,nkj->nki", self.inv[cand], d)         # (n, k, 2)
            l0 = 1.0 - lam.sum(-1)
            inside = (lam[..., 0] >= -1e-10) & (lam[..., 1] >= -1e-10) & (l0 >= -1e-10)
            found = inside.any(axis=1)
            if np.any(found):
                rows = np.nonzero(found)[0]
                j = np.argmax(inside[rows], axis=1)
                tri = cand[rows, j]
                w = np.column_stack([l0[rows, j], lam[rows, j, 0], lam[rows, j, 1]])
                out[todo[rows]] = np.einsum("nk,nkv->nv", w, self.values[self.simplices[tri]])
            todo = todo[~found]
            if k == n_tri:
                break
        return out
