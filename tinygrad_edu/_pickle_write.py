"""A small pickle *writer* (protocol 2) for the objects a checkpoint holds.

``torch.save`` pickles with protocol 2 and names torch functions by module path
(``torch._utils._rebuild_tensor_v2``). The stdlib pickler can only name a global it can import
(it checks that ``torch._utils`` really has that function), and tinygrad_edu never imports torch,
so this module writes the opcodes itself: the subset torch's weights-only loader reads.

What is written, opcode by opcode (the same bytes ``pickle.dumps(obj, protocol=2)`` writes for
the plain values, which the tests check)::

    None N     True/False \\x88 \\x89     int  K (0..255) M (..65535) J (int32) \\x8a (LONG1)
    float G (8-byte big-endian)       str  X (length-prefixed UTF-8)
    tuple  ) or items + \\x85 \\x86 \\x87 (1..3 items) or ( items t
    list   ] then items + a/e (append one/several)      dict  } then keys, values + s/u
    Global(module, name)   c "module\\nname\\n"          Reduce(func, args)  func args R
    Persistent(pid)        pid Q (torch's storages: the loader looks them up by key)

Every str, tuple, list, dict, Global and Reduce is remembered (``q``/``r`` put in the memo) and
written once: a second reference to the same object is ``h``/``j`` (get from the memo), so a
tensor saved twice loads as one object.
"""

from __future__ import annotations

import struct

__all__ = ["Global", "Reduce", "Persistent", "dumps"]

_BATCH = 1000  # items per APPENDS/SETITEMS, as the stdlib pickler


class Global:
    """A module-level name, e.g. ``Global("torch", "float32")``; one object per name, so the
    memo writes each global once."""

    _cache: dict = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        if key not in cls._cache:
            self = super().__new__(cls)
            self.module, self.name = module, name
            cls._cache[key] = self
        return cls._cache[key]

    def __repr__(self):
        return f"Global({self.module!r}, {self.name!r})"


class Reduce:
    """``func(*args)`` at load time (pickle's REDUCE); ``items`` (key, value pairs) are then set
    on the result (an OrderedDict's entries), and ``state`` applied with BUILD if not None."""

    def __init__(self, func: Global, args: tuple, items=None, state=None):
        self.func, self.args, self.items, self.state = func, args, items, state


class Persistent:
    """An object stored outside the pickle; ``pid`` is what the loader gets (BINPERSID)."""

    def __init__(self, pid):
        self.pid = pid


def _encode_long(x: int) -> bytes:
    """Two's complement little-endian, shortest form (pickle.encode_long)."""
    if x == 0:
        return b""
    nbytes = (x.bit_length() >> 3) + 1
    out = x.to_bytes(nbytes, "little", signed=True)
    if x < 0 and nbytes > 1 and out[-1] == 0xFF and (out[-2] & 0x80) != 0:
        out = out[:-1]
    return out


