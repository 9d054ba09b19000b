"""Tests de pidl.pinn: la red, los muestreadores, train_pinn y relative_l2."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from pidl.pinn import (
    PINN,
    AdamLR,
    Callback,
    EveryK,
    KeepBest,
    PINNHistory,
    RecordValues,
    grid_2d,
    predict,
    relative_l2,
    resample_adaptive,
    sample_box_boundary,
    sample_sobol,
    sample_uniform,
    train_pinn,
)
from pidl.residuals import partial

DTYPES = [torch.float32, torch.float64]


# ------------------------------------------------------------------ PINN


def test_normalization_maps_bounds_to_plus_minus_one():
    model = PINN(2, lower=[0.0, -3.0], upper=[2.0, 5.0])
    corners = torch.tensor([[0.0, -3.0], [2.0, 5.0], [1.0, 1.0]])
    expected = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0]])
    torch.testing.assert_close(model.embed(corners), expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_shapes_and_fourier_features(dtype):
    model = PINN(3, out_dim=2, width=8, depth=2, fourier_features=5, fourier_scale=2.0,
                 lower=[0, 0, 0], upper=[1, 1, 1]).to(dtype)
    x = torch.rand(7, 3, dtype=dtype)
    assert model.embed(x).shape == (7, 10)
    assert model(x).shape == (7, 2) and model(x).dtype == dtype
    # B es fijo: un buffer (viaja con .to y con el state_dict), no un parámetro
    assert "fourier_B" in dict(model.named_buffers())
    assert all(p.shape != (3, 5) for p in model.parameters())
    assert model.fourier_B.dtype == dtype
    emb = model.embed(x)
    torch.testing.assert_close(emb[:, :5] ** 2 + emb[:, 5:] ** 2, torch.ones(7, 5, dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_output_transform_enforces_constraint_exactly(dtype):
    for seed in range(3):
        model = PINN(1, output_transform=lambda t, n: 1.0 + t * n,
                     generator=torch.Generator().manual_seed(seed)).to(dtype)
        t = torch.zeros(4, 1, dtype=dtype)
        assert torch.equal(model(t), torch.ones(4, 1, dtype=dtype))
    # condición de Dirichlet en los dos extremos de [0, 1]
    model = PINN(1, output_transform=lambda x, n: x * (1 - x) * n)
    assert torch.equal(model(torch.tensor([[0.0], [1.0]])), torch.zeros(2, 1))


def test_generator_makes_init_reproducible_and_biases_zero():
    a = PINN(2, fourier_features=4, generator=torch.Generator().manual_seed(1))
    b = PINN(2, fourier_features=4, generator=torch.Generator().manual_seed(1))
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(pa, pb), name
    assert all(torch.count_nonzero(m.bias) == 0 for m in a.net if isinstance(m, torch.nn.Linear))


def test_activations():
    x = torch.rand(5, 1)
    for act in ("tanh", "sin", "gelu", "silu", "softplus", torch.nn.Tanh()):
        assert PINN(1, width=4, depth=1, activation=act)(x).shape == (5, 1)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lower": [1.0], "upper": [0.0]}, ValueError, "lower debe ser menor"),
        ({"lower": [0.0, 0.0], "upper": [1.0, 1.0]}, ValueError, "largo 2"),
        ({"lower": [0.0]}, ValueError, "juntos"),
        ({"width": 0}, ValueError, "width"),
        ({"depth": 1.5}, ValueError, "depth"),
        ({"activation": "swish2"}, ValueError, "activation"),
        ({"activation": 3}, TypeError, "activation"),
        ({"fourier_features": -1}, ValueError, "fourier_features"),
        ({"fourier_scale": 0.0}, ValueError, "fourier_scale"),
        ({"output_transform": 3}, TypeError, "output_transform"),
    ],
)
def test_pinn_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        PINN(1, **kwargs)


def test_pinn_bad_input():
    model = PINN(2)
    with pytest.raises(ValueError, match=r"forma \(N, 2\)"):
        model(torch.rand(5, 3))
    with pytest.raises(ValueError, match=r"forma \(N, 2\)"):
        model(torch.rand(5))
    with pytest.raises(TypeError, match="float64"):
        model(torch.rand(5, 2, dtype=torch.float64))
    with pytest.raises(TypeError, match="torch.Tensor"):
        model(np.zeros((5, 2)))
    bad = PINN(1, output_transform=lambda t, n: n.sum())
    with pytest.raises(ValueError, match="output_transform debe devolver"):
        bad(torch.rand(5, 1))


# ------------------------------------------------------------ muestreo


@pytest.mark.parametrize("dtype", DTYPES)
def test_samplers_shape_bounds_dtype(dtype):
    lower, upper = [0.0, -2.0, 10.0], [1.0, 2.0, 10.5]
    g = torch.Generator().manual_seed(0)
    for x in (sample_uniform(500, lower, upper, generator=g, dtype=dtype),
              sample_sobol(512, lower, upper, dtype=dtype)):
        assert x.dtype == dtype and x.shape[1] == 3 and x.shape[0] in (500, 512)
        assert not x.requires_grad
        assert (x >= torch.tensor(lower, dtype=dtype)).all() and (x <= torch.tensor(upper, dtype=dtype)).all()
        # cubren la caja: cada coordenada llega cerca de sus dos cotas
        span = torch.tensor(upper, dtype=dtype) - torch.tensor(lower, dtype=dtype)
        assert ((x.min(0).values - torch.tensor(lower, dtype=dtype)) / span < 0.02).all()


def test_sobol_is_reproducible_and_evenly_spread():
    a = sample_sobol(64, [0.0, 0.0], [1.0, 1.0], seed=3)
    assert torch.equal(a, sample_sobol(64, [0.0, 0.0], [1.0, 1.0], seed=3))
    assert not torch.equal(a, sample_sobol(64, [0.0, 0.0], [1.0, 1.0], seed=4))
    # 64 puntos de Sobol: exactamente 16 en cada cuadrante (uniformes: no)
    counts = torch.bincount((a[:, 0] > 0.5).long() * 2 + (a[:, 1] > 0.5).long())
    assert counts.tolist() == [16, 16, 16, 16]
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(sample_uniform(10, [0.0], [1.0], generator=g1), sample_uniform(10, [0.0], [1.0], generator=g2))


@pytest.mark.parametrize(
    "args, match",
    [((0, [0.0], [1.0]), "n debe"), ((5, [1.0], [1.0]), "lower debe ser menor"),
     ((5, [0.0, 0.0], [1.0]), "mismo largo"), ((2.5, [0.0], [1.0]), "n debe"),
     ((5, [0.0], [np.inf]), "finitos")],
)
def test_samplers_bad_input(args, match):
    for sampler in (sample_uniform, sample_sobol):
        with pytest.raises(ValueError, match=match):
            sampler(*args)


def test_resample_adaptive_picks_high_residual_regions():
    calls = []

    def residual_fn(x):
        calls.append(x.requires_grad)
        u = torch.exp(-(((x[:, :1] - 0.7) / 0.05) ** 2))
        return partial(u, x, 0) + u  # deriva: necesita requires_grad

    g = torch.Generator().manual_seed(0)
    top = resample_adaptive(residual_fn, 50, [0.0], [1.0], generator=g)
    assert calls == [True]
    assert top.shape == (50, 1) and not top.requires_grad
    assert ((top - 0.7).abs() < 0.15).all()
    soft = resample_adaptive(residual_fn, 50, [0.0], [1.0], power=2.0, generator=g, dtype=torch.float64)
    assert soft.dtype == torch.float64
    assert ((soft - 0.7).abs() < 0.15).float().mean() > 0.8
    with pytest.raises(ValueError, match="n_candidates"):
        resample_adaptive(residual_fn, 50, [0.0], [1.0], n_candidates=10)
    with pytest.raises(ValueError, match="residual_fn debe devolver"):
        resample_adaptive(lambda x: x.sum(), 5, [0.0], [1.0])


# ------------------------------------------------------------ entrenamiento


def _decay_problem(dtype):
    """u' = -u, u(0) = 1 impuesta exactamente; solución e^{-t} en [0, 2]."""
    torch.manual_seed(0)
    model = PINN(1, width=20, depth=2, lower=[0.0], upper=[2.0],
                 output_transform=lambda t, n: 1 + t * n).to(dtype)
    t = sample_sobol(64, [0.0], [2.0], dtype=dtype).requires_grad_(True)
    t_test = torch.linspace(0, 2, 101, dtype=dtype).reshape(-1, 1)

    def loss_terms():
        u = model(t)
        return {"edo": (partial(u, t, 0) + u).pow(2).mean()}

    def error_fn():
        with torch.no_grad():
            return relative_l2(model(t_test), torch.exp(-t_test))

    return model, loss_terms, error_fn


