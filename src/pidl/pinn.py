"""Lo que comparten los capítulos de PINNs: la red, los puntos de colocación,
el entrenamiento Adam → L-BFGS y el error relativo.

Convenciones (las de :mod:`pidl.residuals`): los puntos ``x`` tienen forma
``(N, d)`` y los campos ``(N, 1)``. Todo funciona en float32 y float64 y en
cualquier dispositivo: la red se mueve con ``model.to(device, dtype)`` y los
muestreadores reciben ``dtype`` y ``device``.

Un ejemplo completo, el oscilador ``u'' + u = 0`` con ``u(0) = 1, u'(0) = 0``
impuestas de forma exacta (``u = 1 + t² · red``)::

    model = PINN(1, lower=[0.0], upper=[2.0], output_transform=lambda t, n: 1 + t**2 * n)
    t = sample_sobol(64, [0.0], [2.0]).requires_grad_(True)

    def loss_terms():
        u = model(t)
        return {"edo": (partial(u, t, 0, order=2) + u).pow(2).mean()}

    history = train_pinn(model, loss_terms, adam_iters=500, lbfgs_iters=200)
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ._progress import ProgressLine
from .device import offset_seed, synchronize

__all__ = [
    "PINN",
    "grid_2d",
    "predict",
    "sample_box_boundary",
    "PINNHistory",
    "PINNState",
    "Callback",
    "RecordValues",
    "EveryK",
    "AdamLR",
    "KeepBest",
    "relative_l2",
    "resample_adaptive",
    "sample_sobol",
    "sample_uniform",
    "train_pinn",
]

Bounds = Sequence[float] | torch.Tensor | np.ndarray

_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "relu": nn.ReLU,
}


class Sine(nn.Module):
    """Activación ``sin(x)`` (útil para soluciones oscilatorias)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


_ACTIVATIONS["sin"] = Sine


