"""The live (kernel) face of an interactive figure: one ipywidgets control per slider.

Part of :mod:`mesothermo.widgets`; :meth:`InteractiveFigure.widget
<mesothermo.widgets.InteractiveFigure.widget>` builds the controls with these helpers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .slider import Slider, format_value, is_number

__all__ = ["cache_key", "live_control", "control_value"]


def cache_key(value: Any) -> Any:
    """A cache key for a slider value: numbers to 12 significant digits."""
    return float(f"{float(value):.12g}") if is_number(value) else value


def live_control(ipw: Any, s: Slider) -> Any:
    """The ipywidgets control for one slider's live face (see :meth:`InteractiveFigure.widget`)."""
    common = dict(description=s.label, continuous_update=False, readout=True,
                  style={"description_width": "initial"}, layout=ipw.Layout(width="32em"))
    if s.live is None:
        return ipw.SelectionSlider(options=[(lab, i) for i, lab in enumerate(s.labels)],
                                   value=s.index, **common)
    if not isinstance(s.live, str):
        options: dict[str, Any] = {}
        for v in sorted(set(s.live_values) | set(s.values)):
            i = s.grid_index(v)
            options.setdefault(format_value(s, v), s.values[i] if i is not None else v)
        return ipw.SelectionSlider(options=list(options.items()), value=s.value, **common)
    lo, hi = float(min(s.values)), float(max(s.values))
    if s.live == "integer":
        return ipw.IntSlider(min=int(lo), max=int(hi), step=1, value=int(s.value), **common)
    if s.live == "log":
        a, b = np.log10(lo), np.log10(hi)
        return ipw.FloatLogSlider(base=10, min=a, max=b, step=(b - a) / 500,
                                  value=float(s.value), readout_format=".4g", **common)
    return ipw.FloatSlider(min=lo, max=hi, step=(hi - lo) / 1000, value=float(s.value),
                           readout_format=".4g", **common)


def control_value(s: Slider, control: Any) -> Any:
    """The parameter value a live control shows (a grid value when it sits on one)."""
    if s.live is None:
        return s.values[control.value]
    value = control.value
    i = s.grid_index(value)
    return s.values[i] if i is not None else value
