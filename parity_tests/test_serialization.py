"""tg.save / tg.load: nested checkpoints round-trip exactly, the file is written atomically,
damaged or foreign files fail with a clear error of torch's exception type, old npz-style
archives still load, and state_dicts move to torch and back with identical model outputs.
(torch.load itself reading tg.save's files, and the reverse: test_torch_checkpoint.py.)"""

from __future__ import annotations

import collections
import io
import os
import pathlib
import pickle
import pickletools
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import _npz_checkpoint, _torch_zip, serialization

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


def _equal(a, b, where="obj", npz=False):
    """``b`` (loaded) equals ``a`` (saved). torch's format saves NumPy arrays as tensors and NumPy
    scalars as Python numbers; the old npz format (``npz=True``) kept both as NumPy values."""
    if isinstance(a, tg.Tensor):
        assert isinstance(b, tg.Tensor), where
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), where
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=where)
    elif isinstance(a, (np.ndarray, np.generic)) and npz:
        assert type(a) is type(b) and a.dtype == b.dtype and np.shape(a) == np.shape(b), where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, tg.Tensor) and b.dtype.np == a.dtype and b.shape == a.shape, where
        np.testing.assert_array_equal(a, b.numpy(), err_msg=where)
    elif isinstance(a, np.generic):
        assert type(b) is type(a.item()) and b == a.item(), where
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b), f"{where}: keys {list(a)} vs {list(b)}"
        for k in a:
            _equal(a[k], b[k], f"{where}[{k!r}]", npz)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _equal(x, y, f"{where}[{i}]", npz)
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} vs {b!r}"


def _save_npz(obj, path):
    """A checkpoint in the npz-style format earlier tinygrad_edu versions wrote."""
    with open(path, "wb") as fh:
        _npz_checkpoint.write(fh, obj)


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


def test_old_npz_archives_still_load(tmp_path):
    """Checkpoints written by earlier versions (pickle-free npz archives) load as before."""
    path = tmp_path / "old.pt"
    ck = _checkpoint()
    _save_npz(ck, path)
    with np.load(path, allow_pickle=False) as npz:  # every member loads without pickle
        arrays = {k: npz[k] for k in npz.files}
    assert "__tinygrad_edu__" in arrays and all(a.dtype != object for a in arrays.values())
    back = tg.load(path)
    _equal(ck, back, npz=True)
    m = _model(seed=8)
    m.load_state_dict(back["model"])
    _equal(m.state_dict(), ck["model"])


