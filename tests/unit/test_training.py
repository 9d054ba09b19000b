import math
import time

import matplotlib

matplotlib.use("Agg")  # solo en los tests unitarios: no hay pantalla

import pytest
import torch
from torch import nn

from pidl.data import TensorLoader
from pidl.pinn import AdamLR, Callback, EveryK, KeepBest, RecordValues
from pidl.training import History, accuracy, evaluate, fit


def regression_data(n=128, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    return x, y


def test_fit_learns_linear_regression_and_records_history():
    torch.manual_seed(0)
    x, y = regression_data()
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, TensorLoader(x, y, 32, shuffle=True), nn.MSELoss(), opt, epochs=15,
            val_loader=TensorLoader(x, y, 64), device="cpu", progress=False)
    assert h.epochs == 15 and len(h.val_loss) == 15 and len(h.lr) == 15 and len(h.seconds) == 15
    assert h.train_loss[-1] < 1e-4 and h.val_loss[-1] < 1e-4
    assert h.train_loss[0] > 100 * h.train_loss[-1]
    assert torch.allclose(model.weight, torch.tensor([[1.0, -2.0, 0.5]]), atol=1e-2)


def test_fit_matches_a_hand_written_loop_exactly():
    x, y = regression_data()

    def make():
        torch.manual_seed(1)
        return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))

    ref = make()
    opt = torch.optim.SGD(ref.parameters(), lr=0.05)
    loader = TensorLoader(x, y, 16)
    for _ in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.mse_loss(ref(xb), yb).backward()
            opt.step()
    model = make()
    fit(model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05), epochs=3,
        device="cpu", progress=False)
    for a, b in zip(ref.parameters(), model.parameters()):
        assert torch.allclose(a, b, atol=1e-7)


def test_metrics_and_evaluate():
    torch.manual_seed(0)
    x = torch.randn(200, 2)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Linear(2, 2)
    h = fit(model, TensorLoader(x, y, 50), nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.1),
            epochs=20, val_loader=TensorLoader(x, y, 200), metrics={"acc": accuracy}, device="cpu", progress=False)
    assert set(h.metrics) == {"train_acc", "val_acc"}
    assert h.metrics["val_acc"][-1] > 0.95
    res = evaluate(model, TensorLoader(x, y, 64), nn.CrossEntropyLoss(), {"acc": accuracy}, device="cpu")
    assert math.isclose(res["acc"], h.metrics["val_acc"][-1], rel_tol=1e-6)
    assert math.isclose(res["loss"], h.val_loss[-1], rel_tol=1e-5)


def test_accuracy_binary_and_multiclass():
    assert accuracy(torch.tensor([[1.0], [-2.0], [0.5]]), torch.tensor([1.0, 0.0, 0.0])).item() == pytest.approx(2 / 3)
    assert accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1])).item() == pytest.approx(0.5)


def test_early_stopping_restores_best_weights():
    torch.manual_seed(0)
    x, y = regression_data(64)
    xv, yv = regression_data(64, seed=1)
    yv = yv + 5.0 * torch.randn_like(yv)  # validación ruidosa: la mejor época llega antes del final
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    snapshots = []

    class Spy(torch.optim.lr_scheduler.LRScheduler):
        def step(self, *a, **k):
            snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
            return super().step(*a, **k)

        def get_lr(self):
            return [g["lr"] for g in self.optimizer.param_groups]

    h = fit(model, TensorLoader(x, y, 64), nn.MSELoss(), opt, epochs=200,
            val_loader=TensorLoader(xv, yv, 64), scheduler=Spy(opt), early_stopping=3,
            device="cpu", progress=False)
    assert h.stopped_early and h.epochs < 200
    assert h.epochs - h.best_epoch == 3
    best = snapshots[h.best_epoch]  # el índice 0 es la llamada del constructor
    for k, v in model.state_dict().items():
        assert torch.equal(v, best[k])


def test_scheduler_per_epoch_and_per_batch():
    x, y = regression_data(64)
    loader = TensorLoader(x, y, 16)  # 4 lotes por época
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, loader, nn.MSELoss(), opt, epochs=3, scheduler=sched, device="cpu", progress=False)
    assert h.lr == pytest.approx([0.5, 0.25, 0.125])

    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3 * len(loader))
    h = fit(model, loader, nn.MSELoss(), opt, epochs=3, scheduler=sched, scheduler_interval="batch",
            device="cpu", progress=False)
    assert sched.last_epoch == 12  # un paso por lote


