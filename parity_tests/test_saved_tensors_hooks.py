"""``tg.autograd.graph.saved_tensors_hooks`` / ``save_on_cpu``: the examples of torch's
docstring and of its "Hooks for saved tensors" tutorial, run with each library; what they
print (the packed and unpacked tensors, in order), the call counts and the gradients must be
torch's."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import uuid

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.autograd.grad_mode import state


def _printed(fn, lib) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(lib)
    return buf.getvalue()


def docstring_example(lib):
    def pack_hook(x):
        print("Packing", x)
        return x.detach()

    def unpack_hook(x):
        print("Unpacking", x)
        return x

    a = lib.ones(5, requires_grad=True)
    b = lib.ones(5, requires_grad=True) * 2
    with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = a * b
    print("forward done")
    y.sum().backward()
    print(a.grad)


def counting_example(lib):
    calls = {"pack": 0, "unpack": 0}

    def pack(t):
        calls["pack"] += 1
        return t * 4

    def unpack(t):
        calls["unpack"] += 1
        return t / 4

    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        x = lib.linspace(-1, 1, 5, requires_grad=True)
        y = x * x
        z = x.exp().sigmoid().tanh().relu().pow(2).sum()
        w = (x * lib.ones(5)).log_softmax(0)  # ones needs no grad: torch saves one of the two
    print(calls)
    y.sum().backward()
    print(calls, x.grad)
    z.backward()
    w.sum().backward(retain_graph=True)
    w.sum().backward()  # the graph was kept: its values are unpacked again
    print(calls, x.grad)


def nested_example(lib):
    def f(x):
        return x * x

    seen = []
    outer = lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append("outer") or t,
                                                   lambda t: t)
    inner = lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append("inner") or t,
                                                   lambda t: print("inner unpack") or t)
    x = lib.ones(3, requires_grad=True)
    with outer:
        with inner:  # only the innermost pair applies
            y = f(f(f(x)))
        z = x.exp()
    print(seen)
    (y.sum() + z.sum()).backward()  # outside the blocks: the pair of each save unpacks it
    print(x.grad)


def pow_and_saved_attr_example(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: print("pack", t) or t,
                                                lambda p: print("unpack", p) or p):
        y = x.pow(2)
    print(y.grad_fn._saved_self, y.grad_fn._saved_exponent)
    y.sum().backward()
    print(x.grad)


class SelfDeletingTempFile:
    def __init__(self, tmp_dir):
        self.name = os.path.join(tmp_dir, str(uuid.uuid4()))

    def __del__(self):
        os.remove(self.name)


def disk_example(lib):
    """The tutorial's "saving tensors to disk"."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        def pack_hook(tensor):
            temp_file = SelfDeletingTempFile(tmp_dir)
            lib.save(tensor, temp_file.name)
            return temp_file

        def unpack_hook(temp_file):
            return lib.load(temp_file.name)

        x = lib.linspace(0.5, 2, 4, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
            y = (x * x).log().sum()
        print(len(os.listdir(tmp_dir)), "files")
        y.backward()
        print(x.grad)


def cpu_example(lib):
    x = lib.linspace(-1, 1, 6, requires_grad=True)
    with lib.autograd.graph.save_on_cpu(pin_memory=False):
        y = (x * x).tanh().sum()
    y.backward()
    print(x.grad)


@pytest.mark.parametrize("example", [docstring_example, counting_example, nested_example,
                                     pow_and_saved_attr_example, disk_example, cpu_example])
def test_prints_what_torch_prints(example):
    assert _printed(example, tg) == _printed(example, torch)
    assert state.saved_hooks is None and not state.slow  # the blocks restored the fast paths


def test_save_on_cpu_is_a_real_hook_pair():
    x = tg.ones(3, requires_grad=True)
    with tg.autograd.graph.save_on_cpu():
        y = x.exp()
    packed = y.grad_fn._saved
    assert type(packed).__name__ == "PackedSaved" and packed.items[0][1]
    device, kept = packed.items[0][0]
    assert str(device) == "cpu" and kept is not y and tg.equal(kept, y)


def test_user_function_saves_are_packed():
    def run(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: print("pack", t) or t * 2,
                                                    lambda t: print("unpack", t) or t / 2):
            y = Cube.apply(x)
        y.sum().backward()
        print(x.grad)

    assert _printed(run, tg) == _printed(run, torch)


@pytest.mark.parametrize("lib", [torch, tg], ids=["torch", "tg"])
def test_errors(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: 3):
        y = x.exp()
    with pytest.raises(TypeError, match="Output of saved tensor unpack_hook expected to be a "
                                        "Tensor but got result of type int"):
        y.sum().backward()
    with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
                pass
        x.exp()  # saving is fine
