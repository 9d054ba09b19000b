"""PINNs de ``pidl`` junto a DeepXDE (backend PyTorch), en la misma máquina y en una corrida.

Dos problemas: Burgers viscosa (``ν = 0.01/π``, ``x ∈ [−1, 1]``, ``t ∈ [0, 1]``)
y Poisson 2-D (``−Δu = 2k²π² sin(kπx) sin(kπy)`` en ``[0, 1]²``, ``u = 0`` en
el borde, ``k = 2``). Error L2 relativo contra ``pidl.references`` en una
grilla, y segundos de reloj del entrenamiento.

(a) **receta**: cada biblioteca con su propia receta recomendada
    - ``pidl``: la de los capítulos 11 y 12 (restricciones duras, simetría impar
      en Burgers, ``float64``, puntos de Sobol, Adam → L-BFGS);
    - DeepXDE: la de sus ejemplos documentados (condiciones como penalización,
      puntos al azar de la geometría, ``float32``, Glorot normal, Adam 1e-3 →
      L-BFGS), con un tope de ``--cap`` segundos.
(b) **igualdad**: la misma red (mismo tamaño, ``tanh``, la misma transformación
    de salida que impone las condiciones), los mismos puntos de colocación, la
    misma precisión (``float64``), el mismo calendario (Adam → L-BFGS) y el
    mismo presupuesto de reloj (``--budget`` segundos): solo cambia la biblioteca.

Cada caso corre en un proceso nuevo con ``--threads`` hilos. Imprime una tabla
y guarda una figura (error contra segundos). DeepXDE se instala aparte, solo
para esto: ``pip install -r requirements-bench.txt``.

    python tools/bench_pinns.py                     # todo (unos 15 min en 2 núcleos)
    python tools/bench_pinns.py --budget 30 --cap 120 --out _build/bench
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NU = 0.01 / math.pi
K_POISSON = 2
CASES = [(problem, setting, lib) for problem in ("burgers", "poisson")
         for setting in ("receta", "igualdad") for lib in ("pidl", "deepxde")]


class OutOfTime(Exception):
    """Se acabó el presupuesto de reloj."""


# ----------------------------------------------------------------- referencias

def reference(problem: str) -> tuple[np.ndarray, np.ndarray]:
    """Puntos de evaluación ``(N, 2)`` y solución de referencia ``(N,)``."""
    from pidl import references

    if problem == "burgers":
        x, t = np.linspace(-1, 1, 201), np.linspace(0, 1, 101)
        X, T = np.meshgrid(x, t, indexing="ij")
        return np.stack([X.ravel(), T.ravel()], 1), references.burgers(X, T, nu=NU).ravel()
    g = np.linspace(0, 1, 101)
    X, Y = np.meshgrid(g, g, indexing="ij")
    return np.stack([X.ravel(), Y.ravel()], 1), references.poisson_2d(X, Y, k=K_POISSON)[0].ravel()


def rel_l2(pred: np.ndarray, ref: np.ndarray) -> float:
    pred = np.asarray(pred, dtype=np.float64).reshape(ref.shape)
    return float(np.linalg.norm(pred - ref) / np.linalg.norm(ref))


# Transformaciones de salida que imponen las condiciones (iguales en las dos bibliotecas).
def burgers_hard(xt, raw):
    import torch

    x, t = xt[:, :1], xt[:, 1:]
    return -torch.sin(torch.pi * x) + t * (1 - x**2) * raw


def poisson_hard(xy, raw):
    x, y = xy[:, :1], xy[:, 1:]
    return x * (1 - x) * y * (1 - y) * raw


def poisson_f(xy):
    import torch

    k = K_POISSON * torch.pi
    return 2 * k**2 * torch.sin(k * xy[:, :1]) * torch.sin(k * xy[:, 1:])


# Configuración de (b): una sola, usada por las dos bibliotecas.
SAME = {
    "burgers": {"width": 20, "depth": 4, "n": 2000, "adam": 500, "lr": 3e-3},
    "poisson": {"width": 20, "depth": 3, "n": 1000, "adam": 500, "lr": 1e-3},
}


def same_points(problem: str):
    import torch

    from pidl.pinn import sample_sobol

    lower, upper = ([-1.0, 0.0], [1.0, 1.0]) if problem == "burgers" else ([0.0, 0.0], [1.0, 1.0])
    torch.manual_seed(0)
    return sample_sobol(SAME[problem]["n"], lower, upper, dtype=torch.float64)


# ------------------------------------------------------------------------ pidl

def run_pidl(problem: str, setting: str, seconds: float) -> dict:
    import torch

    from pidl import seed_everything
    from pidl.pinn import PINN, Callback, sample_sobol, train_pinn
    from pidl.residuals import grad, laplacian, partial

    seed_everything(0)
    dtype = torch.float64
    pts, ref = reference(problem)
    grid = torch.tensor(pts, dtype=dtype)
    start = time.perf_counter()
    deadline = start + seconds

    done = [0]

    class Budget(Callback):  # corta el entrenamiento al acabarse el reloj
        def on_step(self, state):
            done[0] = state.iteration
            if time.perf_counter() > deadline:
                raise OutOfTime

    if problem == "burgers":
        lower, upper = [-1.0, 0.0], [1.0, 1.0]
        cfg = SAME["burgers"]
        net = PINN(2, width=cfg["width"], depth=cfg["depth"], lower=lower, upper=upper,
                   output_transform=burgers_hard)
        if setting == "receta":  # capítulo 12: parte impar en x y puntos en la mitad x ≥ 0
            class OddPart(torch.nn.Module):
                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, xt):
                    mirror = xt * torch.tensor([-1.0, 1.0], dtype=xt.dtype)
                    both = self.inner(torch.cat([xt, mirror]))
                    return (both[: len(xt)] - both[len(xt):]) / 2

            model = OddPart(net).to(dtype)
            col = sample_sobol(2000, [0.0, 0.0], [1.0, 1.0], dtype=dtype)
            iters = {"adam_iters": 500, "adam_lr": 3e-3, "lbfgs_iters": 2500}
        else:
            model = net.to(dtype)
            col = same_points("burgers")
            iters = {"adam_iters": cfg["adam"], "adam_lr": cfg["lr"], "lbfgs_iters": 100_000}
        col.requires_grad_(True)

        def terms():
            u = model(col)
            u_x, u_t = grad(u, col).split(1, dim=1)
            u_xx = partial(u_x, col, dim=0)
            return {"pde": (u_t + u * u_x - NU * u_xx).pow(2).mean()}
    else:
        cfg = SAME["poisson"]
        model = PINN(2, width=cfg["width"], depth=cfg["depth"], lower=[0, 0], upper=[1, 1],
                     output_transform=poisson_hard).to(dtype)
        if setting == "receta":  # capítulo 11: Sobol, duras, float64, Adam → L-BFGS
            col = sample_sobol(1000, [0.0, 0.0], [1.0, 1.0], dtype=dtype)
            iters = {"adam_iters": 500, "adam_lr": 1e-3, "lbfgs_iters": 1000}
        else:
            col = same_points("poisson")
            iters = {"adam_iters": cfg["adam"], "adam_lr": cfg["lr"], "lbfgs_iters": 100_000}
        col.requires_grad_(True)
        f = poisson_f(col).detach()

        def terms():
            return {"pde": (-laplacian(model(col), col) - f).pow(2).mean()}

    stopped = False
    try:
        history = train_pinn(model, terms, callbacks=[Budget()], progress=False,
                             log_every=100, **iters)
        n_iter = history.iteration[-1] if history.iteration else 0
    except OutOfTime:
        stopped, n_iter = True, done[0]
    elapsed = time.perf_counter() - start
    with torch.no_grad():
        pred = model(grid).numpy()
    return {"error": rel_l2(pred, ref), "seconds": elapsed, "iterations": n_iter, "stopped": stopped}


# --------------------------------------------------------------------- DeepXDE

def run_deepxde(problem: str, setting: str, seconds: float) -> dict:
    os.environ.setdefault("DDE_BACKEND", "pytorch")
    import deepxde as dde

    dde.config.set_random_seed(0)
    if setting == "igualdad":
        dde.config.set_default_float("float64")
    pts, ref = reference(problem)
    start = time.perf_counter()

    class Budget(dde.callbacks.Callback):
        def on_epoch_end(self):
            if time.perf_counter() - start > seconds:
                self.model.stop_training = True

    if problem == "burgers":
        geom = dde.geometry.GeometryXTime(dde.geometry.Interval(-1, 1), dde.geometry.TimeDomain(0, 1))

        def pde(x, y):
            dy_x = dde.grad.jacobian(y, x, i=0, j=0)
            dy_t = dde.grad.jacobian(y, x, i=0, j=1)
            dy_xx = dde.grad.hessian(y, x, i=0, j=0)
            return dy_t + y * dy_x - NU * dy_xx

        if setting == "receta":  # el ejemplo de Burgers de la documentación de DeepXDE
            bc = dde.icbc.DirichletBC(geom, lambda x: 0, lambda _, on_boundary: on_boundary)
            ic = dde.icbc.IC(geom, lambda x: -np.sin(np.pi * x[:, 0:1]), lambda _, on_initial: on_initial)
            data = dde.data.TimePDE(geom, pde, [bc, ic], num_domain=2540, num_boundary=80,
                                    num_initial=160)
            net = dde.nn.FNN([2] + [20] * 3 + [1], "tanh", "Glorot normal")
            adam, lr = 15000, 1e-3
        else:
            cfg = SAME["burgers"]
            data = dde.data.TimePDE(geom, pde, [], num_domain=0, anchors=same_points("burgers").numpy())
            net = dde.nn.FNN([2] + [cfg["width"]] * cfg["depth"] + [1], "tanh", "Glorot normal")
            net.apply_output_transform(burgers_hard)
            adam, lr = cfg["adam"], cfg["lr"]
    else:
        geom = dde.geometry.Rectangle([0, 0], [1, 1])

        def pde(x, y):
            return -dde.grad.hessian(y, x, i=0, j=0) - dde.grad.hessian(y, x, i=1, j=1) - poisson_f(x)

        if setting == "receta":  # como el ejemplo de Poisson de la documentación
            bc = dde.icbc.DirichletBC(geom, lambda x: 0, lambda _, on_boundary: on_boundary)
            data = dde.data.PDE(geom, pde, [bc], num_domain=1200, num_boundary=120)
            net = dde.nn.FNN([2] + [50] * 4 + [1], "tanh", "Glorot normal")
            adam, lr = 5000, 1e-3
        else:
            cfg = SAME["poisson"]
            data = dde.data.PDE(geom, pde, [], num_domain=0, anchors=same_points("poisson").numpy())
            net = dde.nn.FNN([2] + [cfg["width"]] * cfg["depth"] + [1], "tanh", "Glorot normal")
            net.apply_output_transform(poisson_hard)
            adam, lr = cfg["adam"], cfg["lr"]

    model = dde.Model(data, net)
    model.compile("adam", lr=lr)
    budget = Budget()
    model.train(iterations=adam, callbacks=[budget], display_every=10**9, verbose=0)
    n_iter = model.train_state.step
    if time.perf_counter() - start < seconds:
        dde.optimizers.config.set_LBFGS_options(maxiter=15000 if setting == "receta" else 100_000)
        # Revisar el reloj cada 50 iteraciones de L-BFGS (no cada 1000).
        dde.optimizers.config.LBFGS_options["iter_per_step"] = 50
        model.compile("L-BFGS")
        model.train(callbacks=[budget], display_every=10**9, verbose=0)
        n_iter = model.train_state.step
    elapsed = time.perf_counter() - start
    stopped = elapsed > seconds
    pred = model.predict(pts.astype(np.float64 if setting == "igualdad" else np.float32))
    return {"error": rel_l2(pred, ref), "seconds": elapsed, "iterations": n_iter, "stopped": stopped}


# ------------------------------------------------------------------------ main

def one_case(problem: str, setting: str, lib: str, seconds: float, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    run = run_pidl if lib == "pidl" else run_deepxde
    cpu = time.process_time()
    result = run(problem, setting, seconds)
    # En una máquina compartida el reloj se infla; el tiempo de CPU del proceso no tanto.
    result["cpu_seconds"] = time.process_time() - cpu
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=60.0, help="segundos de reloj en (b)")
    parser.add_argument("--cap", type=float, default=180.0, help="tope de segundos de cada receta en (a)")
    parser.add_argument("--threads", type=int, default=1, help="hilos de PyTorch por caso")
    parser.add_argument("--only", nargs="*", default=None,
                        help="casos problema/ajuste/biblioteca, p. ej. burgers/igualdad/pidl")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bench", help="carpeta de la figura")
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)  # uso interno: un caso en un proceso nuevo
    args = parser.parse_args(argv)

    if args.case:
        problem, setting, lib = args.case
        seconds = args.budget if setting == "igualdad" else args.cap
        print(json.dumps(one_case(problem, setting, lib, seconds, args.threads)))
        return 0

    try:
        import deepxde  # solo para dar un mensaje claro antes de empezar
    except ImportError:
        print("Falta DeepXDE: pip install -r requirements-bench.txt", file=sys.stderr)
        return 2

    cases = [c for c in CASES if args.only is None or "/".join(c) in args.only]
    env = {**os.environ, "DDE_BACKEND": "pytorch", "OMP_NUM_THREADS": str(args.threads),
           "MKL_NUM_THREADS": str(args.threads)}
    results = []
    for problem, setting, lib in cases:
        cmd = [sys.executable, __file__, "--case", problem, setting, lib, "--budget", str(args.budget),
               "--cap", str(args.cap), "--threads", str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            print(f"{problem}/{setting}/{lib} falló:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append({"problem": problem, "setting": setting, "lib": lib, **result})
        print(f"  {problem}/{setting}/{lib}: error {result['error']:.2e} en {result['seconds']:.1f} s",
              file=sys.stderr, flush=True)

    import torch

    print(f"\nPyTorch {torch.__version__} · DeepXDE {deepxde.__version__} · {args.threads} hilo(s) · "
          f"(b) con {args.budget:.0f} s · (a) con tope de {args.cap:.0f} s\n")
    print("| problema | ajuste | biblioteca | error L2 relativo | segundos | CPU (s) | iteraciones | cortado por el reloj |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for r in results:
        its = "—" if r["iterations"] is None else str(r["iterations"])
        cpu = f"{r['cpu_seconds']:.1f}" if "cpu_seconds" in r else "—"
        print(f"| {r['problem']} | {r['setting']} | {r['lib']} | {r['error']:.2e} | {r['seconds']:.1f} | "
              f"{cpu} | {its} | {'sí' if r['stopped'] else 'no'} |")
    args.out.mkdir(parents=True, exist_ok=True)
    _figure(results, args.out / "bench_pinns.png")
    (args.out / "bench_pinns.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nFigura: {args.out / 'bench_pinns.png'}")
    return 0


def _figure(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    colors = {"pidl": "tab:blue", "deepxde": "tab:orange"}
    markers = {"receta": "o", "igualdad": "s"}
    for ax, problem in zip(axes, ("burgers", "poisson")):
        for r in (r for r in results if r["problem"] == problem):
            ax.scatter(r["seconds"], r["error"], color=colors[r["lib"]], marker=markers[r["setting"]],
                       s=60, label=f"{r['lib']} · {r['setting']}")
        ax.set_yscale("log")
        ax.set_xlabel("tiempo de entrenamiento (s)")
        ax.set_ylabel("error L2 relativo")
        ax.set_title("Burgers, ν = 0.01/π" if problem == "burgers" else f"Poisson 2-D, k = {K_POISSON}")
        ax.grid(alpha=0.3)
        if ax.collections:
            ax.legend(fontsize=8)
    fig.suptitle("pidl y DeepXDE: (a) receta propia, (b) igualdad de red, puntos, precisión y reloj")
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
