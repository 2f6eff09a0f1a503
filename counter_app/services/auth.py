"""Accounts and login: scrypt hashes, five failed tries lock the account for five minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import User
from counter_app.domain.accounts import check_account, hash_password, verify_password
from counter_app.domain.errors import AuthError, Conflict, NotFound
from counter_app.domain.text import clean_name
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit

MAX_FAILED = 5
LOCK_FOR = timedelta(minutes=5)


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    full_name: str
    role: str
    unit_id: str


def info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.role, u.unit_id)


def get_user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise NotFound("user_unknown", username=username)
    return user


def create_user(
    s: Session, unit_id: str, username: str, full_name: str, role: str, password: str
) -> User:
    username = check_account(username, role, password)
    if s.scalar(select(User.id).where(User.username == username)):
        raise Conflict("user_exists", username=username)
    user = User(
        unit_id=unit_id,
        username=username,
        full_name=clean_name(full_name, "full_name"),
        role=role,
        password_hash=hash_password(password),
    )
    s.add(user)
    return user


def login(ctx: ServiceContext, username: str, password: str) -> UserInfo:
    """Check the password; count failures and lock after five (the failure count is committed)."""
    now = ctx.clock()
    failure: AuthError | None = None
    with ctx.uow.write() as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or not user.active:
            failure = AuthError("auth_failed")
        elif user.locked_until is not None and user.locked_until > now:
            left = int((user.locked_until - now).total_seconds() // 60) + 1
            failure = AuthError("account_locked", minutes=left)
        elif not verify_password(password, user.password_hash):
            user.failed_attempts += 1
            if user.failed_attempts >= MAX_FAILED:
                user.locked_until = now + LOCK_FOR
                user.failed_attempts = 0
                append_audit(s, now, user.username, "account_locked", {})
                failure = AuthError("account_locked", minutes=int(LOCK_FOR.total_seconds() // 60))
            else:
                failure = AuthError("auth_failed", left=MAX_FAILED - user.failed_attempts)
        else:
            user.failed_attempts = 0
            user.locked_until = None
            append_audit(s, now, user.username, "login", {})
            return info(user)
    raise failure
