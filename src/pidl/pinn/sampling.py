"""Puntos de colocación: uniformes, de Sobol, sobre el borde de una caja, una
malla para dibujar y el refinamiento adaptativo por residuo.

Todos devuelven ``(N, d)`` y reciben ``dtype`` y ``device``; los sorteos usan
un generador de CPU, así que la muestra es la misma en cualquier dispositivo.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .._validate import Bounds, check_bounds, check_int
from ..device import offset_seed

__all__ = ["sample_uniform", "sample_sobol", "sample_box_boundary", "grid_2d", "resample_adaptive"]


def sample_uniform(
    n: int,
    lower: Bounds,
    upper: Bounds,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``n`` puntos uniformes (pseudoaleatorios) en la caja ``[lower, upper]``: forma ``(n, d)``.

    El generador (de CPU) hace reproducible la muestra en cualquier dispositivo.

    Examples
    --------
    >>> x = sample_uniform(4, [0, -1], [1, 1], generator=torch.Generator().manual_seed(0))
    >>> x.shape, bool((x[:, 1] >= -1).all())
    (torch.Size([4, 2]), True)
    """
    n = check_int(n, "n")
    lo, hi = check_bounds(lower, upper)
    u = torch.rand(n, lo.numel(), generator=generator, dtype=torch.float64)
    return (lo + (hi - lo) * u).to(device=device, dtype=dtype)