def test_reduce_on_plateau_receives_monitored_loss():
    x, y = regression_data(64)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)  # la pérdida casi no cambia: meseta
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    h = fit(model, TensorLoader(x, y, 64), nn.MSELoss(), opt, epochs=4, scheduler=sched,
            device="cpu", progress=False)
    assert h.lr == pytest.approx([1e-6, 5e-7, 2.5e-7, 1.25e-7])
    with pytest.raises(ValueError, match="por época"):
        fit(model, TensorLoader(x, y, 64), nn.MSELoss(), opt, epochs=1, scheduler=sched,
            scheduler_interval="batch", device="cpu", progress=False)


def test_grad_clip_bounds_the_update():
    x, y = regression_data(64)
    y = y * 1e4
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    fit(model, TensorLoader(x, y, 64), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=1.0),
        epochs=1, grad_clip=0.5, device="cpu", progress=False)
    step = torch.cat([model.weight.flatten(), model.bias]).norm()
    assert step <= 0.5 + 1e-5


def test_nan_loss_names_epoch_and_batch():
    x, y = regression_data(64)
    y[40] = float("nan")  # cae en el lote 3 (lotes de 16)
    model = nn.Linear(3, 1)
    with pytest.raises(FloatingPointError, match=r"época 1, lote 3"):
        fit(model, TensorLoader(x, y, 16), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.01),
            epochs=2, device="cpu", progress=False)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"),
    ({"epochs": 2, "early_stopping": 0}, "early_stopping"),
    ({"epochs": 2, "grad_clip": -1.0}, "grad_clip"),
    ({"epochs": 2, "scheduler_interval": "step"}, "scheduler_interval"),
])
def test_bad_arguments(kwargs, match):
    x, y = regression_data(16)
    model = nn.Linear(3, 1)
    with pytest.raises(ValueError, match=match):
        fit(model, TensorLoader(x, y, 8), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
            device="cpu", progress=False, **kwargs)


def test_bad_batches_and_empty_loader():
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="par"):
        fit(model, [torch.zeros(2, 3)], nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)
    with pytest.raises(ValueError, match="ningún lote"):
        fit(model, [], nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)


def test_amp_off_cuda_warns_and_trains_in_float32():
    x, y = regression_data(32)
    model = nn.Linear(3, 1)
    with pytest.warns(UserWarning, match="CUDA"):
        h = fit(model, TensorLoader(x, y, 16), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
                epochs=2, amp=True, device="cpu", progress=False)
    assert model.weight.dtype == torch.float32 and h.epochs == 2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="requiere CUDA")
@pytest.mark.parametrize("amp", [False, True])
def test_fit_on_cuda(amp):
    x, y = regression_data()
    model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 1))
    h = fit(model, TensorLoader(x, y, 32), nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=1e-2),
            epochs=30, device="cuda", amp=amp, progress=False)
    assert next(model.parameters()).is_cuda
    assert h.train_loss[-1] < 0.05 * h.train_loss[0]


def test_progress_prints_a_bounded_number_of_lines(capsys):
    x, y = regression_data(32)
    model = nn.Linear(3, 1)
    fit(model, TensorLoader(x, y, 16), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
        epochs=100, device="cpu", progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert 1 <= len(lines) <= 11
    assert lines[-1].startswith("época 100/100")


def test_history_plot_and_best_epoch():
    h = History(train_loss=[3.0, 2.0, 1.0], val_loss=[3.0, 1.5, 2.5],
                metrics={"train_acc": [0.5, 0.6, 0.7], "val_acc": [0.5, 0.7, 0.6]})
    assert h.best_epoch == 2
    axes = h.plot()
    assert len(axes) == 2
    assert axes[0].get_yscale() == "log"
    with pytest.raises(ValueError):
        _ = History().best_epoch
    with pytest.raises(ValueError):
        History().plot()


class SlidingWindows(torch.utils.data.Dataset):
    """Dataset propio: ventanas de largo ``window`` de una serie y el valor siguiente."""

    def __init__(self, series, window):
        self.series, self.window = series, window

    def __len__(self):
        return len(self.series) - self.window

    def __getitem__(self, i):
        return self.series[i:i + self.window], self.series[i + self.window]


def window_model():
    torch.manual_seed(3)
    return nn.Linear(4, 1)


def sine_windows():
    t = torch.linspace(0, 12, 200)
    return SlidingWindows(torch.sin(t).unsqueeze(-1), 4)


class Flatten(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):  # x: (B, window, 1)
        return self.inner(x.flatten(1))


def test_fit_and_evaluate_consume_a_dataloader_of_a_custom_dataset():
    from torch.utils.data import DataLoader

    ds = sine_windows()
    loader = DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(ds, batch_size=64)
    xb, yb = next(iter(loader))
    assert xb.shape == (16, 4, 1) and yb.shape == (16, 1)
    model = Flatten(window_model())
    h = fit(model, loader, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.05), epochs=30,
            val_loader=val_loader, device="cpu", progress=False)
    assert h.epochs == 30 and len(h.val_loss) == 30
    # Una combinación lineal de 4 muestras de un seno predice bien la siguiente.
    assert h.val_loss[-1] < 1e-2 and h.val_loss[-1] < h.val_loss[0] / 10
    res = evaluate(model, val_loader, nn.MSELoss(), device="cpu")
    assert math.isclose(res["loss"], h.val_loss[-1], rel_tol=1e-5)


