"""Users and groups. Django's own admins, but a user's rights are given by superusers only (ADR 0033): staff allowed to
change users (to set an agent's login up) could otherwise tick their own "superuser status", give an agent's account
(whose password they set) "staff status", add themselves to any group, grant themselves any permission, or add it to
a group they are in. And they set up agents' logins only: an account with more rights than an agent's is changed by
superusers, since a new password or username for it hands its rights over. A group is a set of rights, and the roles
are groups found by their name (crm.roles): it is added, renamed or deleted by superusers only."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crm import roles
from crm.admin_mixins.lookups import DeclaredLookupsAdmin


def agents_only():
    """The users with no more rights than an agent's: not staff nor superusers, in no group but the agents', given no
    permission of their own. The rest (a store manager's account, a staff one) are changed by superusers (ADR 0033)."""
    others = Group.objects.exclude(name=roles.AGENT)
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False, user_permissions=None)
        .exclude(groups__in=others)
    )


def more_than_an_agent(user) -> bool:
    return not agents_only().filter(pk=user.pk).exists()


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(DeclaredLookupsAdmin, auth_admin.UserAdmin):
    rights = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        # Read-only fields are left out of the form: a crafted POST of them is ignored as an unknown field is.
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, *self.rights]

    def has_change_permission(self, request, obj=None) -> bool:
        # Another account with more than an agent's rights (a manager's, a staff member's, a superuser's) is changed
        # by superusers only: a new password or login for it would hand its rights to whoever set them. Staff change
        # their own (without its rights: get_readonly_fields).
        if obj is not None and obj != request.user and not request.user.is_superuser and more_than_an_agent(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and more_than_an_agent(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class GroupAdmin(DeclaredLookupsAdmin, auth_admin.GroupAdmin):
    """Shown to staff who may view groups; written by superusers only. Renaming "store_manager" to "agent" and back
    made every manager's account an agent's, whose password an operator may set; renaming "agent" to "store_manager"
    made every agent a manager; a deleted role takes its rights from everyone in it."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