class _Writer:
    def __init__(self, convert):
        self.out: list[bytes] = []
        self.memo: dict[int, tuple[int, object]] = {}  # id(obj) -> (index, obj kept alive)
        self.count = 0  # memo indices written so far
        self.convert = convert  # obj -> a plain value, Global, Reduce or Persistent

    def _put(self, obj) -> None:
        i, self.count = self.count, self.count + 1
        self.memo[id(obj)] = (i, obj)
        self.out.append(b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def _get(self, i: int) -> None:
        self.out.append(b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i))

    def save(self, obj, where: str) -> None:
        w = self.out.append
        if obj is None:
            return w(b"N")
        if obj is True or obj is False:
            return w(b"\x88" if obj else b"\x89")
        if type(obj) is int:
            if 0 <= obj <= 0xFF:
                return w(b"K" + bytes([obj]))
            if 0 <= obj <= 0xFFFF:
                return w(b"M" + struct.pack("<H", obj))
            if -0x80000000 <= obj <= 0x7FFFFFFF:
                return w(b"J" + struct.pack("<i", obj))
            data = _encode_long(obj)
            if len(data) >= 256:
                raise ValueError(f"tg.save: the int at {where} has over 2000 bits")
            return w(b"\x8a" + bytes([len(data)]) + data)
        if type(obj) is float:
            return w(b"G" + struct.pack(">d", obj))
        if isinstance(obj, Persistent):  # before the memo, as the stdlib pickler
            self.save(obj.pid, where)
            return w(b"Q")
        if id(obj) in self.memo:
            return self._get(self.memo[id(obj)][0])
        if type(obj) is str:
            data = obj.encode("utf-8", "surrogatepass")
            w(b"X" + struct.pack("<I", len(data)) + data)
            return self._put(obj)
        if isinstance(obj, Global):
            w(b"c" + f"{obj.module}\n{obj.name}\n".encode("ascii"))
            return self._put(obj)
        if isinstance(obj, Reduce):
            self.save(obj.func, where)
            self.save(obj.args, where)
            w(b"R")
            self._put(obj)
            if obj.items is not None:
                self._setitems(list(obj.items), where)
            if obj.state is not None:
                self.save(obj.state, where)
                w(b"b")
            return None
        if type(obj) is tuple:
            return self._tuple(obj, where)
        if type(obj) is list:
            w(b"]")
            self._put(obj)
            if len(obj) == 1:
                self.save(obj[0], f"{where}[0]")
                return w(b"a")
            for lo in range(0, len(obj), _BATCH):
                w(b"(")
                for i, v in enumerate(obj[lo : lo + _BATCH], lo):
                    self.save(v, f"{where}[{i}]")
                w(b"e")
            return None
        if type(obj) is dict:
            w(b"}")
            self._put(obj)
            items = list(obj.items())
            if len(items) == 1:
                return self._setitems(items, where)
            for lo in range(0, len(items) + (len(items) > 0), _BATCH):  # as _pickle.c: a
                w(b"(")  # dict of exactly k * 1000 items ends with an empty batch
                for k, v in items[lo : lo + _BATCH]:
                    self.save(k, where)
                    self.save(v, f"{where}[{k!r}]")
                w(b"u")
            return None
        conv = self.convert(obj, where)
        self.save(conv, where)
        if id(obj) not in self.memo and isinstance(conv, Reduce):
            # the converted object stands for ``obj``: a second reference writes a memo get
            self.memo[id(obj)] = self.memo[id(conv)][0], obj
        return None

    def _tuple(self, obj: tuple, where: str) -> None:
        if not obj:
            return self.out.append(b")")
        if len(obj) > 3:
            self.out.append(b"(")
        for i, v in enumerate(obj):
            self.save(v, f"{where}[{i}]")
        self.out.append(b"t" if len(obj) > 3 else b"\x85\x86\x87"[len(obj) - 1 : len(obj)])
        return self._put(obj)

    def _setitems(self, items: list, where: str) -> None:
        """Items from an iterator (an OrderedDict's): batches of 1000, a last single item
        with SETITEM (the C pickler's batch_dict)."""
        for lo in range(0, len(items), _BATCH):
            batch = items[lo : lo + _BATCH]
            if len(batch) > 1:
                self.out.append(b"(")
            for k, v in batch:
                self.save(k, where)
                self.save(v, f"{where}[{k!r}]")
            self.out.append(b"u" if len(batch) > 1 else b"s")


def dumps(obj, convert) -> bytes:
    """The protocol-2 pickle of ``obj``. Values other than None/bool/int/float/str/tuple/list/
    dict go through ``convert(value, where)``, which returns what to write instead (a Global, a
    Reduce, a Persistent or a plain value) or raises ``TypeError`` naming ``where``."""
    w = _Writer(convert)
    w.out.append(b"\x80\x02")
    w.save(obj, "obj")
    w.out.append(b".")
    return b"".join(w.out)
