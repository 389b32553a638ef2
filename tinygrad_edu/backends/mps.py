"""torch.backends.mps: Apple's Metal backend, which tinygrad_edu does not have."""


def is_available() -> bool:
    """False: no MPS device (NumPy runs on the CPU, CuPy on CUDA)."""
    return False


def is_built() -> bool:
    """False: tinygrad_edu has no MPS backend."""
    return False
