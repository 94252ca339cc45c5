"""A mistyped command in the user's language: click's usage errors said again as one Chinese line for zh users."""

from __future__ import annotations

import re

from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption, UsageError

NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>[^']*)'")
DID_YOU_MEAN = re.compile(r"Did you mean '(?P<name>[^']*)'")


def _param_name(exc: BadParameter) -> str:
    """The option or argument at fault as the user typed it (--since, text)."""
    if exc.param_hint:
        return str(exc.param_hint)
    if exc.param is not None:
        return exc.param.opts[0] if exc.param.opts else str(exc.param.name)
    return ""


def _reason_zh(exc: UsageError) -> str:
    """What is wrong, in Chinese; a parameter's own reason (pydantic's, click's) is kept as it was said."""
    if isinstance(exc, NoSuchOption):
        return f"没有选项 {exc.option_name}"
    if isinstance(exc, MissingParameter):
        name = _param_name(exc)
        return f"缺少{'选项' if name.startswith('-') else '参数'} {name}"
    if isinstance(exc, BadParameter):
        return f"{_param_name(exc)} 的值无效：{exc.message}"
    found, near = NO_SUCH_COMMAND.search(exc.message), DID_YOU_MEAN.search(exc.message)
    if found:
        return f"没有命令 {found.group('name')}" + (f"，是否想输入 {near.group('name')}？" if near else "")
    return exc.format_message()


def usage_line_zh(exc: UsageError) -> str:
    """One line, after the error prefix: the reason and where to read the usage (`techbridge … --help`)."""
    path = exc.ctx.command_path if exc.ctx is not None else "techbridge"
    return f"{_reason_zh(exc)}（用法见 `{path} --help`）"