@pytest.mark.parametrize("dtype", DTYPES)
def test_train_pinn_solves_tiny_ode(dtype):
    model, loss_terms, error_fn = _decay_problem(dtype)
    hist = train_pinn(model, loss_terms, adam_iters=300, adam_lr=1e-2, lbfgs_iters=200,
                      error_fn=error_fn, log_every=50, progress=False)
    assert hist.final_error < 1e-3, hist.error
    assert hist.final_loss < 1e-6
    assert isinstance(hist, PINNHistory)
    n = len(hist.iteration)
    assert len(hist.loss) == len(hist.seconds) == len(hist.error) == len(hist.phase) == len(hist.terms["edo"]) == n
    assert hist.iteration[:7] == [0, 50, 100, 150, 200, 250, 300] and hist.phase[6] == "adam"
    assert hist.phase[-1] == "lbfgs" and hist.lbfgs_start == 300
    assert all(b >= a for a, b in zip(hist.seconds, hist.seconds[1:]))
    assert hist.total_seconds == hist.seconds[-1] > 0
    # L-BFGS mejora mucho sobre Adam
    assert hist.final_loss < 1e-2 * hist.loss[6]
    ax = hist.plot()
    assert ax.get_yscale() == "log"


def test_train_pinn_weights_and_extra_params_inverse_problem():
    # problema inverso: u' = -k u con k desconocido, a partir de datos de e^{-1.5 t}
    torch.manual_seed(0)
    dtype = torch.float64
    model = PINN(1, width=16, depth=2, lower=[0.0], upper=[1.0]).to(dtype)
    log_k = torch.zeros((), dtype=dtype, requires_grad=True)
    t = torch.linspace(0, 1, 32, dtype=dtype).reshape(-1, 1).requires_grad_(True)
    t_data = torch.linspace(0, 1, 10, dtype=dtype).reshape(-1, 1)
    u_data = torch.exp(-1.5 * t_data)

    def loss_terms():
        u = model(t)
        return {"edo": (partial(u, t, 0) + log_k.exp() * u).pow(2).mean(),
                "datos": (model(t_data) - u_data).pow(2).mean()}

    hist = train_pinn(model, loss_terms, adam_iters=200, adam_lr=1e-2, lbfgs_iters=300,
                      weights={"datos": 10.0}, extra_params=[log_k], progress=False)
    assert set(hist.terms) == {"edo", "datos"}
    total = hist.terms["edo"][-1] + 10.0 * hist.terms["datos"][-1]
    assert hist.loss[-1] == pytest.approx(total, rel=1e-9)
    assert log_k.exp().item() == pytest.approx(1.5, rel=1e-3)


