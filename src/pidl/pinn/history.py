"""El registro de :func:`~pidl.pinn.loop.train_pinn`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PINNHistory"]


@dataclass
class PINNHistory:
    """Registro de :func:`~pidl.pinn.loop.train_pinn`: un valor cada ``log_every`` iteraciones.

    Attributes
    ----------
    iteration : list[int]
        Iteraciones (Adam y L-BFGS se cuentan seguidas).
    seconds : list[float]
        Segundos de entrenamiento acumulados: los pasos de los optimizadores, sin
        los registros, ``error_fn`` ni los *callbacks* (lo mismo que
        :attr:`History.seconds <pidl.training.History>` en ``fit``).
    loss : list[float]
        Pérdida total ponderada.
    terms : dict[str, list[float]]
        Cada término de la pérdida, sin ponderar.
    error : list[float]
        Valores de ``error_fn`` (vacía si no se dio).
    phase : list[str]
        ``"adam"`` o ``"lbfgs"``.
    extra : dict[str, list[float]]
        Valores que registran los *callbacks* (por ejemplo :class:`~pidl.pinn.callbacks.RecordValues`),
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
        """Segundos de entrenamiento en total, ``seconds[-1]`` (0 si está vacío)."""
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
