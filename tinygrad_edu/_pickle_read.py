"""A restricted pickle *reader*: it builds containers and numbers itself, and calls only the
functions a caller allowlists by name. Nothing in the file can run other code.

``pickle.load`` runs whatever a file names (``os.system`` is one GLOBAL and one REDUCE away), so
tg.load never calls it. This interpreter, like torch's ``weights_only`` unpickler, executes the
opcodes itself:

* values (None, bools, ints, floats, str, bytes) and containers (tuple, list, dict, set) are
  built here; APPEND/SETITEM only touch lists and dicts;
* GLOBAL/STACK_GLOBAL look the name up in ``allowed`` (``{"module.name": object}``); any
  other name raises ``pickle.UnpicklingError`` naming it, before anything is called;
* REDUCE calls only a callable that came from ``allowed``; BUILD only sets the ``_metadata``
  attribute of an ``OrderedDict`` (a torch state_dict's); NEWOBJ/INST/OBJ (make any class) are
  refused;
* BINPERSID hands the id to ``persistent_load`` (torch's storages).

Protocols 2 to 5 are read (torch writes 2; ``pickle_protocol=4`` gives FRAME, MEMOIZE,
SHORT_BINUNICODE...). Damaged data raises ``pickle.UnpicklingError``.
"""

from __future__ import annotations

import _compat_pickle
import struct
from collections import Counter, OrderedDict
from pickle import UnpicklingError

__all__ = ["load", "UnpicklingError"]


class _Mark:
    pass


_MARK = _Mark()


