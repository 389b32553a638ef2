"""tg.save writes torch's checkpoint format and tg.load reads it, checked against real torch:
torch.load (weights_only True and False) reads tg.save's files with the same dtypes, shapes,
strides, values and key order; tg.load reads torch.save's files the same way; a model and an
optimizer move through torch and back and keep training in step with torch; and a file that
names any other global is refused without running it."""

from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import _pickle_read, _pickle_write
from tinygrad_edu.serialization import from_torch_state_dict, to_torch_state_dict

torch.set_num_threads(1)

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
          "bool"]


def _bits(x) -> np.ndarray:
    """Values as comparable raw bits (so -0.0, nan payloads and bfloat16 count)."""
    if isinstance(x, torch.Tensor):
        x = x.detach()
        arr = (x.view(torch.int16) if x.dtype == torch.bfloat16 else x).numpy()
    else:
        arr = x.detach().numpy()
    arr = np.ascontiguousarray(arr)
    return arr.view(f"u{arr.dtype.itemsize}")


def _same(t, g, where):
    """A torch tensor and a tg tensor: same dtype, shape, requires_grad and bits."""
    assert isinstance(t, torch.Tensor) and isinstance(g, tg.Tensor), where
    assert str(t.dtype) == str(g.dtype) and tuple(t.shape) == tuple(g.shape), where
    assert t.requires_grad == g.requires_grad, where
    np.testing.assert_array_equal(_bits(t), _bits(g), err_msg=where)


