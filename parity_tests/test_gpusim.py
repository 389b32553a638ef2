"""The simulated CuPy device itself (parity_tests/gpusim) and the device fixes it drove:
gradcheck checks the device path, compare_with_torch seeds backward on the device, a cuda
tensor refuses implicit host conversion, an out-of-range class target on the GPU gives nan."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.backend import to_numpy


# ----------------------------------------------------------------- the API is CuPy's ------
def test_api_list_is_generated_from_the_real_wheel():
    import gpusim
    from gpusim import _api

    assert _api.API["generated_by"] == "parity_tests/gpusim/gen_api.py"
    assert _api.CUPY_VERSION.startswith("14.")
    assert "getDeviceCount() raised" in _api.API["device_count_here"]  # made without a GPU
    cp = gpusim.cupy
    for name in _api.MODULES["cupy"]:
        assert hasattr(cp, name), name  # every real name exists (possibly not simulated)
    for name in ("float128", "errstate", "trapezoid_fake", "put_along_axis_"):
        assert name in _api.MODULES["cupy"] or not hasattr(cp, name), name
    assert "where" not in {p[0] for p in (_api.MODULES["cupy"]["add"]["sig"] or [])}


def test_signatures_are_enforced():
    import gpusim

    cp = gpusim.cupy
    d = cp.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError, match="initial"):
        d.max(initial=0.0)  # NumPy has it, CuPy 14 does not
    with pytest.raises(TypeError, match="Wrong arguments"):
        cp.exp(d, where=d > 0)
    assert cp.asnumpy(d.sum(axis=0, keepdims=True)).shape == (1, 3)
    with pytest.raises(NotImplementedError, match="does not simulate"):
        cp.fft.fft(d)


def test_reductions_and_scalar_indexing_stay_on_the_device():
    import gpusim

    cp = gpusim.cupy
    d = cp.asarray(np.array([[1.0, 2.0], [3.0, 4.0]]))
    for r in (d.sum(), d.max(), cp.mean(d), d[0, 1], cp.allclose(d, d), np.sum(d)):
        assert type(r) is cp.ndarray and r.shape == (), type(r)
    assert float(d[1, 1]) == 4.0


def test_host_mixing_is_refused_like_cupy():
    import gpusim

    cp = gpusim.cupy
    d = cp.ones(3)
    h = np.ones(3)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(d)
    for bad in (lambda: d * h, lambda: h * d, lambda: cp.add(d, h), lambda: cp.add(d, [1, 2, 3]),
                lambda: cp.add(d, np.zeros(())),  # a 0-d host array too
                lambda: cp.stack([d, h]), lambda: cp.maximum(h, 0.0)):
        with pytest.raises(TypeError):
            bad()
    with pytest.raises(ValueError, match="non-scalar"):
        d[:] = h  # basic assignment of a host array: CuPy refuses (gh-2079)
    d[:] = 2.0  # Python/NumPy scalars are kernel arguments, not arrays
    assert (d * np.float32(2.0)).dtype == np.float64
    # metadata arguments may be host arrays, as in CuPy (axes, split points)
    m = cp.zeros((2, 3, 4))
    assert m.transpose(np.array([2, 0, 1])).shape == (4, 2, 3)
    assert [a.shape for a in cp.split(m, np.array([1]), axis=0)] == [(1, 3, 4), (1, 3, 4)]


def test_transfers_are_counted_both_ways():
    import gpusim

    cp, log = gpusim.cupy, gpusim.TRANSFERS
    with log.recording() as ev:
        d = cp.asarray(np.arange(4.0))          # h2d
        e = d * 2 + 1                            # none
        e[cp.asarray([0, 1])]                    # h2d (the list), none for the device index
        e[np.array([0, 1])]                      # h2d: CuPy copies a host index itself
        v = e.sum().item()                       # d2h
        _ = float(e[0]), bool(e[1] > 0)          # d2h x2
        host = cp.asnumpy(e)                     # d2h
        repr(e)                                  # d2h
        pickle.loads(pickle.dumps(e))            # d2h + h2d
    assert v == 16.0 and host.tolist() == [1.0, 3.0, 5.0, 7.0]
    assert [x.direction for x in ev] == ["h2d", "h2d", "h2d", "d2h", "d2h", "d2h", "d2h", "d2h",
                                         "d2h", "h2d"]
    assert all("test_gpusim.py" in x.where for x in ev)


def test_aliasing_and_copies_follow_cupy():
    import gpusim

    cp = gpusim.cupy
    h = np.zeros(3)
    d = cp.asarray(h)
    h[0] = 5.0  # the device copy does not see later host writes
    assert d.get()[0] == 0.0
    v = d[1:]
    v[0] = 7.0  # a view writes through, as on the GPU
    assert d.get()[1] == 7.0
    g = d.get()
    g[2] = 9.0  # .get() is a copy
    assert d.get()[2] == 0.0
    assert cp.asarray(d) is d and d.astype(d.dtype, copy=False) is d
    out = cp.empty(3)
    assert np.isnan(out.get()).all()  # uninitialized memory is loud, not zeros
    assert cp.add(d, 1.0, out=out) is out


# -------------------------------------------------------------- wiring and fixes ----------
def test_cuda_is_simulated_only_inside_the_fixture(sim_cuda):
    assert tg.cuda.is_available()
    t = tg.ones(2, 3, device="cuda")
    assert t.device.type == "cuda" and type(t._data) is sim_cuda.cupy.ndarray
    tg.cuda.synchronize()


def test_outside_the_fixture_there_is_no_gpu():
    from tinygrad_edu import backend

    assert backend._cp is None or not getattr(backend._cp, "__gpusim__", False)


def test_tensor_array_raises_for_cuda_like_torch(sim_cuda):
    t = tg.tensor([1.0, 2.0], device="cuda")
    with pytest.raises(TypeError, match="Tensor.cpu"):
        np.array(t)
    assert np.array(tg.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]  # cpu: unchanged


def test_zeros_on_cuda_are_made_on_the_device(sim_cuda):
    with sim_cuda.TRANSFERS.recording() as ev:
        z = tg.zeros(4, 5, device="cuda")
        o = tg.ones_like(z)
        f = tg.full((2,), 3.5, device="cuda")
    assert not ev, ev
    assert to_numpy(o._data).sum() == 20 and to_numpy(f._data).tolist() == [3.5, 3.5]


class _DeviceOnlyBug(tg.autograd.Function):
    """y = x², whose backward is right on the CPU and wrong (2x too big) on the GPU."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        k = 2.0 if x.device.type == "cpu" else 4.0
        return g * k * x


