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

El paquete se lee en este orden: :mod:`~pidl.pinn.network` (la red),
:mod:`~pidl.pinn.sampling` (los puntos), :mod:`~pidl.pinn.loop` (el
entrenamiento), :mod:`~pidl.pinn.callbacks` (lo que se engancha en él),
:mod:`~pidl.pinn.history` (lo que devuelve) y :mod:`~pidl.pinn.metrics`
(``predict`` y ``relative_l2``).
"""

from .callbacks import AdamLR, Callback, EveryK, KeepBest, PINNState, RecordValues
from .history import PINNHistory
from .loop import train_pinn
from .metrics import predict, relative_l2
from .network import PINN, Sine
from .sampling import grid_2d, resample_adaptive, sample_box_boundary, sample_sobol, sample_uniform

__all__ = [
    "PINN",
    "Sine",
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
