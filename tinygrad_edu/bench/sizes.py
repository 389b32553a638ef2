"""The workloads' sizes, shared by tinygrad_edu's builders (workloads.py) and the peers'
(peers.py), so both frameworks run exactly the same problem."""

CHAIN_OPS = 200  # workload 1: ops per chain (each op runs forward and backward)
MLP_DIMS = (784, 512, 256, 128, 10)  # the seed-001 MNIST DNN


def matmul_size(quick: bool) -> int:
    return 64 if quick else 1024


def ce_shape(quick: bool) -> tuple:
    return (64, 100) if quick else (1024, 1000)


def lstm_shape(quick: bool) -> tuple:
    """(seq, batch, input, hidden) of the LSTM workload."""
    return (4, 4, 8, 8) if quick else (32, 64, 28, 128)