def test_gradcheck_checks_the_device_path(sim_cuda):
    from tinygrad_edu.inspect import gradcheck

    x = tg.tensor(np.linspace(-1, 1, 5), dtype=tg.float64, requires_grad=True)
    seen = []

    def fn(t):
        seen.append(t.device.type)
        return _DeviceOnlyBug.apply(t)

    assert gradcheck(fn, (x,))
    assert set(seen) == {"cpu"}
    seen.clear()
    with pytest.raises(tg.inspect.GradcheckError):
        gradcheck(fn, (x.detach().to("cuda").requires_grad_(True),))
    assert set(seen) == {"cuda"}  # evaluated on the device, not on a host copy


def test_compare_with_torch_on_a_cuda_graph(sim_cuda):
    from tinygrad_edu.inspect import compare_with_torch

    tg.manual_seed(0)
    w = tg.randn(3, 4).to("cuda").requires_grad_(True)
    x = tg.randn(5, 4).to("cuda")
    rep = compare_with_torch(lambda x: F.linear(x, w).tanh() * 2, (x,))  # non-scalar result
    assert rep.ok, str(rep)
    assert [n.function for n in rep.nodes][:2] == ["Linear", "Tanh"]
    assert all(n.grad_errs for n in rep.nodes[:2])


def test_out_of_range_target_on_cuda_gives_nan_not_a_number(sim_cuda):
    x = tg.randn(4, 3).to("cuda").requires_grad_(True)
    good = tg.tensor([0, 1, 2, -100], device="cuda")
    bad = tg.tensor([0, 1, 7, 1], device="cuda")
    assert np.isfinite(F.cross_entropy(x, good).item())
    for loss in (F.cross_entropy(x, bad), F.nll_loss(F.log_softmax(x, 1), bad)):
        assert np.isnan(loss.item())
        x.grad = None
        loss.backward()
        assert np.isnan(to_numpy(x.grad._data)).all()
    with pytest.raises(IndexError, match="out of bounds"):  # the CPU still raises, as torch
        F.cross_entropy(x.detach().cpu(), bad.cpu())


def test_bce_input_out_of_range_on_cuda_gives_nan(sim_cuda):
    t = tg.tensor([0.0, 1.0, 1.0], device="cuda")
    ok = tg.tensor([0.2, 0.7, 0.9], device="cuda", requires_grad=True)
    bad = tg.tensor([0.2, 1.5, 0.9], device="cuda", requires_grad=True)
    with sim_cuda.TRANSFERS.recording() as ev:
        good_loss = F.binary_cross_entropy(ok, t)
        bad_loss = F.binary_cross_entropy(bad, t)
        bad_loss.backward()
    assert not ev, ev  # no host check in the step
    assert np.isfinite(good_loss.item()) and np.isnan(bad_loss.item())
    assert np.isnan(to_numpy(bad.grad._data)).all()
    with pytest.raises(RuntimeError, match="between 0 and 1"):  # the CPU still raises
        F.binary_cross_entropy(bad.detach().cpu(), t.cpu())


def test_embedding_index_out_of_range_on_cuda_gives_nan(sim_cuda):
    emb = tg.nn.Embedding(5, 3).to("cuda")
    i_good = tg.tensor([[0, 4], [2, 1]], device="cuda")
    i_bad = tg.tensor([[0, 5], [2, 1]], device="cuda")
    with sim_cuda.TRANSFERS.recording() as ev:
        good = emb(i_good)
        bad = emb(i_bad)
        bad.sum().backward()
    assert not ev, ev
    assert np.isfinite(to_numpy(good._data)).all() and np.isnan(to_numpy(bad._data)).all()
    assert np.isnan(to_numpy(emb.weight.grad._data)).any()
    with pytest.raises(IndexError, match="out of range"):
        emb.cpu()(tg.tensor([5]))


def test_pickled_parameter_comes_back_on_its_device(sim_cuda):
    import copy

    m = tg.nn.Linear(3, 2).to("cuda")
    p = pickle.loads(pickle.dumps(m.weight))
    assert type(p) is tg.nn.Parameter and p.device.type == "cuda" and p.requires_grad
    np.testing.assert_array_equal(to_numpy(p._data), to_numpy(m.weight._data))
    with sim_cuda.TRANSFERS.recording() as ev:
        m2 = copy.deepcopy(m)
    assert not ev and m2.weight.device.type == "cuda"  # a device-side copy
    cpu = pickle.loads(pickle.dumps(tg.nn.Linear(2, 2).weight))
    assert cpu.device.type == "cpu"


def test_pickled_tensor_comes_back_on_its_device(sim_cuda):
    t = tg.tensor([1.0, 2.0], device="cuda")
    back = pickle.loads(pickle.dumps(t))
    assert back.device.type == "cuda"  # torch: a pickled CUDA tensor unpickles on CUDA
    np.testing.assert_array_equal(to_numpy(back._data), [1.0, 2.0])