def test_file_is_a_torch_zip_archive(tmp_path):
    """The layout torch's writer produces: one folder named after the file, records stored
    uncompressed at 64-byte boundaries, the version and byteorder records."""
    path = tmp_path / "ck.pth"
    tg.save(_checkpoint(), path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[:4] == ["ck/data.pkl", "ck/.format_version", "ck/.storage_alignment",
                             "ck/byteorder"]
        assert names[-2:] == ["ck/version", "ck/.data/serialization_id"]
        assert all(n.startswith("ck/data/") for n in names[4:-2]) and len(names) > 10
        assert zf.read("ck/version") == b"3\n" and zf.read("ck/byteorder") == b"little"
        raw = path.read_bytes()
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            nl, el = np.frombuffer(raw[info.header_offset + 26 : info.header_offset + 30], "<u2")
            assert (info.header_offset + 30 + nl + el) % 64 == 0, info.filename
        ops = {op.name for op, _, _ in pickletools.genops(zf.read("ck/data.pkl"))}
    # only protocol-2 opcodes torch's weights-only unpickler reads
    assert ops <= {"PROTO", "GLOBAL", "BINPUT", "LONG_BINPUT", "BINGET", "LONG_BINGET", "MARK",
                   "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_TUPLE", "EMPTY_LIST",
                   "EMPTY_DICT", "APPEND", "APPENDS", "SETITEM", "SETITEMS", "BININT1",
                   "BININT2", "BININT", "LONG1", "BINFLOAT", "BINUNICODE", "NONE", "NEWTRUE",
                   "NEWFALSE", "REDUCE", "BUILD", "BINPERSID", "STOP"}, ops
    assert _torch_zip.archive_name("a.b.pth") == "a.b"
    assert _torch_zip.archive_name("ütf.pt") == _torch_zip.archive_name(None) == "archive"


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
    real = _torch_zip.write
    calls = {"n": 0}

    class FailingDisk:  # the third write (the first storage's bytes) fails
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("simulated crash in the middle of tg.save")
            return self.fh.write(data)

    monkeypatch.setattr(_torch_zip, "write", lambda fh, *a: real(FailingDisk(fh), *a))
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
    with zipfile.ZipFile(good) as zf:  # flip bytes inside the first storage's data
        info = zf.getinfo("good/data/0")
    start = info.header_offset + 30 + int.from_bytes(data[info.header_offset + 26:][:2], "little")
    start += int.from_bytes(data[info.header_offset + 28:][:2], "little")
    corrupt[start : start + 8] = b"\xff" * 8
    put("corrupt.pt", bytes(corrupt))
    torch.save({"w": torch.ones(2)}, tmp_path / "torch_legacy.pt",
               _use_new_zipfile_serialization=False)
    files["torch_legacy.pt"] = tmp_path / "torch_legacy.pt"
    np.save(tmp_path / "plain.npy", np.ones(3))
    files["plain.npy"] = tmp_path / "plain.npy"
    put("plain.pkl", pickle.dumps({"a": 1}, protocol=2))
    put("plain4.pkl", pickle.dumps({"a": 1}, protocol=4))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    files["other.zip"] = tmp_path / "other.zip"
    return files


# the error tg.load raises: torch's exception type (torch.load's, where it fails: checked below)
EXPECT = {
    "empty.pt": (EOFError, "is empty"),
    "truncated.pt": (RuntimeError, "truncated or corrupt"),
    "truncated_end.pt": (RuntimeError, "truncated or corrupt"),
    "random.pt": (pickle.UnpicklingError, "not a zip archive"),
    "corrupt.pt": (RuntimeError, "truncated or corrupt.*CRC"),  # torch: loads the wrong bytes
    "torch_legacy.pt": (RuntimeError, "legacy format"),  # torch: reads it
    "plain.npy": (pickle.UnpicklingError, "single .npy array"),
    "plain.pkl": (RuntimeError, "plain pickle file"),  # torch: protocol 2, no magic number
    "plain4.pkl": (pickle.UnpicklingError, "plain pickle file"),
    "other.zip": (RuntimeError, "not a checkpoint"),
}


@pytest.mark.filterwarnings("ignore:Detected pickle protocol 4")  # torch.load of plain4.pkl
@pytest.mark.parametrize("name", list(EXPECT))
def test_damaged_or_foreign_files_raise_clear_errors(tmp_path, name):
    path = _bad_files(tmp_path)[name]
    kind, match = EXPECT[name]
    with pytest.raises(kind, match=match) as info:
        tg.load(path)
    assert type(info.value) is kind
    assert str(path) in str(info.value), "the error must name the file"
    if name not in ("corrupt.pt", "torch_legacy.pt"):
        with pytest.raises(Exception) as ref:
            torch.load(path)
        # (miniz, under torch, sometimes fails a cut archive with OSError EINVAL instead)
        also = (OSError,) if name.startswith("truncated") else ()
        assert isinstance(ref.value, (kind, *also)), (name, type(ref.value))


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
        assert [n for n in zf.namelist() if n.startswith("s/data/")] == ["s/data/0"]
    back = tg.load(tmp_path / "s.pt")
    assert back["a"] is back["b"] is back["c"][0]
    ref = torch.load(tmp_path / "s.pt")  # torch also gets one tensor object
    assert ref["a"] is ref["b"] is ref["c"][0]


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


# ------------------------------------------------------------------------------ safetensors ----
def _torch_net():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 3)
    )
    net.train()
    net(torch.randn(32, 4))  # running stats and num_batches_tracked (a 0-d int64) move
    return net.eval()


