"""Point the stages built on ``aishell:base``/``aishell:foundation`` at a global ARG.

``FROM aishell:base AS dev`` becomes ``FROM ${AISHELL_BASE} AS dev`` and a global
``ARG AISHELL_BASE=<foundation image>`` is added before the first FROM, so the user's file
becomes the extension tier on top of the foundation::

    # syntax=docker/dockerfile:1          # syntax=docker/dockerfile:1
                                          ARG AISHELL_BASE=aishell:foundation-0123456789ab
    FROM aishell:base                     FROM ${AISHELL_BASE}

Decisions:

- **Which FROMs.** Every stage whose FROM names an aishell image after expanding the global
  ARG defaults (see :func:`~aishellc.passes.stage_graph.is_aishell_image`: exactly
  ``aishell:base``, ``aishell:foundation``, the configured foundation image or one of
  aishellc's ``aishell:foundation-<12 hex>`` tags). That includes ``ARG BASE=aishell:base``
  / ``FROM $BASE``: the FROM is rewritten and the user's ARG is left alone (it may be used
  elsewhere). Stages built on an earlier stage, other images, heredocs and comments are
  untouched.
- **Only the image changes.** The ImageRef node is replaced, so ``--platform``, ``AS name``,
  the keyword's case, comments and continuation lines inside the FROM keep their text.
- **Where the ARG goes.** After the parser directives and the leading comment and blank
  lines, but before the comment lines directly above the first instruction (no blank line
  between): those document that instruction (BuildKit reads them as its description, and an
  ``# aishellc ignore=`` comment applies to the instruction after it). The keyword follows
  the file's majority case (``arg`` in an all-lowercase file, as BuildKit's casing check
  wants); the line ends with the document's newline.
- **Its name.** ``context.base_arg`` (``AISHELL_BASE``), unless an ARG of that name is
  declared anywhere in the file or the name is referenced in a global ARG default or a FROM;
  then ``AISHELL_BASE_1``, ``AISHELL_BASE_2``, ... The user's ARG is never changed.
- **With a global file** (``context.global_image``: the global tier, upstream's
  ``aishell:base``). Stages naming ``aishell:base`` (or a global-tier tag) get
  ``${AISHELL_BASE}`` with the global tier as default; the other aishell stages get
  ``${AISHELL_FOUNDATION}`` (``context.foundation_arg``) with the foundation: a project on
  ``aishell:foundation`` skips the global tier, as upstream's does. Each ARG is named,
  reused and updated as below.
- **Idempotence.** A global ``ARG AISHELL_BASE[_N]=...`` whose default names a foundation
  image (``aishell:foundation``, the configured one or an aishellc foundation tag) is taken
  to be the one this pass added: it is reused (its default updated if the foundation
  changed), and FROMs already written ``${AISHELL_BASE}`` are left as they are. Running the
  pass on its own printed output changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from aishellc import ast
from aishellc.passes.context import PassContext, PassResult
from aishellc.passes.stage_graph import (
    GlobalArg,
    StageGraph,
    analyze_stages,
    is_foundation_image,
    is_global_image,
)

# What can stand unquoted as an ARG default and a FROM image: a plain image reference.
_IMAGE_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def parameterize_base_image(document: ast.Document, context: PassContext) -> PassResult:
    """Rewrite aishell FROMs to ``${AISHELL_BASE}`` and declare that global ARG (with a
    global file: ``aishell:base`` to ``${AISHELL_BASE}``, the global tier, and
    ``aishell:foundation`` to ``${AISHELL_FOUNDATION}``, the foundation)."""
    if context.global_image is None:
        group = _Group(context.base_arg, context.foundation_image, None)
        return _rewrite(document, context, group), ()
    on_global = _Group(context.base_arg, context.global_image, True)
    on_foundation = _Group(context.foundation_arg, context.foundation_image, False)
    return _rewrite(_rewrite(document, context, on_global), context, on_foundation), ()


@attrs.frozen
class _Group:
    """The FROMs one ARG names: its name (or the stem of a fresh one) and its default."""

    arg: str
    image: str
    global_tier: bool | None
    """True: the stages naming the global tier; False: the other aishell ones; None: all."""

    def selects(self, image: str, context: PassContext) -> bool:
        return self.global_tier is None or is_global_image(image, context) == self.global_tier

    def owns(self, default: str, context: PassContext) -> bool:
        """Whether an ARG default is one this group's rewrite writes."""
        if self.global_tier:
            return is_global_image(default, context)
        return is_foundation_image(default, context)