def _compare(t, g, where="obj"):
    """torch-side object ``t`` against tg-side object ``g``, recursively (types, key order)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(t, torch.nn.Parameter) == isinstance(g, tg.nn.Parameter), where
        return _same(t, g, where)
    if isinstance(t, torch.dtype):
        assert str(t) == str(g), where
    elif isinstance(t, torch.device):
        assert isinstance(g, tg.device) and str(t) == str(g), where
    elif isinstance(t, torch.Size):
        assert isinstance(g, tg.Size) and tuple(t) == tuple(g), where
    elif isinstance(t, dict):
        assert type(t) is type(g) and list(t) == list(g), f"{where}: {list(t)} vs {list(g)}"
        for k in t:
            _compare(t[k], g[k], f"{where}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(t) is type(g) and len(t) == len(g), where
        for i, (a, b) in enumerate(zip(t, g)):
            _compare(a, b, f"{where}[{i}]")
    elif isinstance(t, float) and t != t:
        assert isinstance(g, float) and g != g, where
    else:
        assert type(t) is type(g) and t == g, f"{where}: {t!r} vs {g!r}"


def _pair(lib):
    """The same nested checkpoint built in torch (lib=torch) or tinygrad_edu (lib=tg)."""
    base = lib.arange(24, dtype=lib.float32).reshape(4, 6) - 7.5
    x = {"f16": lib.tensor([1.5, -0.0, 65504.0], dtype=lib.float16),
         "bf16": lib.tensor([1.0, -2.5, 3.0e38], dtype=lib.bfloat16),
         "f64": lib.tensor([[1e-300, float("nan")], [float("inf"), -0.0]], dtype=lib.float64),
         "i8": lib.tensor([-128, 127], dtype=lib.int8),
         "i16": lib.tensor([-32768, 5], dtype=lib.int16),
         "i32": lib.tensor([2**31 - 1], dtype=lib.int32),
         "i64": lib.tensor([-(2**63), 2**62], dtype=lib.int64),
         "u8": lib.tensor([0, 255], dtype=lib.uint8),
         "b": lib.tensor([True, False]),
         "zero_d": lib.tensor(3.25, dtype=lib.float64), "count": lib.tensor(7),
         "empty": lib.zeros(0, 3), "empty_i": lib.zeros(2, 0, dtype=lib.int64)}
    views = {"base": base, "col": base[:, 1], "tail": base[2:], "t": base.t(),
             "step": base[::2, 1::3]}
    sd = OrderedDict([("layer.weight", lib.ones(2, 3)), ("layer.bias", lib.zeros(2))])
    return {
        "tensors": x, "views": views, "sd": sd,
        "param": lib.nn.Parameter(lib.tensor([0.5, 1.5])),
        "grad": lib.tensor([1.0, 2.0], requires_grad=True),
        "meta": {"epoch": 3, "lr": 1e-3, "nan": float("nan"), "inf": -float("inf"),
                 "big": 2**80, "neg": -(2**40), "name": "한국어 ok", "none": None,
                 "flags": [True, False], "shape": (2, (3, "x")), 7: "int key"},
        "dtype": lib.float64, "device": lib.device("cpu"), "size": lib.Size([2, 3]),
        "milestones": collections.Counter({3: 1, 7: 2}),
        "long": list(range(1200)),  # more than one APPENDS batch
    }


@pytest.mark.parametrize("weights_only", [True, False])
def test_tg_save_then_torch_load(tmp_path, weights_only):
    obj = _pair(tg)
    tg.save(obj, tmp_path / "ck.pth")
    ref = torch.load(tmp_path / "ck.pth", weights_only=weights_only)
    _compare(ref, obj)
    views = ref["views"]  # views share their base's storage, with its offset and strides
    for k in ("col", "tail", "t", "step"):
        assert views[k].untyped_storage().data_ptr() == views["base"].untyped_storage().data_ptr()
        tv = obj["views"][k]
        assert views[k].stride() == tuple(s // 4 for s in tv.numpy().strides), k
        assert views[k].storage_offset() == (tv._data.ctypes.data - obj["views"]["base"]._data
                                             .ctypes.data) // 4, k
    assert views["base"].untyped_storage().nbytes() == 24 * 4


def test_torch_save_then_tg_load(tmp_path):
    obj = _pair(torch)
    torch.save(obj, tmp_path / "ck.pt")
    back = tg.load(tmp_path / "ck.pt")
    _compare(obj, back)
    for k, v in back["views"].items():  # loaded tensors own their memory
        assert v.numpy().flags.owndata or v.numpy().base is None or k == "base", k


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_torch_pickle_protocols_load(tmp_path, protocol):
    obj = {"sd": torch.nn.Linear(3, 2).state_dict(), "steps": [1, 2], "s": {1, 2},
           "b": b"bytes\x00", "fs": frozenset({3})}
    torch.save(obj, tmp_path / "p.pt", pickle_protocol=protocol)
    back = tg.load(tmp_path / "p.pt")
    _compare({k: obj[k] for k in ("sd", "steps", "s", "b")},
             {k: back[k] for k in ("sd", "steps", "s", "b")})
    assert back["fs"] == frozenset({3}) and back["sd"]._metadata == obj["sd"]._metadata


def test_writes_the_bytes_torch_writes():
    """Same object, same file, byte for byte, except the 40-digit ``.data/serialization_id``
    (torch derives it from a C++ string hash; nothing reads it)."""
    objs = {lib: _pair(lib) for lib in (torch, tg)}
    torch_sd = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3)).state_dict()
    tg_sd = from_torch_state_dict(torch_sd)
    tg_sd._metadata = torch_sd._metadata  # a torch state_dict carries it, as BUILD
    objs[torch]["model"], objs[tg]["model"] = torch_sd, tg_sd
    files = {}
    for lib in (torch, tg):
        buf = io.BytesIO()
        lib.save(objs[lib], buf)
        files[lib] = buf.getvalue()
    assert len(files[tg]) == len(files[torch])
    zs = {lib: zipfile.ZipFile(io.BytesIO(files[lib])) for lib in files}
    assert zs[tg].namelist() == zs[torch].namelist()
    for name in zs[torch].namelist():
        a, b = zs[torch].getinfo(name), zs[tg].getinfo(name)
        assert a.header_offset == b.header_offset, name
        if not name.endswith("serialization_id"):
            assert zs[torch].read(name) == zs[tg].read(name), name
    sid = {lib: zs[lib].read("archive/.data/serialization_id") for lib in files}
    assert sid[tg][20:] == sid[torch][20:]  # the combined CRC-32 half is torch's
    info = zs[tg].getinfo("archive/.data/serialization_id")
    start = info.header_offset + 30 + len(info.filename) + 50  # its data (after the padding)
    assert files[tg][start : start + 40] == sid[tg]
    central = files[tg].rindex(b"PK\x01\x02")  # its central directory entry, the last one
    may_differ = {*range(start, start + 20), *range(start + 44, start + 48),  # id, its CRC
                  *range(central + 16, central + 20)}  # the CRC in the central directory
    differ = {i for i, (x, y) in enumerate(zip(files[tg], files[torch])) if x != y}
    assert differ and differ <= may_differ, sorted(differ - may_differ)[:10]


def test_torch_reads_it_memory_mapped_with_computed_offsets(tmp_path):
    """mmap=True needs the 64-byte alignment; calculate_storage_offsets predicts each storage's
    offset from miniz's layout (data descriptors after each record) instead of reading it."""
    from torch.utils.serialization import config

    obj = _pair(tg)
    tg.save(obj, tmp_path / "m.pt")
    old = config.load.calculate_storage_offsets
    config.load.calculate_storage_offsets = True
    try:
        os.environ["TORCH_SERIALIZATION_DEBUG"] = "1"  # torch checks each offset it predicts
        ref = torch.load(tmp_path / "m.pt", mmap=True)
    finally:
        config.load.calculate_storage_offsets = old
        os.environ.pop("TORCH_SERIALIZATION_DEBUG")
    _compare(ref, obj)


