"""libstdc++'s ``std::sort``, ``std::nth_element`` and ``std::partial_sort``, step for step.

Why: when keys tie, which of the equal elements comes first is decided by the algorithm alone.
torch's CPU ``sort`` (unstable, for the dtypes that do not go to x86-simd-sort or the radix
sort) and ``topk`` call these three C++ algorithms, so to give torch's indices for ties we run
the same steps (GCC's stl_algo.h and stl_heap.h):

- ``sort``: introsort. While a range has more than 16 elements, partition it around the median of
  (second, middle, last) moved to the front (Hoare-style, unguarded), recurse into the right part
  and loop on the left; after 2·⌊log₂ n⌋ levels, heapsort instead. Then one insertion sort over
  everything (the first 16 guarded, the rest unguarded).
- ``nth_element``: introselect, the same partitions keeping only the side holding the nth, down
  to ≤ 3 elements (then an insertion sort), with a heap select after 2·⌊log₂ n⌋ levels.
- ``partial_sort``: a max-heap of the first k, every later element smaller than its top replaces
  the top (heap select), then the heap is sorted (sort_heap).

Elements are ``(key, index)`` tuples compared by key only (``a[0] < b[0]``): the caller encodes
torch's comparator in the key (ranks, NaN the largest, negated for descending). Every function
works in place on a Python list ``v`` between positions ``first`` and ``last``.
"""

from __future__ import annotations

_THRESHOLD = 16  # libstdc++'s _S_threshold


def _lg(n: int) -> int:
    return n.bit_length() - 1  # ⌊log₂ n⌋


# ---- heaps (stl_heap.h) ---------------------------------------------------------------------
def _push_heap(v, first, hole, top, value):
    parent = (hole - 1) // 2
    while hole > top and v[first + parent][0] < value[0]:
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _adjust_heap(v, first, hole, length, value):
    """Sift the hole at ``hole`` down to a leaf (always taking the larger child), then push
    ``value`` back up from there."""
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if v[first + child][0] < v[first + child - 1][0]:
            child -= 1
        v[first + hole] = v[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole] = v[first + child - 1]
        hole = child - 1
    _push_heap(v, first, hole, top, value)


def _make_heap(v, first, last):
    n = last - first
    if n < 2:
        return
    for parent in range((n - 2) // 2, -1, -1):
        _adjust_heap(v, first, parent, n, v[first + parent])


def _pop_heap(v, first, last, result):
    """Move the top to ``result`` and re-heap [first, last) with the old v[result]."""
    value = v[result]
    v[result] = v[first]
    _adjust_heap(v, first, 0, last - first, value)


def _heap_select(v, first, middle, last):
    _make_heap(v, first, middle)
    for i in range(middle, last):
        if v[i][0] < v[first][0]:
            _pop_heap(v, first, middle, i)


def partial_sort(v, first, middle, last):
    """``std::partial_sort``: the smallest middle − first elements, sorted, in front."""
    _heap_select(v, first, middle, last)
    while middle - first > 1:  # sort_heap
        middle -= 1
        _pop_heap(v, first, middle, middle)


# ---- partitions and insertion sorts (stl_algo.h) --------------------------------------------
def _swap(v, i, j):
    v[i], v[j] = v[j], v[i]


def _move_median_to_first(v, result, a, b, c):
    if v[a][0] < v[b][0]:
        if v[b][0] < v[c][0]:
            _swap(v, result, b)
        elif v[a][0] < v[c][0]:
            _swap(v, result, c)
        else:
            _swap(v, result, a)
    elif v[a][0] < v[c][0]:
        _swap(v, result, a)
    elif v[b][0] < v[c][0]:
        _swap(v, result, c)
    else:
        _swap(v, result, b)


def _partition_pivot(v, first, last):
    """Median of three to v[first], then partition [first + 1, last) around it; returns the
    cut (left part < pivot ≤ ... loosely: elements equal to the pivot may go either way)."""
    _move_median_to_first(v, first, first + 1, first + (last - first) // 2, last - 1)
    pivot = v[first][0]
    lo, hi = first + 1, last
    while True:
        while v[lo][0] < pivot:
            lo += 1
        hi -= 1
        while pivot < v[hi][0]:
            hi -= 1
        if not lo < hi:
            return lo
        _swap(v, lo, hi)
        lo += 1


def _linear_insert(v, last):
    """Unguarded: shift v[last] left past every larger element (one exists to stop at)."""
    val = v[last]
    while val[0] < v[last - 1][0]:
        v[last] = v[last - 1]
        last -= 1
    v[last] = val


def _insertion_sort(v, first, last):
    for i in range(first + 1, last):
        if v[i][0] < v[first][0]:  # a new minimum goes to the front
            val = v[i]
            v[first + 1:i + 1] = v[first:i]
            v[first] = val
        else:
            _linear_insert(v, i)


def _introsort_loop(v, first, last, depth):
    while last - first > _THRESHOLD:
        if depth == 0:
            partial_sort(v, first, last, last)  # heapsort
            return
        depth -= 1
        cut = _partition_pivot(v, first, last)
        _introsort_loop(v, cut, last, depth)
        last = cut


def sort(v, first, last):
    """``std::sort`` of v[first:last] (not stable)."""
    if last - first < 2:
        return
    _introsort_loop(v, first, last, _lg(last - first) * 2)
    if last - first > _THRESHOLD:
        _insertion_sort(v, first, first + _THRESHOLD)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(v, i)
    else:
        _insertion_sort(v, first, last)


def nth_element(v, first, nth, last):
    """``std::nth_element``: v[nth] is what a sort would put there, no element before it is
    larger and none after it smaller."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(v, first, nth + 1, last)
            _swap(v, first, nth)  # the nth largest to its final place
            return
        depth -= 1
        cut = _partition_pivot(v, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, first, last)


METHODS: dict = {}
__all__: list = []
