"""The one redaction: no secret leaves companion in what it prints, logs or caches.

Every exit goes through `redact` (text) or `redact_obj` (a JSON-able structure): the
command line's consoles and ``--json``, the crash log of an internal error, Python's
warnings and what a library logs; the records `fetch` and `import` write into the cache
go through ``only_values`` (they are content a build publishes: only the credentials'
values are hidden there). What is hidden:

- the ``user:password@`` of a URL (``https://***@host/``);
- the value of a query parameter, a ``name=value`` pair or a quoted ``"name": "value"``
  whose name looks secret (`is_secret_name`: token, key, apikey, secret, signature, sig,
  password, passwd, auth, authorization, credential, cookie, ``X-Amz-*``, ...),
  compared word by word so that ``author`` or ``monkey`` stay as they are;
- the value after an ``Authorization:``, ``Cookie:`` or ``Set-Cookie:`` header name, a
  ``Bearer`` or ``Basic`` credential, the value column of a Netscape cookies file;
- a PO token in yt-dlp's ``po_token`` form ``CLIENT.CONTEXT+TOKEN``;
- the value of every credential environment variable companion (or boto3, yt-dlp) reads
  (`SECRET_VARIABLES`, and any variable whose name looks secret), and every value
  registered at run time (`register_secret`: a Podping token read from the variable
  ``podping_token_env`` names, cookies, a session's keys), wherever it appears, as it is
  or URL-encoded. A value shorter than `MIN_SECRET` characters is never searched for, so a
  short or empty variable cannot blank out common words.

A hidden value becomes ``***``; the name around it stays, so the line still says which
setting was meant.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

MASK = "***"
#: The shortest value searched for as a secret: a shorter one would blank out words.
MIN_SECRET = 8
#: The environment variables holding credentials that companion and its tools read.
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN",
                    "AWS_SECURITY_TOKEN", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_CLIENT_ID",
                    "PODPING_TOKEN", "PODCASTINDEX_API_KEY", "PODCASTINDEX_API_SECRET")

#: The words that make a parameter's name secret (its words: split at "_", "-", ".",
#: and between a small and a capital letter: ``AWSAccessKeyId`` -> aws access key id).
_SECRET_WORDS = frozenset({
    "token", "tokens", "key", "apikey", "secret", "secrets", "signature", "sig", "password",
    "passwd", "pwd", "pass", "passphrase", "auth", "authorization", "credential",
    "credentials", "cookie", "cookies", "sessionid", "jwt", "hmac", "otp",
    "accesstoken", "authtoken", "apitoken", "secretkey", "privatekey", "signed"})
#: A last word that makes the name that of a place or a name, not of the secret itself
#: (``podping_token_env``, ``key_file``, ``SSH_AUTH_SOCK``).
_NOT_SECRET_TAIL = frozenset({"env", "name", "file", "path", "dir", "sock", "type", "url",
                              "id", "ids", "count", "length", "kind", "mode", "format"})
#: A word before "key" that makes it a name, not a secret (``extractor_key``, an S3
#: object's key, a cache's key).
_NAMING_KEY = frozenset({"extractor", "sort", "object", "s3", "cache", "site", "pages",
                         "record", "primary", "foreign", "partition", "idempotency", "lookup",
                         "dict", "map", "hash", "index", "row", "group"})
#: Secret whatever their tail says.
_ALWAYS_SECRET = frozenset({"spotify_client_id", "aws_access_key_id", "awsaccesskeyid"})
_WORD_SPLIT = re.compile(r"[_.\-\s]+|(?<=[a-z0-9])(?=[A-Z])")

_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s\"'<>]*@")
_NAME = r"[A-Za-z][A-Za-z0-9_.\-]{0,63}"
#: ``name=value``: a query parameter, a form field, a ``key=value`` of a message or log;
#: the value is read ahead (not consumed), so a URL that is itself a value is searched too.
_PAIR = re.compile(
    rf"(?m)(?:^|(?<=[?&;:\s,(\[{{'\"-]))(?P<name>{_NAME})\s*=\s*(?P<q>[\"'])?"
    r"(?=(?P<value>(?(q)[^\"'\n]*|[^&#\s\"'<>,;)\]}]+)))")
#: ``"name": "value"`` (JSON, a Python dict's repr in a traceback).
_QUOTED = re.compile(
    rf"(?P<k>[\"'])(?P<name>{_NAME})(?P=k)\s*:\s*(?P<q>[\"'])"
    r"(?=(?P<value>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q))")
#: A credential header: ``Authorization: ...``, ``Cookie: ...``.
_HEADER = re.compile(r"(?i)\b(?P<name>(?:proxy-)?authorization|set-cookie|cookie|x-api-key"
                     r"|x-auth-token|x-amz-security-token)(?P<sep>\s*:\s*)(?P<value>[^\r\n\"']+)")
#: ``Bearer TOKEN``, ``Basic CREDENTIALS`` (as HTTP writes them; the credential has a digit).
_SCHEME = re.compile(r"\b(Bearer|Basic|BEARER|bearer)(\s+)(?=[A-Za-z._~+/=\-]*\d)"
                     r"[A-Za-z0-9._~+/=\-]{8,}")
#: A Netscape cookies file's line: domain, flag, path, secure, expiry, name, value.
_COOKIE_LINE = re.compile(r"(?m)^(#HttpOnly_)?([^\t\n]+\t(?:TRUE|FALSE)\t[^\t\n]*\t"
                          r"(?:TRUE|FALSE)\t-?\d+\t[^\t\n]*\t)[^\t\n]+$")
#: A PO token as yt-dlp takes it: ``web.gvs+TOKEN`` (``CLIENT.CONTEXT+TOKEN``).
_PO_TOKEN = re.compile(r"\b([a-z][a-z0-9_]*\.(?:gvs|player|subs))\+[A-Za-z0-9_\-=%/+]{8,}")

_registered: set[str] = set()
_lock = threading.Lock()


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a parameter or variable called `name` holds a secret (its words decide:
    ``api_key``, ``X-Amz-Signature``, ``AWSAccessKeyId`` do; ``author``,
    ``podping_token_env`` do not)."""
    lowered = name.lower()
    if lowered in _ALWAYS_SECRET or lowered.startswith("x-amz-"):
        return True
    words = [w.lower() for w in _WORD_SPLIT.split(name) if w]
    if not words or words[-1] in _NOT_SECRET_TAIL:
        return False
    secret = [i for i, w in enumerate(words) if w in _SECRET_WORDS]
    if len(secret) == 1 and words[secret[0]] == "key" and secret[0] > 0:
        return words[secret[0] - 1] not in _NAMING_KEY
    return bool(secret)