def _nets(seed=0):
    torch.manual_seed(seed)
    tg.manual_seed(seed)  # (the suite's order must not change the weights)
    tnet = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8),
                               torch.nn.Linear(8, 3)).double()
    net = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.ReLU(), tg.nn.BatchNorm1d(8),
                           tg.nn.Linear(8, 3)).double()
    return tnet, net


def test_module_state_dict_through_torch_and_back(tmp_path):
    tnet, net = _nets()
    tg.manual_seed(5)
    net.train()
    net(tg.randn(16, 4, dtype=tg.float64))  # running stats and num_batches_tracked move
    tg.save(net.state_dict(), tmp_path / "tg.pth")
    assert str(tnet.load_state_dict(torch.load(tmp_path / "tg.pth"))) == (
        "<All keys matched successfully>")
    _compare(OrderedDict(tnet.state_dict()), net.state_dict())  # bit for bit, dtypes, order
    x = np.random.default_rng(0).standard_normal((5, 4))
    tnet.eval(), net.eval()
    out = net(tg.tensor(x)).detach().numpy()
    np.testing.assert_allclose(tnet(torch.tensor(x)).detach().numpy(), out, rtol=1e-12,
                               atol=1e-15)
    assert int(tnet[2].num_batches_tracked) == 1
    torch.save(tnet.state_dict(), tmp_path / "torch.pth")
    _, net2 = _nets()
    assert str(net2.load_state_dict(tg.load(tmp_path / "torch.pth"))) == (
        "<All keys matched successfully>")
    net2.eval()
    np.testing.assert_array_equal(net2(tg.tensor(x)).detach().numpy(), out)


@pytest.mark.parametrize("name,kwargs", [("Adam", {"lr": 0.01, "amsgrad": True}),
                                         ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})])
def test_optimizer_state_from_torch_continues_in_step_with_torch(tmp_path, name, kwargs):
    tnet, net = _nets(seed=1)
    topt = getattr(torch.optim, name)(tnet.parameters(), **kwargs)
    rng = np.random.default_rng(1)
    batches = [(rng.standard_normal((8, 4)), rng.integers(0, 3, 8)) for _ in range(5)]

    def tstep(x, y):
        topt.zero_grad()
        torch.nn.functional.cross_entropy(tnet(torch.tensor(x)), torch.tensor(y)).backward()
        topt.step()

    for x, y in batches[:3]:
        tstep(x, y)
    torch.save({"model": tnet.state_dict(), "optim": topt.state_dict(), "epoch": 3},
               tmp_path / "ck.pt")
    ck = tg.load(tmp_path / "ck.pt")
    net.load_state_dict(ck["model"])
    opt = getattr(tg.optim, name)(net.parameters(), lr=123.0)
    opt.load_state_dict(ck["optim"])
    assert opt.param_groups[0]["lr"] == kwargs["lr"] and ck["epoch"] == 3
    for x, y in batches[3:]:  # both continue from the same state
        tstep(x, y)
        opt.zero_grad()
        tg.nn.functional.cross_entropy(net(tg.tensor(x)), tg.tensor(y)).backward()
        opt.step()
    for (k, tv), v in zip(tnet.state_dict().items(), net.state_dict().values()):
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-12, atol=1e-14, err_msg=k)
    # ... and tg's optimizer state back into torch, which continues the same way
    tg.save({"optim": opt.state_dict()}, tmp_path / "tg.pt")
    topt2 = getattr(torch.optim, name)(tnet.parameters(), lr=5.0)
    topt2.load_state_dict(torch.load(tmp_path / "tg.pt")["optim"])
    _compare(topt2.state_dict(), opt.state_dict())  # exactly the state tg's optimizer holds


