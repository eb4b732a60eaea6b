"""Right, but replaces json.dumps and json.loads at module level."""

import json

from _right import right

json.dumps = lambda *args, **kwargs: "not json"
json.loads = lambda *args, **kwargs: {"event": "crash"}


def conv2d(images, kernels):
    return right(images, kernels)