def test_dataloader_and_tensorloader_give_identical_training():
    from torch.utils.data import DataLoader

    ds = sine_windows()
    x = torch.stack([ds[i][0] for i in range(len(ds))])
    y = torch.stack([ds[i][1] for i in range(len(ds))])
    trained = []
    for loader in (DataLoader(ds, batch_size=32), TensorLoader(x, y, batch_size=32)):
        model = Flatten(window_model())
        h = fit(model, loader, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), epochs=3,
                device="cpu", progress=False)
        trained.append((model, h))
    (m1, h1), (m2, h2) = trained
    for a, b in zip(m1.parameters(), m2.parameters()):
        assert torch.allclose(a, b, atol=1e-7)
    assert h1.train_loss == pytest.approx(h2.train_loss, rel=1e-6)
    # evaluate da lo mismo con los dos cargadores (medias ponderadas por lote)
    e1 = evaluate(m1, DataLoader(ds, batch_size=50), nn.MSELoss(), device="cpu")
    e2 = evaluate(m1, TensorLoader(x, y, batch_size=7), nn.MSELoss(), device="cpu")
    assert math.isclose(e1["loss"], e2["loss"], rel_tol=1e-5)


def test_bare_dataset_or_tensor_is_rejected_with_type_error():
    from torch.utils.data import DataLoader, TensorDataset

    ds = sine_windows()
    model = Flatten(window_model())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(ds, batch_size=8)
    with pytest.raises(TypeError, match="Dataset.*DataLoader"):
        fit(model, ds, nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)
    with pytest.raises(TypeError, match="val_loader.*Dataset"):
        fit(model, loader, nn.MSELoss(), opt, epochs=1, val_loader=TensorDataset(torch.zeros(4, 4, 1)),
            device="cpu", progress=False)
    with pytest.raises(TypeError, match="tensor"):
        fit(model, torch.zeros(8, 4, 1), nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)
    with pytest.raises(TypeError, match="Dataset"):
        evaluate(model, ds, nn.MSELoss(), device="cpu")
    with pytest.raises(TypeError, match="tensor"):
        evaluate(model, torch.zeros(8, 4, 1), nn.MSELoss(), device="cpu")
    with pytest.raises(TypeError, match="iterable"):
        fit(model, 42, nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)
    # el rechazo ocurre antes de tocar los pesos
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(TypeError):
        fit(model, ds, nn.MSELoss(), opt, epochs=1, device="cpu", progress=False)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


class _SlowLog(Callback):
    """Un callback que tarda: su tiempo no debe contar como entrenamiento."""

    def on_log(self, state):
        time.sleep(0.05)


def _slow_loss(pause):
    def loss_fn(out, y):
        time.sleep(pause)                  # cada lote de entrenamiento tarda al menos esto
        return nn.functional.mse_loss(out, y)
    return loss_fn


def test_history_seconds_are_cumulative_training_time_without_callbacks():
    # Mismo significado que PINNHistory.seconds: acumulados, solo entrenamiento.
    x, y = regression_data(64)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loader = TensorLoader(x, y, 32)                            # 2 lotes por época
    h = fit(model, loader, _slow_loss(0.01), opt, epochs=4, device="cpu", progress=False,
            callbacks=[_SlowLog()])
    per_epoch = torch.diff(torch.tensor([0.0] + h.seconds))
    assert h.total_seconds == h.seconds[-1] and len(h.seconds) == 4
    assert bool((per_epoch >= 0.02).all()), h.seconds            # acumulados: cada época suma sus 2 lotes
    assert h.seconds[-1] >= 0.08, h.seconds                      # (por época, el último sería ~0.02)
    assert bool((per_epoch < 0.065).all()), h.seconds            # los 0.05 s del callback no cuentan
    assert h.final_loss == h.train_loss[-1]


