"""Verificación de gradientes por diferencias finitas."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

__all__ = ["gradient_check"]


def gradient_check(
    fn: Callable[[], torch.Tensor],
    params: Iterable[torch.Tensor],
    eps: float = 1e-6,
    atol: float = 1e-8,
) -> float:
    """Compara el gradiente de autograd con diferencias centradas y devuelve el
    máximo error relativo.

    Para cada componente θ_k se calcula
    ``(fn(θ + eps e_k) - fn(θ - eps e_k)) / (2 eps)`` y se compara con
    ``∂fn/∂θ_k`` de ``backward``::

        error_k = |g_autograd - g_numérico| / max(|g_autograd| + |g_numérico|, atol)

    Con float64 un gradiente correcto suele dar errores de 1e-6 o menores (con
    ``eps`` cerca de ε^(1/3) ≈ 1e-5, el óptimo para diferencias centradas,
    suelen quedar por debajo de 1e-8); un error de derivada típico da errores
    de orden 1e-2 a 1. Un componente casi nulo divide el error propio de la
    diferencia centrada por un número pequeño y puede dar 1e-4 con un gradiente
    correcto: ``atol`` pone un piso al denominador (p. ej. 1e-4 para pérdidas
    de orden 1). ``fn`` se evalúa con autograd activo, así que puede
    contener derivadas respecto de las entradas (residuos de EDP).
    Ponga el modelo en ``eval()`` (dropout y BatchNorm en modo entrenamiento
    hacen que ``fn`` no sea una función fija).

    Parameters
    ----------
    fn
        Función sin argumentos que devuelve un escalar (la pérdida).
    params
        Tensores float64 con ``requires_grad=True`` respecto de los cuales se deriva.

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    >>> gradient_check(lambda: (w ** 3).sum(), [w]) < 1e-8
    True
    """
    params = list(params)
    if not params:
        raise ValueError("params está vacío: pase los tensores respecto de los que derivar.")
    for p in params:
        if not isinstance(p, torch.Tensor) or not p.requires_grad:
            raise ValueError("Cada parámetro debe ser un tensor con requires_grad=True.")
        if p.dtype != torch.float64:
            raise ValueError(
                f"gradient_check necesita float64 (se recibió {p.dtype}): en float32 el "
                "redondeo domina a las diferencias finitas. Use model.double() y datos .double()."
            )
    if not eps > 0:
        raise ValueError(f"eps debe ser positivo; se recibió {eps!r}.")

    loss = fn()
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise ValueError("fn() debe devolver un tensor escalar.")
    analytic = torch.autograd.grad(loss, params, allow_unused=True)
    worst = 0.0
    for p, g in zip(params, analytic):
        g = torch.zeros_like(p) if g is None else g
        flat, g_flat = p.detach().view(-1), g.reshape(-1)
        for k in range(flat.numel()):
            original = flat[k].item()
            # fn() se evalúa con autograd activo: una pérdida de PINN deriva respecto de sus entradas.
            with torch.no_grad():
                flat[k] = original + eps
            plus = fn().item()
            with torch.no_grad():
                flat[k] = original - eps
            minus = fn().item()
            with torch.no_grad():
                flat[k] = original
            numeric = (plus - minus) / (2 * eps)
            a = g_flat[k].item()
            worst = max(worst, abs(a - numeric) / max(abs(a) + abs(numeric), atol))
    return worst
