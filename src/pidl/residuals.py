"""Derivadas de las salidas de una red respecto de sus *entradas*, para residuos de EDP.

Convenciones (las mismas en todo el libro):

- ``x`` tiene forma ``(N, d)``: N puntos de colocación en d dimensiones, con
  ``x.requires_grad_(True)`` antes de evaluar la red.
- ``u`` es un campo escalar evaluado en esos puntos: forma ``(N, 1)`` o ``(N,)``.
  Se supone que ``u[i]`` depende solo de ``x[i]`` (redes punto a punto, sin
  BatchNorm), así que un único ``autograd.grad`` con ``grad_outputs`` de unos
  da las N derivadas a la vez.
- Todas las funciones usan ``create_graph=True``: el resultado sigue siendo
  derivable y se puede usar dentro de una función de pérdida.

Si ``u`` no depende de ``x`` se lanza ``ValueError`` (casi siempre es un error:
``x`` se separó del grafo con ``.detach()`` o se evaluó la red en otro tensor).
En derivadas de orden superior, en cambio, una derivada intermedia constante
(por ejemplo la segunda derivada de un polinomio de grado 1) es legítima y la
siguiente derivada vale cero.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["grad", "partial", "laplacian", "divergence", "oscillator_residual", "Derivatives"]


def _check_inputs(u: torch.Tensor, x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or not isinstance(u, torch.Tensor):
        raise TypeError("u y x deben ser torch.Tensor.")
    if x.dim() != 2:
        raise ValueError(f"x debe tener forma (N, d); se recibió {tuple(x.shape)}.")
    if not x.requires_grad:
        raise ValueError(
            "x no requiere gradiente: llame a x.requires_grad_(True) antes de evaluar la red."
        )
    if u.dim() == 2 and u.shape[1] != 1 or u.dim() not in (1, 2):
        raise ValueError(
            f"u debe ser un campo escalar de forma (N, 1) o (N,); se recibió {tuple(u.shape)}. "
            "Para un campo vectorial derive cada componente (u[:, k:k+1]) o use divergence()."
        )
    if u.shape[0] != x.shape[0]:
        raise ValueError(
            f"u tiene {u.shape[0]} puntos y x tiene {x.shape[0]}: deben coincidir."
        )


def _raw_grad(u: torch.Tensor, x: torch.Tensor, strict: bool, create_graph: bool = True) -> torch.Tensor:
    """Gradiente (N, d) de la suma de ``u`` respecto de ``x``. El grafo de ``u``
    se conserva, así que se pueden pedir más derivadas de ``u`` después."""
    if not u.requires_grad:
        if strict:
            raise ValueError(
                "u no depende de x (no tiene grafo de autograd): ¿se evaluó la red en x "
                "con x.requires_grad_(True) y sin torch.no_grad()?"
            )
        return torch.zeros_like(x)
    (g,) = torch.autograd.grad(
        u, x, grad_outputs=torch.ones_like(u), create_graph=create_graph, retain_graph=True,
        allow_unused=True,
    )
    if g is None:
        if strict:
            raise ValueError(
                "u no depende de x: ¿se evaluó la red en un tensor distinto de x "
                "(por ejemplo x.detach() o una copia)?"
            )
        return torch.zeros_like(x)
    return g


def grad(u: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Gradiente espacial ∇u en cada punto.

    Parameters
    ----------
    u : (N, 1) o (N,)
        Campo escalar evaluado en ``x``.
    x : (N, d)
        Puntos, con ``requires_grad=True``.

    Returns
    -------
    (N, d)
        ``out[i, j] = ∂u_i/∂x_ij``.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    >>> u = x[:, :1] ** 2 * x[:, 1:]          # u = x0² x1
    >>> grad(u, x).detach()                   # (2 x0 x1, x0²)
    tensor([[4., 1.]])
    """
    _check_inputs(u, x)
    return _raw_grad(u, x, strict=True)


