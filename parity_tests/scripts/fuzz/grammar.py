"""The op grammar of the differential fuzzer: ~70 statement templates.

Each template is a function ``t(g) -> (kind, source) | None`` that writes one statement over the
variables the generator ``g`` (gen.py) holds. It may pick a variable that makes the statement
invalid (a shape that does not broadcast, an in-place write on a leaf): the generator executes
every candidate with real torch and keeps only a few that raise (those test exception types).
``kind`` names the template (the classification key of a failure).
"""

from __future__ import annotations

F = "torch.nn.functional"

UNARY = [
    "{x}.exp()", "torch.log({x})", "{x}.sin()", "torch.cos({x})", "{x}.tanh()",
    "torch.sigmoid({x})",
    "{x}.relu()", "{x}.abs()", "-{x}", "{x}.sqrt()", "torch.square({x})", "{x}.reciprocal()",
    "{x}.floor()", "{x}.sign()", "torch.erf({x})", "{x}.log1p()", "torch.expm1({x})", "{x}.rsqrt()",
    "{x}.atan()", F + ".softplus({x})", F + ".gelu({x})", F + ".leaky_relu({x}, 0.1)",
    F + ".elu({x})",
    "{x}.clamp(min={s})", "{x}.clamp({s}, {s2})", "{x}.pow({s})", "{x} ** {s}",
    "torch.nan_to_num({x})",
    "{x}.round()", "{x}.trunc()", F + ".hardtanh({x})",
]
BINARY = [
    "{x} + {y}", "{x} - {y}", "{x} * {y}", "{x} / {y}", "torch.maximum({x}, {y})",
    "torch.minimum({x}, {y})", "torch.atan2({x}, {y})", "{x} ** {y}",
    "torch.where({x} > {y}, {x}, {y})",
    "{x} > {y}", "{x} == {y}", "torch.div({x}, {y}, rounding_mode='floor')",
    "{x}.add({y}, alpha=2)",
    "torch.lerp({x}, {y}, 0.25)", "{x}.fmod({y})", "torch.hypot({x}, {y})",
]
SCALAR = [
    "{x} + {s}", "{s} - {x}", "{x} * {s}", "{s} / {x}", "{x} / {s}", "{x} - {s}", "{s} ** {x}",
    "{x} // {s}", "{x} % {s}", "torch.where({x} > 0, {x}, {s})", "{x}.masked_fill({x} < 0, {s})",
]
CASTS = [
    "{x}.float()", "{x}.double()", "{x}.to(torch.float32)", "{x}.long()", "{x}.int()", "{x}.bool()",
    "{x}.to(torch.float64)", "{x}.type_as({y})", "{x}.to({y}.dtype)",
]


def t_unary(g):
    x = g.pick(num=True)
    return "unary", g.choice(UNARY).format(x=x, s=g.scalar(), s2=g.scalar(pos=True))


def t_binary(g):
    x, y = g.pick(num=True), g.pick(num=True)
    return "binary", g.choice(BINARY).format(x=x, y=y)


def t_binary_same(g):  # one tensor used twice
    x = g.pick(num=True)
    return "binary_same", g.choice(BINARY).format(x=x, y=x)


def t_scalar(g):
    x = g.pick(num=True)
    return "scalar", g.choice(SCALAR).format(x=x, s=g.scalar())


def t_cast(g):
    return "cast", g.choice(CASTS).format(x=g.pick(), y=g.pick())