def test_train_pinn_adam_only_and_lbfgs_only():
    model, loss_terms, _ = _decay_problem(torch.float64)
    h = train_pinn(model, loss_terms, adam_iters=20, log_every=10, progress=False)
    assert h.iteration == [0, 10, 20] and set(h.phase) == {"adam"} and h.lbfgs_start is None
    h = train_pinn(model, loss_terms, adam_iters=0, lbfgs_iters=20, log_every=10, progress=False)
    assert h.iteration[0] == 0 and h.phase[-1] == "lbfgs" and h.lbfgs_start == 0


def test_train_pinn_nan_names_iteration():
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    hist_calls = {"n": 0}

    def loss_terms():
        hist_calls["n"] += 1
        value = model(x).pow(2).mean()
        if hist_calls["n"] > 6:  # la evaluación del registro inicial + 5 pasos
            value = value * float("nan")
        return {"edo": value}

    # Sin sincronizar en cada paso, el NaN se detecta en el registro siguiente, que
    # dice entre qué iteraciones apareció.
    with pytest.raises(FloatingPointError, match="entre las iteraciones 0 y 50"):
        train_pinn(model, loss_terms, adam_iters=50, log_every=100, progress=False)
    hist_calls["n"] = 0
    model = PINN(1, width=4, depth=1)  # el anterior quedó con pesos NaN
    with pytest.raises(FloatingPointError, match="entre las iteraciones 0 y 10"):
        train_pinn(model, loss_terms, adam_iters=50, log_every=10, progress=False)