def _rewrite(document: ast.Document, context: PassContext, group: _Group) -> ast.Document:
    if not _IMAGE_REFERENCE.fullmatch(group.image):
        raise ValueError(f"not an image reference: {group.image!r}")
    graph = analyze_stages(document, context)
    targets = [
        stage.from_
        for stage in graph.stages
        if stage.names_aishell and group.selects(stage.base.expanded or "", context)
    ]
    if not targets:
        return document
    ours = _our_arg(graph, context, group)
    name = ours.name if ours is not None else _fresh_name(document, graph, group.arg)
    reference = "${" + name + "}"

    changed: dict[int, ast.Item] = {}
    for from_ in targets:
        image = from_.image
        if image is None or image.value in (reference, "$" + name):
            continue
        changed[id(from_)] = ast.replace(from_, image=ast.replace(image, value=reference))
    if ours is not None and ours.value != group.image:
        decls = tuple(
            ast.replace(decl, default=group.image) if decl is ours.decl else decl
            for decl in ours.instruction.args
        )
        changed[id(ours.instruction)] = ast.replace(ours.instruction, args=decls)
    if not changed and ours is not None:
        return document

    items = [changed.get(id(item), item) for item in document.items]
    if ours is None:
        keyword = "arg" if _mostly_lowercase(document.instructions) else "ARG"
        declaration = ast.Arg(keyword, (), (ast.ArgDecl(name, group.image),))
        items.insert(_insertion_index(items), declaration)
    return ast.replace(document, items=tuple(items))


def _our_arg(graph: StageGraph, context: PassContext, group: _Group) -> GlobalArg | None:
    """The global ARG an earlier run of this pass inserted, if there is one: the last
    declaration of ``AISHELL_BASE[_N]`` (the one FROMs see), alone on its line, with an
    image of the group as its default."""
    prefix = group.arg
    last: dict[str, GlobalArg] = {arg.name: arg for arg in graph.global_args}
    for name, arg in last.items():
        numbered = name.startswith(prefix + "_") and name[len(prefix) + 1 :].isdigit()
        single = len(arg.instruction.args) == 1
        if (name == prefix or numbered) and single and group.owns(arg.value, context):
            return arg
    return None


def _fresh_name(document: ast.Document, graph: StageGraph, base: str) -> str:
    """``base``, or ``base_1``, ``base_2``, ... whichever the file does not use."""
    taken = set(_declared_args(document.instructions))
    for arg in graph.global_args:
        if arg.decl.default is not None:
            taken.update(_VARIABLE.findall(arg.decl.default))
    for stage in graph.stages:
        taken.update(_VARIABLE.findall(stage.base.written))
        for flag in stage.from_.flags:
            taken.update(_VARIABLE.findall(flag.raw))
    if base not in taken:
        return base
    number = 1
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def _declared_args(instructions: Iterable[ast.Instruction]) -> Iterable[str]:
    for instruction in instructions:
        if isinstance(instruction, ast.Arg):
            yield from (decl.name for decl in instruction.args)
        elif isinstance(instruction, ast.Onbuild) and instruction.trigger is not None:
            yield from _declared_args((instruction.trigger,))


def _insertion_index(items: list[ast.Item]) -> int:
    """Before the first instruction and the comment lines directly above it."""
    first = next(i for i, item in enumerate(items) if isinstance(item, ast.Instruction))
    while first > 0 and isinstance(items[first - 1], ast.Comment):
        first -= 1
    return first


def _mostly_lowercase(instructions: Iterable[ast.Instruction]) -> bool:
    lower = upper = 0
    for instruction in instructions:
        if instruction.keyword.islower():
            lower += 1
        elif instruction.keyword.isupper():
            upper += 1
    return lower > upper