def t_reduce(g):
    x = g.pick(num=True)
    d, k = g.dim(x), g.choice(["True", "False"])
    forms = ["{x}.sum()", "{x}.mean()", "{x}.max()", "{x}.min()", "{x}.prod()", "{x}.norm()"]
    if d is not None:
        forms += [f"{{x}}.sum({d}, keepdim={k})", f"{{x}}.mean({d}, keepdim={k})",
                  f"{{x}}.prod({d})",
                  f"{{x}}.amax({d}, keepdim={k})", f"{{x}}.amin({d})",
                  f"{{x}}.max({d}, keepdim={k}).values",
                  f"{{x}}.max({d}).indices", f"{{x}}.min({d})[0]", f"{{x}}.std({d})",
                  f"{{x}}.var({d}, correction=0)",
                  f"torch.logsumexp({{x}}, {d})", f"{{x}}.argmax({d})",
                  f"{{x}}.sum(({d},), keepdim={k})",
                  f"{{x}}.norm(dim={d})", f"{{x}}.any({d})", "{x}.all()",
                  f"{{x}}.count_nonzero({d})",
                  f"torch.median({{x}}, {d}).values", f"{{x}}.nansum({d})"]
    if g.nd(x) >= 2:
        forms += ["{x}.sum((0, 1))", "{x}.amax((0, -1))", "{x}.mean((-1, -2), keepdim=True)"]
    return "reduce", g.choice(forms).format(x=x)


def t_scan(g):
    x = g.pick(num=True)
    d = g.dim(x)
    if d is None:
        return None
    return "scan", g.choice([f"{x}.cumsum({d})", f"torch.cumprod({x}, {d})",
                             f"{x}.cummax({d}).values",
                             f"torch.logcumsumexp({x}, {d})"])


def t_matmul(g):
    x, y = g.pick(num=True), g.pick(num=True)
    return "matmul", g.choice([f"{x} @ {y}", f"torch.matmul({x}, {y})", f"{x}.mT @ {y}",
                               f"torch.mm({x}, {y})",
                               f"torch.outer({x}, {y})", f"{x} @ {x}.mT", f"torch.mv({x}, {y})"])


def _perm_shape(g, x):
    sh = list(g.sh(x))
    n = 1
    for s in sh:
        n *= s
    if n == 0:
        return "0, -1" if sh else "-1"
    divs = [d for d in range(1, n + 1) if n % d == 0]
    a = g.choice(divs)
    return g.choice([f"{a}, -1", f"-1, {a}", "-1", f"{a}, {n // a}", f"1, {n}, 1"])


def t_view(g):
    x = g.pick()
    d, d2 = g.dim(x), g.dim(x)
    sh = g.sh(x)
    forms = [f"{x}.view({_perm_shape(g, x)})", f"{x}.reshape({_perm_shape(g, x)})",
             f"{x}.flatten()",
             f"{x}.unsqueeze({g.r.randint(-len(sh) - 1, len(sh))})", f"{x}.squeeze()", f"{x}[None]",
             f"{x}[...]", f"{x}.view_as({x})", f"{x}.expand(2, *{x}.shape)"]
    if len(sh) <= 2:
        forms.append(f"{x}.t()")
    if d is not None:
        i = g.r.randint(-sh[d], max(sh[d] - 1, 0)) if sh[d] else 0
        n = g.r.randint(0, max(sh[d] - 1, 0))
        forms += [f"{x}.transpose({d}, {d2})", f"{x}.squeeze({d})", f"{x}.select({d}, {i})",
                  f"{x}.narrow({d}, {n}, {g.r.randint(0, sh[d] - n)})", f"{x}.movedim({d}, {d2})",
                  f"{x}.unbind({d})[{i}]",
                  f"{x}.split({g.r.randint(1, 3)}, {d})[{g.r.randint(-1, 1)}]",
                  f"{x}.chunk({g.r.randint(1, 3)}, {d})[{g.r.randint(-1, 1)}]",
                  f"{x}.unfold({d}, {g.r.randint(1, 2)}, {g.r.randint(1, 2)})",
                  f"{x}.permute(*reversed(range({x}.dim())))", f"{x}[{i}]", f"{x}[{n}:]",
                  f"{x}[::2]",
                  f"{x}[..., {g.r.randint(-1, 0)}]", f"{x}[:, None]", f"{x}.flip({d})",
                  f"{x}.roll(1, {d})"]
        forms.append(f"{x}.expand({', '.join('-1' if s != 1 else '3' for s in sh)})")
    if len(sh) >= 2:
        forms += [f"{x}.diagonal()", f"{x}.diagonal({g.r.randint(-1, 1)}, {d}, {d2})", f"{x}.mT",
                  f"{x}[1:, ::2]", f"{x}.triu()", f"{x}.tril(-1)"]
    return "view", g.choice(forms)