def test_safetensors_written_by_torch_loads_into_tg_and_back(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    net = _torch_net()
    st_torch.save_file(net.state_dict(), tmp_path / "torch.safetensors")
    sd = tg.load(tmp_path / "torch.safetensors")
    assert set(sd) == set(net.state_dict())
    for k, v in net.state_dict().items():
        assert tuple(sd[k].shape) == tuple(v.shape) and str(sd[k].dtype) == str(v.dtype), k
        np.testing.assert_array_equal(sd[k].numpy(), v.numpy(), err_msg=k)
    m = _model(seed=7)
    assert str(m.load_state_dict(sd)) == "<All keys matched successfully>"
    m.eval()
    x = np.random.default_rng(1).standard_normal((10, 4)).astype(np.float32)
    np.testing.assert_allclose(m(tg.tensor(x)).detach().numpy(),
                               net(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # ... and back: written by tg, read by safetensors.torch, loaded by a torch model
    tg.save(m.state_dict(), tmp_path / "tg.safetensors")
    back = st_torch.load_file(tmp_path / "tg.safetensors")
    assert set(back) == set(net.state_dict())
    for k, v in net.state_dict().items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        assert torch.equal(back[k], v), k
    net2 = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 3)
    )
    net2.load_state_dict(back)
    net2.eval()
    assert torch.equal(net2(torch.tensor(x)), net(torch.tensor(x)))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


SAFETENSORS_DTYPES = [
    ("bool", "BOOL"), ("uint8", "U8"), ("int8", "I8"), ("int16", "I16"), ("int32", "I32"),
    ("int64", "I64"), ("float16", "F16"), ("float32", "F32"), ("float64", "F64"),
]


@pytest.mark.parametrize("name,code", SAFETENSORS_DTYPES)
def test_safetensors_dtype_mapping_matches_torch(tmp_path, name, code):
    st_torch = pytest.importorskip("safetensors.torch")
    t = (torch.arange(6) % 3).reshape(2, 3).to(getattr(torch, name))
    st_torch.save_file({"x": t}, tmp_path / "a.safetensors")
    header = (tmp_path / "a.safetensors").read_bytes()[8:200]
    assert f'"dtype":"{code}"'.encode() in header
    ours = tg.load(tmp_path / "a.safetensors")["x"]
    assert ours.dtype == getattr(tg, "bool" if name == "bool" else name)
    np.testing.assert_array_equal(ours.numpy(), t.numpy())
    tg.save({"x": ours}, tmp_path / "b.safetensors")
    back = st_torch.load_file(tmp_path / "b.safetensors")["x"]
    assert back.dtype == t.dtype and torch.equal(back, t)


def test_safetensors_refusals_are_clear(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    st_torch.save_file({"w": torch.ones(2, dtype=torch.float8_e4m3fn)}, tmp_path / "bf.safetensors")
    with pytest.raises(TypeError, match="'w' .* dtype F8_E4M3.*t.float"):
        tg.load(tmp_path / "bf.safetensors")
    with pytest.raises(TypeError, match="flat dict of tensors"):
        tg.save([tg.ones(2)], tmp_path / "l.safetensors")
    with pytest.raises(TypeError, match=r"\['opt'\] is a dict"):
        tg.save({"w": tg.ones(2), "opt": {"lr": 0.1}}, tmp_path / "n.safetensors")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bf.safetensors"]
    tg.save({"w": tg.ones(4)}, tmp_path / "ok.safetensors")
    raw = (tmp_path / "ok.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(raw[:-2])
    with pytest.raises(RuntimeError, match="truncated or corrupt safetensors"):
        tg.load(tmp_path / "cut.safetensors")
    tg.save({"w": tg.ones(4).bfloat16()}, tmp_path / "bf16.safetensors")  # read by our reader
    raw = (tmp_path / "bf16.safetensors").read_bytes()
    (tmp_path / "cut16.safetensors").write_bytes(raw[:-2])
    with pytest.raises(RuntimeError, match="truncated or corrupt safetensors"):
        tg.load(tmp_path / "cut16.safetensors")


# ------------------------------------------------------------------- files that are not files ----
def test_directory_fifo_and_device_are_refused_at_once(tmp_path):
    import signal

    with pytest.raises(IsADirectoryError, match="is a directory"):
        tg.load(tmp_path)
    with pytest.raises(IsADirectoryError):  # torch raises the same type
        torch.load(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("tg.load hung")))
    signal.alarm(10)  # a regression would block forever on open(): fail instead
    try:
        with pytest.raises(RuntimeError, match="is a FIFO .*only regular files"):
            tg.load(fifo)
        if os.path.exists("/dev/zero"):
            with pytest.raises(RuntimeError, match="is a device"):
                tg.load("/dev/zero")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


# ------------------------------------------------------------------------------ zip bombs ----
def _deflated_zeros_npy(n: int) -> tuple[bytes, int]:
    """A deflate-compressed .npy of n zero bytes, built without holding n bytes in memory."""
    import zlib

    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "|u1", "fortran_order": False, "shape": (n,)}
    )
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, chunk = [comp.compress(head.getvalue())], zlib.crc32(head.getvalue()), bytes(1 << 20)
    for _ in range(n >> 20):
        out.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    out.append(comp.flush())
    return b"".join(out), crc, len(head.getvalue()) + n


