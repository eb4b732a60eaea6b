"""A whole command's view that is not a walk of frames: explain, compare, check, bench, lessons, the kernel list."""