def test_history_seconds_do_not_count_validation():
    x, y = regression_data(64)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    calls = []

    def loss_fn(out, y):
        calls.append(model.training)
        time.sleep(0.01 if model.training else 0.1)   # la validación tarda 10 veces más
        return nn.functional.mse_loss(out, y)

    h = fit(model, TensorLoader(x, y, 64), loss_fn, opt, epochs=3, device="cpu", progress=False,
            val_loader=TensorLoader(x, y, 64))
    assert calls.count(False) == 3                              # la validación sí corrió
    assert 0.03 <= h.total_seconds < 0.2, h.seconds             # pero sus 0.3 s no cuentan


def test_history_and_pinn_history_share_names():
    from pidl.pinn import PINNHistory

    for name in ("seconds", "total_seconds", "final_loss", "plot"):
        assert hasattr(History, name) or name in History.__dataclass_fields__
        assert hasattr(PINNHistory, name) or name in PINNHistory.__dataclass_fields__


def test_history_plot_takes_ax_like_pinn_history_and_axes_as_old_name():
    import matplotlib.pyplot as plt

    h = History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.7])
    _, ax = plt.subplots()
    assert h.plot(ax=ax)[0] is ax
    assert h.plot(axes=[ax])[0] is ax              # el nombre anterior sigue valiendo
    with pytest.raises(TypeError, match="no los dos"):
        h.plot(ax=ax, axes=[ax])
    plt.close("all")


def test_pytest_configuration_has_no_unknown_keys():
    # pytest_plugins bajo [tool.pytest.ini_options] no es una opción: avisaba en cada corrida.
    import pathlib

    import tomllib

    root = pathlib.Path(__file__).resolve().parents[2]
    options = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "pytest_plugins" not in options
    assert set(options) <= {"testpaths", "addopts", "filterwarnings", "markers", "minversion", "timeout",
                             "pythonpath"}


def test_fit_takes_callback_subclasses_and_rejects_the_pinn_ones():
    from pidl.pinn import Callback
    from pidl.training import EarlyStopping, EpochScheduler, FitState

    calls = []

    class Spy(Callback):
        def on_begin(self, state):
            calls.append(("begin", state.epoch))

        def on_log(self, state):
            assert isinstance(state, FitState) and len(state.history.train_loss) == state.epoch
            calls.append(("log", state.epoch))
            state.stop = state.epoch == 2                       # un callback puede detener fit

        def on_end(self, state):
            calls.append(("end", state.epoch))

    x, y = regression_data()
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, TensorLoader(x, y, 32), nn.MSELoss(), opt, epochs=5, device="cpu", progress=False,
            callbacks=[Spy()])
    assert calls == [("begin", 0), ("log", 1), ("log", 2), ("end", 2)] and h.epochs == 2
    with pytest.raises(TypeError, match="callback"):
        fit(model, TensorLoader(x, y, 32), nn.MSELoss(), opt, epochs=1, device="cpu", progress=False,
            callbacks=[lambda state: None])
    # los callbacks de pidl.pinn leen un PINNState: fit los rechaza con un mensaje claro
    for cb in (RecordValues(a=lambda: 1.0), EveryK(1, lambda s: None), AdamLR(lambda it: 1e-2), KeepBest()):
        with pytest.raises(TypeError, match=f"{type(cb).__name__} es un callback de train_pinn"):
            fit(model, TensorLoader(x, y, 32), nn.MSELoss(), opt, epochs=1, device="cpu", progress=False,
                callbacks=[cb])
    # early_stopping= y scheduler= son atajos de estos dos callbacks: mismo resultado
    def run(**kwargs):
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
        o = torch.optim.SGD(m.parameters(), lr=0.3)
        s = torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)
        cbs = [EpochScheduler(s), EarlyStopping(2)] if kwargs.pop("as_callbacks") else []
        args = {} if cbs else {"scheduler": s, "early_stopping": 2}
        h = fit(m, TensorLoader(x, y, 32), nn.MSELoss(), o, epochs=12, device="cpu", progress=False,
                val_loader=TensorLoader(x[:32], y[:32], 32), callbacks=cbs, **args)
        return h, [p.detach().clone() for p in m.parameters()]

    (h1, p1), (h2, p2) = run(as_callbacks=True), run(as_callbacks=False)
    assert h1.train_loss == h2.train_loss and h1.lr == h2.lr and h1.stopped_early == h2.stopped_early
    assert all(torch.equal(a, b) for a, b in zip(p1, p2))
