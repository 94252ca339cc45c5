"""The key that signs session cookies: never a public default; a generated development key kept in `var_dir`.

Rule: an explicit `TECHBRIDGE_SECRET_KEY` is always used. Without one, a development or test process may sign
with a random key generated once into `var_dir/secret_key` (mode 0600) and reused, but only when it serves on a
loopback address; any other bind, and any `prod` process, refuses to start.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from techbridge.config import DEV_SECRET, Settings
from techbridge.errors import InvalidDataError

KEY_FILE = "secret_key"
KEY_BYTES = 32
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def has_explicit_key(settings: Settings) -> bool:
    """Whether the operator set a secret key (the empty value and the old public default count as unset)."""
    return settings.secret_key not in ("", DEV_SECRET)


def load_or_create_dev_key(var_dir: Path) -> str:
    """The development key in `var_dir/secret_key`, generated (mode 0600) on first use and reused after."""
    path = var_dir / KEY_FILE
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= KEY_BYTES:
            return key
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    path.chmod(0o600)
    return key


def signing_key(settings: Settings) -> str:
    """The key `create_app` signs with: the explicit key, else (outside prod) the generated development key."""
    if has_explicit_key(settings):
        return settings.secret_key
    if settings.env == "prod":
        raise _missing_key_error("env=prod")
    return load_or_create_dev_key(settings.var_dir)


def settings_for_serving(settings: Settings, *, host: str) -> Settings:
    """`settings` with the key to serve on `host`; refuses a non-loopback bind (or prod) without an explicit key."""
    if has_explicit_key(settings):
        return settings
    if settings.env == "prod" or not is_loopback(host):
        raise _missing_key_error(f"--host {host}")
    return settings.model_copy(update={"secret_key": load_or_create_dev_key(settings.var_dir)})


def _missing_key_error(where: str) -> InvalidDataError:
    return InvalidDataError(
        f"refusing to start on {where} without TECHBRIDGE_SECRET_KEY: set it to a long random value"
        " (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`); only a loopback bind"
        " in development may use the generated key in the var folder",
        message_zh=f"未设置 TECHBRIDGE_SECRET_KEY，拒绝在 {where} 上启动：请设置一个足够长的随机密钥；"
        "只有开发环境下绑定本机地址时才可使用 var 目录中自动生成的密钥",
    )