def t_copyish(g):
    x = g.pick()
    return "copyish", g.choice([f"{x}.clone()", f"{x}.detach()", f"{x}.contiguous()", f"{x}.data",
                                f"{x}.detach().requires_grad_()", f"{x}.clone().detach()",
                                f"{x}.t().contiguous()" if g.nd(x) == 2 else f"{x}.clone()"])


def t_index(g):
    x = g.pick()
    sh = g.sh(x)
    if not sh or sh[0] == 0:
        return None
    n = sh[0]
    idx = [g.r.randint(-n, n - 1) for _ in range(g.r.randint(1, 3))]
    ix = f"torch.tensor({idx})"
    forms = [f"{x}[{ix}]", f"{x}[{idx}]", f"{x}[{x} > 0]", f"{x}.index_select(0, {ix})",
             f"{x}.masked_select({x} != 0)", f"{x}[{ix}, ...]", f"{x}.take({ix})",
             f"torch.index_select({x}, 0, {ix}.abs())",
             f"{x}[{x}.abs().argmax(0)]" if len(sh) == 1 else f"{x}[-1]"]
    if len(sh) >= 2:
        j = [g.r.randint(0, sh[1] - 1) if sh[1] else 0 for _ in idx]
        forms += [f"{x}[{ix}, {j}]", f"{x}[:, {j}]",
                  f"torch.gather({x}, 1, torch.tensor([[{j[0]}]] * {n}))"]
    return "index", g.choice(forms)


def t_join(g):
    x, y = g.pick(), g.pick()
    d = g.dim(x) if g.nd(x) else 0
    return "join", g.choice([f"torch.cat([{x}, {y}], {d})", f"torch.stack([{x}, {y}], {d})",
                             f"torch.cat([{x}, {x}])", f"torch.stack([{x}, {x}.detach()])",
                             f"torch.cat(({x}, {y}), dim=-1)", f"torch.where({x} > 0, {x}, {y})"])


def t_softmax(g):
    x = g.pick(num=True)
    d = g.dim(x)
    d = 0 if d is None else d
    return "softmax", g.choice([f"torch.softmax({x}, {d})", f"{F}.log_softmax({x}, {d})",
                                f"{x}.softmax(-1)", f"{x}.log_softmax({d}, dtype=torch.float64)"])


def t_sort(g):
    x = g.pick(num=True)
    d = g.dim(x)
    d = -1 if d is None else d
    k = g.r.randint(1, 2)
    return "sort", g.choice([f"{x}.sort({d}).values", f"torch.sort({x}, {d}, descending=True)[0]",
                             f"{x}.topk({k}, {d}).values", f"{x}.topk({k}, {d}, largest=False)[0]",
                             f"{x}.max({d})[0]", f"torch.kthvalue({x}, 1, {d}).values",
                             f"{x}.msort()"])


def t_inplace(g):
    t = g.pick()
    y, s = g.pick(), g.scalar()
    view = g.choice(["", "", "", "[0]", ".t()", "[..., -1]", "[1:]", ".diagonal()", "[::2]",
                     ".select(-1, 0)",
                     ".view(-1)", ".unsqueeze(0)", ".transpose(0, -1)", "[:, 1]"])
    op = g.choice([f"add_({y})", f"add_({s})", f"mul_({y})", f"mul_({s})", f"sub_({y}, alpha=2)",
                   f"div_({s})",
                   f"copy_({y})", f"clamp_({s}, {g.scalar(pos=True)})", "relu_()", "zero_()",
                   f"fill_({s})",
                   "exp_()", "sigmoid_()", "neg_()", f"pow_({g.choice([2, 3, 0.5])})",
                   f"masked_fill_({y} > 0, {s})",
                   "abs_()", f"clamp_(min={s})", "tanh_()", f"addcmul_({y}, {y}, value=0.5)",
                   f"lerp_({y}, 0.5)"])
    return "inplace", f"{t}{view}.{op}"


