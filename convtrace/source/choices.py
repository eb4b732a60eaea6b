"""The names a document and the command line choose from, defined once (plain Python: no numpy, so `--help` stays fast)."""

MODES = ("valid", "same", "full")  # padding by name (DESIGN section 2)
LAYOUTS = ("NCHW", "NHWC")  # channels first (PyTorch) or last (TensorFlow)
EXPLAINED_MODES = (*MODES, "strided", "dilated")  # what `explain --mode` covers: two more topics, valid padding with a stride or a dilation