def partial(u: torch.Tensor, x: torch.Tensor, dim: int, order: int = 1) -> torch.Tensor:
    """Derivada parcial ∂ⁿu/∂x_dimⁿ de cualquier orden, con la misma forma que ``u``.

    Examples
    --------
    >>> t = torch.linspace(0, 1, 5).reshape(-1, 1).requires_grad_(True)
    >>> u = torch.sin(3 * t)
    >>> u_tt = partial(u, t, dim=0, order=2)   # -9 sin(3t)
    >>> torch.allclose(u_tt, -9 * torch.sin(3 * t))
    True
    """
    _check_inputs(u, x)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order debe ser un entero ≥ 1; se recibió {order!r}.")
    if isinstance(dim, bool) or not isinstance(dim, int) or not -x.shape[1] <= dim < x.shape[1]:
        raise ValueError(f"dim={dim!r} fuera de rango para x con d={x.shape[1]} columnas.")
    out = u
    for k in range(order):
        out = _raw_grad(out, x, strict=(k == 0))[:, dim]
    return out.reshape(u.shape)


def laplacian(u: torch.Tensor, x: torch.Tensor, dims: list[int] | None = None) -> torch.Tensor:
    """Laplaciano Δu = Σ_j ∂²u/∂x_j², con la misma forma que ``u``.

    ``dims`` restringe la suma a algunas coordenadas (por ejemplo solo las
    espaciales cuando una columna de ``x`` es el tiempo).

    Examples
    --------
    >>> x = torch.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    >>> u = (x ** 2).sum(dim=1, keepdim=True)  # Δ(x² + y²) = 4
    >>> laplacian(u, x).detach()
    tensor([[4.],
            [4.]])
    """
    _check_inputs(u, x)
    dims = list(range(x.shape[1])) if dims is None else list(dims)
    if not dims or any(not -x.shape[1] <= j < x.shape[1] for j in dims):
        raise ValueError(f"dims={dims!r} no es válido para x con d={x.shape[1]} columnas.")
    g = _raw_grad(u, x, strict=True)
    total = torch.zeros_like(g[:, 0])
    for j in dims:
        total = total + _raw_grad(g[:, j], x, strict=False)[:, j]
    return total.reshape(u.shape)


