"""torch.backends.cudnn's switches: accepted, no effect (NumPy and CuPy's elementwise paths do
not use cuDNN). ``deterministic``, ``benchmark``, ``enabled`` keep what is assigned."""

deterministic = False
benchmark = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    """False: tinygrad_edu never calls cuDNN (torch's CPU build answers False too)."""
    return False


def version():
    """None: no cuDNN is loaded (torch's CPU build answers None)."""
    return None
