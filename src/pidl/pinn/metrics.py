"""Evaluar una red entrenada: ``predict`` (sin grafo, a NumPy) y ``relative_l2``."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["predict", "relative_l2"]


def predict(model: nn.Module, points: torch.Tensor) -> np.ndarray:
    """Evalúa ``model`` en ``points: (N, d)`` sin grafo y devuelve un arreglo de NumPy (float64).

    Una salida escalar ``(N, 1)`` vuelve plana, ``(N,)``; una salida de ``k > 1``
    componentes vuelve como ``(N, k)`` (una columna por componente).
    Para figuras y errores: ``relative_l2(predict(model, pts), u_ref)``.

    Examples
    --------
    >>> predict(nn.Linear(2, 1), torch.zeros(3, 2)).shape
    (3,)
    >>> predict(nn.Linear(2, 2), torch.zeros(3, 2)).shape
    (3, 2)
    """
    if not isinstance(points, torch.Tensor):
        raise TypeError("points debe ser un torch.Tensor (use grid_2d o torch.as_tensor).")
    with torch.no_grad():
        out = model(points).double().cpu().numpy()
    return out.reshape(-1) if out.ndim == 1 or out.shape[1:] == (1,) else out.reshape(len(out), -1)


def relative_l2(pred: torch.Tensor | np.ndarray, ref: torch.Tensor | np.ndarray) -> float:
    """Error L2 relativo ``‖pred − ref‖₂ / ‖ref‖₂`` (en float64).

    Las formas deben coincidir exactamente: ``(N,)`` contra ``(N, 1)`` se
    difundiría a ``(N, N)`` y daría un número sin sentido.

    Examples
    --------
    >>> relative_l2(torch.tensor([1.0, 2.0]), np.array([1.0, 2.5]))  # 0.5 / √7.25
    0.18569533817705186
    """
    def as_array(a: Any, name: str) -> np.ndarray:
        if isinstance(a, torch.Tensor):
            a = a.detach().cpu().to(torch.float64).numpy()
        try:
            return np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} debe ser un tensor o un arreglo numérico, no {type(a).__name__}.") from exc

    p, r = as_array(pred, "pred"), as_array(ref, "ref")
    if p.shape != r.shape:
        raise ValueError(f"pred y ref deben tener la misma forma; se recibieron {p.shape} y {r.shape}.")
    norm = float(np.linalg.norm(r))
    if norm == 0.0:
        raise ValueError("ref es idénticamente cero: el error relativo no está definido.")
    return float(np.linalg.norm(p - r)) / norm
