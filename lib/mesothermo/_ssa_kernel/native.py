"""The generated kernels' machine code: compiled once per structure, stored, loaded in ms.

A generated kernel (:mod:`.codegen`) is a numba ``cfunc``. Its optimised LLVM IR is compiled to an
object file for this machine (llvmlite, the same LLVM numba uses) and stored in the cache
directory (``$MESOTHERMO_CACHE_DIR``, by default ``~/.cache/mesothermo``). A later session loads
that object into an MCJIT engine and calls it through :mod:`ctypes`, without numba's dispatcher:
going through the dispatcher, even for a function in numba's own disk cache, first initialises
numba's typing and target contexts (0.5 s and more here), and that was the first call's cost.
The cache key covers the generated source, numba's and llvmlite's versions and the host CPU, so
an object is never loaded on a machine or toolchain it was not compiled for.

The kernels do not allocate (the caller passes every buffer) and call nothing but ``log`` from
the C library, so an object file needs no runtime beyond the process. ctypes releases the GIL
during a call, so the ensemble runs on Python threads, each on its own runs.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import threading

import numpy as np

from .codegen import CODEGEN_VERSION, generate_source

__all__ = ["GeneratedKernels", "generated_kernels", "cache_dir", "max_threads"]

_P, _I, _D = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
#: ctypes prototypes of the cfuncs of :func:`.codegen.generate_source`
_PROTOTYPES = {
    "sampled": ctypes.CFUNCTYPE(_I, _P, _P, _I, _D, _P, _P, _I, _P, _P),
    "ensemble": ctypes.CFUNCTYPE(_I, _I, _I, _P, _P, _I, _D, _P, _P, _I, _P, _P, _P),
    "every": ctypes.CFUNCTYPE(_I, _P, _P, _P, _D, _P, _P, _I, _P, _P, _P, _I),
}
STATUS_BUFFER_FULL = 3

_GENERATED: dict = {}
_ENGINES: list = []        # MCJIT engines own the loaded code: kept for the process's life
_LOCK = threading.Lock()
_TARGET = None


def cache_dir() -> str:
    """The directory of the generated sources and objects (created, writable)."""
    import tempfile

    root = os.environ.get("MESOTHERMO_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "mesothermo")
    path = os.path.join(root, "ssa_kernels")
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".probe{os.getpid()}")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError:
        path = os.path.join(tempfile.gettempdir(), "mesothermo-ssa-kernels")
        os.makedirs(path, exist_ok=True)
    return path


def _target():
    """(llvmlite binding, target machine for this host, the host's description)."""
    global _TARGET
    if _TARGET is None:
        from importlib.metadata import version

        import llvmlite
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
        triple = llvm.get_process_triple()
        tm = llvm.Target.from_triple(triple).create_target_machine(
            cpu=cpu, features=features, opt=3, reloc="default", codemodel="jitdefault",
            jit=True)
        host = f"{triple}|{cpu}|{features}|numba {version('numba')}|llvmlite " \
               f"{llvmlite.__version__}"
        _TARGET = (llvm, tm, host)
    return _TARGET


def _link(obj: bytes, name: str, symbol: str):
    """Load an object file into a new MCJIT engine; the ctypes function ``symbol`` in it."""
    llvm, tm, _ = _target()
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    address = engine.get_function_address(symbol)
    if not address:
        raise RuntimeError(f"symbol {symbol} not found in the kernel object")
    _ENGINES.append(engine)
    return _PROTOTYPES[name](address)


def _external_symbols(ir: str) -> set:
    """Functions and globals the IR uses but does not define, apart from LLVM's intrinsics.

    An object that needs any (numba's runtime, the Python C API) cannot be loaded into a process
    where numba has not set them up, so it is never stored.
    """
    import re

    declared = set(re.findall(r"^declare [^@]*@([\w.$]+)\(", ir, flags=re.M))
    declared |= set(re.findall(r"^@([\w.$\"]+) = external ", ir, flags=re.M))
    return {d for d in declared if not d.startswith("llvm.")}


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)   # atomic: concurrent writers write the same bytes