def _bounds(lower: Bounds, upper: Bounds, dim: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Convierte las cotas en dos tensores float64 de forma (d,) y las valida."""
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


def _check_n(n: Any, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} debe ser un entero ≥ 1; se recibió {n!r}.")
    return int(n)


class PINN(nn.Module):
    """Perceptrón multicapa para PINNs: normaliza la entrada, agrega (si se
    pide) rasgos de Fourier y aplica una transformación de salida que impone
    restricciones exactas.

    La cadena es ``x → z = 2 (x - lower) / (upper - lower) - 1 → [cos 2πzB, sin 2πzB]
    → MLP → raw → output_transform(x, raw)``.

    Parameters
    ----------
    in_dim, out_dim
        Dimensión de la entrada ``x: (N, in_dim)`` y de la salida ``(N, out_dim)``.
    width, depth
        Neuronas por capa oculta y número de capas ocultas.
    activation
        ``"tanh"`` (por defecto), ``"sin"``, ``"gelu"``, ``"silu"``, ``"softplus"``,
        ``"relu"`` (no sirve para derivadas segundas) o un ``nn.Module``.
    lower, upper
        Cotas del dominio (largo ``in_dim``): la entrada se lleva a ``[-1, 1]``.
        Si se omiten, no se normaliza.
    fourier_features, fourier_scale
        Si ``m = fourier_features > 0``, se usa ``[cos(2π zB), sin(2π zB)]`` con
        ``B ~ N(0, fourier_scale²)`` de forma ``(in_dim, m)``, fija (un *buffer*).
    output_transform
        ``output_transform(x, raw) -> u``, con ``x`` la entrada *original*;
        por ejemplo ``lambda t, n: 1 + t * n`` impone ``u(0) = 1`` exactamente.
    generator
        ``torch.Generator`` para la inicialización (Xavier normal, sesgos nulos)
        y para ``B``; si es ``None`` se usa el generador global.

    Examples
    --------
    >>> model = PINN(2, width=16, depth=2, lower=[0, -1], upper=[1, 1])
    >>> model(torch.rand(5, 2)).shape
    torch.Size([5, 1])
    >>> hard = PINN(1, output_transform=lambda t, n: 1 + t * n)
    >>> hard(torch.zeros(3, 1)).flatten()        # u(0) = 1 para cualquier peso
    tensor([1., 1., 1.], grad_fn=<ViewBackward0>)
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int = 1,
        width: int = 32,
        depth: int = 4,
        activation: str | nn.Module = "tanh",
        lower: Bounds | None = None,
        upper: Bounds | None = None,
        fourier_features: int = 0,
        fourier_scale: float = 1.0,
        output_transform: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_dim", in_dim), ("out_dim", out_dim), ("width", width), ("depth", depth)):
            _check_n(value, name)
        if isinstance(fourier_features, bool) or not isinstance(fourier_features, int) or fourier_features < 0:
            raise ValueError(f"fourier_features debe ser un entero ≥ 0; se recibió {fourier_features!r}.")
        if not fourier_scale > 0:
            raise ValueError(f"fourier_scale debe ser positivo; se recibió {fourier_scale!r}.")
        if output_transform is not None and not callable(output_transform):
            raise TypeError("output_transform debe ser una función (x, raw) -> u.")
        if (lower is None) != (upper is None):
            raise ValueError("Pase lower y upper juntos (o ninguno de los dos).")
        self.in_dim, self.out_dim = in_dim, out_dim
        self.output_transform = output_transform

        if lower is None:
            lo, hi = -torch.ones(in_dim, dtype=torch.float64), torch.ones(in_dim, dtype=torch.float64)
        else:
            lo, hi = _bounds(lower, upper, in_dim)
        dtype = torch.get_default_dtype()
        # z = (x - center) / half_width lleva [lower, upper] a [-1, 1].
        self.register_buffer("center", ((hi + lo) / 2).to(dtype))
        self.register_buffer("half_width", ((hi - lo) / 2).to(dtype))

        features = in_dim
        if fourier_features > 0:
            B = torch.randn(in_dim, fourier_features, generator=generator, dtype=dtype) * fourier_scale
            self.register_buffer("fourier_B", B)
            features = 2 * fourier_features
        else:
            self.fourier_B = None

        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(f"activation={activation!r} desconocida; use una de {sorted(_ACTIVATIONS)} o un nn.Module.")
            make_act = _ACTIVATIONS[activation]
        elif isinstance(activation, nn.Module):
            # Una copia por capa: un módulo con parámetros (PReLU) no debe compartirse.
            make_act = lambda: copy.deepcopy(activation)  # noqa: E731
        else:
            raise TypeError(f"activation debe ser un str o un nn.Module, no {type(activation).__name__}.")
        layers: list[nn.Module] = []
        sizes = [features] + [width] * depth
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), make_act()]
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)
        # La ganancia de Xavier depende de la activación y no de cómo se escribió:
        # "tanh" y nn.Tanh() inicializan igual (5/3); las demás usan 1.
        is_tanh = activation == "tanh" or isinstance(activation, nn.Tanh)
        gain = nn.init.calculate_gain("tanh") if is_tanh else 1.0
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                std = gain * math.sqrt(2.0 / (layer.in_features + layer.out_features))
                with torch.no_grad():
                    layer.weight.normal_(0.0, std, generator=generator)
                    layer.bias.zero_()

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Entrada normalizada (y con rasgos de Fourier): ``(N, in_dim) → (N, in_dim o 2m)``."""
        z = (x - self.center) / self.half_width
        if self.fourier_B is None:
            return z
        proj = 2 * math.pi * z @ self.fourier_B
        return torch.cat([torch.cos(proj), torch.sin(proj)], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x debe ser un torch.Tensor, no {type(x).__name__}.")
        if x.dim() != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"x debe tener forma (N, {self.in_dim}); se recibió {tuple(x.shape)}.")
        weight = self.net[0].weight
        if x.dtype != weight.dtype or x.device != weight.device:
            raise TypeError(
                f"x es {x.dtype} en {x.device} y la red es {weight.dtype} en {weight.device}: "
                "use model.to(device, dtype) o x.to(...) para que coincidan."
            )
        raw = self.net(self.embed(x))
        if self.output_transform is None:
            return raw
        u = self.output_transform(x, raw)
        if not isinstance(u, torch.Tensor) or u.shape != raw.shape:
            got = tuple(u.shape) if isinstance(u, torch.Tensor) else type(u).__name__
            raise ValueError(f"output_transform debe devolver forma {tuple(raw.shape)}; devolvió {got}.")
        return u


# ---------------------------------------------------------------- muestreo


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
    n = _check_n(n)
    lo, hi = _bounds(lower, upper)
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
    n = _check_n(n)
    lo, hi = _bounds(lower, upper)
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
    n = _check_n(n)
    lo, hi = _bounds(lower, upper)
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
    lo, hi = _bounds(lower, upper, dim=2)
    nx, ny = (n, n) if isinstance(n, (int, np.integer)) and not isinstance(n, bool) else tuple(n) if (
        isinstance(n, (tuple, list)) and len(n) == 2) else (None, None)
    if nx is None:
        raise ValueError(f"n debe ser un entero o un par (nx, ny); se recibió {n!r}.")
    nx, ny = _check_n(nx, "nx"), _check_n(ny, "ny")
    if nx < 2 or ny < 2:
        raise ValueError(f"Una malla necesita al menos 2 puntos por eje; se pidió {(nx, ny)}.")
    X, Y = np.meshgrid(np.linspace(float(lo[0]), float(hi[0]), nx), np.linspace(float(lo[1]), float(hi[1]), ny))
    points = torch.tensor(np.column_stack([X.ravel(), Y.ravel()]), dtype=dtype, device=device)
    return X, Y, points


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
    n = _check_n(n)
    n_candidates = 10 * n if n_candidates is None else _check_n(n_candidates, "n_candidates")
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


# ------------------------------------------------------------ entrenamiento


@dataclass
class PINNHistory:
    """Registro de :func:`train_pinn`: un valor cada ``log_every`` iteraciones.

    Attributes
    ----------
    iteration : list[int]
        Iteraciones (Adam y L-BFGS se cuentan seguidas).
    seconds : list[float]
        Segundos de entrenamiento acumulados (sin contar ``error_fn``).
    loss : list[float]
        Pérdida total ponderada.
    terms : dict[str, list[float]]
        Cada término de la pérdida, sin ponderar.
    error : list[float]
        Valores de ``error_fn`` (vacía si no se dio).
    phase : list[str]
        ``"adam"`` o ``"lbfgs"``.
    extra : dict[str, list[float]]
        Valores que registran los *callbacks* (por ejemplo :class:`RecordValues`),
        uno por registro.

    Examples
    --------
    >>> h = PINNHistory(iteration=[0, 10], seconds=[0.0, 0.5], loss=[1.0, 0.1],
    ...                 terms={"edo": [1.0, 0.1]}, phase=["adam", "adam"])
    >>> h.final_loss, h.total_seconds
    (0.1, 0.5)
    """

    iteration: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    terms: dict[str, list[float]] = field(default_factory=dict)
    error: list[float] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        """Última pérdida total registrada."""
        if not self.loss:
            raise ValueError("El historial está vacío.")
        return self.loss[-1]

    @property
    def final_error(self) -> float:
        """Último valor de ``error_fn`` registrado."""
        if not self.error:
            raise ValueError("No hay errores registrados: pase error_fn a train_pinn.")
        return self.error[-1]

    @property
    def total_seconds(self) -> float:
        """Segundos de entrenamiento (sin contar ``error_fn``)."""
        return self.seconds[-1] if self.seconds else 0.0

    @property
    def lbfgs_start(self) -> int | None:
        """Iteración en la que empezó L-BFGS (``None`` si no hubo L-BFGS).

        El registro anterior al primero de L-BFGS es el último de Adam, hecho justo
        antes del cambio de optimizador."""
        for k, phase in enumerate(self.phase):
            if phase == "lbfgs":
                return self.iteration[max(k - 1, 0)]
        return None

    def plot(self, ax: Any = None, title: str | None = None) -> Any:
        """Términos de la pérdida (y el error, si hay) contra la iteración, en escala log.

        Una línea vertical punteada marca el paso de Adam a L-BFGS. ``ax`` es el
        eje donde dibujar (como en :meth:`pidl.training.History.plot`). Devuelve el eje.
        """
        import matplotlib.pyplot as plt

        if not self.loss:
            raise ValueError("El historial está vacío: no hay nada que graficar.")
        if ax is None:
            _, ax = plt.subplots()
        if len(self.terms) > 1:
            ax.plot(self.iteration, self.loss, color="k", label="total")
        for name, values in self.terms.items():
            ax.plot(self.iteration, values, label=name)
        if self.error:
            ax.plot(self.iteration, self.error, ls="--", label="error")
        if self.lbfgs_start is not None:
            ax.axvline(self.lbfgs_start, color="0.5", ls=":", lw=1, label="Adam → L-BFGS")
        ax.set(xlabel="iteración", ylabel="valor", yscale="log", title=title or "Entrenamiento de la PINN")
        ax.legend()
        return ax


def _progress_text(it: int, total: int, history: PINNHistory) -> str:
    parts = [f"iteración {it}/{total} ({history.phase[-1]})", f"pérdida {history.loss[-1]:.3e}"]
    if history.error:
        parts.append(f"error {history.error[-1]:.3e}")
    parts.append(f"{history.total_seconds:.1f} s")
    return " · ".join(parts)


@dataclass
class PINNState:
    """Lo que :func:`train_pinn` le pasa a cada *callback*.

    Attributes
    ----------
    iteration : int
        Iteraciones completadas (Adam y L-BFGS seguidas).
    phase : str
        ``"adam"`` o ``"lbfgs"``.
    model : nn.Module
        La red que se entrena.
    optimizer : torch.optim.Optimizer
        El optimizador de la fase (para cambiar su tasa de aprendizaje).
    history : PINNHistory
        El registro hasta ahora.
    extra_params : tuple[torch.Tensor, ...]
        Los ``extra_params`` de :func:`train_pinn` (por ejemplo un coeficiente
        físico desconocido): lo que se entrena además de ``model``.
    """

    iteration: int
    phase: str
    model: nn.Module
    optimizer: torch.optim.Optimizer
    history: PINNHistory
    extra_params: tuple[torch.Tensor, ...] = ()


class Callback:
    """Base de los *callbacks* de :func:`train_pinn`: redefina lo que necesite.

    ``on_begin`` se llama una vez, antes del primer paso; ``on_step`` después
    de cada paso de Adam y de cada tramo de ``log_every`` iteraciones de
    L-BFGS; ``on_log`` justo después de cada registro del historial;
    ``on_end`` al terminar. Todos reciben un :class:`PINNState` y no
    devuelven nada.

    Examples
    --------
    >>> class Count(Callback):
    ...     n = 0
    ...     def on_step(self, state):
    ...         self.n += 1
    >>> Count().on_log(None)  # lo que no se redefine no hace nada
    """

    def on_begin(self, state: PINNState) -> None:
        """Antes del primer paso (``state.iteration == 0``)."""

    def on_step(self, state: PINNState) -> None:
        """Después de cada paso (Adam) o tramo (L-BFGS)."""

    def on_log(self, state: PINNState) -> None:
        """Después de cada registro del historial."""

    def on_end(self, state: PINNState) -> None:
        """Al terminar el entrenamiento."""


class RecordValues(Callback):
    """Registra en ``history.extra[nombre]`` el valor de cada función en cada registro.

    Sirve para seguir parámetros que no son la pérdida: un coeficiente físico
    desconocido, un coeficiente de Fourier de la red.

    Parameters
    ----------
    **getters
        ``nombre=función`` sin argumentos que devuelve un número o un tensor
        de un elemento.

    Examples
    --------
    >>> lam = torch.tensor(0.5)
    >>> rec = RecordValues(lam=lambda: lam)
    >>> h = PINNHistory()
    >>> rec.on_log(PINNState(0, "adam", nn.Identity(), None, h))
    >>> h.extra
    {'lam': [0.5]}
    """

    def __init__(self, **getters: Callable[[], Any]) -> None:
        if not getters:
            raise ValueError("RecordValues necesita al menos una función: RecordValues(nombre=fn).")
        for name, fn in getters.items():
            if not callable(fn):
                raise TypeError(f"{name} debe ser una función sin argumentos, no {type(fn).__name__}.")
        self.getters = getters

    def on_log(self, state: PINNState) -> None:
        for name, fn in self.getters.items():
            value = fn()
            value = value.detach().item() if isinstance(value, torch.Tensor) else float(value)
            state.history.extra.setdefault(name, []).append(value)


class EveryK(Callback):
    """Llama a ``fn(state)`` cada ``k`` pasos de Adam (por ejemplo, para volver a
    muestrear los puntos de colocación con :func:`resample_adaptive`).

    Examples
    --------
    >>> calls = []
    >>> cb = EveryK(2, lambda state: calls.append(state.iteration))
    >>> for it in range(1, 6):
    ...     cb.on_step(PINNState(it, "adam", nn.Identity(), None, PINNHistory()))
    >>> calls
    [2, 4]
    """

    def __init__(self, k: int, fn: Callable[[PINNState], None]) -> None:
        self.k = _check_n(k, "k")
        if not callable(fn):
            raise TypeError("fn debe ser una función fn(state).")
        self.fn = fn

    def on_step(self, state: PINNState) -> None:
        if state.phase == "adam" and state.iteration % self.k == 0:
            self.fn(state)


class AdamLR(Callback):
    """Calendario de la tasa de aprendizaje de Adam: el paso ``it`` (contando
    desde 0) usa ``lr = schedule(it)``; ``schedule(0)`` reemplaza a ``adam_lr``.

    Examples
    --------
    >>> cb = AdamLR(lambda it: 1e-2 * 0.5 ** (it // 100))
    >>> opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> cb.on_begin(PINNState(0, "adam", nn.Identity(), opt, PINNHistory()))
    >>> opt.param_groups[0]["lr"]
    0.01
    >>> cb.on_step(PINNState(200, "adam", nn.Identity(), opt, PINNHistory()))
    >>> opt.param_groups[0]["lr"]
    0.0025
    """

    def __init__(self, schedule: Callable[[int], float]) -> None:
        if not callable(schedule):
            raise TypeError("schedule debe ser una función de la iteración.")
        self.schedule = schedule

    def on_begin(self, state: PINNState) -> None:
        self.on_step(state)

    def on_step(self, state: PINNState) -> None:
        # state.iteration = pasos ya dados = índice del próximo paso.
        if state.phase != "adam":
            return
        lr = float(self.schedule(state.iteration))
        if not lr > 0 or not math.isfinite(lr):
            raise ValueError(f"El calendario dio lr={lr!r} en la iteración {state.iteration}; debe ser positiva.")
        for group in state.optimizer.param_groups:
            group["lr"] = lr


class KeepBest(Callback):
    """Guarda los pesos del mejor registro y los restaura al terminar, junto
    con los ``extra_params`` (en un problema inverso, la red y el coeficiente
    físico vuelven juntos al mismo registro).

    Parameters
    ----------
    monitor
        ``"loss"`` (la pérdida total, lo único disponible sin solución exacta)
        o ``"error"`` (el de ``error_fn``, que solo existe en un problema de
        prueba).

    Attributes
    ----------
    best : float
        El mejor valor registrado.
    best_iteration : int
        Su iteración.

    Examples
    --------
    >>> model = nn.Linear(1, 1)
    >>> keep = KeepBest()
    >>> h = PINNHistory(iteration=[0], loss=[0.1])
    >>> keep.on_log(PINNState(0, "adam", model, None, h))
    >>> with torch.no_grad():
    ...     _ = model.weight.add_(1.0)
    >>> h.iteration.append(10); h.loss.append(0.5)
    >>> keep.on_log(PINNState(10, "adam", model, None, h))
    >>> keep.on_end(PINNState(10, "adam", model, None, h)); keep.best_iteration
    0
    """

    def __init__(self, monitor: str = "loss") -> None:
        if monitor not in ("loss", "error"):
            raise ValueError(f"monitor debe ser 'loss' o 'error', no {monitor!r}.")
        self.monitor = monitor
        self.best = math.inf
        self.best_iteration = -1
        self._state: dict[str, torch.Tensor] | None = None
        self._extra: list[torch.Tensor] = []

    def on_log(self, state: PINNState) -> None:
        values = getattr(state.history, self.monitor)
        if not values:
            raise ValueError("KeepBest(monitor='error') necesita error_fn en train_pinn.")
        if values[-1] < self.best:
            self.best, self.best_iteration = values[-1], state.history.iteration[-1]
            self._state = {k: v.detach().clone() for k, v in state.model.state_dict().items()}
            self._extra = [p.detach().clone() for p in state.extra_params]

    def on_end(self, state: PINNState) -> None:
        if self._state is not None:
            state.model.load_state_dict(self._state)
            with torch.no_grad():
                for param, saved in zip(state.extra_params, self._extra):
                    param.copy_(saved)


def train_pinn(
    model: nn.Module,
    loss_terms: Callable[[], Mapping[str, torch.Tensor]],
    *,
    adam_iters: int = 1000,
    adam_lr: float = 1e-3,
    lbfgs_iters: int = 0,
    weights: Mapping[str, float] | None = None,
    error_fn: Callable[[], float] | None = None,
    log_every: int = 50,
    lbfgs_history: int = 50,
    extra_params: Iterable[torch.Tensor] = (),
    callbacks: Iterable[Callback] = (),
    progress: bool = True,
) -> PINNHistory:
    """Entrena una PINN: ``adam_iters`` pasos de Adam y luego hasta
    ``lbfgs_iters`` iteraciones de L-BFGS con búsqueda lineal de Wolfe fuerte.

    La pérdida es ``L = Σ_k weights[k] · loss_terms()[k]`` (peso 1 si falta).
    Adam es robusto lejos del mínimo; L-BFGS, que aproxima la curvatura con
    los últimos ``lbfgs_history`` gradientes, converge mucho más rápido cerca.

    Cada ``log_every`` iteraciones se registra la pérdida del paso que se acaba
    de dar (sin evaluarla otra vez). Durante Adam nada obliga a la CPU a esperar
    a la GPU salvo esos registros: que la pérdida sea finita se comprueba al
    registrar, no en cada paso.

    Parameters
    ----------
    model
        La red (ya en su dispositivo y ``dtype``).
    loss_terms
        Función sin argumentos que devuelve ``{"nombre": escalar}``, por ejemplo
        ``{"edo": ..., "ci": ...}``; se llama en cada evaluación de la pérdida.
    weights
        Pesos λ de cada término; una clave que no sea un término es un error.
    error_fn
        Función sin argumentos que devuelve un ``float`` (por ejemplo el error
        L2 relativo contra la solución exacta); se evalúa cada ``log_every``
        iteraciones y no cuenta en el tiempo.
    extra_params
        Parámetros entrenables que no están en ``model`` (por ejemplo un
        coeficiente físico desconocido en un problema inverso).
    callbacks
        Objetos :class:`Callback`: :class:`RecordValues` (seguir un parámetro),
        :class:`EveryK` (volver a muestrear cada k pasos), :class:`AdamLR`
        (calendario de la tasa de Adam), :class:`KeepBest` (quedarse con los
        mejores pesos). Lo que hacen no cuenta en el tiempo.
    progress
        Una sola línea de progreso (en un notebook se actualiza en su lugar).

    Returns
    -------
    PINNHistory

    Raises
    ------
    FloatingPointError
        Si la pérdida se vuelve NaN o infinita (el mensaje dice entre qué
        iteraciones).

    Examples
    --------
    >>> from pidl.residuals import partial
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = PINN(1, width=16, depth=2, output_transform=lambda t, n: 1 + t * n)
    >>> t = torch.linspace(0, 1, 32).reshape(-1, 1).requires_grad_(True)
    >>> terms = lambda: {"edo": (partial(model(t), t, 0) + model(t)).pow(2).mean()}  # u' = -u
    >>> h = train_pinn(model, terms, adam_iters=200, adam_lr=1e-2, lbfgs_iters=50, progress=False,
    ...                callbacks=[AdamLR(lambda it: 1e-2 if it < 100 else 3e-3)])
    >>> h.final_loss < 1e-6, h.phase[-1]
    (True, 'lbfgs')
    """
    for name, value in (("adam_iters", adam_iters), ("lbfgs_iters", lbfgs_iters)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} debe ser un entero ≥ 0; se recibió {value!r}.")
    if adam_iters + lbfgs_iters == 0:
        raise ValueError("adam_iters y lbfgs_iters son 0: no hay nada que entrenar.")
    log_every = _check_n(log_every, "log_every")
    if not adam_lr > 0:
        raise ValueError(f"adam_lr debe ser positivo; se recibió {adam_lr!r}.")
    if not callable(loss_terms):
        raise TypeError("loss_terms debe ser una función sin argumentos que devuelva {nombre: escalar}.")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"Cada callback debe ser un pidl.pinn.Callback, no {type(cb).__name__}.")
    weights = dict(weights or {})
    extra_params = tuple(extra_params)
    params = [p for p in model.parameters() if p.requires_grad] + list(extra_params)
    if not params:
        raise ValueError("No hay parámetros entrenables.")
    _warn_float64_cuda(params[0])

    history = PINNHistory()
    total_iters = adam_iters + lbfgs_iters
    line = ProgressLine(total_iters, progress)
    clock = {"train": 0.0, "start": time.perf_counter(), "last_log": 0}

    def evaluate() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        terms = loss_terms()
        if not isinstance(terms, Mapping) or not terms:
            raise TypeError("loss_terms() debe devolver un dict no vacío {nombre: tensor escalar}.")
        unknown = set(weights) - set(terms)
        if unknown:
            raise ValueError(f"weights tiene claves que no son términos de la pérdida: {sorted(unknown)}; "
                             f"los términos son {sorted(terms)}.")
        for name, value in terms.items():
            if not isinstance(value, torch.Tensor) or value.numel() != 1:
                raise ValueError(f"El término {name!r} debe ser un tensor escalar (use .mean()).")
        total = sum(weights.get(k, 1.0) * v.reshape(()) for k, v in terms.items())
        return total, terms

    device = params[0].device

    def pause() -> None:
        synchronize(device)  # en CUDA, que el reloj incluya el trabajo encolado
        clock["train"] += time.perf_counter() - clock["start"]

    def resume() -> None:
        synchronize(device)  # lo que encolaron el registro o los callbacks no cuenta
        clock["start"] = time.perf_counter()

    def state(it: int, phase: str, optimizer: torch.optim.Optimizer) -> PINNState:
        return PINNState(it, phase, model, optimizer, history, extra_params)

    def log(it: int, phase: str, optimizer: torch.optim.Optimizer,
            evaluated: tuple[torch.Tensor, dict[str, torch.Tensor]] | None = None) -> None:
        """Registra la pérdida en los parámetros actuales: la de ``evaluated`` si se
        acaba de calcular, o una evaluación nueva (que no cuenta en el tiempo)."""
        pause()
        total, terms = evaluated if evaluated is not None else evaluate()
        values = torch.stack([total.detach()] + [v.detach().reshape(()) for v in terms.values()]).cpu().tolist()
        if not all(map(math.isfinite, values)):
            since = clock["last_log"]
            where = f"en la iteración {it}" if since >= it else f"entre las iteraciones {since} y {it}"
            raise FloatingPointError(
                f"La pérdida se volvió {values[0]} {where} ({phase}). "
                "Pruebe una tasa de aprendizaje menor, escalar el residuo o revisar los pesos."
            )
        clock["last_log"] = it
        history.iteration.append(it)
        history.phase.append(phase)
        history.seconds.append(clock["train"])
        history.loss.append(values[0])
        for name, value in zip(terms, values[1:]):
            history.terms.setdefault(name, []).append(value)
        if error_fn is not None:
            history.error.append(float(error_fn()))
        for cb in callbacks:
            cb.on_log(state(it, phase, optimizer))
        line.update(it, _progress_text(it, total_iters, history))
        resume()

    def after_step(it: int, phase: str, optimizer: torch.optim.Optimizer) -> None:
        if callbacks:
            pause()
            for cb in callbacks:
                cb.on_step(state(it, phase, optimizer))
            resume()

    optimizer: torch.optim.Optimizer = torch.optim.Adam(params, lr=adam_lr)
    # --- Adam: el registro de la iteración it usa la pérdida evaluada para el paso it.
    for cb in callbacks:
        cb.on_begin(state(0, "adam" if adam_iters else "lbfgs", optimizer))
    if adam_iters:
        resume()
        for it in range(adam_iters):
            optimizer.zero_grad(set_to_none=True)
            total, terms = evaluate()
            if it % log_every == 0:
                log(it, "adam", optimizer, (total, terms))
            total.backward()
            optimizer.step()
            after_step(it + 1, "adam", optimizer)

    # --- L-BFGS: se avanza de a log_every iteraciones para registrar el progreso.
    if lbfgs_iters:
        log(adam_iters, "adam" if adam_iters else "lbfgs", optimizer)
        optimizer = torch.optim.LBFGS(
            params, lr=1.0, max_iter=log_every, history_size=lbfgs_history, line_search_fn="strong_wolfe",
            tolerance_grad=1e-10, tolerance_change=1e-14,
        )
        done = 0

        def closure() -> torch.Tensor:
            optimizer.zero_grad(set_to_none=True)
            total, _ = evaluate()
            # L-BFGS ya lee la pérdida en la CPU en cada evaluación: comprobarla aquí no cuesta.
            if not torch.isfinite(total.detach()):
                raise FloatingPointError(
                    f"La pérdida se volvió {total.item()} en la iteración {adam_iters + done} (lbfgs). "
                    "Pruebe una tasa de aprendizaje menor, escalar el residuo o revisar los pesos."
                )
            total.backward()
            return total

        while done < lbfgs_iters:
            chunk = min(log_every, lbfgs_iters - done)
            # max_eval holgado: que corte max_iter y no el número de evaluaciones.
            optimizer.param_groups[0].update(max_iter=chunk, max_eval=chunk * 25)
            before = optimizer.state[params[0]].get("n_iter", 0)
            optimizer.step(closure)
            advanced = optimizer.state[params[0]].get("n_iter", 0) - before
            done += advanced
            log(adam_iters + done, "lbfgs", optimizer)
            after_step(adam_iters + done, "lbfgs", optimizer)
            if advanced < chunk:  # convergió (gradiente o cambio por debajo de la tolerancia)
                break
    else:
        log(adam_iters, "adam", optimizer)
    for cb in callbacks:
        cb.on_end(state(history.iteration[-1], history.phase[-1], optimizer))
    return history


def _warn_float64_cuda(param: torch.Tensor) -> None:
    """Avisa (una vez por sesión) que float64 en CUDA es caro."""
    global _WARNED_FLOAT64_CUDA
    if param.dtype == torch.float64 and param.device.type == "cuda" and not _WARNED_FLOAT64_CUDA:
        _WARNED_FLOAT64_CUDA = True
        warnings.warn(
            "Entrenando en float64 sobre CUDA: las GPU de consumo hacen float64 entre 16 y 64 veces "
            "más lento que float32 (las de centro de datos, unas 2 veces). Úselo solo si la precisión lo exige.",
            stacklevel=3,
        )


_WARNED_FLOAT64_CUDA = False


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