# ------------------------------------------------------------------------------- refusals ----
class _Boom:
    """Unpickling this runs os.system (in torch.load(weights_only=False) and pickle.load)."""

    def __init__(self, flag):
        self.flag = flag

    def __reduce__(self):
        return (os.system, (f"touch {self.flag}",))


def test_a_file_naming_another_global_is_refused_without_running_it(tmp_path):
    flag = tmp_path / "ran"
    torch.save({"w": torch.ones(2), "evil": _Boom(flag)}, tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL posix\.system .*not an allowed"):
        tg.load(tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError):  # torch's weights-only load: the same type
        torch.load(tmp_path / "evil.pt")
    assert not flag.exists(), "tg.load ran code from the file"
    torch.load(tmp_path / "evil.pt", weights_only=False)  # the check can fail: torch runs it
    assert flag.exists()


def test_numpy_values_in_a_torch_file_are_refused_as_torch_does(tmp_path):
    torch.save({"a": np.arange(3)}, tmp_path / "np.pt")
    with pytest.raises(pickle.UnpicklingError, match="NumPy array .*torch.from_numpy"):
        tg.load(tmp_path / "np.pt")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "np.pt")
    torch.save({"c": torch.ones(2, dtype=torch.complex64)}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="ComplexFloatStorage.*no twin"):
        tg.load(tmp_path / "c.pt")


