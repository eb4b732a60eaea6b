"""The child process that runs the learner's code, so nothing it does can break convtrace.

    main([FILE.py, FUNCTION, DISPLAY, REQUEST_FD, REPLY_FD, MEMORY_MB])   (started by process.Worker)

Protocol (channel.py): one JSON object per line. The parent first sends
{"token": ...}; the worker says {"event": "started"}, then {"event": "ready",
"signature": ...} or {"event": "load_error", ...}; then, for every request
{"images", "kernels", "kwargs", "arrays", "tuples", "fresh", "dirty",
"sentinel"}, one {"event": "result", ...}. The learner's prints are captured
and trimmed, input() sees an empty stdin, and every message taken from the
learner's code (exception text, repr) is trimmed to a few hundred characters.

Only the standard library and numpy are imported here.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
import traceback
import types

import numpy as np

from .channel import Capture, Channel, NoInput, limit_memory, quiet_standard_streams, redirected, trim

MAX_VALUES = 100_000  # a returned array larger than this is described, not sent
MAX_FRAMES = 12  # traceback frames shown: the first two and the last ten


class Learner:
    """The learner's file, compiled once and executed afresh before each case."""

    def __init__(self, path: str, function: str, display: str):
        self.path, self.function, self.display = path, function, display
        self.code = None
        self.func = None
        self.used = False  # True once the current module has been called

    def load(self) -> dict:
        """Compile and run the file, find the function -> the 'ready' message (or a 'load_error')."""
        try:
            with open(self.path, "rb") as handle:
                source = handle.read()
            self.code = compile(source, self.path, "exec", dont_inherit=True)
        except SyntaxError as err:
            return self._load_error("syntax", self._exception_text(err, frames=False))
        except (OSError, ValueError) as err:  # unreadable, or NUL bytes in the source
            return self._load_error("import", trim(f"cannot read {self.display}: {err}"))
        capture = Capture()
        failure = self._run_module(capture)
        if failure is not None:
            return self._load_error("import", failure, capture.text())
        func = self.module.__dict__.get(self.function)
        if func is None:
            return self._load_error("missing_function", self._missing_message(), capture.text())
        if not callable(func):
            return self._load_error(
                "missing_function",
                f"{self.function} in {self.display} is a {type(func).__name__}, not a function",
                capture.text(),
            )
        self.func = func
        return {"event": "ready", "signature": describe_signature(func, self.function), "stdout": capture.text()}

    def _run_module(self, capture: Capture) -> str | None:
        """Execute the compiled file as a fresh module; the traceback text if it raised."""
        name = os.path.splitext(os.path.basename(self.path))[0]
        if not name.isidentifier() or (name in sys.modules and name != getattr(self, "module_name", None)):
            name = "learner_module"
        self.module_name = name
        module = types.ModuleType(name)
        module.__file__ = self.path
        sys.modules[name] = module  # dataclasses and pickling look the module up by name
        self.module = module
        try:
            with redirected(capture, NoInput()):
                exec(self.code, module.__dict__)
        except BaseException as err:  # noqa: BLE001 - anything the learner's file raises is reported
            return self._exception_text(err)
        self.func = module.__dict__.get(self.function)
        self.used = False
        return None

    def _missing_message(self) -> str:
        defined = sorted(
            name for name, value in self.module.__dict__.items()
            if inspect.isfunction(value) and value.__module__ == self.module.__name__
        )
        import difflib

        close = difflib.get_close_matches(self.function, defined, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        listed = f" (it defines {', '.join(defined)})" if defined else " (it defines no functions)"
        return f"{self.display} has no function named {self.function}{listed}{hint}"

    def _load_error(self, kind: str, message: str, stdout: str = "") -> dict:
        return {"event": "load_error", "kind": kind, "message": trim(message, 2000), "stdout": stdout}

    def call(self, request: dict) -> dict:
        """Run the function once on the request's arrays -> a 'result' message."""
        capture = Capture()
        if request.get("fresh", True) and self.used:
            failure = self._run_module(capture)
            if failure is not None:
                return {"event": "result", "kind": "exception", "error_type": "ImportError",
                        "message": f"{self.display} failed when run again", "traceback": failure,
                        "stdout": capture.text()}
        images = np.array(request["images"], dtype=np.float64)
        second = request.get("second")  # pooling: kernel_size (an int or a pair) instead of a kernel array
        kernels = np.array(request["kernels"], dtype=np.float64) if second is None else None
        kwargs = dict(request.get("kwargs", {}))
        for name in request.get("arrays", []):
            kwargs[name] = np.array(kwargs[name], dtype=np.float64)
        for name in request.get("tuples", []):
            kwargs[name] = tuple(kwargs[name])
        originals = images.copy(), (None if kernels is None else kernels.copy())
        dirty(request.get("dirty", 0), request.get("sentinel", 0.0))
        self.used = True
        stdin = NoInput()
        start = time.perf_counter()
        try:
            with redirected(capture, stdin):
                value = self.func(images, tuple(second) if isinstance(second, list) else
                                  second if kernels is None else kernels, **kwargs)
        except BaseException as err:  # noqa: BLE001 - the learner's exception is the result
            seconds = time.perf_counter() - start
            return {"event": "result", "kind": "exception", "error_type": trim(type(err).__name__, 80),
                    "message": _one_line(err), "traceback": self._exception_text(err),
                    "stdout": capture.text(), "seconds": seconds, "read_stdin": stdin.was_read}
        seconds = time.perf_counter() - start
        result = describe_value(value)
        result.update(event="result", stdout=capture.text(), seconds=seconds, read_stdin=stdin.was_read,
                      changed_inputs=[name for name, before, after in
                                      (("images", originals[0], images), ("kernels", originals[1], kernels))
                                      if before is not None and not np.array_equal(before, after)])
        return result

    def _exception_text(self, err: BaseException, frames: bool = True) -> str:
        """The traceback, trimmed to frames in the learner's file, with the path as the user typed it."""
        lines = []
        if frames:
            own = [f for f in traceback.extract_tb(err.__traceback__)
                   if os.path.normcase(f.filename) == os.path.normcase(self.path)]
            if own:
                lines.append(f"Traceback (most recent call last; frames in {self.display} only):")
                lines.extend(self._frame_lines(own))
        if isinstance(err, SyntaxError):
            text = "".join(traceback.format_exception_only(type(err), err)).rstrip()
        else:  # the message is the learner's: any length, any characters
            text = f"{trim(type(err).__name__, 80)}: {trim(_safe_str(err))}".rstrip(": ")
        lines.append(trim(text.replace(self.path, self.display), 2 * 400))
        return "\n".join(lines)


    def _frame_lines(self, frames) -> list[str]:
        """Two lines per frame; a run of identical frames (a runaway recursion) is told once, with a count."""
        lines, previous, repeats = [], None, 0
        for frame in frames:
            key = (frame.lineno, frame.name)
            if key == previous:
                repeats += 1
                continue
            if repeats:
                lines.append(f"  [the frame above repeated {repeats} more times]")
            previous, repeats = key, 0
            lines.append(f'  File "{self.display}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {trim(frame.line.strip(), 200)}")
        if repeats:
            lines.append(f"  [the frame above repeated {repeats} more times]")
        if len(lines) > 2 * MAX_FRAMES:
            hidden = len(lines) - 2 * MAX_FRAMES
            lines = lines[:4] + [f"  ... {hidden} more lines ..."] + lines[-(2 * MAX_FRAMES - 4):]
        return lines


def _safe_str(err: BaseException) -> str:
    try:
        return str(err)
    except Exception:  # noqa: BLE001 - a broken __str__ must not stop the report
        return f"<{type(err).__name__} whose message cannot be shown>"


def _one_line(err: BaseException) -> str:
    text = _safe_str(err).strip()
    return trim(text.splitlines()[0], 300) if text else ""


def dirty(count: int, sentinel: float) -> None:
    """Leave freed float64 buffers of `count` values filled with `sentinel` in numpy's allocator.

    An np.empty of that size then starts from the sentinel instead of zeros that
    happen to be there, so `+=` into an uninitialised array shows up exactly.
    """
    if count:
        buffers = [np.full(count, sentinel) for _ in range(8)]
        del buffers


def describe_value(value) -> dict:
    """What the function returned -> {"kind": "array", ...} or {"kind": "return_type", ...}."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.size > MAX_VALUES:
            return {"kind": "return_type", "type": "ndarray", "shape": list(value.shape), "too_large": True,
                    "dtype": str(value.dtype)}
        data = value.astype(np.float64).tolist()
        return {"kind": "array", "shape": list(value.shape), "dtype": str(value.dtype), "data": data}
    described = {"kind": "return_type", "type": type(value).__name__, "repr": _short_repr(value)}
    if isinstance(value, np.ndarray):
        described.update(shape=list(value.shape), dtype=str(value.dtype))
    elif isinstance(value, (list, tuple)):
        described["length"] = len(value)
    return described


def _short_repr(value) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not stop the report
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


def describe_signature(func, name: str) -> dict:
    """The parameters the function accepts, for deciding how to call it."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return {"text": f"{name}(...)", "params": None}
    bare = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()],
        return_annotation=signature.empty,
    )
    params = [
        {"name": p.name, "kind": p.kind.name, "has_default": p.default is not p.empty,
         "default_is_str": isinstance(p.default, str),
         "default_is_tuple": isinstance(p.default, (tuple, list))}  # PyTorch style: stride=(1, 1)
        for p in signature.parameters.values()
    ]
    return {"text": trim(f"{name}{bare}", 300), "params": params}


def main(argv: list[str]) -> int:
    path, function, display, request_fd, reply_fd, memory_mb = argv
    channel = Channel(int(request_fd), int(reply_fd))
    quiet_standard_streams()
    # like `python FILE.py`: the learner's folder comes first on the import path
    sys.path[0] = os.path.dirname(path)
    limit_memory(int(memory_mb))
    channel.send({"event": "started"})  # Python and numpy are up; from here on the time is the learner's
    learner = Learner(path, function, display)
    loaded = learner.load()
    channel.send(loaded)
    if loaded["event"] != "ready":
        return 0
    for request in channel:
        try:
            reply = learner.call(request)
        except Exception as err:  # noqa: BLE001 - the worker's own code failed: something replaced its tools
            reply = {"event": "tampered", "message": "the function tampered with the grader: preparing the "
                                                     f"call failed ({trim(type(err).__name__, 80)}: "
                                                     f"{trim(_safe_str(err), 200)})"}
        channel.send(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