def test_train_pinn_logging_reuses_the_step_loss():
    """El registro usa la pérdida del paso recién dado: una evaluación por paso de
    Adam más la del registro final, no una extra cada log_every pasos."""
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    calls = {"n": 0}

    def loss_terms():
        calls["n"] += 1
        return {"edo": model(x).pow(2).mean()}

    hist = train_pinn(model, loss_terms, adam_iters=100, log_every=10, progress=False)
    assert calls["n"] == 100 + 1
    assert hist.iteration == list(range(0, 101, 10))
    # El valor registrado en la iteración 0 es la pérdida antes de cualquier paso.
    torch.manual_seed(0)
    fresh = PINN(1, width=4, depth=1)
    torch.manual_seed(0)
    again = PINN(1, width=4, depth=1)
    first = train_pinn(fresh, lambda: {"edo": fresh(x).pow(2).mean()}, adam_iters=5, progress=False)
    assert first.loss[0] == pytest.approx(again(x).pow(2).mean().item(), rel=1e-6)


def test_activation_module_is_copied_per_layer():
    model = PINN(1, width=4, depth=3, activation=torch.nn.PReLU())
    prelus = [m for m in model.net if isinstance(m, torch.nn.PReLU)]
    assert len(prelus) == 3
    assert len({id(m) for m in prelus}) == 3
    assert len({id(m.weight) for m in prelus}) == 3
    # Cada capa tiene su propia pendiente: se entrenan por separado.
    assert sum(p.numel() for m in prelus for p in m.parameters()) == 3


def test_callbacks_record_resample_schedule_and_keep_best():
    torch.manual_seed(0)
    zeta = torch.tensor(0.0, requires_grad=True)
    model = PINN(1, width=8, depth=1)
    x = {"pts": torch.rand(16, 1)}
    resampled, lrs = [], []

    def resample(state):
        resampled.append(state.iteration)
        x["pts"] = torch.rand(16, 1)

    class SeeLR(Callback):
        def on_step(self, state):
            lrs.append(state.optimizer.param_groups[0]["lr"])

    keep = KeepBest()
    hist = train_pinn(
        model, lambda: {"d": (model(x["pts"]) - 1).pow(2).mean() + (zeta - 0.3) ** 2},
        adam_iters=60, adam_lr=1e-2, log_every=20, extra_params=[zeta], progress=False,
        callbacks=[RecordValues(zeta=lambda: zeta), EveryK(25, resample),
                   AdamLR(lambda it: 1e-2 if it < 30 else 1e-3), SeeLR(), keep],
    )
    assert len(hist.extra["zeta"]) == len(hist.iteration) == 4
    assert hist.extra["zeta"][0] == 0.0 and hist.extra["zeta"][-1] > 0.1  # zeta se movió hacia 0.3
    assert resampled == [25, 50]
    assert lrs[28] == 1e-2 and lrs[30] == 1e-3
    assert keep.best == min(hist.loss) and keep.best_iteration == hist.iteration[hist.loss.index(keep.best)]


def test_keep_best_restores_best_weights():
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    target = {"v": 0.0}  # el objetivo cambia: la pérdida sube al final

    def bump(state):
        target["v"] = 5.0

    keep = KeepBest()
    hist = train_pinn(model, lambda: {"d": (model(x) - target["v"]).pow(2).mean()}, adam_iters=40,
                      adam_lr=1e-2, log_every=10, progress=False, callbacks=[EveryK(35, bump), keep])
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    assert keep.best_iteration < hist.iteration[-1]
    with torch.no_grad():
        restored_loss = model(x).pow(2).mean().item()
    assert restored_loss == pytest.approx(keep.best, rel=1e-5)
    assert all(torch.equal(best_state[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: RecordValues(), ValueError, "al menos una"),
        (lambda: RecordValues(a=3), TypeError, "a debe ser"),
        (lambda: EveryK(0, lambda s: None), ValueError, "k"),
        (lambda: EveryK(2, 3), TypeError, "fn"),
        (lambda: AdamLR(0.1), TypeError, "schedule"),
        (lambda: KeepBest("val"), ValueError, "monitor"),
    ],
)
def test_callbacks_bad_construction(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_callbacks_bad_use():
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    terms = lambda: {"d": model(x).pow(2).mean()}
    with pytest.raises(TypeError, match="Callback"):
        train_pinn(model, terms, adam_iters=5, progress=False, callbacks=[lambda s: None])
    with pytest.raises(ValueError, match="lr="):
        train_pinn(model, terms, adam_iters=5, progress=False, callbacks=[AdamLR(lambda it: -1.0)])
    with pytest.raises(ValueError, match="error_fn"):
        train_pinn(model, terms, adam_iters=5, progress=False, callbacks=[KeepBest("error")])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"adam_iters": 0, "lbfgs_iters": 0}, ValueError, "nada que entrenar"),
        ({"adam_iters": -1}, ValueError, "adam_iters"),
        ({"log_every": 0}, ValueError, "log_every"),
        ({"adam_lr": 0.0}, ValueError, "adam_lr"),
        ({"weights": {"fisica": 1.0}}, ValueError, "fisica"),
    ],
)
def test_train_pinn_bad_arguments(kwargs, error, match):
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    with pytest.raises(error, match=match):
        train_pinn(model, lambda: {"edo": model(x).pow(2).mean()}, progress=False, **{"adam_iters": 5, **kwargs})


