"""libstdc++'s ``std::sort`` (introsort), ported to reproduce the order torch's CPU kernels
leave equal keys in.

``std::sort`` is not stable: which of several equal values ends up where depends on the
algorithm. ``torch.mode`` sorts (value, position) pairs by value with it and reports the
position of the last element of the winning run, so matching torch's index on ties means
running the same algorithm: median-of-three quicksort down to runs of 16, heapsort past a
depth of 2·log₂(n), then one insertion-sort pass.
"""

from __future__ import annotations

_THRESHOLD = 16


def std_sort_order(keys, less) -> list:
    """The positions of ``keys`` in the order ``std::sort(..., less)`` leaves them."""
    a = list(range(len(keys)))

    def lt(i, j):
        return less(keys[i], keys[j])

    n = len(a)
    if n > 1:
        _introsort(a, 0, n, 2 * (n.bit_length() - 1), lt)
        _final_insertion_sort(a, 0, n, lt)
    return a


def _introsort(a, first, last, depth, lt):
    while last - first > _THRESHOLD:
        if depth == 0:
            _heap_sort(a, first, last, lt)
            return
        depth -= 1
        cut = _partition_pivot(a, first, last, lt)
        _introsort(a, cut, last, depth, lt)
        last = cut


def _partition_pivot(a, first, last, lt):
    mid = first + (last - first) // 2
    _median_to_first(a, first, first + 1, mid, last - 1, lt)
    lo, hi, pivot = first + 1, last, first
    while True:
        while lt(a[lo], a[pivot]):
            lo += 1
        hi -= 1
        while lt(a[pivot], a[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _median_to_first(a, result, x, y, z, lt):
    if lt(a[x], a[y]):
        if lt(a[y], a[z]):
            m = y
        elif lt(a[x], a[z]):
            m = z
        else:
            m = x
    elif lt(a[x], a[z]):
        m = x
    elif lt(a[y], a[z]):
        m = z
    else:
        m = y
    a[result], a[m] = a[m], a[result]


def _final_insertion_sort(a, first, last, lt):
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD, lt)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(a, i, lt)
    else:
        _insertion_sort(a, first, last, lt)


def _insertion_sort(a, first, last, lt):
    for i in range(first + 1, last):
        if lt(a[i], a[first]):
            v = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = v
        else:
            _linear_insert(a, i, lt)


def _linear_insert(a, last, lt):
    v = a[last]
    nxt = last - 1
    while lt(v, a[nxt]):
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = v


def _heap_sort(a, first, last, lt):
    """std::__partial_sort(first, last, last): make_heap, then pop_heap repeatedly."""
    n = last - first
    for parent in range((n - 2) // 2, -1, -1):
        _adjust_heap(a, first, parent, n, a[first + parent], lt)
    while n > 1:
        n -= 1
        v = a[first + n]
        a[first + n] = a[first]
        _adjust_heap(a, first, 0, n, v, lt)


def _adjust_heap(a, first, hole, length, value, lt):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if lt(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and lt(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value
