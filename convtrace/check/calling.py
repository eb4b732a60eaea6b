"""How a case becomes a call: f(images, kernels, stride=..., padding=..., ...), or a reason to skip it.

The function is always called with the images and the kernels as its first two
positional arguments. Settings are passed by keyword, and only those its
signature names: `stride`, `padding`, `dilation`, `mode` (for 'full'),
`bias`, `flip`. A `**kwargs` catch-all counts as accepting stride, padding and bias.

Stride, padding and dilation are passed as ints, or as (rows, columns) tuples
when the function is written PyTorch-style (a tuple default such as
`stride=(1, 1)`, or a TypeError on an int such as "cannot unpack non-iterable
int"). A case whose rows and columns differ needs the tuple style.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cases import Case, pair

KNOWN = ("stride", "padding", "dilation", "mode", "bias", "flip")
PAIRED = ("stride", "padding", "dilation")  # the settings a PyTorch-style function takes as (rows, columns)
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

    @property
    def tuple_style(self) -> bool:
        """True when stride, padding or dilation has a tuple default, as in PyTorch: stride=(1, 1)."""
        return any((param := self._param(name)) and param.get("default_is_tuple") for name in PAIRED)

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
    tuples: tuple[str, ...] = ()  # keyword arguments that are (rows, columns) tuples

    def text(self, function: str) -> str:
        """e.g. 'conv2d(images, kernels, stride=2, padding=0)'."""
        parts = ["images", "kernels"] + [f"{key}={_show(value)}" for key, value in self.kwargs.items()]
        return f"{function}({', '.join(parts)})"


@dataclass(frozen=True)
class Skip:
    """A case the function cannot express."""

    reason: str


def plan_call(case: Case, signature: Signature, tuples: bool | None = None) -> Call | Skip:
    """The keyword arguments to call the function with for this case, or why it must be skipped.

    tuples: pass stride, padding and dilation as (rows, columns); None: as the signature suggests.
    """
    tuples = signature.tuple_style if tuples is None else tuples
    kwargs: dict = {}
    note = None
    has = signature.accepts

    def setting(name: str, value) -> tuple | int | Skip:
        rows, cols = pair(value)
        if tuples:
            return rows, cols
        if rows != cols:
            return Skip(f"{name} ({rows}, {cols}) differs between rows and columns; {name}= takes one int "
                        f"here (a tuple default such as {name}=(1, 1) has it passed as a pair)")
        return rows

    for name, value in (("stride", case.stride), ("dilation", case.dilation)):
        if has(name):
            kwargs[name] = setting(name, value)
        elif pair(value) != (1, 1):
            return Skip(f"no {name}= parameter")
    if case.padding == "full":
        if has("mode") and not signature.requires("padding"):
            kwargs["mode"] = "full"
        elif has("padding") and signature.default_is_str("padding"):
            kwargs["padding"] = "full"
        elif has("padding"):
            kwargs["padding"] = setting("padding", case.pad)  # k-1 per axis
            kh, kw = case.kernel_size
            note = (f"no mode= parameter: 'full' padding passed as padding={_show(kwargs['padding'])} "
                    f"(k-1 for a {kh}x{kw} kernel)")
        else:
            return Skip("no mode= or padding= parameter")
    elif has("padding"):
        valid = case.padding == 0 and signature.default_is_str("padding")
        kwargs["padding"] = "valid" if valid else setting("padding", case.padding)
        if signature.requires("mode"):
            kwargs["mode"] = "valid"
    elif case.padding != 0:
        return Skip("no padding= parameter")
    elif has("mode"):
        kwargs["mode"] = "valid"
    skipped = next((value for value in kwargs.values() if isinstance(value, Skip)), None)
    if skipped is not None:
        return skipped
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
    kwargs = {name: kwargs[name] for name in KNOWN if name in kwargs}  # always shown in the same order
    paired = tuple(name for name, value in kwargs.items() if isinstance(value, tuple))
    return Call(kwargs, arrays, note, paired)


def _show(value) -> str:
    if isinstance(value, list):
        return "np.array([" + ", ".join(f"{v:g}" for v in value) + "])"
    return repr(value)
