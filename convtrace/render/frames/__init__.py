"""One step drawn: the frames of a trace (2-D convolution, the other layers, the backward pass, the better ways), its summary and maps."""
