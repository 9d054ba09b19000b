"""pidl: el paquete de ayuda del curso «Aprendizaje profundo basado en la física».

Lo que más de un capítulo necesita, escrito una sola vez:

- :mod:`pidl.device`: ``get_device``, ``float64_device``, ``seed_everything``,
  ``torch_generator``, ``numpy_rng``, ``offset_seed``, ``synchronize``,
  ``describe_device``.
- :mod:`pidl.training`: ``fit``, ``evaluate``, ``History``, ``accuracy``.
- :mod:`pidl.data`: ``TensorLoader``, ``train_val_split``, ``load_digits_tensors``.
- :mod:`pidl.residuals`: ``grad``, ``partial``, ``laplacian``, ``divergence``,
  ``oscillator_residual``.
- :mod:`pidl.checks`: ``gradient_check``.
- :mod:`pidl.plotting`: ``set_style``, ``plot_history``, ``plot_decision_boundary``, ``plot_field``.
- :mod:`pidl.pinn`: ``PINN``, ``train_pinn``, ``PINNHistory``, ``sample_uniform``,
  ``sample_sobol``, ``sample_box_boundary``, ``resample_adaptive``, ``grid_2d``,
  ``predict``, ``relative_l2`` y los *callbacks*
  ``RecordValues``, ``EveryK``, ``AdamLR``, ``KeepBest``.
- :mod:`pidl.references`: soluciones exactas (oscilador, calor, Poisson, Burgers).
"""

from . import checks, data, device, plotting, residuals, training
from . import pinn, references
from .checks import gradient_check
from .data import TensorLoader, load_digits_tensors, train_val_split
from .device import (
    describe_device, float64_device, get_device, numpy_rng, offset_seed, seed_everything, synchronize,
    torch_generator,
)
from .pinn import (
    PINN, AdamLR, Callback, EveryK, KeepBest, PINNHistory, PINNState, RecordValues,
    grid_2d, predict, relative_l2, resample_adaptive, sample_box_boundary, sample_sobol, sample_uniform,
    train_pinn,
)
from .plotting import plot_decision_boundary, plot_field, plot_history, set_style
from .training import History, accuracy, evaluate, fit

__version__ = "0.3.0"

__all__ = [
    "checks", "data", "device", "plotting", "residuals", "training",
    "gradient_check", "TensorLoader", "train_val_split", "load_digits_tensors",
    "describe_device", "float64_device", "get_device", "seed_everything", "offset_seed",
    "torch_generator", "numpy_rng", "synchronize",
    "plot_decision_boundary", "plot_field", "plot_history", "set_style",
    "History", "accuracy", "evaluate", "fit",
    "pinn", "references",
    "PINN", "PINNHistory", "PINNState", "Callback", "RecordValues", "EveryK", "AdamLR", "KeepBest",
    "grid_2d", "predict", "relative_l2", "resample_adaptive", "sample_box_boundary", "sample_sobol",
    "sample_uniform", "train_pinn",
]
