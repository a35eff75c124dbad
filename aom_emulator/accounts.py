"""Who may call the emulator: the built-in demo account, or accounts read from a JSON file.

Credentials file format::

    {"users": [{"domain": "acme", "name": "ops", "password": "...",
                "projects": {"cn-north-4": "<32-hex project id>"},
                "access_keys": [{"ak": "...", "sk": "..."}]}]}

An access key may also carry ``"security_token"``: such a key is temporary and a signed request
must then present that token in ``X-Security-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

# The demo account fixed for everybody in docs/architecture.md ("Facts fixed for everybody").
DEMO_ACCOUNTS = {
    "users": [
        {
            "domain": "demo-domain",
            "name": "demo-user",
            "password": "demo-password",
            "projects": {
                "cn-north-4": "0123456789abcdef0123456789abcdef",
                "cn-south-1": "fedcba9876543210fedcba9876543210",
            },
            "access_keys": [
                {"ak": "DEMOACCESSKEY0000000", "sk": "DEMOSECRETKEYdemosecretkeydemosecretkey00"},
            ],
        }
    ]
}

DEMO_USER = DEMO_ACCOUNTS["users"][0]


def password_token_request(project_name="cn-north-4", domain=DEMO_USER["domain"], user=DEMO_USER["name"],
                           password=DEMO_USER["password"]) -> dict:
    """The body of ``POST /v3/auth/tokens`` for a project-scoped token (the demo user's by default)."""
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": domain}, "name": user, "password": password}}},
        "scope": {"project": {"name": project_name}}}}


@dataclass(frozen=True)
class AccessKey:
    ak: str
    sk: str
    security_token: str | None = None


@dataclass(frozen=True)
class User:
    domain: str
    name: str
    password: str
    projects: dict[str, str]  # project name -> project id
    access_keys: tuple[AccessKey, ...] = field(default_factory=tuple)

    def owns_project(self, project_id: str) -> bool:
        return project_id in self.projects.values()

    def project_name(self, project_id: str) -> str | None:
        for name, pid in self.projects.items():
            if pid == project_id:
                return name
        return None


def user_id(domain: str, name: str) -> str:
    """A stable 32-hex user id (IAM's length) derived from domain and name: the file has no ids."""
    return hashlib.sha256(f"{domain}/{name}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


class AccountError(ValueError):
    """The credentials file is unusable; the message says where."""


class Accounts:
    """Look-ups over the configured users: by name and password, and by access key."""

    def __init__(self, users: list[User]):
        self.users = users
        self._by_access_key = {key.ak: (user, key) for user in users for key in user.access_keys}

    @classmethod
    def from_data(cls, data: object) -> "Accounts":
        if not isinstance(data, dict) or not isinstance(data.get("users"), list):
            raise AccountError('credentials must be a JSON object with a "users" list')
        return cls([_parse_user(entry, index) for index, entry in enumerate(data["users"])])

    @classmethod
    def from_file(cls, path: str | Path) -> "Accounts":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AccountError(f"cannot read credentials file {path}: {exc}") from exc
        return cls.from_data(data)

    @classmethod
    def demo(cls) -> "Accounts":
        return cls.from_data(DEMO_ACCOUNTS)

    def check_password(self, domain: str, name: str, password: str) -> User | None:
        """The user when domain, name and password match; compared in constant time."""
        for user in self.users:
            if user.domain == domain and user.name == name:
                if hmac.compare_digest(user.password.encode(), password.encode()):
                    return user
                return None
        return None

    def find_access_key(self, ak: str) -> tuple[User, AccessKey] | None:
        return self._by_access_key.get(ak)


def _parse_user(entry: object, index: int) -> User:
    where = f"users[{index}]"
    if not isinstance(entry, dict):
        raise AccountError(f"{where} must be an object")
    for key in ("domain", "name", "password"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise AccountError(f"{where}.{key} must be a non-empty string")
    projects = entry.get("projects", {})
    if not isinstance(projects, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v and "/" not in v for k, v in projects.items()
    ):
        raise AccountError(f"{where}.projects must map project names to project ids")
    keys = []
    for key_index, key in enumerate(entry.get("access_keys", [])):
        if not isinstance(key, dict) or not isinstance(key.get("ak"), str) or not isinstance(key.get("sk"), str):
            raise AccountError(f"{where}.access_keys[{key_index}] must have string ak and sk")
        keys.append(AccessKey(key["ak"], key["sk"], key.get("security_token")))
    return User(entry["domain"], entry["name"], entry["password"], dict(projects), tuple(keys))
