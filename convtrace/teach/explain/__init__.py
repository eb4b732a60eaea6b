"""What `convtrace explain` says about a padding mode, computed from the engine's own geometry.

Nothing here prints. `explain()` returns frozen dataclasses that a renderer
shows as they are. One idea per module:

    example.py    which mode (Settings) and the one-channel data x (H, W), w (kh, kw)
    words.py      what each mode is for, worded for the case at hand
    axes.py       per axis: padding rule, output size step by step, what the floor drops;
                  the padded input drawn with the first and last windows
    spellings.py  the same call in PyTorch, TensorFlow and scipy
    even.py       'same' with an odd total padding: where each library puts the extra row/column
    full.py       why 'full' pads d*(k-1), and the backward pass
    flip.py       convolution vs cross-correlation
    whole.py      the explanation of one mode, and the overview of all of them
"""

from .axes import AxisStory, Diagram, axis_story, diagram, dropped_text, out_steps, padding_rule
from .even import EvenKernel, Placement, even_kernel
from .example import (
    DEFAULT_KERNEL, DRAW_LIMIT, EXPLAINED_MODES, MAP_LIMIT, Example, Settings, default_input_size,
    problem_example, ramp_example, run, settings_for, small_enough,
)
from .flip import FlipNote, flip_note
from .full import FullNote, full_note
from .spellings import Spelling, scipy_spelling, spellings, tf_spelling, torch_spelling
from .whole import Explanation, Overview, OverviewRow, explain, overview
from .words import PURPOSE, SHORT, purpose, short

__all__ = [
    "AxisStory", "Diagram", "axis_story", "diagram", "dropped_text", "out_steps", "padding_rule",
    "EvenKernel", "Placement", "even_kernel",
    "DEFAULT_KERNEL", "DRAW_LIMIT", "EXPLAINED_MODES", "MAP_LIMIT", "Example", "Settings", "default_input_size",
    "problem_example", "ramp_example", "run", "settings_for", "small_enough",
    "FlipNote", "flip_note", "FullNote", "full_note",
    "Spelling", "scipy_spelling", "spellings", "tf_spelling", "torch_spelling",
    "Explanation", "Overview", "OverviewRow", "explain", "overview", "PURPOSE", "SHORT", "purpose", "short",
]
