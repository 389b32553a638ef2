"""One minimal reproduction per known kind (known.py): the program lines, run by
parity_tests/test_fuzz_smoke.py as strict expected failures, so fixing a kind flips its test.
Each is the fuzzer's shrunk program, tidied by hand; run one as a script with ``import torch``
(or ``import tinygrad_edu as torch``) and ``W`` from run.PRELUDE.
"""

REPROS = {
    "identity_view": [
        "a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
        "v = a.t()",
    ],
    "index_0d_tensor_copies": [
        "a = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64)",
        "v = a[a.abs().argmax(0)]",
        "a.neg_()",
    ],
    "overlapping_view_write": [
        "a = torch.tensor([1.6, -1.0, -1.97, 1.06], dtype=torch.float64)",
        "v = a.unfold(-1, 2, 1)",
        "v[0] = 1.5",
    ],
    "cat_skips_empty": [
        "a = torch.zeros(0, dtype=torch.float64)",
        "b = torch.tensor([[1.0, 2.0]], dtype=torch.float32)",
        "v = torch.cat([b, a], 1)",
    ],
    "zero_grad_write_disconnects": [
        "b = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
        "v = b * 2",
        "v.zero_()",
        "v.sum().backward()",
    ],
    "nan_subgradient": [
        "a = torch.tensor([float('nan'), -1.0], dtype=torch.float64, requires_grad=True)",
        "a.abs().sum().backward()",
    ],
    "data_assign": [
        "c = torch.tensor([-1.0, -1.4, 0.5], dtype=torch.float64, requires_grad=True)",
        "v = c.atan()",
        "c.data = v.detach().clone()",
        "v.sum().backward()",
    ],
    "int_dest_requires_grad": [
        "a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
        "v = a.bool()",
        "v[::2] = a.sum()",
    ],
    "create_graph_requires_grad": [
        "b = torch.tensor([-1.0, 0.5], dtype=torch.float64, requires_grad=True)",
        "y = torch.nn.functional.leaky_relu(b, 0.1)",
        "g = torch.autograd.grad(y.sum(), b, create_graph=True)[0]",
    ],
    "view_requires_grad_stale": [
        "a = torch.tensor([0.5, 0.8], dtype=torch.float64)",
        "v = a[:1]",
        "a.requires_grad_()",
    ],
    "oversaved_inplace_error": [
        "b = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)",
        "c = b * 1",
        "w = c * torch.tensor([2.0, 3.0], dtype=torch.float64)",
        "c.mul_(2)",
        "w.sum().backward()",
    ],
    "overlap_check_too_strict": [
        "b = torch.tensor([1.0, 2.0], dtype=torch.float64)",
        "b[None].mul_(2)",
    ],
    "missing_partial_overlap_check": [
        "b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)",
        "b.index_add_(0, torch.tensor([2, 0, 2]), b)",
    ],
    "readonly_numpy_error": [
        "b = torch.zeros(0, dtype=torch.float64)",
        "v = b.expand(2, 0)",
        "v[...] = -0.5",
    ],
    "index_op_error_types": [
        "c = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)",
        "v = c.index_add(0, torch.tensor([3]), c)",
    ],
    "setitem_error_types": [
        "b = torch.tensor(1.5, dtype=torch.float64)",
        "b[0] = 1.0",
    ],
    "backward_after_view_write": [
        "a = torch.tensor([[0.61, -0.88, 0.5]], dtype=torch.float64, requires_grad=True)",
        "v = torch.ones(2, 3, dtype=torch.float64).sum(-2, keepdim=True)",
        "v[0] = a",
        "g = torch.autograd.grad(v.sum(), a, create_graph=True)[0]",
    ],
    "misc_error_types": [
        "a = torch.tensor(1.0, dtype=torch.float64)",
        "v = torch.mv(a, a)",
    ],
    "multi_output_view_rules": [
        "a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)",
        "b = a * 2",
        "v = b.split(2)[0]",
        "b.mul_(2)",
    ],
    "data_write_saved": [
        "b = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)",
        "v = b.relu()",
        "w = v * 3",
        "v.data.mul_(0)",
        "w.sum().backward()",
    ],
    "missing_inplace_error": [
        "b = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)",
        "v = b * 1",
        "w = torch.div(torch.tensor([2.0, 3.0], dtype=torch.float64), v, rounding_mode='floor')",
        "v.mul_(2)",
        "(w.sum() + v.sum()).backward()",
    ],
    "output_layout_differs": [
        "c = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64)",
        "v = torch.cumprod(c.t(), -2)",
        "w = v.t().contiguous()",
        "w.add_(1)",
    ],
    "pow_zero_exponent_double_backward": [
        "b = torch.tensor([0.0, 1.5], dtype=torch.float64, requires_grad=True)",
        "g = torch.autograd.grad((b ** 0).sum(), b, create_graph=True)[0]",
    ],
    "elu_double_backward_kink": [
        "b = torch.tensor([0.0, -1.0], dtype=torch.float64, requires_grad=True)",
        "g = torch.autograd.grad(torch.nn.functional.elu(b).sum(), b, create_graph=True)[0]",
        "g.sum().backward()",
    ],
    "empty_tensor_checks": [
        "a = torch.zeros(2, 0, dtype=torch.int64)",
        "v = a.softmax(-1)",
    ],
    "mask0d_setitem": [
        "b = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
        "b[torch.tensor(-1.0) > 0] = 0.5",
    ],
    "pow_special_values": [
        "a = torch.tensor([-0.0, 1.0], dtype=torch.float64, requires_grad=True)",
        "a.rsqrt().sum().backward()",
    ],
    "partial_effects_before_error": [
        "a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)",
        "b = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)",
        "v = a ** a",
        "v.tanh_()",
        "(b * 2 + v.sum()).backward()",
    ],
    "tensor_hooks_after_inplace": [
        "a = torch.tensor([-1.05, 0.5, 1.7], dtype=torch.float64, requires_grad=True)",
        "v = a * 1",
        "v.retain_grad()",
        "v[:2].relu_()",
        "(v * W(v)).sum().backward()",
    ],
    "signed_zero": [
        "a = torch.tensor([-0.0, 1.0], dtype=torch.float64)",
        "v = 1 / a.cumsum(0)",
    ],
    "add_alpha_int_overflow": [
        "a = torch.tensor([1.5], dtype=torch.float64)",
        "k = torch.tensor([-9223372036854775807 - 1])",
        "v = a.add(k, alpha=2)",
    ],
    "saved_array_identity": [
        "x = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)",
        "g = torch.autograd.grad((x * x.detach()).sum(), x, create_graph=True)[0]",
    ],
    "detach_inplace": [
        "b = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)",
        "c = b * 1",
        "v = b * c",
        "c.detach_()",
        "v.sum().backward()",
    ],
    "create_graph_grad_aliasing": [
        "a = torch.tensor([2.0, 0.5], dtype=torch.float64, requires_grad=True)",
        "b = torch.tensor([-1.99, 0.75], dtype=torch.float64, requires_grad=True)",
        "torch.div(a, b, rounding_mode='floor').sum().backward(create_graph=True)",
        "b.sum().backward()",
    ],
    "no_grad_view_rule": [
        "a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)",
        "c = a * 1",
        "with torch.no_grad(): v = c[:1]",
        "v.mul_(2)",
    ],
}