class GeneratedKernels:
    """The kernels of one network structure, behind the calling convention of :mod:`.generic`.

    Each of ``sampled``, ``every`` and ``ensemble`` is compiled (or loaded) when first used.
    """

    def __init__(self, src: str, key: str, directory: str, N: int, R: int):
        self.src, self.key, self.dir, self.N, self.R = src, key, directory, N, R
        self._fn: dict = {}
        self._module = None
        self._cfuncs: list = []   # numba's cfuncs, when their code is called directly

    # -- loading ------------------------------------------------------------------------------
    def _paths(self, name: str):
        stem = os.path.join(self.dir, f"mesothermo_ssa_{self.key}")
        return stem + ".py", f"{stem}.{name}.o", f"{stem}.{name}.sym"

    def function(self, name: str):
        """The ctypes function ``name`` ("sampled", "every", "ensemble")."""
        fn = self._fn.get(name)
        if fn is None:
            with _LOCK:
                fn = self._fn.get(name)
                if fn is None:
                    fn = self._fn[name] = self._load(name) or self._compile(name)
        return fn

    def _load(self, name: str):
        _, obj_path, sym_path = self._paths(name)
        try:
            with open(sym_path) as fh:
                symbol, digest = fh.read().split()
            with open(obj_path, "rb") as fh:
                obj = fh.read()
        except (OSError, ValueError):
            return None
        # LLVM would crash on a damaged object rather than raise: check it is the one written
        if hashlib.sha256(obj).hexdigest() != digest:
            return None
        try:
            return _link(obj, name, symbol)
        except Exception:
            return None

    def _compile(self, name: str):
        import importlib.util

        py_path, obj_path, sym_path = self._paths(name)
        if self._module is None:
            if not os.path.exists(py_path):
                _write_atomic(py_path, self.src.encode())
            modname = f"mesothermo_ssa_{self.key}"
            spec = importlib.util.spec_from_file_location(modname, py_path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[modname] = module
            spec.loader.exec_module(module)
            self._module = module
        cf = getattr(self._module, f"make_{name}")()
        try:
            ir = cf.inspect_llvm()
            external = _external_symbols(ir)
            if external:
                raise RuntimeError(f"the kernel calls {sorted(external)}: not loadable alone")
            llvm, tm, _ = _target()
            obj = tm.emit_object(llvm.parse_assembly(ir))
            fn = _link(obj, name, cf.native_name)
        except Exception:        # no object code on this platform: numba's own entry point
            self._cfuncs.append(cf)
            return _PROTOTYPES[name](cf.address)
        _write_atomic(obj_path, obj)
        # written last, with the object's checksum: a complete, intact pair or nothing
        _write_atomic(sym_path, f"{cf.native_name}\n{hashlib.sha256(obj).hexdigest()}\n".encode())
        return fn

    # -- the calling convention of the generic kernels ------------------------------------------
    def direct_sampled(self, n0, times, t_end, c, state, max_events, out):
        """One path recorded at ``times`` into ``out``; ``(events, status, t_stop)``."""
        n0 = np.ascontiguousarray(n0, np.int64)
        times = np.ascontiguousarray(times, np.float64)
        c = np.ascontiguousarray(c, np.float64)
        st = _writable(state, np.uint64)
        buf = _writable(out, np.int64)
        info = np.zeros(2)
        events = self.function("sampled")(
            n0.ctypes.data, times.ctypes.data, len(times), float(t_end), c.ctypes.data,
            st.ctypes.data, int(max_events), buf.ctypes.data, info.ctypes.data)
        _copy_back(st, state)
        _copy_back(buf, out)
        return int(events), int(info[1]), float(info[0])

    def direct_every(self, n0, t_end, c, chan_id, state, max_events, capacity):
        """One path recorded at every event: ``(t (K,), n (K, N), channel (K-1,), status)``."""
        c = np.ascontiguousarray(c, np.float64)
        chan_id = np.ascontiguousarray(chan_id, np.int64)
        st = _writable(state, np.uint64)
        nf = np.array(n0, dtype=np.float64)
        ctx = np.zeros(2)
        fn = self.function("every")
        cap = max(int(capacity), 16)
        ts_parts, n_parts, ch_parts = [np.zeros(1)], [np.asarray(n0, np.int64).reshape(1, -1)], []
        done = 0
        while True:
            ts = np.empty(cap)
            ns = np.empty((cap, self.N), np.int64)
            ch = np.empty(cap, np.int64)
            k = fn(nf.ctypes.data, ctx.ctypes.data, st.ctypes.data, float(t_end), c.ctypes.data,
                   chan_id.ctypes.data, int(max_events) - done, ts.ctypes.data, ns.ctypes.data,
                   ch.ctypes.data, cap)
            ts_parts.append(ts[:k])
            n_parts.append(ns[:k])
            ch_parts.append(ch[:k])
            done += k
            status = int(ctx[1])
            if status != STATUS_BUFFER_FULL:
                break
            cap = min(2 * cap, 1 << 24)
        _copy_back(st, state)
        return (np.concatenate(ts_parts), np.concatenate(n_parts),
                np.concatenate(ch_parts), status)

    def direct_ensemble(self, n0, times, t_end, c, states, max_events, out, events, status,
                        threads=None):
        """``runs`` paths on ``threads`` Python threads (ctypes drops the GIL); by default, and
        at most, numba's thread count :func:`max_threads`."""
        n0 = np.ascontiguousarray(n0, np.int64)
        times = np.ascontiguousarray(times, np.float64)
        c = np.ascontiguousarray(c, np.float64)
        st = _writable(states, np.uint64)
        o, e, s = _writable(out, np.int64), _writable(events, np.int64), _writable(status, np.int64)
        runs = len(st)
        fn = self.function("ensemble")
        ptrs = (n0.ctypes.data, times.ctypes.data, len(times), float(t_end), c.ctypes.data,
                st.ctypes.data, int(max_events), o.ctypes.data, e.ctypes.data, s.ctypes.data)
        limit = max_threads()
        threads = min(limit if threads is None else min(int(threads), limit), runs)
        if threads <= 1:
            fn(0, runs, *ptrs)
        else:
            from concurrent.futures import ThreadPoolExecutor

            chunks = min(runs, 8 * threads)     # small enough to balance uneven runs
            bounds = [runs * i // chunks for i in range(chunks + 1)]
            with ThreadPoolExecutor(threads) as pool:
                for f in [pool.submit(fn, lo, hi, *ptrs) for lo, hi in zip(bounds, bounds[1:])]:
                    f.result()
        for a, b in ((st, states), (o, out), (e, events), (s, status)):
            _copy_back(a, b)


def max_threads() -> int:
    """numba's ``NUMBA_NUM_THREADS``, the most threads a parallel kernel may use, without
    importing numba for it: the environment variable, else the CPUs this process may run on
    (numba's default)."""
    numba = sys.modules.get("numba")
    if numba is not None:
        return int(numba.config.NUMBA_NUM_THREADS)
    env = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _writable(a: np.ndarray, dtype) -> np.ndarray:
    """``a`` itself when the kernel can write into it directly, else a contiguous copy."""
    if a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.ascontiguousarray(a, dtype=dtype)


def _copy_back(buf: np.ndarray, a: np.ndarray) -> None:
    if buf is not a:
        a[...] = buf


def generated_kernels(reac: np.ndarray, delta: np.ndarray, deps) -> GeneratedKernels:
    """The kernels generated for one network structure (compiled once per machine, cached).

    ``reac`` and ``delta`` are the (R, N) reactant and net-change matrices of the kept channels,
    ``deps[j]`` the ascending list of channels to recompute after channel ``j`` fires.
    """
    src = generate_source(reac, delta, deps)
    directory = cache_dir()
    _, _, host = _target()
    key = hashlib.sha256(f"{CODEGEN_VERSION}\n{host}\n{src}".encode()).hexdigest()[:20]
    kernels = _GENERATED.get((key, directory))
    if kernels is None:
        kernels = _GENERATED[(key, directory)] = GeneratedKernels(src, key, directory,
                                                                  reac.shape[1], reac.shape[0])
    return kernels
