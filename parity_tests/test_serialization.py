"""tg.save / tg.load: nested checkpoints round-trip exactly, the file is pickle-free and written
atomically, damaged or foreign files fail with a clear error, and state_dicts move to torch and
back with identical model outputs."""

from __future__ import annotations

import collections
import io
import os
import pathlib
import pickletools
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import serialization

torch.set_num_threads(1)


def _model(seed=0):
    tg.manual_seed(seed)
    return tg.nn.Sequential(
        tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.BatchNorm1d(8), tg.nn.Linear(8, 3)
    )


def _checkpoint():
    m = _model()
    opt = tg.optim.Adam(m.parameters(), lr=0.01, amsgrad=True)
    x = tg.randn(16, 4)
    m(x).sum().backward()
    opt.step()
    sched = tg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    sched.step(0.5)
    return {
        "model": m.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "epoch": 3,
        "best": 0.97,
        "history": [0.5, 0.25, float("nan"), float("-inf")],
        "shape": (2, (3, "x")),
        "flags": {"done": False, "note": None, "name": "한국어 ok"},
        "arrays": {
            "f16": np.arange(3, dtype=np.float16), "i8": np.array([-1, 2], dtype=np.int8),
            "u8": np.array([255], dtype=np.uint8), "b": np.array([True, False]),
            "i32": tg.tensor([1, 2], dtype=tg.int32), "scalar": np.float32(2.5),
            "zero_d": tg.tensor(7.0, dtype=tg.float64), "empty": tg.zeros(0, 3),
        },
        "dtype": tg.float64,
        7: "int key",
    }


def _equal(a, b, where="obj"):
    if isinstance(a, tg.Tensor):
        assert isinstance(b, tg.Tensor), where
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), where
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=where)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert type(a) is type(b) and a.dtype == b.dtype and np.shape(a) == np.shape(b), where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b), f"{where}: keys {list(a)} vs {list(b)}"
        for k in a:
            _equal(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _equal(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} vs {b!r}"


@pytest.mark.parametrize("kind", ["str", "pathlib", "fileobj"])
def test_nested_checkpoint_round_trip(tmp_path, kind):
    ck = _checkpoint()
    path = tmp_path / "ck.pt"
    if kind == "fileobj":
        buf = io.BytesIO()
        tg.save(ck, buf)
        buf.seek(0)
        back = tg.load(buf, map_location="cpu", weights_only=True)
    else:
        target = str(path) if kind == "str" else path
        tg.save(ck, target)
        back = tg.load(target, weights_only=True)
    _equal(ck, back)
    assert isinstance(back["model"], OrderedDict)
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_loaded_checkpoint_resumes_model_optimizer_scheduler(tmp_path):
    ck = _checkpoint()
    tg.save(ck, tmp_path / "ck.pt")
    back = tg.load(tmp_path / "ck.pt")
    m = _model(seed=1)
    m.load_state_dict(back["model"])
    opt = tg.optim.Adam(m.parameters(), lr=0.5, amsgrad=True)
    opt.load_state_dict(back["optimizer"])
    sched = tg.optim.lr_scheduler.ReduceLROnPlateau(opt)
    sched.load_state_dict(back["scheduler"])
    assert opt.param_groups[0]["lr"] == 0.01 and sched.patience == 1
    _equal(m.state_dict(), ck["model"])


def test_file_is_pickle_free_npz(tmp_path):
    path = tmp_path / "ck.pt"
    tg.save(_checkpoint(), path)
    with np.load(path, allow_pickle=False) as npz:  # every member loads without pickle
        arrays = {k: npz[k] for k in npz.files}
    assert "__tinygrad_edu__" in arrays and all(a.dtype != object for a in arrays.values())
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            assert name.endswith(".npy")
            data = zf.read(name)
            assert data.startswith(b"\x93NUMPY"), name
            with pytest.raises(ValueError, match="opcode"):  # not a pickle stream
                list(pickletools.genops(io.BytesIO(data)))
    assert b"\x80\x04\x95" not in path.read_bytes() and b"\x80\x02" not in path.read_bytes()[:64]


def test_scheduler_state_dicts_round_trip(tmp_path):
    opt = tg.optim.SGD([tg.tensor(np.ones(2), requires_grad=True)], lr=0.1)
    scheds = {
        "multistep": tg.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 3, 7]),
        "lambda": tg.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.9**e),
        "plateau": tg.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max"),
    }
    for _ in range(5):
        opt.step()
        scheds["multistep"].step()
    tg.save({k: s.state_dict() for k, s in scheds.items()}, tmp_path / "s.pt")
    back = tg.load(tmp_path / "s.pt")
    _equal({k: s.state_dict() for k, s in scheds.items()}, back)
    assert isinstance(back["multistep"]["milestones"], collections.Counter)
    assert back["plateau"]["best"] == -float("inf")
    fresh = tg.optim.lr_scheduler.MultiStepLR(opt, milestones=[1])
    fresh.load_state_dict(back["multistep"])
    assert fresh._get_closed_form_lr() == scheds["multistep"]._get_closed_form_lr()


