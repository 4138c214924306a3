"""Field-level permissions by role, for the schema author. Roles are hierarchical: admin ⊇ planner ⊇ staff ⊇ public.

Two behaviours, each a field extension (`strawberry.field(extensions=[…])`):

- an internal field on a nullable type — an intake phone, a contact's name — resolves to null for lower roles,
  with no error: `staff_only(silently=True)`;

      intake_phone: str | None = strawberry.field(extensions=[staff_only(silently=True)])

- a whole query for a role — `crisisResponders` — fails for lower roles with an error saying what to do:
  "crisisResponders requires the staff role (send an API key: Authorization: Bearer …)";

      @strawberry.field(extensions=[staff_only()])
      def crisis_responders(self, info: Info[Context, None], …) -> ServiceConnection: …

A silent permission on a non-nullable field is refused when the schema is built (strawberry's
PermissionFailSilentlyRequiresOptionalError); on a nullable list it gives null, on a non-null list [].
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from domain.roles import Role


class RoleRequired(PermissionError):
    """A field asked for by a caller whose role is too low (a deliberate error: shown to the client unmasked)."""

    def __init__(self, field: str, role: Role) -> None:
        super().__init__(f"{field} requires the {role.label} role (send an API key: Authorization: Bearer …)")
        self.extensions = {"code": "FORBIDDEN", "requiredRole": role.name}


def is_staff(info: Info[Any, Any]) -> bool:
    """Whether the caller has the staff role or a higher one (sees internal and private values)."""
    return role_of(info) >= Role.STAFF


def role_of(info: Info[Any, Any]) -> Role:
    """The caller's role (public when the context carries none)."""
    role = getattr(info.context, "role", Role.PUBLIC)
    return role if isinstance(role, Role) else Role.PUBLIC


class HasRole(BasePermission):
    """Grants the field to callers with `role` or a higher one. Below it: a RoleRequired error naming the
    field, or, when `silently`, a plain refusal that the extension turns into null."""

    def __init__(self, role: Role, *, silently: bool = False) -> None:
        self.role, self.silently = role, silently
        self.message = f"requires the {role.label} role (send an API key: Authorization: Bearer …)"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        if role_of(info) >= self.role:
            return True
        if self.silently:
            return False
        raise RoleRequired(info.field_name, self.role)


class _RoleExtension(PermissionExtension):
    """strawberry's PermissionExtension, except that a silent refusal of a nullable list gives null (not [],
    which would say "there are none" when they are only hidden)."""

    def apply(self, field: StrawberryField) -> None:
        super().apply(field)
        if self.fail_silently and isinstance(field.type, StrawberryOptional):
            self.return_empty_list = False


def requires(role: Role, *, silently: bool = False) -> PermissionExtension:
    """The field extension that limits a field to `role` and above. Without `silently`, a lower caller gets
    the error "FIELD requires the ROLE role (send an API key: Authorization: Bearer …)"; with it, the field
    (which must be nullable, or a list) resolves to null (a non-null list: []) and no error is reported."""
    # use_directives=False: the published SDL stays as it is (descriptions say which fields are staff only)
    return _RoleExtension([HasRole(role, silently=silently)], use_directives=False, fail_silently=silently)


def staff_only(*, silently: bool = False) -> PermissionExtension:
    """`requires(Role.STAFF, silently=…)`."""
    return requires(Role.STAFF, silently=silently)


def planner_only(*, silently: bool = False) -> PermissionExtension:
    """`requires(Role.PLANNER, silently=…)`."""
    return requires(Role.PLANNER, silently=silently)


def admin_only(*, silently: bool = False) -> PermissionExtension:
    """`requires(Role.ADMIN, silently=…)`."""
    return requires(Role.ADMIN, silently=silently)


__all__ = ["HasRole", "RoleRequired", "admin_only", "planner_only", "requires", "role_of", "staff_only"]
