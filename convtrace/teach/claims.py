"""What a lesson's prose claims, checked against its facts block.

Facts are checked against the engine (convtrace.teach.facts); the prose must then
agree with the facts. Four kinds of claims are read from the markdown (command
blocks and program code left out: commands are run, and a lesson's Python is
run by the test suite):

- arithmetic chains in inline code and text blocks, such as
  `out[0,0,1,0] = 4*1 + 8*2 = 20`, `parameters = 2*3*3 + 2 = 20` or
  `H' = floor((5 - 2 - 1) / 2) + 1 = 2`: every part that is a number, a sum or
  a stated fact (indexed, or a name with one number) must be equal;
- `out[...] = v` written in running text: must be a stated fact;
- shape tuples `(1, 2, 3, 3)`, number lists `[[0, 1], [0, 1]]` and sizes
  `3x4`: must be a stated value, part of one, or a shape the engine computed.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np

from .facts_format import INDEXED, REFERENCE, Fact, Finding, same, shown

CODE_FENCES = ("python", "py")  # code, not claims: its numbers are the program's, checked by running it


def prose_statements(markdown: str) -> tuple[str, list[str]]:
    """(prose without command blocks, statements: inline code spans and lines of other code blocks)."""
    from .lesson_commands import COMMAND_FENCES

    prose_lines, statements = [], []
    fence = None
    for line in markdown.splitlines():
        if line.startswith("```"):
            fence = line[3:].strip().lower() if fence is None else None
            continue
        if fence in COMMAND_FENCES or fence in CODE_FENCES:
            continue
        prose_lines.append(line)
        if fence is not None:
            statements.append(line)
        else:
            statements.extend(re.findall(r"`([^`]+)`", line))
    return "\n".join(prose_lines), statements


_SAFE_CALLS = {"floor": math.floor, "ceil": math.ceil, "max": max, "min": min}


def evaluate(text: str):
    """Arithmetic like 'floor((5 + 0 - 1*(3-1) - 1) / 1) + 1' or a list literal -> value; None if not arithmetic."""
    text = text.strip()
    if not text or not re.search(r"\d", text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None

    def ev(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = ev(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
                   ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b}
            if type(node.op) in ops:
                return ops[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SAFE_CALLS:
            return _SAFE_CALLS[node.func.id](*(ev(a) for a in node.args))
        if isinstance(node, (ast.List, ast.Tuple)):
            return [ev(e) for e in node.elts]
        raise ValueError("not arithmetic")

    try:
        return ev(tree.body)
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def quotable(value) -> set:
    """A stated or computed value -> every tuple a lesson may quote from it (sub-lists, contiguous runs >= 2)."""
    found: set = set()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list):
        return found
    frozen = _freeze(value)
    found.add(frozen)
    if all(not isinstance(v, list) for v in value):
        for start in range(len(value)):
            for stop in range(start + 2, len(value) + 1):
                found.add(tuple(float(v) for v in value[start:stop]))
    for item in value:
        found |= quotable(item)
    return found


def _freeze(value):
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else float(value)


def check_prose(markdown: str, facts: list[Fact], known: set) -> list[Finding]:
    """Numbers written in the prose must be backed by the checked facts (or the engine's shapes)."""
    findings: list[Finding] = []
    prose, statements = prose_statements(markdown)
    stated: dict[str, list] = {}
    for fact in facts:
        stated.setdefault(fact.key, []).append(fact.value)

    for statement in statements:
        for clause in statement.split(";"):
            findings += _check_chain(clause, stated)
    # out[0,0,1,0] = 20 written outside code: the value must be a checked fact
    for name, index, value in re.findall(r"\b(" + "|".join(INDEXED) + r")\[([\d,\s:]+)\]\s*=\s*(-?\d+(?:\.\d+)?)(?![\d.])(?!\s*[*+/(-])", prose):
        key = f"{name}[{','.join(i.strip() for i in index.split(','))}]"
        if not any(same(float(value), v) for v in stated.get(key, [])):
            findings.append(Finding("prose", f"{key} = {value} is not among the checked facts"))
    for match in re.finditer(r"\((\s*-?\d+\s*(?:,\s*-?\d+\s*)+)\)", prose):
        numbers = tuple(float(v) for v in match.group(1).split(","))
        if numbers not in known:
            findings.append(Finding("prose", f"the tuple {match.group(0)} is not a checked shape or fact"))
    for literal in _list_literals(prose):
        value = evaluate(literal)
        if isinstance(value, list) and _freeze(value) not in known:
            findings.append(Finding("prose", f"the list {literal} is not a checked fact"))
    for rows, cols in re.findall(r"(?<![\w.])(\d+)x(\d+)(?![\w.])", prose):
        if (float(rows), float(cols)) not in known:
            findings.append(Finding("prose", f"the size {rows}x{cols} is not a checked shape"))
    return findings


def _check_chain(statement: str, stated: dict) -> list[Finding]:
    """'out[0,0,1,0] = 4*1 + 8*2 = 20': every part that is a number or a checked fact must agree."""
    parts = re.split(r"(?<![<>=!])=(?!=)", statement)
    if len(parts) < 2:
        return []
    values, references = [], []
    for part in parts:
        ref = REFERENCE.match(part)
        if ref:
            key = f"{ref.group(1)}[{','.join(i.strip() for i in ref.group(2).split(','))}]"
            if key not in stated:
                return [Finding("prose", f"`{statement.strip()}`: {key} is not among the checked facts")]
            references.append((key, stated[key]))
            continue
        name = part.strip()
        if name in stated and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in stated[name]):
            references.append((name, stated[name]))  # `parameters = 2*3*3 + 2 = 20`: a one-number fact
            continue
        value = evaluate(part)
        if value is not None:
            values.append((part.strip(), value))
    if values:
        first_text, first = values[0]
        for text, value in values[1:]:
            if not same(first, value):
                return [Finding("prose", f"`{statement.strip()}`: {first_text} is {shown(first)}, not {shown(value)}")]
        for key, candidates in references:
            if not any(same(c, first) for c in candidates):
                return [Finding("prose", f"`{statement.strip()}`: the checked {key} is {shown(candidates[0])}, not {shown(first)}")]
    return []


def _list_literals(text: str) -> list[str]:
    """Bracketed literals like [[0, 1], [0, 1]] that are not indexes (out[0,0]) or links ([text](url))."""
    found = []
    i = 0
    while i < len(text):
        if text[i] == "[" and (i == 0 or not re.match(r"[\w\]]", text[i - 1])):
            depth, j = 0, i
            while j < len(text):
                depth += {"[": 1, "]": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            literal = text[i: j + 1]
            if depth == 0 and re.fullmatch(r"[\[\]\d\s,.\-]+", literal) and re.search(r"\d", literal):
                found.append(literal)
                i = j + 1
                continue
        i += 1
    return found