def test_unsupported_objects_raise_type_error(tmp_path):
    with pytest.raises(TypeError, match="can not save .*object.* at obj\\['bad'\\]"):
        tg.save({"bad": object()}, tmp_path / "x.pt")
    with pytest.raises(TypeError, match="dtype object"):
        tg.save({"a": np.array([None])}, tmp_path / "x.pt")
    assert not list(tmp_path.iterdir()), "a failed save must leave no files behind"


def test_atomic_write_keeps_previous_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    old = {"w": tg.tensor([1.0, 2.0]), "epoch": 1}
    tg.save(old, path)
    before = path.read_bytes()
    real = np.lib.format.write_array
    calls = {"n": 0}

    def failing_write(fp, array, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # header and first tensor written, then the "disk" fails
            raise OSError("simulated crash in the middle of tg.save")
        return real(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="simulated crash"):
        tg.save({"w": tg.randn(100), "v": tg.randn(100), "epoch": 2}, path)
    monkeypatch.undo()
    assert calls["n"] == 3
    assert path.read_bytes() == before
    _equal(tg.load(path), old)
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"], "temporary file left behind"


def test_atomic_write_crash_before_rename(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    tg.save({"epoch": 1}, path)

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert tg.load(path) == {"epoch": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def _bad_files(tmp_path):
    good = tmp_path / "good.pt"
    tg.save(_checkpoint(), good)
    data = good.read_bytes()
    files = {}

    def put(name, content):
        p = tmp_path / name
        p.write_bytes(content)
        files[name] = p

    put("empty.pt", b"")
    put("truncated.pt", data[: len(data) // 2])
    put("truncated_end.pt", data[:-10])
    put("random.pt", np.random.default_rng(0).bytes(4096))
    corrupt = bytearray(data)
    i = data.index(b"t0.npy") + 200  # flip bytes inside the first tensor's stored data
    corrupt[i:i + 8] = b"\xff" * 8
    put("corrupt.pt", bytes(corrupt))
    torch.save({"w": torch.ones(2)}, tmp_path / "torch_zip.pt")
    files["torch_zip.pt"] = tmp_path / "torch_zip.pt"
    torch.save({"w": torch.ones(2)}, tmp_path / "torch_legacy.pt",
               _use_new_zipfile_serialization=False)
    files["torch_legacy.pt"] = tmp_path / "torch_legacy.pt"
    np.save(tmp_path / "plain.npy", np.ones(3))
    files["plain.npy"] = tmp_path / "plain.npy"
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    files["other.zip"] = tmp_path / "other.zip"
    return files


EXPECT = {
    "empty.pt": "is empty",
    "truncated.pt": "truncated or corrupt",
    "truncated_end.pt": "truncated or corrupt",
    "random.pt": "not a tinygrad_edu checkpoint",
    "corrupt.pt": "truncated or corrupt",
    "torch_zip.pt": "PyTorch checkpoint",
    "torch_legacy.pt": "pickle",
    "plain.npy": "single .npy array",
    "other.zip": "without a tinygrad_edu header",
}


@pytest.mark.parametrize("name", list(EXPECT))
def test_damaged_or_foreign_files_raise_clear_errors(tmp_path, name):
    path = _bad_files(tmp_path)[name]
    with pytest.raises(RuntimeError, match=EXPECT[name]) as info:
        tg.load(path)
    assert str(path) in str(info.value), "the error must name the file"


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        tg.load(tmp_path / "nope.pt")
    tg.save({"a": 1}, tmp_path / "a.pt")
    with pytest.raises(TypeError, match="map_location"):
        tg.load(tmp_path / "a.pt", map_location=3.5)
    with pytest.raises(TypeError, match="weights_only"):
        tg.load(tmp_path / "a.pt", weights_only="yes")
    with pytest.raises(RuntimeError, match="does not exist"):
        tg.save({"a": 1}, tmp_path / "no_dir" / "a.pt")


def test_shared_tensors_are_stored_once_and_stay_shared(tmp_path):
    w = tg.randn(50)
    tg.save({"a": w, "b": w, "c": [w]}, tmp_path / "s.pt")
    with zipfile.ZipFile(tmp_path / "s.pt") as zf:
        assert len([n for n in zf.namelist() if n.startswith("t")]) == 1
    back = tg.load(tmp_path / "s.pt")
    assert back["a"] is back["b"] is back["c"][0]


def test_parameters_and_requires_grad_survive(tmp_path):
    p = tg.nn.Parameter(tg.randn(3))
    t = tg.randn(2).requires_grad_()
    tg.save({"p": p, "t": t}, tmp_path / "p.pt")
    back = tg.load(tmp_path / "p.pt")
    assert isinstance(back["p"], tg.nn.Parameter) and back["p"].requires_grad
    assert back["t"].requires_grad and back["t"].is_leaf


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_torch_export_import_round_trip_same_outputs(tmp_path, dtype):
    m = _model(seed=3)
    m = m.double() if dtype == tg.float64 else m
    m.train()
    m(tg.randn(32, 4, dtype=dtype))  # updates BatchNorm running stats
    m.eval()
    tnet = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 3)
    ).to(torch.float64 if dtype == tg.float64 else torch.float32)
    tsd = serialization.to_torch_state_dict(m.state_dict())
    assert all(isinstance(v, torch.Tensor) for v in tsd.values())
    tnet.load_state_dict(tsd)
    tnet.eval()
    x = np.random.default_rng(0).standard_normal((10, 4)).astype(dtype.np)
    ours = m(tg.tensor(x)).detach().numpy()
    ref = tnet(torch.tensor(x)).detach().numpy()
    tol = 1e-12 if dtype == tg.float64 else 1e-5
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol)
    # ... and back: torch -> tg through a file saved by tg
    back = serialization.from_torch_state_dict(tnet.state_dict())
    tg.save(back, tmp_path / "from_torch.pt")
    m2 = _model(seed=9)
    m2 = m2.double() if dtype == tg.float64 else m2
    m2.load_state_dict(tg.load(tmp_path / "from_torch.pt"))
    m2.eval()
    np.testing.assert_array_equal(m2(tg.tensor(x)).detach().numpy(), ours)
    # torch tensors given to tg.save directly are stored as plain arrays
    tg.save(tnet.state_dict(), tmp_path / "direct.pt")
    _equal(tg.load(tmp_path / "direct.pt"), back)


def test_seed_style_save_load(tmp_path, monkeypatch):
    """004 seed: torch.save(model.state_dict(), 'breast_cancer.pt'); model.load_state_dict(
    torch.load('breast_cancer.pt'))  (relative path, default arguments)."""
    monkeypatch.chdir(tmp_path)
    m = _model(seed=4)
    tg.save(m.state_dict(), "breast_cancer.pt")
    m2 = _model(seed=5)
    m2.load_state_dict(tg.load("breast_cancer.pt"))
    _equal(m.state_dict(), m2.state_dict())
    assert pathlib.Path("breast_cancer.pt").exists()


def test_saved_file_has_the_usual_permissions(tmp_path):
    """mkstemp creates 0600 files; a checkpoint gets the mode a plain open() would (as torch)."""
    import os

    import tinygrad_edu as tg

    path = tmp_path / "ckpt.pt"
    tg.save({"w": tg.ones(2)}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~mask)
