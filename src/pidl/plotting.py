"""Un único estilo visual para todo el libro y los gráficos que se repiten."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

if TYPE_CHECKING:  # pragma: no cover
    from .training import History

__all__ = ["set_style", "plot_history", "plot_decision_boundary", "plot_field", "PALETTE"]

#: Paleta del libro (apta para daltónicos): se usa en ese orden.
PALETTE = sns.color_palette("colorblind")


def set_style() -> None:
    """Aplica el estilo del libro: seaborn ``whitegrid``, paleta para daltónicos,
    figuras de 6.4 × 4 pulgadas y 110 ppp (nítidas en HTML sin pesar demasiado).

    Examples
    --------
    >>> set_style()
    >>> mpl.rcParams["figure.dpi"]
    110.0
    """
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "figure.constrained_layout.use": True,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "legend.frameon": True,
            "lines.linewidth": 1.8,
            "image.cmap": "viridis",
            "axes.formatter.use_mathtext": True,
        }
    )


def plot_history(history: History, axes: Any = None, metrics: bool = True, title: str | None = None) -> Any:
    """Curvas de aprendizaje: pérdida (escala log) y, si hay, las métricas.

    Devuelve el arreglo de ejes. Marca con una línea vertical la mejor época.

    Examples
    --------
    >>> from pidl.training import History
    >>> axes = plot_history(History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.7]))
    >>> len(axes)
    1
    """
    if history.epochs == 0:
        raise ValueError("El historial está vacío: no hay nada que graficar.")
    metric_names = sorted({k.split("_", 1)[1] for k in history.metrics}) if metrics else []
    n_panels = 1 + len(metric_names)
    if axes is None:
        _, axes = plt.subplots(1, n_panels, figsize=(4.4 * n_panels, 3.4), squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    if len(axes) < n_panels:
        raise ValueError(f"Se necesitan {n_panels} ejes y se pasaron {len(axes)}.")
    epochs = np.arange(1, history.epochs + 1)
    ax = axes[0]
    ax.plot(epochs, history.train_loss, label="entrenamiento")
    if history.val_loss:
        ax.plot(epochs, history.val_loss, label="validación")
        ax.axvline(history.best_epoch, color="0.5", ls=":", lw=1, label=f"mejor época ({history.best_epoch})")
    ax.set(xlabel="época", ylabel="pérdida", yscale="log", title=title or "Pérdida")
    ax.legend()
    for ax, name in zip(axes[1:], metric_names):
        for split, label in (("train", "entrenamiento"), ("val", "validación")):
            values = history.metrics.get(f"{split}_{name}")
            if values:
                ax.plot(epochs[: len(values)], values, label=label)
        ax.set(xlabel="época", ylabel=name, title=name)
        ax.legend()
    return axes


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    ax: Any = None,
    resolution: int = 200,
    margin: float = 0.5,
    title: str | None = None,
) -> Any:
    """Frontera de decisión de un clasificador binario en 2-D.

    ``predict`` recibe un arreglo ``(M, 2)`` y devuelve probabilidades (o
    puntajes) ``(M,)`` de la clase 1; se colorea la región y se dibuja la curva
    de nivel 0.5. Funciona con modelos de NumPy y de PyTorch (envuelva el
    modelo en una función que convierta).

    Examples
    --------
    >>> xs = np.array([[0., 0.], [1., 1.]]); ys = np.array([0, 1])
    >>> ax = plot_decision_boundary(lambda p: (p.sum(1) > 1).astype(float), xs, ys)
    """
    x = np.asarray(x)
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x debe tener forma (N, 2); se recibió {x.shape}.")
    if len(x) != len(y):
        raise ValueError(f"x tiene {len(x)} puntos e y tiene {len(y)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.0))
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    z = np.asarray(predict(grid), dtype=float).reshape(g0.shape)
    cmap = mpl.colors.ListedColormap([PALETTE[0], PALETTE[1]])
    levels = [min(z.min(), 0.5) - 1.0, 0.5, max(z.max(), 0.5) + 1.0]
    ax.contourf(g0, g1, z, levels=levels, cmap=cmap, alpha=0.18)
    ax.contour(g0, g1, z, levels=[0.5], colors="k", linewidths=1.2)
    for label, marker in ((0, "o"), (1, "s")):
        pts = x[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, marker=marker, color=PALETTE[label],
                   edgecolor="white", linewidth=0.4, label=f"clase {label}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_field(
    ax: Any,
    X: np.ndarray,
    Y: np.ndarray,
    Z: np.ndarray,
    *,
    title: str | None = None,
    label: str | None = None,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
    norm: Any = None,
    cmap: str = "viridis",
    **kwargs: Any,
) -> Any:
    """Un campo escalar 2-D con ``pcolormesh`` y su barra de colores (con ``label``).

    ``X, Y`` como los da ``np.meshgrid`` (o :func:`~pidl.pinn.sampling.grid_2d`) y ``Z``
    con su forma o plano (se le da la forma de ``X``). Devuelve la imagen.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> X, Y = np.meshgrid(np.linspace(0, 1, 4), np.linspace(0, 1, 3))
    >>> fig, ax = plt.subplots()
    >>> image = plot_field(ax, X, Y, (X * Y).ravel(), title="xy", label="$u$")
    >>> image.get_array().shape
    (3, 4)
    >>> plt.close(fig)
    """
    X, Y, Z = np.asarray(X), np.asarray(Y), np.asarray(Z)
    if X.shape != Y.shape or X.ndim != 2:
        raise ValueError(f"X e Y deben ser mallas 2-D de la misma forma; se recibió {X.shape} y {Y.shape}.")
    if Z.size != X.size:
        raise ValueError(f"Z tiene {Z.size} valores y la malla {X.size}: deben coincidir.")
    image = ax.pcolormesh(X, Y, Z.reshape(X.shape), shading="auto", norm=norm, cmap=cmap, **kwargs)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title is not None:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=label)
    return image