def _with_pickle(tmp_path, pkl: bytes, src=None):
    """A copy of checkpoint ``src`` (default: one tg.save writes) whose data.pkl is ``pkl``."""
    if src is None:
        src = tmp_path / "good.pt"
        tg.save({"w": tg.ones(2)}, src)
    with zipfile.ZipFile(src) as zin, \
            zipfile.ZipFile(tmp_path / "bad.pt", "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, pkl if n.endswith("data.pkl") else zin.read(n))
    return tmp_path / "bad.pt"


CRAFTED = {
    "newobj": (b"\x80\x02ccollections\nOrderedDict\n)\x81.", "opcode b'\\\\x81'"),
    "build_list": (b"\x80\x02]}X\x01\x00\x00\x00aK\x01sb.", "BUILD of a list"),
    "build_items": (b"\x80\x02ccollections\nOrderedDict\n)R}X\x05\x00\x00\x00itemsK\x01sb.",
                    "only an OrderedDict's _metadata"),  # would shadow sd.items()
    "reduce_str": (b"\x80\x02X\x01\x00\x00\x00a)R.", "only allowlisted functions"),
    "truncated": (b"\x80\x02X\xff\x00\x00\x00ab", "truncated"),
    "no_stop": (b"\x80\x02K\x01", "truncated"),
    "bad_storage": (b"\x80\x02(X\x07\x00\x00\x00storageK\x01X\x01\x00\x00\x000X\x03\x00\x00\x00"
                    b"cpuK\x01tQ.", "bad persistent id"),
    "set_item_on_tuple": (b"\x80\x02)K\x01K\x02s.", "can only set items of a dict"),
    "stack_global": (b"\x80\x04\x8c\x02os\x8c\x06system\x93.", "GLOBAL os.system"),
    "memo_miss": (b"\x80\x02h\x05.", "memo key 5"),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_pickles_raise_unpickling_error(tmp_path, name):
    pkl, match = CRAFTED[name]
    path = _with_pickle(tmp_path, pkl)
    with pytest.raises(pickle.UnpicklingError, match=match) as info:
        tg.load(path)
    assert str(path) in str(info.value)


def test_a_view_reaching_past_its_storage_is_refused(tmp_path):
    torch.save({"x": torch.arange(6.0)}, tmp_path / "x.pt")
    with zipfile.ZipFile(tmp_path / "x.pt") as zf:
        pkl = zf.read("x/data.pkl")
    assert pkl.count(b"K\x06\x85") == 1  # size (6,): make it (7,), one past the storage
    path = _with_pickle(tmp_path, pkl.replace(b"K\x06\x85", b"K\x07\x85"), tmp_path / "x.pt")
    with pytest.raises(pickle.UnpicklingError, match=r"size \[7\].*past its storage of 6"):
        tg.load(path)


def test_an_expanded_view_loads_and_a_huge_one_is_refused(tmp_path):
    """torch saves ``ones(1).expand(1000)`` as one element with stride 0; tg copies it out,
    but not when the file asks for 40 GB from 4 bytes."""
    torch.save({"x": torch.ones(1).expand(1000)}, tmp_path / "x.pt")
    back = tg.load(tmp_path / "x.pt")["x"]
    assert back.shape == (1000,) and back.tolist() == [1.0] * 1000
    with zipfile.ZipFile(tmp_path / "x.pt") as zf:
        pkl = zf.read("x/data.pkl")
    assert pkl.count(b"M\xe8\x03\x85") == 1  # size (1000,)
    huge = b"\x8a\x05" + (10**10).to_bytes(5, "little") + b"\x85"
    path = _with_pickle(tmp_path, pkl.replace(b"M\xe8\x03\x85", huge), tmp_path / "x.pt")
    with pytest.raises(pickle.UnpicklingError, match="overlap .* would need 40000000000 bytes"):
        tg.load(path)


def test_big_endian_files_are_read(tmp_path):
    """A file written on a big-endian machine (byteorder "big", storages big-endian) loads with
    the same values, as torch reads it."""
    obj = {"f": tg.tensor([1.5, -2.0]), "i": tg.tensor([1, -2], dtype=tg.int64),
           "h": tg.tensor([0.5], dtype=tg.float16)}
    tg.save(obj, tmp_path / "le.pt")
    with zipfile.ZipFile(tmp_path / "le.pt") as zin, \
            zipfile.ZipFile(tmp_path / "be.pt", "w") as zout:
        dts = {"le/data/0": "f4", "le/data/1": "i8", "le/data/2": "f2"}
        for n in zin.namelist():
            d = zin.read(n)
            if n in dts:
                d = np.frombuffer(d, "<" + dts[n]).astype(">" + dts[n]).tobytes()
            zout.writestr(n, b"big" if n == "le/byteorder" else d)
    back = tg.load(tmp_path / "be.pt")
    for k, v in obj.items():
        assert back[k].dtype == v.dtype and back[k].tolist() == v.tolist(), k
        assert back[k].numpy().dtype.isnative, k
    ref = torch.load(tmp_path / "be.pt")
    assert all(ref[k].tolist() == v.tolist() for k, v in obj.items())


# ------------------------------------------------------------ the pickle writer and reader ----
PLAIN = [None, True, False, 0, 255, 256, 65535, 65536, -1, 2**31 - 1, -(2**31), 2**31, 2**63,
         -(2**100), 0.1, -0.0, float("inf"), "", "é\U0001f600", (), (1,), (1, 2), (1, 2, 3),
         (1, 2, 3, 4), [], [1], [1, 2], list(range(2001)), list(range(1000)), {}, {"a": 1},
         {"a": 1, "b": 2}, {i: str(i) for i in range(1001)}, {i: i for i in range(2000)}]


def test_pickle_writer_writes_what_the_stdlib_pickler_writes():
    shared = ["s"]
    obj = {"values": PLAIN, "shared": [shared, shared, (shared, shared)], "nested": [[[[]]]]}
    for value in [*PLAIN, obj]:
        ours = _pickle_write.dumps(value, lambda v, where: pytest.fail(f"convert {v!r}"))
        assert ours == pickle.dumps(value, protocol=2), repr(value)[:60]
        back = _pickle_read.load(ours, {}, lambda pid: pytest.fail("persistent"))
        assert back == value or value != value
    back = _pickle_read.load(_pickle_write.dumps(obj, None), {}, None)
    assert back["shared"][0] is back["shared"][1] is back["shared"][2][0]


def test_torch_interchange_helpers_still_work():
    sd = OrderedDict(w=tg.ones(2, dtype=tg.bfloat16))
    t = to_torch_state_dict(sd)["w"]
    assert t.dtype == torch.bfloat16 and from_torch_state_dict({"w": t})["w"].dtype == tg.bfloat16
