"""Una línea de progreso compartida por ``fit`` y ``train_pinn``.

En un kernel de Jupyter la línea se reescribe en su lugar (``display_id``), así
que el libro construido muestra solo el estado final; fuera de un notebook se
imprime unas diez veces por entrenamiento.
"""

from __future__ import annotations

import sys


class ProgressLine:
    """``update(step, text)`` muestra ``text`` como el progreso del paso ``step`` de ``total``."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.handle, self.printed = total, enabled, None, -1
        self.every = max(1, total // 10)
        if not enabled:
            return
        try:
            from IPython import get_ipython
            from IPython.display import display

            shell = get_ipython()
            if shell is not None and "IPKernelApp" in shell.config:
                self.handle = display("", display_id=True)
        except ImportError:  # pragma: no cover - IPython siempre está con Jupyter
            self.handle = None

    def update(self, step: int, text: str) -> None:
        if not self.enabled:
            return
        if self.handle is not None:
            from IPython.display import Pretty

            self.handle.update(Pretty(text))
        elif step == self.total or step // self.every > self.printed:
            self.printed = step // self.every
            print(text, file=sys.stdout, flush=True)