def _global_name(module: str, name: str) -> str:
    """``module.name`` after Python 2's renames (``__builtin__`` -> ``builtins``), as torch."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return f"{module}.{name}"


def load(data: bytes, allowed: dict, persistent_load, refused_hint=None):
    """The object pickled in ``data``.

    ``allowed`` maps "module.name" to what GLOBAL pushes; ``persistent_load(pid)`` returns the
    object for a persistent id; ``refused_hint(name)`` may return extra text for the error of a
    refused global. Raises ``pickle.UnpicklingError`` for a refused global or call, a bad
    opcode, or data that ends early."""
    pos, n = 0, len(data)
    stack: list = []
    memo: dict[int, object] = {}
    callables = {id(v) for v in allowed.values() if callable(v)}

    def read(k: int) -> bytes:
        nonlocal pos
        if k < 0 or pos + k > n:
            raise UnpicklingError("pickle data was truncated")
        pos += k
        return data[pos - k : pos]

    def readline() -> str:
        nonlocal pos
        end = data.find(b"\n", pos)
        if end < 0:
            raise UnpicklingError("pickle data was truncated")
        line, pos = data[pos:end], end + 1
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            raise UnpicklingError("a GLOBAL name that is not UTF-8") from None

    def pop_mark() -> list:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is _MARK:
                items = stack[i + 1 :]
                del stack[i:]
                return items
        raise UnpicklingError("could not find MARK")

    def pop():
        if not stack or stack[-1] is _MARK:
            raise UnpicklingError("unpickling stack underflow")
        return stack.pop()

    def top():
        if not stack or stack[-1] is _MARK:
            raise UnpicklingError("unpickling stack underflow")
        return stack[-1]

    def find(module: str, name: str):
        full = _global_name(module, name)
        if full in allowed:
            return allowed[full]
        hint = refused_hint(full) if refused_hint else None
        raise UnpicklingError(
            f"Unsupported global: GLOBAL {full} was not an allowed global: tg.load only builds "
            "tensors, numbers, strings and containers, and never calls other code from a file"
            + (f" ({hint})" if hint else "")
        )

    def text(raw: bytes) -> str:
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise UnpicklingError("a string that is not UTF-8") from None

    def set_items(target, items):
        if type(target) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(f"can only set items of a dict, not of {type(target).__name__}")
        if len(items) % 2:
            raise UnpicklingError("odd number of items for SETITEMS")
        for i in range(0, len(items), 2):
            try:
                target[items[i]] = items[i + 1]
            except TypeError as e:  # an unhashable key
                raise UnpicklingError(f"bad dict key: {e}") from None

    while True:
        op = read(1)[0]
        if op == 0x80:  # PROTO
            if read(1)[0] > 5:
                raise UnpicklingError("unsupported pickle protocol")
        elif op == 0x95:  # FRAME: a length we do not need
            read(8)
        elif op == 0x2E:  # STOP
            result = pop()
            if stack:
                raise UnpicklingError("data left on the stack after STOP")
            return result
        elif op == 0x28:  # MARK
            stack.append(_MARK)
        elif op == 0x4E:  # NONE
            stack.append(None)
        elif op in (0x88, 0x89):  # NEWTRUE, NEWFALSE
            stack.append(op == 0x88)
        elif op == 0x4B:  # BININT1
            stack.append(read(1)[0])
        elif op == 0x4D:  # BININT2
            stack.append(struct.unpack("<H", read(2))[0])
        elif op == 0x4A:  # BININT
            stack.append(struct.unpack("<i", read(4))[0])
        elif op in (0x8A, 0x8B):  # LONG1, LONG4
            k = read(1)[0] if op == 0x8A else struct.unpack("<i", read(4))[0]
            stack.append(int.from_bytes(read(k), "little", signed=True))
        elif op == 0x47:  # BINFLOAT
            stack.append(struct.unpack(">d", read(8))[0])
        elif op in (0x58, 0x8C, 0x8D):  # BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
            fmt = {0x58: "<I", 0x8C: "<B", 0x8D: "<Q"}[op]
            k = struct.unpack(fmt, read(struct.calcsize(fmt)))[0]
            stack.append(text(read(k)))
        elif op in (0x42, 0x43, 0x8E, 0x55):  # BINBYTES, SHORT_BINBYTES, BINBYTES8, SHORT_BINSTRING
            fmt = {0x42: "<I", 0x43: "<B", 0x8E: "<Q", 0x55: "<B"}[op]
            k = struct.unpack(fmt, read(struct.calcsize(fmt)))[0]
            raw = read(k)
            stack.append(raw.decode("ascii", "strict") if op == 0x55 else raw)
        elif op == 0x29:  # EMPTY_TUPLE
            stack.append(())
        elif op in (0x85, 0x86, 0x87):  # TUPLE1..3
            k = op - 0x84
            items = [pop() for _ in range(k)][::-1]
            stack.append(tuple(items))
        elif op == 0x74:  # TUPLE
            stack.append(tuple(pop_mark()))
        elif op == 0x5D:  # EMPTY_LIST
            stack.append([])
        elif op == 0x6C:  # LIST
            stack.append(pop_mark())
        elif op == 0x7D:  # EMPTY_DICT
            stack.append({})
        elif op == 0x64:  # DICT
            d: dict = {}
            set_items(d, pop_mark())
            stack.append(d)
        elif op == 0x8F:  # EMPTY_SET
            stack.append(set())
        elif op == 0x91:  # FROZENSET
            stack.append(frozenset(pop_mark()))
        elif op == 0x90:  # ADDITEMS
            items = pop_mark()
            if type(top()) is not set:
                raise UnpicklingError("can only add items to a set")
            top().update(items)
        elif op == 0x61:  # APPEND
            v = pop()
            if type(top()) is not list:
                raise UnpicklingError(f"can only append to a list, not {type(top()).__name__}")
            top().append(v)
        elif op == 0x65:  # APPENDS
            items = pop_mark()
            if type(top()) is not list:
                raise UnpicklingError(f"can only extend a list, not {type(top()).__name__}")
            top().extend(items)
        elif op == 0x73:  # SETITEM
            v, k = pop(), pop()
            set_items(top(), [k, v])
        elif op == 0x75:  # SETITEMS
            items = pop_mark()
            set_items(top(), items)
        elif op in (0x71, 0x72, 0x94):  # BINPUT, LONG_BINPUT, MEMOIZE
            i = (read(1)[0] if op == 0x71 else struct.unpack("<I", read(4))[0] if op == 0x72
                 else len(memo))
            memo[i] = top()
        elif op in (0x68, 0x6A):  # BINGET, LONG_BINGET
            i = read(1)[0] if op == 0x68 else struct.unpack("<I", read(4))[0]
            if i not in memo:
                raise UnpicklingError(f"memo key {i} was never stored")
            stack.append(memo[i])
        elif op == 0x30:  # POP
            if stack and stack[-1] is _MARK:
                stack.pop()
            else:
                pop()
        elif op == 0x31:  # POP_MARK
            pop_mark()
        elif op == 0x32:  # DUP
            stack.append(top())
        elif op == 0x63:  # GLOBAL
            module = readline()
            stack.append(find(module, readline()))
        elif op == 0x93:  # STACK_GLOBAL
            name, module = pop(), pop()
            if type(module) is not str or type(name) is not str:
                raise UnpicklingError("STACK_GLOBAL needs two strings")
            stack.append(find(module, name))
        elif op == 0x52:  # REDUCE
            args, func = pop(), pop()
            if id(func) not in callables or type(args) is not tuple:
                raise UnpicklingError(f"REDUCE of {func!r:.80}: only allowlisted functions "
                                      "are called")
            try:
                stack.append(func(*args))
            except (TypeError, ValueError) as e:  # e.g. set(3), complex("x")
                raise UnpicklingError(f"REDUCE of {func!r:.80} failed: {e}") from None
        elif op == 0x62:  # BUILD
            state = pop()
            inst = top()
            if type(inst) is not OrderedDict or type(state) is not dict or set(state) - {
                    "_metadata"}:
                raise UnpicklingError(f"BUILD of a {type(inst).__name__}: only an OrderedDict's "
                                      "_metadata (a torch state_dict's) is set")
            inst.__dict__.update(state)
        elif op == 0x51:  # BINPERSID
            stack.append(persistent_load(pop()))
        else:  # INST, OBJ, NEWOBJ(_EX), EXT*, PERSID, text opcodes...: never needed
            raise UnpicklingError(f"unsupported pickle opcode {bytes([op])!r} at byte {pos - 1}")
