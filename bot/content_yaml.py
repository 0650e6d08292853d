"""Reading a content file's YAML safely: PyYAML's safe loader, refusing anchors, aliases and deep nesting before
building anything (see `_ContentLoader`). Used through `bot.content.parse_yaml`."""

from __future__ import annotations

from typing import Any

import yaml

from bot.content import MAX_DEPTH, ContentError


class _Refused(Exception):
    """Raised by `_ContentLoader` while composing: what is refused, and where."""

    def __init__(self, code: str, mark: yaml.Mark | None, **params: object) -> None:
        super().__init__(code)
        self.code, self.mark, self.params = code, mark, params


class _ContentLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what content never needs and an attacker would: anchors and aliases
    (an alias bomb is a few hundred bytes that stand for a billion values) and nesting deeper than
    `MAX_DEPTH` (3,000 nested lists overflow the recursion of the composer and of every later walk).

    Both are refused in `compose_node`, event by event, before the node they start is built, so neither
    costs more memory or time than the events read so far. Without aliases every node of the document is
    written out in the text, so its size bounds the document's."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused("yaml_alias", event.start_mark)
        collection = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if collection:
            if self._depth >= MAX_DEPTH:
                raise _Refused("yaml_too_deep", event.start_mark, limit=MAX_DEPTH)
            self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


# An unquoted `as_of: 2020-07-18` stays the text it is: dates are validated as text (`_Fields.partial_date`), and
# the data is stored as JSON, which has no date type (a date object there made applying an admin's file fail).
_ContentLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load(where: str, text: str) -> Any:
    """The data in one content file's text, read with `_ContentLoader`; raises ContentError naming the line."""
    try:
        loader = _ContentLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a control character), found at once
        raise ContentError(where, "", "not_yaml", line=text.count("\n", 0, exc.position) + 1,
                           problem=f"{exc.reason}: #x{exc.character:04x}") from None
    try:
        return loader.get_single_data()
    except _Refused as refused:
        line = refused.mark.line + 1 if refused.mark is not None else 1
        raise ContentError(where, "", refused.code, line=line, **refused.params) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is not None:
            raise ContentError(where, "", "not_yaml", line=mark.line + 1, problem=problem) from None
        raise ContentError(where, "", "not_yaml_anywhere", problem=problem) from None
    except ValueError as exc:  # a value YAML reads but Python will not build, e.g. an integer of 5,000 digits
        raise ContentError(where, "", "not_yaml_anywhere", problem=str(exc)) from None
    finally:
        loader.dispose()
