"""Triton kernels of the fused matching (``fused.py``); imported only when
that matching runs (the rest of the package needs no Triton).

Both read the feature maps channels-last, (N, H, W, C) contiguous, and take
the 3×3 patches where they lie: no patch matrix is unfolded and no score
matrix is written.

- :func:`candidates_kernel`: for a block of input patches, every reference
  patch in blocks, the scores accumulated on tensor cores over the nine
  offsets × C channels (fp16 inputs, fp32 sums), scaled by the reference
  patch's inverse norm, merged into a running top-``TOPK`` per input patch;
- :func:`rescore_kernel`: the candidates' scores again in fp32.

fp16, not bf16: the features are channel-normalised (|x| <= 1), where fp16
keeps 3 more mantissa bits at the same tensor-core rate, and Triton's
interpreter (``TRITON_INTERPRET=1``, the CPU tests) computes fp16 exactly
where it mishandles bf16 (Triton 3.8).
"""
import triton
import triton.language as tl

PATCH = 3


@triton.jit
def candidates_kernel(fin_ptr, fref_ptr, inv_norm_ptr, valid_ptr, idx_ptr,
                      score_ptr, h, w, hr, wr, C, gw, gwr, P, Q,
                      HAS_VALID: tl.constexpr, BLOCK_M: tl.constexpr,
                      BLOCK_N: tl.constexpr, BLOCK_C: tl.constexpr,
                      TOPK: tl.constexpr):
    """Running top-``TOPK`` reference patches of ``BLOCK_M`` input patches.

    Grid: (cdiv(P, BLOCK_M), N). ``fin`` (N, h, w, C) and ``fref``
    (N, hr, wr, C) fp16; ``inv_norm`` and ``valid`` (N, Q); outputs
    ``idx`` (int32) and ``score`` (fp32), (N, P, TOPK), a score of -inf
    where fewer than TOPK patches may be matched.
    """
    pid = tl.program_id(0)
    n = tl.program_id(1).to(tl.int64)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    row_ok = rows < P
    base_in = n * h * w * C + ((rows // gw) * w + rows % gw) * C
    slots = tl.arange(0, TOPK)
    best_s = tl.full((BLOCK_M, TOPK), float('-inf'), tl.float32)
    best_i = tl.zeros((BLOCK_M, TOPK), tl.int32)
    chans = tl.arange(0, BLOCK_C)
    for q0 in range(0, Q, BLOCK_N):
        cols = q0 + tl.arange(0, BLOCK_N)
        col_ok = cols < Q
        base_ref = n * hr * wr * C + ((cols // gwr) * wr + cols % gwr) * C
        acc = tl.zeros((BLOCK_M, BLOCK_N), tl.float32)
        for k in tl.static_range(PATCH * PATCH):
            off_in = ((k // PATCH) * w + k % PATCH) * C
            off_ref = ((k // PATCH) * wr + k % PATCH) * C
            for c0 in range(0, C, BLOCK_C):
                c_ok = (c0 + chans) < C
                a = tl.load(fin_ptr + base_in[:, None] + off_in + c0 +
                            chans[None, :],
                            mask=row_ok[:, None] & c_ok[None, :], other=0.)
                b = tl.load(fref_ptr + base_ref[:, None] + off_ref + c0 +
                            chans[None, :],
                            mask=col_ok[:, None] & c_ok[None, :], other=0.)
                acc = tl.dot(a, tl.trans(b), acc)
        inv = tl.load(inv_norm_ptr + n * Q + cols, mask=col_ok, other=0.)
        ok = col_ok
        if HAS_VALID:
            ok = ok & (tl.load(valid_ptr + n * Q + cols, mask=col_ok,
                               other=0) != 0)
        acc = tl.where(ok[None, :], acc * inv[None, :], float('-inf'))
        # the block's best TOPK, best first, each replacing the running
        # list's worst where it beats it (ties keep the lower index)
        lanes = tl.arange(0, BLOCK_N)
        for _ in tl.static_range(TOPK):
            top = tl.max(acc, 1)
            arg = tl.argmax(acc, 1)
            worst = tl.min(best_s, 1)
            slot = tl.argmin(best_s, 1)
            take = (slots[None, :] == slot[:, None]) & (top > worst)[:, None]
            best_s = tl.where(take, top[:, None], best_s)
            best_i = tl.where(take, (q0 + arg)[:, None], best_i)
            acc = tl.where(lanes[None, :] == arg[:, None], float('-inf'), acc)
    out = n * P * TOPK + rows[:, None] * TOPK + slots[None, :]
    tl.store(idx_ptr + out, best_i, mask=row_ok[:, None])
    tl.store(score_ptr + out, best_s, mask=row_ok[:, None])


@triton.jit
def rescore_kernel(fin_ptr, fref_ptr, inv_norm_ptr, idx_ptr, approx_ptr,
                   exact_ptr, h, w, hr, wr, C, gw, gwr, P, Q,
                   BLOCK_M: tl.constexpr, BLOCK_C: tl.constexpr,
                   TOPK: tl.constexpr):
    """The fp32 scores of the candidates (``idx``, (N, P, TOPK)); -inf where
    the candidate's approximate score is (no patch there).

    Grid: (cdiv(P, BLOCK_M), N); ``fin``, ``fref`` fp32 channels-last.
    """
    pid = tl.program_id(0)
    n = tl.program_id(1).to(tl.int64)
    rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    row_ok = rows < P
    base_in = n * h * w * C + ((rows // gw) * w + rows % gw) * C
    chans = tl.arange(0, BLOCK_C)
    for t in tl.static_range(TOPK):
        at = n * P * TOPK + rows * TOPK + t
        cand = tl.load(idx_ptr + at, mask=row_ok, other=0)
        base_ref = n * hr * wr * C + ((cand // gwr) * wr + cand % gwr) * C
        acc = tl.zeros((BLOCK_M, ), tl.float32)
        for k in tl.static_range(PATCH * PATCH):
            off_in = ((k // PATCH) * w + k % PATCH) * C
            off_ref = ((k // PATCH) * wr + k % PATCH) * C
            for c0 in range(0, C, BLOCK_C):
                mask = row_ok[:, None] & ((c0 + chans) < C)[None, :]
                a = tl.load(fin_ptr + base_in[:, None] + off_in + c0 +
                            chans[None, :], mask=mask, other=0.)
                b = tl.load(fref_ptr + base_ref[:, None] + off_ref + c0 +
                            chans[None, :], mask=mask, other=0.)
                acc += tl.sum(a * b, 1)
        inv = tl.load(inv_norm_ptr + n * Q + cand, mask=row_ok, other=0.)
        approx = tl.load(approx_ptr + at, mask=row_ok, other=0.)
        exact = tl.where(approx == float('-inf'), float('-inf'), acc * inv)
        tl.store(exact_ptr + at, exact, mask=row_ok)