def divergence(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Divergencia ∇·v = Σ_j ∂v_j/∂x_j de un campo vectorial ``v`` de forma (N, d).

    Returns
    -------
    (N, 1)

    Examples
    --------
    >>> x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    >>> v = torch.cat([x[:, :1] * x[:, 1:], x[:, 1:] ** 2], dim=1)  # (xy, y²)
    >>> divergence(v, x).detach()                                   # y + 2y
    tensor([[6.]])
    """
    if not isinstance(v, torch.Tensor) or v.dim() != 2:
        raise ValueError("v debe ser un tensor de forma (N, d).")
    _check_inputs(v[:, :1], x)
    if v.shape[1] != x.shape[1]:
        raise ValueError(
            f"v tiene {v.shape[1]} componentes y x tiene d={x.shape[1]}: deben coincidir."
        )
    total = torch.zeros_like(v[:, 0])
    for j in range(v.shape[1]):
        total = total + _raw_grad(v[:, j], x, strict=True)[:, j]
    return total.reshape(-1, 1)


def oscillator_residual(u_fn: Callable[[torch.Tensor], torch.Tensor], t: torch.Tensor,
                        delta: float, omega0: float) -> torch.Tensor:
    """Residuo escalado del oscilador amortiguado, ``r = (u'' + 2δu' + ω0²u) / ω0²``.

    Es la función que los capítulos 0 y 10 escriben a mano con dos llamadas a
    ``torch.autograd.grad``; dividir por ``ω0²`` deja sus términos de orden uno.
    ``u_fn`` es la red (o cualquier función de ``t``), ``t`` los puntos de forma
    ``(N, 1)``; si ``t`` no pide gradientes se usa una copia que sí. Devuelve
    ``(N, 1)``, derivable respecto de los parámetros de ``u_fn``.

    Examples
    --------
    >>> from pidl.references import damped_oscillator
    >>> t = torch.linspace(0, 1, 11, dtype=torch.float64).reshape(-1, 1)
    >>> exact = lambda s: damped_oscillator(s, delta=2.0, omega0=20.0)
    >>> float(oscillator_residual(exact, t, 2.0, 20.0).detach().abs().max()) < 1e-10
    True
    """
    if not t.requires_grad:
        t = t.detach().clone().requires_grad_(True)
    u = u_fn(t)
    u_t = partial(u, t, dim=0)
    # u_t puede no depender de t (u lineal en t): entonces u_tt = 0, no un error.
    u_tt = _raw_grad(u_t, t, strict=False)[:, :1].reshape(u.shape)
    return (u_tt + 2 * delta * u_t + omega0**2 * u) / omega0**2


class Derivatives:
    """Derivadas parciales de un campo ``u`` respecto de ``x``, calculadas una vez.

    Un residuo suele pedir varias parciales de la misma salida (Burgers:
    ``u_t``, ``u_x`` y ``u_xx``). Con :func:`partial`, cada una vuelve a
    calcular ∇u desde ``u``; aquí un ``autograd.grad`` de ``u`` da todas las
    primeras parciales a la vez, uno de ``u_x`` da ``u_xx`` y ``u_xt``, y cada
    resultado se guarda. Las derivadas mixtas se suponen simétricas
    (``D(0, 1) is D(1, 0)``), como en una red suave.

    Parameters
    ----------
    u : (N, 1) o (N,)
        Campo escalar evaluado en ``x``.
    x : (N, d)
        Puntos, con ``requires_grad=True``.
    max_order
        Orden más alto que se va a pedir (por defecto 2).
    create_graph
        Si es ``False`` (diagnósticos, figuras), las derivadas de orden
        ``max_order`` se calculan sin grafo: más baratas, pero no sirven dentro
        de una pérdida. Las de orden menor siempre conservan el grafo, porque de
        ellas salen las siguientes.

    Attributes
    ----------
    calls : int
        Cuántas llamadas a ``torch.autograd.grad`` se hicieron hasta ahora.

    Examples
    --------
    >>> xt = torch.tensor([[0.5, 2.0]], requires_grad=True)   # columnas (x, t)
    >>> u = torch.sin(xt[:, :1]) * xt[:, 1:] ** 2              # u = sin(x) t²
    >>> D = Derivatives(u, xt)
    >>> u_t, u_x, u_xx = D(1), D(0), D(0, 0)
    >>> torch.allclose(u_xx, -u), torch.allclose(u_t, 2 * torch.sin(xt[:, :1]) * xt[:, 1:])
    (True, True)
    >>> D.calls   # ∇u una vez, ∇u_x una vez
    2
    """

    def __init__(self, u: torch.Tensor, x: torch.Tensor, *, max_order: int = 2,
                 create_graph: bool = True) -> None:
        _check_inputs(u, x)
        if isinstance(max_order, bool) or not isinstance(max_order, int) or max_order < 1:
            raise ValueError(f"max_order debe ser un entero ≥ 1; se recibió {max_order!r}.")
        self.u, self.x = u, x
        self.max_order = max_order
        self.create_graph = bool(create_graph)
        self.calls = 0
        self._cache: dict[tuple[int, ...], torch.Tensor] = {(): u.reshape(-1)}
        self._grads: dict[tuple[int, ...], torch.Tensor] = {}
        # ∇u se necesita para cualquier derivada: calcularlo ya detecta enseguida
        # una u que no depende de x.
        self._grads[()] = self._grad(self._cache[()], self.create_graph or max_order > 1, strict=True)

    def __call__(self, *dims: int) -> torch.Tensor:
        """``D(j)`` = ∂u/∂x_j, ``D(j, k)`` = ∂²u/∂x_j∂x_k, etc.; misma forma que ``u``."""
        d = self.x.shape[1]
        if not dims:
            raise ValueError("Pida al menos una dimensión: D(0) es ∂u/∂x_0.")
        for j in dims:
            if isinstance(j, bool) or not isinstance(j, int) or not -d <= j < d:
                raise ValueError(f"dim={j!r} fuera de rango para x con d={d} columnas.")
        if len(dims) > self.max_order:
            raise ValueError(f"Se pidió una derivada de orden {len(dims)} y max_order={self.max_order}.")
        key = tuple(sorted(j % d for j in dims))
        if key not in self._cache:
            parent = key[:-1]
            lower = self._cache[parent] if parent in self._cache else self(*parent)
            if parent not in self._grads:
                keep_graph = self.create_graph or len(key) < self.max_order
                self._grads[parent] = self._grad(lower, keep_graph, strict=not parent)
            self._cache[key] = self._grads[parent][:, key[-1]]
        return self._cache[key].reshape(self.u.shape)

    def _grad(self, f: torch.Tensor, create_graph: bool, strict: bool) -> torch.Tensor:
        if f.requires_grad:
            self.calls += 1
        return _raw_grad(f, self.x, strict=strict, create_graph=create_graph)
