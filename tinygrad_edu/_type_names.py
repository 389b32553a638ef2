"""torch's names of the dtypes, as its messages print them (kept apart from dtype.py, which
re-exports them)."""

from __future__ import annotations

import numpy as np

# torch's spelling of each dtype in its kernel errors ("expected scalar type Float but found Long")
TORCH_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                    "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                    "int8": "Char", "uint8": "Byte", "bool": "Bool"}

# torch's C++ type names as its kernels' messages print them (typeid: "long int", "c10::Half")
CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                  "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                  "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                  "bool": "bool", "complex64": "c10::complex<float>",
                  "complex128": "c10::complex<double>"}


def cpp_type_name(d) -> str:
    """torch's C++ name of the dtype ``d`` (a tinygrad_edu or NumPy dtype, or a NumPy type):
    ``float``, ``long int``, ``c10::BFloat16``."""
    name = d.name if hasattr(d, "np") else np.dtype(d).name  # a tg dtype, or NumPy's
    return CPP_TYPE_NAMES.get(name, name)


def torch_type_name(d) -> str:
    """torch's name of the dtype ``d`` (a tinygrad_edu or NumPy dtype): ``Float``, ``Long``."""
    return TORCH_TYPE_NAMES.get(d.name, d.name)
