"""How a case becomes a call: f(images, kernels, stride=..., padding=..., ...), or a reason to skip it.

The function is always called with the images and the kernels as its first two
positional arguments. Settings are passed by keyword, and only those its
signature names: `stride`, `padding`, `mode` (for 'full'), `bias`, `flip`.
A `**kwargs` catch-all counts as accepting stride, padding and bias.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cases import Case

KNOWN = ("stride", "padding", "mode", "bias", "flip")
CATCH_ALL = ("stride", "padding", "bias")  # what **kwargs is taken to accept
POSITIONAL = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
KEYWORD = ("POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY")


@dataclass(frozen=True)
class Signature:
    """What the learner's function accepts, as the worker read it with inspect.signature."""

    text: str  # e.g. "conv2d(images, kernels, stride=1, padding=0)"
    params: tuple[dict, ...] | None  # None when Python cannot tell (a builtin, a C function)

    @classmethod
    def from_message(cls, message: dict) -> "Signature":
        params = message.get("params")
        return cls(message.get("text", "the function"), None if params is None else tuple(params))

    def _param(self, name: str) -> dict | None:
        for param in self.params or ():
            if param["name"] == name and param["kind"] in KEYWORD:
                return param
        return None

    def _param_positional_capable(self, index: int) -> dict | None:
        positional = [p for p in self.params or () if p["kind"] in POSITIONAL]
        return positional[index] if index < len(positional) else None

    @property
    def catch_all(self) -> bool:
        return any(p["kind"] == "VAR_KEYWORD" for p in self.params or ())

    def accepts(self, name: str) -> bool:
        """True when `name=` can be passed by keyword (named, or taken by **kwargs)."""
        if self.params is None:
            return False
        param = self._param(name)
        if param is not None and not self._is_first_two(param):
            return True
        return self.catch_all and name in CATCH_ALL

    def requires(self, name: str) -> bool:
        """True when `name` has no default, so it must always be passed."""
        param = self._param(name)
        return param is not None and not param["has_default"] and not self._is_first_two(param)

    def default_is_str(self, name: str) -> bool:
        param = self._param(name)
        return bool(param and param["default_is_str"])

    def _is_first_two(self, param: dict) -> bool:
        return any(self._param_positional_capable(i) is param for i in (0, 1))

    def problem(self) -> str | None:
        """Why the function cannot be called as f(images, kernels, ...) at all, or None."""
        if self.params is None:
            return None
        takes_many = any(p["kind"] == "VAR_POSITIONAL" for p in self.params)
        positional = [p for p in self.params if p["kind"] in POSITIONAL]
        if len(positional) < 2 and not takes_many:
            count = f"{len(positional)} positional argument{'' if len(positional) == 1 else 's'}"
            return (f"{self.text} takes {count}, but convtrace calls it "
                    f"with two: f(images, kernels); add the missing parameter")
        rest = [p for p in self.params if p not in positional[:2]]
        stuck = [p["name"] for p in rest
                 if not p["has_default"] and p["kind"] not in ("VAR_POSITIONAL", "VAR_KEYWORD")
                 and (p["name"] not in KNOWN or p["kind"] == "POSITIONAL_ONLY")]
        if stuck:
            return (f"{self.text} needs {', '.join(stuck)}, which convtrace cannot supply: it passes "
                    f"f(images, kernels) and, by keyword, only {', '.join(KNOWN)}; give "
                    f"{'it a default' if len(stuck) == 1 else 'them defaults'} or rename to those names")
        return None


@dataclass(frozen=True)
class Call:
    """The keyword arguments for one case, ready to send, and how to show the call."""

    kwargs: dict
    arrays: tuple[str, ...]  # keyword arguments that are arrays (sent as lists)
    note: str | None = None  # e.g. how 'full' padding was expressed

    def text(self, function: str) -> str:
        """e.g. 'conv2d(images, kernels, stride=2, padding=0)'."""
        parts = ["images", "kernels"] + [f"{key}={_show(value)}" for key, value in self.kwargs.items()]
        return f"{function}({', '.join(parts)})"


@dataclass(frozen=True)
class Skip:
    """A case the function cannot express."""

    reason: str


def plan_call(case: Case, signature: Signature) -> Call | Skip:
    """The keyword arguments to call the function with for this case, or why it must be skipped."""
    kwargs: dict = {}
    note = None
    has = signature.accepts
    if has("stride"):
        kwargs["stride"] = case.stride
    elif case.stride != 1:
        return Skip("no stride= parameter")
    if case.padding == "full":
        kh, kw = case.kernel_size
        if has("mode") and not signature.requires("padding"):
            kwargs["mode"] = "full"
        elif has("padding") and signature.default_is_str("padding"):
            kwargs["padding"] = "full"
        elif has("padding"):
            kwargs["padding"] = kh - 1  # the case's kernel is square
            note = f"no mode= parameter: 'full' padding passed as padding={kh - 1} (k-1 for a {kh}x{kw} kernel)"
        else:
            return Skip("no mode= or padding= parameter")
    elif has("padding"):
        kwargs["padding"] = "valid" if case.padding == 0 and signature.default_is_str("padding") else case.padding
        if signature.requires("mode"):
            kwargs["mode"] = "valid"
    elif case.padding != 0:
        return Skip("no padding= parameter")
    elif has("mode"):
        kwargs["mode"] = "valid"
    arrays: tuple[str, ...] = ()
    if case.bias is not None:
        if not has("bias"):
            return Skip("no bias= parameter")
        kwargs["bias"], arrays = case.bias.tolist(), ("bias",)
    elif signature.requires("bias"):
        kwargs["bias"], arrays = [0.0] * case.kernels.shape[0], ("bias",)
    if has("flip"):
        kwargs["flip"] = case.flip
    elif case.name == "flip":
        return Skip("no flip= parameter")
    return Call(kwargs, arrays, note)


def _show(value) -> str:
    if isinstance(value, list):
        return "np.array([" + ", ".join(f"{v:g}" for v in value) + "])"
    return repr(value)