def _with_member(src: pathlib.Path, dst: pathlib.Path, name: str, payload, crc, size):
    """Copy the archive ``src`` to ``dst`` with member ``name`` set to raw deflate data
    (``payload``, of CRC ``crc`` and ``size`` bytes once inflated), written by hand because
    zipfile can not store pre-compressed data."""
    import struct
    import zlib

    with zipfile.ZipFile(src) as zin:
        members = [(n, zin.read(n)) for n in zin.namelist() if n != name]
    entries = [(n, d, zipfile.ZIP_STORED, zlib.crc32(d), len(d)) for n, d in members]
    entries.append((name, payload, zipfile.ZIP_DEFLATED, crc, size))
    body, central = bytearray(), bytearray()
    for n, stored, method, c, usize in entries:
        off, nb = len(body), n.encode()
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, c, len(stored),
                            usize, len(nb), 0) + nb + stored
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, c,
                               len(stored), usize, len(nb), 0, 0, 0, 0, 0, off) + nb
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                      len(body), 0)
    dst.write_bytes(bytes(body + central + end))


@pytest.mark.parametrize("fmt", ["torch", "npz"])
def test_a_deflate_bomb_member_is_refused_without_expanding(tmp_path, fmt):
    import tracemalloc

    good = tmp_path / "good.pt"
    (tg.save if fmt == "torch" else _save_npz)({"w": tg.ones(3), "step": 1}, good)
    member, unused = ("good/data/0", "good/data/7") if fmt == "torch" else ("t0.npy", "t7.npy")
    payload, crc, size = _deflated_zeros_npy(256 << 20)  # 256 MiB of zeros in ~250 KB
    bomb = tmp_path / "bomb.pt"
    _with_member(good, bomb, member, payload, crc, size)
    assert bomb.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match=f"'{member}' is compressed .*zip bomb"):
            tg.load(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"loading the bomb allocated {peak / 2**20:.0f} MiB"
    # a bomb the checkpoint never references is not even read
    extra = tmp_path / "extra.pt"
    _with_member(good, extra, unused, payload, crc, size)
    tracemalloc.start()
    try:
        back = tg.load(extra)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert back["step"] == 1 and back["w"].tolist() == [1.0, 1.0, 1.0]
    assert peak < 16 << 20, f"an unreferenced member cost {peak / 2**20:.0f} MiB"


def test_a_storage_whose_size_does_not_match_its_tensor_is_refused(tmp_path):
    good = tmp_path / "good.pt"
    tg.save({"w": tg.ones(4)}, good)
    for data in [bytes(8), bytes(32)]:  # half, twice the 16 bytes 4 float32s need
        bad = tmp_path / "bad.pt"
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
            for n in zin.namelist():
                zout.writestr(n, data if n == "good/data/0" else zin.read(n))
        with pytest.raises(RuntimeError, match=f"holds {len(data)} bytes, its tensor .* 16"):
            tg.load(bad)


def test_an_npz_member_whose_header_lies_about_its_shape_is_refused(tmp_path):
    good = tmp_path / "good.pt"
    _save_npz({"w": tg.ones(4)}, good)
    for shape in [(8,), (10**10,)]:  # twice the data it holds; 40 GB
        npy = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            npy, {"descr": "<f4", "fortran_order": False, "shape": shape}
        )
        bad = tmp_path / "bad.pt"
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
            for n in zin.namelist():
                zout.writestr(n, npy.getvalue() + bytes(16) if n == "t0.npy" else zin.read(n))
        with pytest.raises(RuntimeError, match=f"declares shape \\{shape}".replace(",)", ",\\)")):
            tg.load(bad)


