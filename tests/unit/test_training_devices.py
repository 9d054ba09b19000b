"""pidl 0.2: a qué dispositivo va ``fit`` por defecto, el *scheduler* por lote
cuando ``GradScaler`` salta un paso, y la memoria fijada de ``TensorLoader``."""

import pytest
import torch
from torch import nn

from pidl.data import TensorLoader
from pidl.training import _resolve_device, _run_epoch, fit


def test_fit_device_none_uses_get_device_for_a_cpu_model(monkeypatch):
    monkeypatch.setenv("PIDL_DEVICE", "cpu")
    model = nn.Linear(2, 1)
    x, y = torch.randn(16, 2), torch.randn(16, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    hist = fit(model, TensorLoader(x, y, batch_size=8), nn.MSELoss(), opt, epochs=2, progress=False)
    assert hist.epochs == 2
    assert next(model.parameters()).device.type == "cpu"


def test_device_none_keeps_a_model_already_on_an_accelerator(monkeypatch):
    monkeypatch.setenv("PIDL_DEVICE", "cpu")
    # "meta" hace de acelerador: lo que importa es que no se mueva a get_device().
    model = nn.Linear(2, 1, device="meta")
    assert _resolve_device(model, None) == torch.device("meta")
    assert _resolve_device(nn.Linear(2, 1), None) == torch.device("cpu")
    assert _resolve_device(model, "cpu") == torch.device("cpu")


@pytest.mark.filterwarnings("ignore:Seems like `optimizer.step\\(\\)` has been overridden")
def test_batch_scheduler_does_not_step_when_gradscaler_skips():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    x, y = torch.randn(64, 4) * 10, torch.randn(64, 1) * 10
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    # Una escala inicial enorme desborda los gradientes: los primeros pasos se saltan.
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**126, growth_interval=10**6)
    steps = {"n": 0}
    original_step = opt.step

    def counting_step(*args, **kwargs):
        steps["n"] += 1
        return original_step(*args, **kwargs)

    opt.step = counting_step
    _run_epoch(model, TensorLoader(x, y, batch_size=4), nn.MSELoss(), {}, torch.device("cpu"),
               optimizer=opt, scaler=scaler, batch_scheduler=sched)
    assert 0 < steps["n"] < 16  # hubo pasos saltados y pasos dados
    assert sched.last_epoch == steps["n"]


def test_tensor_loader_pin_memory():
    x, y = torch.randn(10, 2), torch.randn(10, 1)
    loader = TensorLoader(x, y, batch_size=4)
    assert loader.pin_memory == torch.cuda.is_available()
    assert TensorLoader(x, y, pin_memory=False).pin_memory is False
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="necesita CUDA"):
            TensorLoader(x, y, pin_memory=True)
    else:
        xb, yb = next(iter(TensorLoader(x, y, batch_size=4, pin_memory=True)))
        assert xb.is_pinned() and yb.is_pinned()
        with pytest.raises(ValueError, match="ya están en la GPU"):
            TensorLoader(x, y, device="cuda", pin_memory=True)


def test_validation_runs_in_eval_mode_and_training_in_train_mode():
    """Con dropout y BatchNorm: validación determinista y sin tocar las estadísticas."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
    x, y = torch.randn(64, 3), torch.randn(64, 1)
    seen = []
    model[3].register_forward_hook(lambda mod, inp, out: seen.append(mod.training))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    fit(model, TensorLoader(x, y, batch_size=16), nn.MSELoss(), opt, epochs=1,
        val_loader=TensorLoader(x, y, batch_size=32), device="cpu", progress=False)
    assert seen == [True] * 4 + [False] * 2
    # En evaluación, dos pasadas dan lo mismo y las estadísticas de BatchNorm no cambian.
    from pidl.training import evaluate

    stats = model[1].running_mean.clone()
    a = evaluate(model, TensorLoader(x, y, batch_size=32), nn.MSELoss(), device="cpu")
    b = evaluate(model, TensorLoader(x, y, batch_size=32), nn.MSELoss(), device="cpu")
    assert a == b and torch.equal(stats, model[1].running_mean)


def test_fit_keeps_a_cpu_model_whose_optimizer_already_has_state(monkeypatch):
    # Antes, fit movía el modelo a get_device() y dejaba atrás los momentos de Adam.
    import pidl.device

    monkeypatch.setattr(pidl.device, "get_device", lambda: torch.device("meta"))
    model = nn.Linear(2, 1)
    x, y = torch.randn(16, 2), torch.randn(16, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    nn.MSELoss()(model(x), y).backward()
    opt.step()                                   # el estado de Adam ya existe, en la CPU
    assert _resolve_device(model, None, opt) == torch.device("cpu")
    hist = fit(model, TensorLoader(x, y, batch_size=8), nn.MSELoss(), opt, epochs=2, progress=False)
    assert hist.epochs == 2 and next(model.parameters()).device.type == "cpu"
    # Sin estado, un modelo en la CPU sí va a get_device().
    assert _resolve_device(nn.Linear(2, 1), None, torch.optim.Adam(nn.Linear(2, 1).parameters())) == \
        torch.device("meta")


def test_fit_moves_optimizer_state_with_an_explicit_device(monkeypatch):
    # fit(device=...) debe llevar al dispositivo el modelo y también los momentos de Adam;
    # "meta" hace de otro dispositivo y _run_epoch se reemplaza (en meta no se puede entrenar).
    import pidl.training

    model = nn.Linear(2, 1)
    x, y = torch.randn(16, 2), torch.randn(16, 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    nn.MSELoss()(model(x), y).backward()
    opt.step()
    seen = []

    def fake_epoch(model, loader, loss_fn, metrics, device, **kw):
        seen.append(device)
        return {"loss": 0.0}

    monkeypatch.setattr(pidl.training, "_run_epoch", fake_epoch)
    fit(model, TensorLoader(x, y, batch_size=8), nn.MSELoss(), opt, epochs=1, device="meta", progress=False)
    assert seen == [torch.device("meta")]
    assert next(model.parameters()).device.type == "meta"
    (state,) = [s for s in opt.state.values() if s["exp_avg"].dim() == 2]
    assert state["exp_avg"].device.type == "meta" and state["exp_avg_sq"].device.type == "meta"
    assert state["step"].device.type == "cpu"          # Adam guarda el contador en la CPU