def sample_sobol(
    n: int,
    lower: Bounds,
    upper: Bounds,
    *,
    seed: int = 0,
    scramble: bool = True,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``n`` puntos de la secuencia de Sobol (cuasialeatoria) en ``[lower, upper]``: ``(n, d)``.

    Cubren el dominio más parejo que los uniformes (sin huecos ni grumos); con
    la misma ``seed`` se obtienen los mismos puntos. La mezcla (``scramble``)
    usa ``offset_seed(seed)``, así que ``PIDL_SEED_OFFSET`` también la mueve.

    Examples
    --------
    >>> a = sample_sobol(8, [0.0], [1.0], seed=1)
    >>> torch.equal(a, sample_sobol(8, [0.0], [1.0], seed=1)), a.shape
    (True, torch.Size([8, 1]))
    """
    n = check_int(n, "n")
    lo, hi = check_bounds(lower, upper)
    engine = torch.quasirandom.SobolEngine(lo.numel(), scramble=scramble, seed=offset_seed(seed))
    u = engine.draw(n, dtype=torch.float64)
    return (lo + (hi - lo) * u).to(device=device, dtype=dtype)


def sample_box_boundary(
    n: int,
    lower: Bounds,
    upper: Bounds,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``n`` puntos sobre el borde de la caja ``[lower, upper]``: forma ``(n, d)``.

    Los puntos se reparten por turnos entre las ``2d`` caras (la misma cantidad
    en cada una, ±1) y dentro de cada cara se sortean uniformes. En 2-D, las
    caras son los cuatro lados: ``x = lower[0]``, ``x = upper[0]``,
    ``y = lower[1]``, ``y = upper[1]``.

    Examples
    --------
    >>> b = sample_box_boundary(8, [0, 0], [1, 2], generator=torch.Generator().manual_seed(0))
    >>> on_face = (b[:, 0] == 0) | (b[:, 0] == 1) | (b[:, 1] == 0) | (b[:, 1] == 2)
    >>> b.shape, bool(on_face.all())
    (torch.Size([8, 2]), True)
    """
    n = check_int(n, "n")
    lo, hi = check_bounds(lower, upper)
    d = lo.numel()
    points = lo + (hi - lo) * torch.rand(n, d, generator=generator, dtype=torch.float64)
    face = torch.arange(n) % (2 * d)
    dim, side = face // 2, face % 2               # cara k: coordenada k // 2 fija en lower o upper
    fixed = torch.where(side == 0, lo[dim], hi[dim])
    points[torch.arange(n), dim] = fixed
    return points.to(dtype=dtype, device=device)


def grid_2d(
    lower: Bounds,
    upper: Bounds,
    n: int | tuple[int, int] = 101,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
    """Malla regular de la caja 2-D ``[lower, upper]`` para evaluar y dibujar.

    Returns
    -------
    X, Y : np.ndarray de forma ``(ny, nx)``
        Las coordenadas, como las da ``np.meshgrid`` (la primera varía a lo
        largo de las columnas): listas para ``pcolormesh(X, Y, Z)``.
    points : torch.Tensor de forma ``(nx · ny, 2)``
        Los mismos puntos en filas; ``Z = predict(model, points).reshape(X.shape)``.

    Examples
    --------
    >>> X, Y, pts = grid_2d([0, 0], [1, 2], n=(3, 2))
    >>> X.shape, pts.shape, pts[-1].tolist()
    ((2, 3), torch.Size([6, 2]), [1.0, 2.0])
    """
    lo, hi = check_bounds(lower, upper, dim=2)
    nx, ny = (n, n) if isinstance(n, (int, np.integer)) and not isinstance(n, bool) else tuple(n) if (
        isinstance(n, (tuple, list)) and len(n) == 2) else (None, None)
    if nx is None:
        raise ValueError(f"n debe ser un entero o un par (nx, ny); se recibió {n!r}.")
    nx, ny = check_int(nx, "nx"), check_int(ny, "ny")
    if nx < 2 or ny < 2:
        raise ValueError(f"Una malla necesita al menos 2 puntos por eje; se pidió {(nx, ny)}.")
    X, Y = np.meshgrid(np.linspace(float(lo[0]), float(hi[0]), nx), np.linspace(float(lo[1]), float(hi[1]), ny))
    points = torch.tensor(np.column_stack([X.ravel(), Y.ravel()]), dtype=dtype, device=device)
    return X, Y, points


def resample_adaptive(
    residual_fn: Callable[[torch.Tensor], torch.Tensor],
    n: int,
    lower: Bounds,
    upper: Bounds,
    *,
    n_candidates: int | None = None,
    power: float | None = None,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Refinamiento adaptativo por residuo: elige ``n`` puntos donde la PINN más se equivoca.

    Se sortean ``n_candidates`` (por defecto ``10 n``) candidatos uniformes, se
    evalúa ``|r| = |residual_fn(candidatos)|`` (los candidatos llegan con
    ``requires_grad=True``, así que ``residual_fn`` puede derivar) y:

    - con ``power=None`` se conservan los ``n`` de mayor residuo;
    - con ``power=k`` se sortean ``n`` sin reemplazo con probabilidad ``∝ |r|^k``
      (``k = 1`` o ``2`` deja algunos puntos en zonas tranquilas).

    Returns
    -------
    (n, d)
        Puntos nuevos, sin grafo (llame a ``requires_grad_(True)`` para usarlos).

    Examples
    --------
    >>> f = lambda x: x[:, :1] ** 2                 # "residuo" grande cerca de |x| = 1
    >>> x = resample_adaptive(f, 5, [-1.0], [1.0], generator=torch.Generator().manual_seed(0))
    >>> bool((x.abs() > 0.8).all())
    True
    """
    n = check_int(n, "n")
    n_candidates = 10 * n if n_candidates is None else check_int(n_candidates, "n_candidates")
    if n_candidates < n:
        raise ValueError(f"n_candidates={n_candidates} debe ser ≥ n={n}.")
    if power is not None and not power > 0:
        raise ValueError(f"power debe ser positivo (o None); se recibió {power!r}.")
    x = sample_uniform(n_candidates, lower, upper, generator=generator, dtype=dtype, device=device)
    x.requires_grad_(True)
    r = residual_fn(x)
    if not isinstance(r, torch.Tensor) or r.dim() not in (1, 2) or r.numel() != n_candidates:
        got = tuple(r.shape) if isinstance(r, torch.Tensor) else type(r).__name__
        raise ValueError(f"residual_fn debe devolver forma ({n_candidates}, 1) o ({n_candidates},); devolvió {got}.")
    # En la CPU y en float64: MPS no tiene float64, y el sorteo usa un generador de CPU.
    score = r.detach().abs().reshape(-1).cpu().to(torch.float64)
    if not torch.isfinite(score).all():
        raise FloatingPointError("residual_fn devolvió NaN o infinito en algún candidato.")
    if power is None:
        idx = torch.topk(score, n).indices
    else:
        weights = score.cpu() ** power
        if weights.sum() == 0:
            weights = torch.ones_like(weights)
        idx = torch.multinomial(weights, n, replacement=False, generator=generator)
    return x.detach()[idx.to(x.device)]
