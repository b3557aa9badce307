"""Configuration, read from environment variables in this one place (see README: Configuration)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from dialogs.reminder_policy import PolicyError, ReminderPolicy, parse_days, parse_hours

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/clerk.db"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 3978
    database_url: str = DEFAULT_DATABASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    # Names as the botbuilder configuration object expects them (Microsoft's samples use these).
    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""
    timekeeping_sweep_seconds: int = 30
    public_url: str = ""  # where people reach this server; default http://HOST:PORT
    link_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    link_secret_from_env: bool = False
    export_link_hours: int = 24
    reminder_policy: ReminderPolicy = ReminderPolicy()
    reminder_sweep_seconds: int = 60
    digest_cron: str = "0 9 * * *"
    allowed_tenants: frozenset[str] = frozenset()  # empty: any tenant
    outbound_per_second: int = 7

    @property
    def auth_enabled(self) -> bool:
        return bool(self.APP_ID)

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        try:
            timezone = ZoneInfo(env.get("CLERK_TIMEZONE", "Europe/London"))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"CLERK_TIMEZONE={env['CLERK_TIMEZONE']!r} is not a known timezone") from None
        try:
            policy = ReminderPolicy(
                action_days=parse_days("ACTION_REMINDER_DAYS", env.get("ACTION_REMINDER_DAYS", "7,1")),
                overdue_every_days=_int(env, "OVERDUE_REMINDER_EVERY_DAYS", 7),
                dueback_days=parse_days("DUEBACK_REMINDER_DAYS", env.get("DUEBACK_REMINDER_DAYS", "14,3")),
                hours=parse_hours(env.get("REMINDER_HOURS", "Mon-Fri 09:00-17:00")),
            )
        except PolicyError as error:
            raise ConfigError(str(error)) from None
        digest_cron = env.get("DIGEST_CRON", "0 9 * * *")
        try:
            CronTrigger.from_crontab(digest_cron)
        except ValueError as error:
            raise ConfigError(f"DIGEST_CRON={digest_cron!r}: {error}") from None
        host = env.get("HOST", "127.0.0.1")
        if not env.get("MicrosoftAppId") and not _is_loopback(host) and env.get("CLERK_ALLOW_INSECURE") != "1":
            raise ConfigError(
                f"HOST={host} would accept unauthenticated requests from the network because MicrosoftAppId "
                "is not set. Set MicrosoftAppId (and MicrosoftAppPassword), listen on 127.0.0.1, or set "
                "CLERK_ALLOW_INSECURE=1 if something else guards this address."
            )
        return cls(
            host=host,
            port=_int(env, "PORT", 3978),
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            timezone=timezone,
            APP_ID=env.get("MicrosoftAppId", ""),
            APP_PASSWORD=env.get("MicrosoftAppPassword", ""),
            APP_TYPE=env.get("MicrosoftAppType", "MultiTenant") or "MultiTenant",
            APP_TENANTID=env.get("MicrosoftAppTenantId", ""),
            timekeeping_sweep_seconds=_int(env, "TIMEKEEPING_SWEEP_SECONDS", 30),
            public_url=env.get("CLERK_PUBLIC_URL", ""),
            link_secret=env.get("CLERK_LINK_SECRET") or secrets.token_hex(32),
            link_secret_from_env=bool(env.get("CLERK_LINK_SECRET")),
            export_link_hours=_int(env, "EXPORT_LINK_HOURS", 24),
            reminder_policy=policy,
            reminder_sweep_seconds=_int(env, "REMINDER_SWEEP_SECONDS", 60),
            digest_cron=digest_cron,
            allowed_tenants=frozenset(t.strip() for t in env.get("ALLOWED_TENANTS", "").split(",") if t.strip()),
            outbound_per_second=_int(env, "OUTBOUND_PER_SECOND", 7),
        )


def _int(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if number <= 0:
        raise ConfigError(f"{name} must be positive")
    return number


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
