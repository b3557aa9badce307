"""Configuration: one table of environment variables (name, default, how it is read, what it means).

`Settings.from_env` reads them, the dataclass defaults are the table's defaults read the same way,
and the README's configuration table is checked against this one (tests/test_readme.py).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from dialogs.reminder_policy import PolicyError, ReminderPolicy, WorkingHours, parse_days, parse_hours


class ConfigError(Exception):
    pass


def _text(name: str, value: str) -> str:
    return value


def _positive(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if number <= 0:
        raise ConfigError(f"{name} must be positive")
    return number


def _timezone(name: str, value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a known timezone") from None


def _days(name: str, value: str) -> tuple[int, ...]:
    try:
        return parse_days(name, value)
    except PolicyError as error:
        raise ConfigError(str(error)) from None


def _hours(name: str, value: str) -> WorkingHours | None:
    try:
        return parse_hours(value)
    except PolicyError as error:
        raise ConfigError(str(error)) from None


def _cron(name: str, value: str) -> str:
    try:
        CronTrigger.from_crontab(value)
    except ValueError as error:
        raise ConfigError(f"{name}={value!r}: {error}") from None
    return value


def _tenants(name: str, value: str) -> frozenset[str]:
    """Tenant ids are GUIDs, which Teams sends in lower case; compared without regard to case."""
    return frozenset(tenant.strip().lower() for tenant in value.split(",") if tenant.strip())


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as it would be written in the environment; "" for empty
    meaning: str
    read: Callable[[str, str], Any] = _text
    setting: str | None = None  # the Settings field it fills (None: read where it is used)
    shown_default: str | None = None  # the README's words for the default, when not the value itself

    @property
    def readme_row(self) -> str:
        default = self.shown_default or (f"`{self.default}`" if self.default else "empty")
        return f"| `{self.name}` | {default} | {self.meaning} |"


VARIABLES: tuple[Variable, ...] = (
    Variable("PORT", "3978", "port to listen on", _positive, "port"),
    Variable("HOST", "127.0.0.1", "address to listen on; a deployment sets `0.0.0.0`", setting="host"),
    Variable("DATABASE_URL", "sqlite+aiosqlite:///data/clerk.db",
             "SQLAlchemy URL; the SQLite directory is created on start. `postgresql+asyncpg://user:password@host/db` "
             "for production and for running several instances", setting="database_url"),
    Variable("MicrosoftAppId", "",
             "the bot's Azure app id. When set, every request must carry a valid Bot Framework token (else 401). "
             "When empty, authentication is off, Clerk logs a warning at start, and it must only serve local clients",
             setting="APP_ID"),
    Variable("MicrosoftAppPassword", "", "the app's client secret", setting="APP_PASSWORD"),
    Variable("MicrosoftAppType", "SingleTenant",
             "`SingleTenant` (with `MicrosoftAppTenantId`) or `UserAssignedMSI` (a managed identity: "
             "`MicrosoftAppId` is its client id, no password); `MultiTenant` only for a bot registered before "
             "Azure stopped creating them on 31 July 2025", setting="app_type"),
    Variable("MicrosoftAppTenantId", "", "the app's tenant, for `SingleTenant` and `UserAssignedMSI`",
             setting="APP_TENANTID"),
    Variable("ALLOWED_TENANTS", "",
             "comma-separated Teams tenant ids allowed to use Clerk (in any case); an activity from any other tenant "
             "is refused (403) with a log line and no effect", _tenants, "allowed_tenants", "empty (any)"),
    Variable("CLERK_ALLOW_INSECURE", "",
             "with authentication off (no `MicrosoftAppId`), Clerk refuses to start on a non-loopback `HOST` unless "
             "this is `1`", shown_default="unset"),
    Variable("OUTBOUND_PER_SECOND", "6",
             "the most messages Clerk posts into one conversation in any second (Teams allows 7: one is kept as a "
             "margin); Teams' longer windows (8 in 2 s, 60 in 30 s, 1800 in an hour) scale with it. A burst is "
             "queued, not dropped; on PostgreSQL every instance shares the budget", _positive, "outbound_per_second"),
    Variable("OUTBOUND_PER_TENANT_PER_SECOND", "45",
             "the most messages Clerk sends through the Bot Connector for one tenant in any second (Teams allows 50 "
             "per app per tenant); more are queued, not dropped; on PostgreSQL every instance shares the budget",
             _positive, "outbound_per_tenant_per_second"),
    Variable("CLERK_TIMEZONE", "Europe/London", "the timezone of a committee that has none of its own (its first "
             "chat's Teams client's, or `/committee timezone`), and of Clerk's schedules", _timezone,
             "timezone"),
    Variable("TIMEKEEPING_SWEEP_SECONDS", "30",
             "how often Clerk checks whether the current item has reached its allotted time", _positive,
             "timekeeping_sweep_seconds"),
    Variable("ACTION_REMINDER_DAYS", "7,1", "days before an action's due date on which its owners are reminded",
             _days),
    Variable("OVERDUE_REMINDER_EVERY_DAYS", "7",
             "while an action stays open after its due date: an overdue reminder the day after, then every this many "
             "days", _positive),
    Variable("DUEBACK_REMINDER_DAYS", "14,3",
             "days before the next meeting on which a presenter due back is reminded", _days),
    Variable("REMINDER_HOURS", "Mon-Fri 09:00-17:00",
             "working hours (committee timezone) in which reminders go out; one that falls due outside waits for the "
             "next window. `always` lifts the window", _hours),
    Variable("REMINDER_SWEEP_SECONDS", "60", "how often Clerk looks for reminders that have fallen due", _positive,
             "reminder_sweep_seconds"),
    Variable("DIGEST_CRON", "0 9 * * *",
             "crontab schedule (committee timezone) of the morning digest posted on the day of a meeting", _cron,
             "digest_cron"),
    Variable("CLERK_PUBLIC_URL", "",
             "the address people's browsers reach Clerk at, used in the links to the minutes documents (e.g. "
             "`https://clerk.example.org`)", setting="public_url", shown_default="`http://HOST:PORT`"),
    Variable("CLERK_LINK_SECRET", "",
             "the HMAC secret that signs links to the minutes documents. Set it (the same on every instance) so links "
             "survive restarts; without it Clerk logs a warning at start", shown_default="random at each start"),
    Variable("CLERK_GRAPH_URL", "https://graph.microsoft.com", "Microsoft Graph, where Clerk reads a meeting's "
             "transcript", setting="graph_url"),
    Variable("CLERK_LOGIN_URL", "https://login.microsoftonline.com", "the Microsoft identity platform, where Clerk "
             "gets its Graph token (client credentials)", setting="login_url"),
    Variable("GRAPH_CLIENT_ID", "", "a separate app registration for Graph (a tenant that grants transcript access "
             "through an application access policy keeps it apart from the bot); empty: the bot's own "
             "`MicrosoftAppId`", setting="graph_client_id"),
    Variable("GRAPH_CLIENT_SECRET", "", "that registration's client secret; empty: `MicrosoftAppPassword`",
             setting="graph_client_secret"),
    Variable("TRANSCRIPT_POLL_SECONDS", "120", "after a Teams meeting ends, how long Clerk waits before it first asks "
             "for the transcript; each further wait doubles, to at most 30 minutes", _positive,
             "transcript_poll_seconds"),
    Variable("TRANSCRIPT_WAIT_HOURS", "6", "how long Clerk keeps asking before it says the meeting was not "
             "transcribed", _positive, "transcript_wait_hours"),
    Variable("TRANSCRIPT_KEEP_DAYS", "30", "Clerk deletes its copy of a transcript this many days after the "
             "minutes are approved", _positive, "transcript_keep_days"),
    Variable("EXPORT_LINK_HOURS", "24",
             "how long a link to a minutes document stays valid; after that, and for any altered link, the server "
             "answers 403", _positive, "export_link_hours"),
)
_BY_NAME = {variable.name: variable for variable in VARIABLES}


def _read(name: str, env: dict[str, str]) -> Any:
    variable = _BY_NAME[name]
    return variable.read(name, env.get(name) or variable.default)


def _default(name: str) -> Any:
    return _read(name, {})


def _policy(env: dict[str, str]) -> ReminderPolicy:
    return ReminderPolicy(
        action_days=_read("ACTION_REMINDER_DAYS", env),
        overdue_every_days=_read("OVERDUE_REMINDER_EVERY_DAYS", env),
        dueback_days=_read("DUEBACK_REMINDER_DAYS", env),
        hours=_read("REMINDER_HOURS", env),
    )


@dataclass(frozen=True)
class Settings:
    host: str = _default("HOST")
    port: int = _default("PORT")
    database_url: str = _default("DATABASE_URL")
    timezone: ZoneInfo = field(default_factory=lambda: _default("CLERK_TIMEZONE"))
    # Names as the botbuilder configuration object expects them (Microsoft's samples use these).
    APP_ID: str = _default("MicrosoftAppId")
    APP_PASSWORD: str = _default("MicrosoftAppPassword")
    app_type: str = _default("MicrosoftAppType")
    APP_TENANTID: str = _default("MicrosoftAppTenantId")
    timekeeping_sweep_seconds: int = _default("TIMEKEEPING_SWEEP_SECONDS")
    public_url: str = _default("CLERK_PUBLIC_URL")  # empty: http://HOST:PORT
    link_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    link_secret_from_env: bool = False
    export_link_hours: int = _default("EXPORT_LINK_HOURS")
    reminder_policy: ReminderPolicy = field(default_factory=lambda: _policy({}))
    reminder_sweep_seconds: int = _default("REMINDER_SWEEP_SECONDS")
    digest_cron: str = _default("DIGEST_CRON")
    allowed_tenants: frozenset[str] = _default("ALLOWED_TENANTS")  # empty: any tenant
    outbound_per_second: int = _default("OUTBOUND_PER_SECOND")
    outbound_per_tenant_per_second: int = _default("OUTBOUND_PER_TENANT_PER_SECOND")
    graph_url: str = _default("CLERK_GRAPH_URL")
    login_url: str = _default("CLERK_LOGIN_URL")
    graph_client_id: str = _default("GRAPH_CLIENT_ID")  # empty: the bot's own app id
    graph_client_secret: str = _default("GRAPH_CLIENT_SECRET")
    transcript_poll_seconds: int = _default("TRANSCRIPT_POLL_SECONDS")
    transcript_wait_hours: int = _default("TRANSCRIPT_WAIT_HOURS")
    transcript_keep_days: int = _default("TRANSCRIPT_KEEP_DAYS")

    @property
    def auth_enabled(self) -> bool:
        return bool(self.APP_ID)

    @property
    def APP_TYPE(self) -> str:  # noqa: N802 - the name botbuilder's configuration reads
        """The app type botbuilder is given: with authentication off (no app id), the only one it
        accepts without credentials, which it calls MultiTenant."""
        return self.app_type if self.APP_ID else "MultiTenant"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        values = {variable.setting: _read(variable.name, env) for variable in VARIABLES if variable.setting}
        if not values["APP_ID"] and not _is_loopback(values["host"]) and env.get("CLERK_ALLOW_INSECURE") != "1":
            raise ConfigError(
                f"HOST={values['host']} would accept unauthenticated requests from the network because "
                "MicrosoftAppId is not set. Set MicrosoftAppId (and MicrosoftAppPassword), listen on 127.0.0.1, "
                "or set CLERK_ALLOW_INSECURE=1 if something else guards this address."
            )
        if values["APP_ID"] and values["app_type"].lower() in ("singletenant", "userassignedmsi") \
                and not values["APP_TENANTID"]:
            raise ConfigError(f"MicrosoftAppType={values['app_type']} needs MicrosoftAppTenantId, the tenant the bot's "
                              "app registration (or managed identity) belongs to.")
        secret = env.get("CLERK_LINK_SECRET")
        return cls(**values, reminder_policy=_policy(env), link_secret=secret or secrets.token_hex(32),
                   link_secret_from_env=bool(secret))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