# ------------------------------------------------------------------------ stale temporaries ----
def test_temporaries_of_a_save_killed_with_sigkill_are_cleaned_up(tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    target = tmp_path / "ck.pt"
    child = textwrap.dedent(f"""
        import sys, time
        import tinygrad_edu as tg
        from tinygrad_edu import serialization
        from tinygrad_edu import _torch_zip
        real = _torch_zip.write
        def stuck(fh, *args):
            real(fh, *args)
            print("writing", flush=True)
            time.sleep(60)  # killed here, after the temporary is written, before the rename
        _torch_zip.write = stuck
        tg.save({{"w": tg.ones(1000)}}, {str(target)!r})
    """)
    root = pathlib.Path(__file__).resolve().parent.parent
    p = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, cwd=root)
    try:
        assert p.stdout.readline().strip() == b"writing"
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.wait(timeout=30)
    left = [f.name for f in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".ck.pt.") and left[0].endswith(".tmp"), left
    assert not target.exists()
    live = tmp_path / f".ck.pt.{os.getpid()}.abcd1234.tmp"  # a save in progress: kept
    live.write_bytes(b"x")
    old = tmp_path / ".ck.pt.zz99_abc.tmp"  # an older version's name, untouched for hours
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    other = tmp_path / ".other.pt.1.abcd1234.tmp"  # another target's: never touched
    other.write_bytes(b"x")
    tg.save({"w": tg.ones(2)}, target)
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(
        ["ck.pt", live.name, other.name]
    )
    assert tg.load(target)["w"].tolist() == [1.0, 1.0]


# -------------------------------------------------------------------------- map_location ----
def _as_cuda_checkpoint(src: pathlib.Path, dst: pathlib.Path) -> None:
    """The same archive with every storage marked as saved on 'cuda:0' (as a GPU run writes
    it): the location string in data.pkl's persistent ids."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for n in zin.namelist():
            d = zin.read(n)
            if n.endswith("/data.pkl"):
                assert d.count(b"X\x03\x00\x00\x00cpu") == 1  # written once, then memo gets
                d = d.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(n, d)


def test_cuda_checkpoint_without_gpu_suggests_map_location(tmp_path):
    m = _model(seed=2)
    tg.save(m.state_dict(), tmp_path / "cpu.pt")
    _as_cuda_checkpoint(tmp_path / "cpu.pt", tmp_path / "gpu.pt")
    if not tg.cuda.is_available():
        with pytest.raises(RuntimeError, match="saved on 'cuda:0'.*map_location='cpu'"):
            tg.load(tmp_path / "gpu.pt")
    if not torch.cuda.is_available():  # torch raises the same type, then maps the same way
        with pytest.raises(RuntimeError, match="map_location"):
            torch.load(tmp_path / "gpu.pt")
        ref = torch.load(tmp_path / "gpu.pt", map_location="cpu")
        assert all(v.device.type == "cpu" for v in ref.values())
    for ml in ("cpu", tg.device("cpu"), {"cuda": "cpu"}, {"cuda:0": "cpu"}):
        sd = tg.load(tmp_path / "gpu.pt", map_location=ml)
        assert all(v.device.type == "cpu" for v in sd.values())
        _equal(sd, m.state_dict())
