"""kan_edu.kan's symbolic fit gives the same constants wherever its inputs lie in memory (see
tests/book/test_reproducible.py for the whole chapter)."""

from __future__ import annotations


def _at_offset(t, offset):
    """A copy of ``t`` that starts ``offset`` elements into a fresh buffer (another memory alignment)."""
    import torch

    buf = torch.empty(t.numel() + offset, dtype=t.dtype)
    out = buf[offset:].view(t.shape)
    out.copy_(t)
    return out


def test_the_symbolic_fit_does_not_depend_on_where_its_inputs_lie_in_memory():
    """The cause of chapter 23's drifting constants: torch.linalg.lstsq's default CPU driver (gelsy, QR with
    column pivoting) returns different roundings for copies of the same matrix at different addresses (here,
    up to 16 distinct answers for 16 offsets), and which address a tensor gets depends on everything the
    process allocated before. The fit uses an SVD-based driver, which does not; this pins it."""
    import torch

    from kan_edu.kan import fit_affine

    gen = torch.Generator().manual_seed(0)
    x = torch.rand(500, generator=gen, dtype=torch.float64) * 2 - 1
    y = 1.7 * torch.sin(2.9 * x + 0.3) - 0.4 + 1e-3 * torch.randn(500, generator=gen, dtype=torch.float64)
    from kan_edu.kan import symbolic

    answers = set()
    for k in range(16):
        symbolic._FITS.clear()  # fit again at every offset, not the stored answer of the first
        answers.add(fit_affine(_at_offset(x, k), _at_offset(y, k), "sin"))
    assert len(answers) == 1, f"{len(answers)} different fits for the same data at 16 memory offsets"
    design = torch.stack([torch.sin(2.9 * x + 0.3), torch.ones_like(x)], 1)
    gelsy = {
        torch.linalg.lstsq(_at_offset(design, k), _at_offset(y[:, None], k), driver="gelsy").solution.numpy().tobytes()
        for k in range(16)
    }
    gelsd = {
        torch.linalg.lstsq(_at_offset(design, k), _at_offset(y[:, None], k), driver="gelsd").solution.numpy().tobytes()
        for k in range(16)
    }
    assert len(gelsd) == 1, "the driver the fit uses must not depend on the memory offset"
    print(f"gelsy: {len(gelsy)} distinct answers over 16 offsets")  # the cause, for the record (MKL may change)
