import random

import numpy as np
import pytest
import torch

from pidl.device import available_devices, describe_device, get_device, seed_everything


def test_default_is_first_available(monkeypatch):
    monkeypatch.delenv("PIDL_DEVICE", raising=False)
    assert get_device().type == available_devices()[0]


def test_env_var_override(monkeypatch):
    monkeypatch.setenv("PIDL_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_argument_beats_env_var(monkeypatch):
    monkeypatch.setenv("PIDL_DEVICE", "no-such-device")
    assert get_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("bad", ["tpu", "gpu", "cuda:x", "cpu:"])
def test_unknown_device_lists_options(monkeypatch, bad):
    monkeypatch.setenv("PIDL_DEVICE", bad)
    with pytest.raises(ValueError, match="disponibles aquí: .*cpu"):
        get_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="solo tiene sentido sin GPU")
def test_unavailable_device_lists_available(monkeypatch):
    monkeypatch.setenv("PIDL_DEVICE", "cuda")
    with pytest.raises(ValueError, match="no está disponible.*Disponibles: .*cpu"):
        get_device()


def test_seed_everything_reproduces_all_generators():
    g = seed_everything(123)
    first = (random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=g))
    g = seed_everything(123)
    second = (random.random(), np.random.rand(), torch.rand(3), torch.rand(2, generator=g))
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2]) and torch.equal(first[3], second[3])
    assert isinstance(g, torch.Generator)


@pytest.mark.parametrize("bad", [1.5, "0", None, True])
def test_seed_everything_rejects_non_integers(bad):
    with pytest.raises(TypeError):
        seed_everything(bad)


def test_seed_everything_rejects_out_of_range():
    with pytest.raises(ValueError):
        seed_everything(-1)


def test_describe_device_is_one_line():
    text = describe_device("cpu")
    assert "\n" not in text
    assert text.startswith("Dispositivo: cpu") and torch.__version__ in text


# PIDL_SEED_OFFSET: volver a ejecutar un capítulo con otras semillas (tools/seed_robustness.py).

def test_seed_offset_defaults_to_zero(monkeypatch):
    from pidl.device import seed_offset

    monkeypatch.delenv("PIDL_SEED_OFFSET", raising=False)
    assert seed_offset() == 0
    monkeypatch.setenv("PIDL_SEED_OFFSET", "  ")
    assert seed_offset() == 0
    assert seed_everything(7).initial_seed() == 7


def test_seed_offset_shifts_every_generator(monkeypatch):
    monkeypatch.setenv("PIDL_SEED_OFFSET", "3")
    g = seed_everything(4)
    shifted = (random.random(), np.random.rand(), torch.rand(1).item(), g.initial_seed())
    monkeypatch.delenv("PIDL_SEED_OFFSET")
    g = seed_everything(7)
    assert shifted == (random.random(), np.random.rand(), torch.rand(1).item(), g.initial_seed())


def test_seed_offset_wraps_at_two_to_the_32(monkeypatch):
    monkeypatch.setenv("PIDL_SEED_OFFSET", "2")
    assert seed_everything(2**32 - 1).initial_seed() == 1


@pytest.mark.parametrize("raw", ["uno", "1.5", "-1"])
def test_seed_offset_rejects_bad_values(monkeypatch, raw):
    monkeypatch.setenv("PIDL_SEED_OFFSET", raw)
    with pytest.raises(ValueError, match="PIDL_SEED_OFFSET"):
        seed_everything(0)


def test_float64_device_falls_back_to_cpu_only_on_mps():
    from pidl.device import float64_device

    assert float64_device("mps") == torch.device("cpu")
    assert float64_device("cpu") == torch.device("cpu")
    assert float64_device("cuda:1") == torch.device("cuda:1")
    assert float64_device(torch.device("meta")) == torch.device("meta")
    with pytest.raises(RuntimeError):
        float64_device("tpu")


# Generadores propios: también los alcanza PIDL_SEED_OFFSET.

def test_torch_generator_and_numpy_rng_follow_the_offset(monkeypatch):
    from pidl.device import numpy_rng, offset_seed, torch_generator

    monkeypatch.setenv("PIDL_SEED_OFFSET", "5")
    shifted = (torch.rand(2, generator=torch_generator(1)), numpy_rng(1).random(), offset_seed(1))
    monkeypatch.delenv("PIDL_SEED_OFFSET")
    assert torch.equal(shifted[0], torch.rand(2, generator=torch_generator(6)))
    assert shifted[1] == numpy_rng(6).random()
    assert shifted[2] == 6 and offset_seed(1) == 1
    assert not torch.equal(shifted[0], torch.rand(2, generator=torch_generator(1)))


def test_torch_generator_is_on_the_cpu_unless_asked():
    from pidl.device import torch_generator

    assert torch_generator(0).device == torch.device("cpu")
    if torch.cuda.is_available():
        assert torch_generator(0, device="cuda").device.type == "cuda"


@pytest.mark.parametrize("bad", [1.5, "0", None, True, -1, 2**32])
def test_own_generators_reject_bad_seeds(bad):
    from pidl.device import numpy_rng, torch_generator

    for make in (torch_generator, numpy_rng):
        with pytest.raises((TypeError, ValueError)):
            make(bad)


def test_synchronize_is_a_no_op_on_cpu():
    from pidl.device import synchronize

    assert synchronize("cpu") is None


def test_sample_sobol_follows_the_offset(monkeypatch):
    from pidl.pinn import sample_sobol

    monkeypatch.setenv("PIDL_SEED_OFFSET", "3")
    shifted = sample_sobol(8, [0.0], [1.0], seed=1)
    monkeypatch.delenv("PIDL_SEED_OFFSET")
    assert torch.equal(shifted, sample_sobol(8, [0.0], [1.0], seed=4))
    assert not torch.equal(shifted, sample_sobol(8, [0.0], [1.0], seed=1))
