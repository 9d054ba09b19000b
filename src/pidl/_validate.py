"""Comprobaciones de argumentos que repiten varios módulos (privado).

Cada una devuelve el valor ya convertido o lanza un error que nombra el
argumento, lo que se recibió y lo que se esperaba.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

Bounds = Sequence[float] | torch.Tensor | np.ndarray


def check_int(value: Any, name: str, minimum: int = 1) -> int:
    """``value`` como ``int`` si es un entero ``≥ minimum`` (``True`` no cuenta como entero).

    Examples
    --------
    >>> check_int(3, "n")
    3
    >>> check_int(0, "adam_iters", minimum=0)
    0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} debe ser un entero ≥ {minimum}; se recibió {value!r}.")
    return int(value)


def check_positive(value: Any, name: str) -> float:
    """``value`` como ``float`` si es un número finito y positivo.

    Examples
    --------
    >>> check_positive(1e-3, "adam_lr")
    0.001
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number > 0 or not math.isfinite(number):
        raise ValueError(f"{name} debe ser positivo; se recibió {value!r}.")
    return number


def check_bounds(lower: Bounds, upper: Bounds, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Las cotas de una caja como dos tensores float64 de forma ``(d,)``, con ``lower < upper``.

    Examples
    --------
    >>> check_bounds([0, -1], [1, 1])
    (tensor([ 0., -1.], dtype=torch.float64), tensor([1., 1.], dtype=torch.float64))
    """
    lo = torch.as_tensor(np.asarray(lower, dtype=np.float64).reshape(-1))
    hi = torch.as_tensor(np.asarray(upper, dtype=np.float64).reshape(-1))
    if lo.shape != hi.shape or lo.numel() == 0:
        raise ValueError(
            f"lower y upper deben tener el mismo largo d ≥ 1; se recibieron {tuple(lo.shape)} y {tuple(hi.shape)}."
        )
    if dim is not None and lo.numel() != dim:
        raise ValueError(f"lower y upper tienen largo {lo.numel()}, pero la entrada tiene d={dim}.")
    if not torch.isfinite(lo).all() or not torch.isfinite(hi).all():
        raise ValueError("lower y upper deben ser finitos.")
    bad = (lo >= hi).nonzero().flatten().tolist()
    if bad:
        j = bad[0]
        raise ValueError(f"lower debe ser menor que upper: en la dimensión {j}, {lo[j].item()} ≥ {hi[j].item()}.")
    return lo, hi