def t_setitem(g):
    t, y = g.pick(), g.pick()
    sh = g.sh(t)
    if not sh:
        return "setitem", f"{t}[...] = {g.choice([y, g.scalar()])}"
    n = sh[0]
    i = g.r.randint(-n, n - 1) if n else 0
    key = g.choice([f"{i}", f"{i}:", "::2", "...", f"{t} > 0", f"torch.tensor([{i}, {i}])",
                    f"[{i}]",
                    f"..., {g.r.randint(-1, 0)}", f"{y} > 0"])
    return "setitem", f"{t}[{key}] = {g.choice([y, g.scalar(), y + '.sum()', y + '[0]'])}"


def t_scatter(g):
    t, y = g.pick(), g.pick()
    sh = g.sh(t)
    if not sh or not sh[0]:
        return None
    n = sh[0]
    idx = [g.r.randint(0, n - 1) for _ in range(g.r.randint(1, 3))]
    ix = f"torch.tensor({idx})"
    return "scatter", g.choice([f"{t}.index_add_(0, {ix}, {y})", f"{t}.index_put_(({ix},), {y})",
                                f"{t}.index_put_(({ix},), {y}, accumulate=True)",
                                f"{t}.index_fill_(0, {ix}, -1.5)",
                                f"{t}.index_copy_(0, {ix}, {y})",
                                f"{t}.scatter_add_(0, {ix}.expand_as({y}), {y})",
                                f"{t}[{ix}] += {y}", f"{t}.index_add(0, {ix}, {y})",
                                f"{t}.masked_scatter({t} > 0, {y})"])


def t_grad_mode(g):
    x = g.pick()
    form = g.choice(UNARY + SCALAR).format(x=x, s=g.scalar(), s2=g.scalar(pos=True))
    return "grad_mode", g.choice([f"with torch.no_grad(): {{v}} = {form}",
                                  f"with torch.enable_grad(): {{v}} = {form}",
                                  f"with torch.no_grad(): {x}.mul_({g.scalar()})",
                                  f"with torch.no_grad(): {x}[0] = {g.scalar()}"])


def t_graph(g):
    x = g.pick()
    return "graph", g.choice([f"{x}.retain_grad()", f"{x}.register_hook(lambda g: g * 2)",
                              f"{x}.data.mul_({g.scalar()})", f"{x}.requires_grad_()",
                              f"{x}.requires_grad_(False)",
                              f"{x}.detach_()", f"{x}.data = {g.pick()}.detach().clone()",
                              f"{x}.register_hook(lambda g: g.clamp(-1, 1))",
                              f"{x}.grad = torch.ones_like({x})"])


def t_backward(g):
    x = g.pick(grad=True)
    leaves = g.leaves()
    if not leaves:
        return None
    lv = g.choice(leaves)
    loss = f"({x} * W({x})).sum()"
    return "backward", g.choice([
        f"{loss}.backward()", f"{loss}.backward(retain_graph=True)", f"{{v}} = {loss}",
        f"{{v}} = torch.autograd.grad({loss}, {lv}, create_graph=True)[0]",
        f"{{v}} = torch.autograd.grad({loss}, [{lv}], retain_graph=True, allow_unused=True)[0]",
        f"{{v}} = torch.autograd.grad({loss}, {x}, create_graph=True)[0]",
        f"{x}.backward(W({x}), retain_graph=True)", f"{x}.backward(W({x}), create_graph=True)",
        f"torch.autograd.backward([{loss}, ({g.pick(grad=True)} ** 2).sum()])"])


TEMPLATES = [  # (weight, template)
    (6, t_unary), (6, t_binary), (2, t_binary_same), (4, t_scalar), (3, t_cast), (5, t_reduce),
    (2, t_scan),
    (3, t_matmul), (10, t_view), (3, t_copyish), (4, t_index), (3, t_join), (2, t_softmax), (2,
                                                                                             t_sort),
    (9, t_inplace), (5, t_setitem), (3, t_scatter), (3, t_grad_mode), (3, t_graph), (5, t_backward),
]
