"""The host random generator behind ``tg.manual_seed``: torch's CPU generator, rebuilt on NumPy.

``engine``  the mt19937 engine and torch's 5056-byte state layout;
``libm``    the exact floating-point functions torch's kernels call (glibc's, and the
            vectorized polynomials of its AVX2 build), plus fused multiply-add emulation;
``kernels`` what each of torch's CPU sampling kernels computes, on host arrays;
``fast32``  the float32 block normal sampler of torch's AVX builds (float16's too), from raw
            words (1M ``randn`` in milliseconds), equal bit for bit to the plain
            ``kernels``/``libm`` reference it stands beside;
``fast``    the float64 block normal sampler on whole arrays, likewise.

The public API (``Generator``, ``manual_seed``, ``get_rng_state`` ...) is ``tinygrad_edu.random``.
"""
