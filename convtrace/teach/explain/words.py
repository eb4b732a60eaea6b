"""What each mode is for, in words: one sentence per mode, short names for the overview."""

from __future__ import annotations


PURPOSE = {
    "valid": "Only the positions where the whole kernel fits inside the input. No padding, "
             "so the output shrinks by d*(k-1) rows and columns.",
    "same": "Keep the size: pad just enough zeros that the output has ceil(H / s) rows and "
            "ceil(W / s) columns (the input's own size at stride 1), so layers can be stacked "
            "without the image shrinking.",
    "full": "Every position where the kernel overlaps the input by at least one cell, so the "
            "output grows by d*(k-1). This is the shape of the backward pass: the gradient of a "
            "valid convolution with respect to its input is a full one.",
    "strided": "Skip positions: the window jumps s cells at a time, so the output keeps about "
               "1/s of the rows and columns (cheap downsampling). Here with valid padding.",
    "dilated": "Spread the taps: d-1 gaps between the kernel's taps let it see d*(k-1)+1 cells "
               "with the same number of weights (a wider view for free). Here with valid padding.",
}

SHORT = {
    "valid": "only where it fits",
    "same": "keep the size",
    "full": "every overlap",
    "strided": "skip positions",
    "dilated": "spread the taps",
}