def test_train_pinn_bad_loss_terms():
    model = PINN(1, width=4, depth=1)
    x = torch.rand(8, 1)
    with pytest.raises(ValueError, match="escalar"):
        train_pinn(model, lambda: {"edo": model(x).pow(2)}, adam_iters=5, progress=False)
    with pytest.raises(TypeError, match="dict"):
        train_pinn(model, lambda: model(x).pow(2).mean(), adam_iters=5, progress=False)


def test_progress_prints_few_lines_outside_a_notebook(capsys):
    model, loss_terms, _ = _decay_problem(torch.float32)
    train_pinn(model, loss_terms, adam_iters=200, log_every=2, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert 5 <= len(lines) <= 12
    assert lines[-1].startswith("iteración 200/200")


# ------------------------------------------------------------ relative_l2


def test_relative_l2():
    ref = np.array([3.0, 4.0])
    assert relative_l2(ref, ref) == 0.0
    assert relative_l2(np.array([3.0, 5.0]), ref) == pytest.approx(0.2)
    assert relative_l2(torch.tensor([[3.0], [5.0]], requires_grad=True), ref.reshape(2, 1)) == pytest.approx(0.2)
    assert isinstance(relative_l2(torch.ones(3), torch.ones(3)), float)
    with pytest.raises(ValueError, match="misma forma"):
        relative_l2(torch.ones(5), torch.ones(5, 1))
    with pytest.raises(ValueError, match="cero"):
        relative_l2(np.ones(3), np.zeros(3))
    with pytest.raises(TypeError, match="ref"):
        relative_l2(np.ones(2), ["a", "b"])
    assert math.isnan(relative_l2(np.array([np.nan, 1.0]), ref))


# ------------------------------------------------ ayudantes de mallas, bordes y predicción


def test_sample_box_boundary_faces_balanced_and_on_the_boundary():
    lo, hi = [0.0, -1.0, 2.0], [1.0, 1.0, 5.0]
    b = sample_box_boundary(600, lo, hi, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert b.shape == (600, 3) and b.dtype == torch.float64
    lo_t, hi_t = torch.tensor(lo, dtype=torch.float64), torch.tensor(hi, dtype=torch.float64)
    assert bool(((b >= lo_t) & (b <= hi_t)).all())
    counts = [int((b[:, k] == v).sum()) for k in range(3) for v in (lo[k], hi[k])]
    assert counts == [100] * 6  # 2d = 6 caras, la misma cantidad en cada una
    # Dentro de cada cara, las otras coordenadas cubren la cara (no están fijas).
    face = b[b[:, 0] == 0.0]
    assert face[:, 1].std() > 0.4 and face[:, 2].std() > 0.6


def test_sample_box_boundary_bad_input():
    with pytest.raises(ValueError, match="lower debe ser menor"):
        sample_box_boundary(4, [1.0], [0.0])
    with pytest.raises(ValueError):
        sample_box_boundary(0, [0.0, 0.0], [1.0, 1.0])


def test_grid_2d_and_predict():
    X, Y, pts = grid_2d([0, -1], [2, 1], n=(5, 3), dtype=torch.float64)
    assert X.shape == Y.shape == (3, 5) and pts.shape == (15, 2) and pts.dtype == torch.float64
    assert X[0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0] and Y[:, 0].tolist() == [-1.0, 0.0, 1.0]
    lin = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        lin.weight[:] = torch.tensor([[1.0, 10.0]])
        lin.bias.zero_()
    Z = predict(lin, pts).reshape(X.shape)
    np.testing.assert_allclose(Z, X + 10 * Y)
    assert predict(lin, pts).dtype == np.float64
    for bad in (1, (3,), "a", True):
        with pytest.raises(ValueError):
            grid_2d([0, 0], [1, 1], n=bad)
    with pytest.raises(TypeError, match="torch.Tensor"):
        predict(lin, np.zeros((2, 2)))


def test_fourier_scale_sets_the_frequency_spread():
    """Con más escala, los rasgos de Fourier oscilan más rápido (B ~ N(0, σ²))."""
    stds = []
    for scale in (1.0, 10.0):
        model = PINN(2, fourier_features=256, fourier_scale=scale, generator=torch.Generator().manual_seed(0))
        stds.append(model.fourier_B.std().item())
    assert stds[0] == pytest.approx(1.0, rel=0.1)
    assert stds[1] == pytest.approx(10.0, rel=0.1)


def test_lbfgs_stops_early_when_converged():
    """Un problema que L-BFGS resuelve enseguida no gasta las iteraciones pedidas."""
    torch.manual_seed(0)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    hist = train_pinn(torch.nn.Linear(1, 1).double().requires_grad_(False),
                      lambda: {"q": (w - target).pow(2).sum()}, adam_iters=0, lbfgs_iters=500,
                      log_every=50, extra_params=[w], progress=False)
    assert hist.phase[-1] == "lbfgs" and hist.iteration[-1] < 50
    torch.testing.assert_close(w.detach(), target)


def test_train_pinn_synchronises_before_every_clock_read(monkeypatch):
    """En CUDA el trabajo está encolado: el reloj se lee solo después de sincronizar.

    Con un reloj falso que avanza 1 s por lectura y un ``synchronize`` falso que
    anota cada llamada, cada pausa del reloj debe venir justo después de una
    sincronización con el dispositivo del modelo.
    """
    import types

    import pidl.pinn.loop as pinn_module

    events = []
    ticks = iter(range(10_000))

    def fake_clock():
        events.append("reloj")
        return float(next(ticks))

    def fake_sync(device):
        events.append(("sync", torch.device(device).type))

    monkeypatch.setattr(pinn_module, "time", types.SimpleNamespace(perf_counter=fake_clock))
    monkeypatch.setattr(pinn_module, "synchronize", fake_sync)
    torch.manual_seed(0)
    model = PINN(1, width=8, depth=1)
    t = torch.linspace(0, 1, 16).reshape(-1, 1)
    history = train_pinn(model, lambda: {"r": model(t).pow(2).mean()}, adam_iters=20, lbfgs_iters=10,
                         log_every=5, progress=False)
    syncs = [i for i, e in enumerate(events) if e != "reloj"]
    assert len(syncs) >= len(history.iteration)
    assert all(events[i] == ("sync", "cpu") and events[i + 1] == "reloj" for i in syncs)
    # El reloj falso avanza 1 por lectura: el tiempo registrado crece y no incluye las pausas.
    assert history.seconds == sorted(history.seconds) and history.seconds[-1] > 0


# ------------------------------------------------------- errores confirmados (issue 23)


def test_keep_best_restores_extra_params_with_the_network():
    torch.manual_seed(0)
    model = PINN(1, width=4, depth=1)
    zeta = torch.tensor(0.3, requires_grad=True)
    t = torch.linspace(0, 1, 16).reshape(-1, 1)
    calls = iter(range(10_000))

    def terms():
        # ζ → 1 baja la pérdida; desde la evaluación 21 un escalón la sube: el mejor es el 20
        step = 10.0 if next(calls) > 20 else 0.0
        return {"a": (zeta - 1).pow(2) + 1e-3 * model(t).pow(2).mean() + step}

    keep = KeepBest()
    h = train_pinn(model, terms, adam_iters=60, adam_lr=1e-2, log_every=10, extra_params=[zeta],
                   callbacks=[RecordValues(zeta=lambda: zeta), keep], progress=False)
    assert keep.best_iteration == 20
    k = h.iteration.index(20)
    assert h.extra["zeta"][k] != h.extra["zeta"][-1]
    assert zeta.item() == h.extra["zeta"][k]          # ζ vuelve con la red al mismo registro


def test_adam_lr_uses_schedule_zero_for_the_first_step():
    model = PINN(1, width=4, depth=1)
    t = torch.linspace(0, 1, 8).reshape(-1, 1)
    lrs = []

    class Record(Callback):
        def on_log(self, state):
            lrs.append(state.optimizer.param_groups[0]["lr"])

    train_pinn(model, lambda: {"a": model(t).pow(2).mean()}, adam_iters=3, adam_lr=1.0, log_every=1,
               callbacks=[AdamLR(lambda it: 1e-3 * (it + 1)), Record()], progress=False)
    # el registro de la iteración it se hace antes del paso it: muestra la tasa de ese paso
    assert lrs[:3] == pytest.approx([1e-3, 2e-3, 3e-3])


def test_adam_lr_accepts_a_list_with_one_rate_per_adam_step():
    # schedule(adam_iters) no existe en una lista de adam_iters tasas: no debe pedirse,
    # y EveryK sigue disparando en el último paso de Adam.
    model = PINN(1, width=4, depth=1)
    t = torch.linspace(0, 1, 8).reshape(-1, 1)
    rates = [1e-2, 5e-3, 2e-3, 1e-3]
    fired = []
    train_pinn(model, lambda: {"a": model(t).pow(2).mean()}, adam_iters=4, lbfgs_iters=2, log_every=2,
               callbacks=[AdamLR(rates.__getitem__), EveryK(2, lambda s: fired.append(s.iteration))],
               progress=False)
    assert fired == [2, 4]


def test_only_callbacks_that_override_on_step_stop_the_clock(monkeypatch):
    model = PINN(1, width=4, depth=1)
    t = torch.linspace(0, 1, 8).reshape(-1, 1)
    pauses = []
    from pidl.pinn import loop
    original = loop.Recorder.pause
    monkeypatch.setattr(loop.Recorder, "pause", lambda self: (pauses.append(1), original(self)))
    terms = lambda: {"a": model(t).pow(2).mean()}
    train_pinn(model, terms, adam_iters=10, log_every=5, progress=False, callbacks=[RecordValues(a=lambda: 1.0)])
    logs_only = len(pauses)
    assert logs_only == 3  # los registros de 0, 5 y 10: on_log no detiene el reloj paso a paso
    pauses.clear()
    train_pinn(model, terms, adam_iters=10, log_every=5, progress=False, callbacks=[EveryK(3, lambda s: None)])
    assert len(pauses) == logs_only + 10


def test_predict_keeps_the_components_of_a_multi_output_model():
    model = PINN(1, out_dim=2, width=4, depth=1)
    x = torch.linspace(0, 1, 5).reshape(-1, 1)
    out = predict(model, x)
    assert out.shape == (5, 2)
    np.testing.assert_allclose(out, model(x).detach().double().numpy())
    assert predict(PINN(1, width=4, depth=1), x).shape == (5,)


def test_tanh_initialises_the_same_however_it_is_spelled():
    a = PINN(2, width=64, depth=2, activation="tanh", generator=torch.Generator().manual_seed(0))
    b = PINN(2, width=64, depth=2, activation=torch.nn.Tanh(), generator=torch.Generator().manual_seed(0))
    for la, lb in zip(a.net, b.net):
        if isinstance(la, torch.nn.Linear):
            torch.testing.assert_close(la.weight, lb.weight)


def test_float64_on_cuda_warns_once(monkeypatch):
    from types import SimpleNamespace

    import pidl.pinn.loop as pinn_module

    monkeypatch.setattr(pinn_module, "_WARNED_FLOAT64_CUDA", False)
    fake = SimpleNamespace(dtype=torch.float64, device=torch.device("cuda"))
    with pytest.warns(UserWarning, match="float64 sobre CUDA"):
        pinn_module._warn_float64_cuda(fake)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pinn_module._warn_float64_cuda(fake)                       # solo una vez por sesión
        pinn_module._warn_float64_cuda(SimpleNamespace(dtype=torch.float32, device=torch.device("cuda")))
        pinn_module._warn_float64_cuda(SimpleNamespace(dtype=torch.float64, device=torch.device("cpu")))


def test_pinn_history_plot_takes_ax():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    h = PINNHistory(iteration=[0, 10], seconds=[0.0, 0.5], loss=[1.0, 0.1], terms={"a": [1.0, 0.1]},
                    phase=["adam", "adam"])
    assert h.plot(ax=ax) is ax
    plt.close("all")