def register_secret(value: str | None) -> None:
    """Hide `value` from now on wherever it appears (a token read at run time); a value
    shorter than `MIN_SECRET` is ignored (it would blank out common words)."""
    if value and len(value.strip()) >= MIN_SECRET:
        with _lock:
            _registered.add(value.strip())


def forget_secrets() -> None:
    """Forget every registered value (a test's clean slate)."""
    with _lock:
        _registered.clear()


def secret_values(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The values hidden wherever they appear: the credential variables' and the registered."""
    env = os.environ if environ is None else environ
    found = {env.get(name, "") for name in SECRET_VARIABLES}
    found |= {value for name, value in env.items() if is_secret_name(name)}
    with _lock:
        found |= _registered
    return frozenset(v.strip() for v in found if len(v.strip()) >= MIN_SECRET)


@lru_cache(maxsize=8)
def _values_pattern(values: frozenset[str]) -> re.Pattern[str] | None:
    forms = {form for v in values for form in (v, quote(v, safe=""), quote(v, safe="/"))}
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def _mask_values(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with the ``value`` of every match of `pattern` whose ``name`` looks secret
    replaced by the mask."""
    spans = [m.span("value") for m in pattern.finditer(text)
             if m["value"] and m["value"] != MASK and is_secret_name(m["name"])]
    if not spans:
        return text
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:  # inside a value already hidden
            continue
        out += [text[at:start], MASK]
        at = end
    return "".join([*out, text[at:]])


def redact(text: str, *, only_values: bool = False) -> str:
    """`text` with every secret it holds replaced by ``***`` (see the module's docstring);
    with `only_values`, only the known secret values (the credential variables', the
    registered): for content such as a video's description, where a link's ``?key=`` is
    the author's, not companion's, to hide."""
    if not text:
        return text
    return _redact(text, _values_pattern(secret_values()), only_values)


def _redact(text: str, values: re.Pattern[str] | None, only_values: bool) -> str:
    """One redaction, repeated until nothing changes (a mask can join what was around it
    into a new `name: value`: hostile text should not need a second look)."""
    for _ in range(4):
        done = _redact_once(text, values, only_values)
        if done == text:
            break
        text = done
    return text


def _redact_once(text: str, values: re.Pattern[str] | None, only_values: bool) -> str:
    if values is not None:
        text = values.sub(MASK, text)
    if only_values:
        return text
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    text = _HEADER.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    text = _SCHEME.sub(rf"\1\2{MASK}", text)
    text = _COOKIE_LINE.sub(rf"\1\2{MASK}", text)
    text = _PO_TOKEN.sub(rf"\1+{MASK}", text)
    return _mask_values(_mask_values(text, _QUOTED), _PAIR)


def redact_obj(data: Any, *, only_values: bool = False) -> Any:
    """`data` (JSON-able: dicts, lists, strings, numbers) with every string redacted, and
    the string value of a key whose name looks secret hidden whole (not with
    `only_values`: see `redact`)."""
    values = _values_pattern(secret_values())

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return _redact(item, values, only_values) if item else item
        if isinstance(item, Mapping):
            return {walk(k): MASK if not only_values and isinstance(k, str)
                    and isinstance(v, str) and v and is_secret_name(k) else walk(v)
                    for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v) for v in item]
        return item

    return walk(data)


def url_secrets(url: str) -> list[str]:
    """What in `url` is a secret, by name: ``user:password``, and each query or fragment
    parameter whose name looks secret (`is_secret_name`). Read from the URL alone, never
    from the environment, so what a feed says does not depend on where it was built."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = ["user:password"] if "@" in parts.netloc else []
    for text in (parts.query, parts.fragment):
        found += [name for name, _ in parse_qsl(text, keep_blank_values=True)
                  if is_secret_name(name)]
    return list(dict.fromkeys(found))
