import pytest
import torch

from pidl.data import TensorLoader, train_val_split


def test_batches_cover_dataset_in_order():
    x, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    loader = TensorLoader(x, y, batch_size=2)
    assert len(loader) == 3
    ys = torch.cat([yb for _, yb in loader])
    assert torch.equal(ys, y)


def test_shuffle_is_a_seeded_permutation():
    x, y = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    runs = []
    for _ in range(2):
        g = torch.Generator().manual_seed(0)
        loader = TensorLoader(x, y, batch_size=3, shuffle=True, generator=g)
        runs.append(torch.cat([yb for _, yb in loader]))
        # las filas de x siguen emparejadas con y
        for xb, yb in loader:
            assert torch.equal(xb[:, 0], 2.0 * yb)
    assert torch.equal(runs[0], runs[1])
    assert sorted(runs[0].tolist()) == list(range(10))
    assert not torch.equal(runs[0], y)


def test_drop_last():
    loader = TensorLoader(torch.zeros(7, 1), torch.zeros(7), batch_size=3, drop_last=True)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [3, 3]


@pytest.mark.parametrize(
    "x, y, bs, err",
    [
        (torch.zeros(3, 1), torch.zeros(4), 2, ValueError),
        (torch.zeros(0, 1), torch.zeros(0), 2, ValueError),
        (torch.zeros(3, 1), torch.zeros(3), 0, ValueError),
        ([[1.0]], torch.zeros(1), 1, TypeError),
    ],
)
def test_bad_input(x, y, bs, err):
    with pytest.raises(err):
        TensorLoader(x, y, batch_size=bs)


def test_train_val_split_is_a_partition():
    x, y = torch.arange(10.0).reshape(10, 1), torch.arange(10)
    (xt, yt), (xv, yv) = train_val_split(x, y, 0.3, generator=torch.Generator().manual_seed(1))
    assert len(yv) == 3 and len(yt) == 7
    assert sorted(torch.cat([yt, yv]).tolist()) == list(range(10))
    assert torch.equal(xt[:, 0], yt.float())


@pytest.mark.parametrize("frac", [0.0, 1.0, 1.5, 0.01])
def test_train_val_split_bad_fraction(frac):
    with pytest.raises(ValueError):
        train_val_split(torch.zeros(10, 1), torch.zeros(10), frac)


def test_shuffle_draws_on_the_generators_device():
    """Un generador de CPU con datos en otro dispositivo, o uno CUDA con datos en CUDA, funcionan."""
    from pidl.device import torch_generator

    x, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    first = [yb.tolist() for _, yb in TensorLoader(x, y, 2, shuffle=True, generator=torch_generator(0))]
    again = [yb.tolist() for _, yb in TensorLoader(x, y, 2, shuffle=True, generator=torch_generator(0))]
    assert first == again and sorted(sum(first, [])) == list(range(5))
    if torch.cuda.is_available():  # el fallo del capítulo 08: generador CUDA en un randperm
        loader = TensorLoader(x, y, 2, shuffle=True, device="cuda",
                              generator=torch_generator(0, device="cuda"))
        assert sorted(sum((yb.tolist() for _, yb in loader), [])) == list(range(5))


def test_load_digits_tensors_matches_scikit_learn_in_both_layouts():
    from sklearn.datasets import load_digits

    from pidl.data import load_digits_tensors

    ref = load_digits()
    x, y = load_digits_tensors()
    assert x.shape == (1797, 64) and x.dtype == torch.float32 and y.dtype == torch.long
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert torch.equal(x * 16, torch.as_tensor(ref.data, dtype=torch.float32))
    assert torch.equal(y, torch.as_tensor(ref.target))
    img, y_img = load_digits_tensors(images=True)
    assert img.shape == (1797, 1, 8, 8) and torch.equal(img.reshape(1797, 64), x)
    assert torch.equal(y_img, y)
