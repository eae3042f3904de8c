"""Who reaches the Django admin: staff only, each model as far as their permissions go, and the admin's login is
locked after repeated failures like the site's (django-axes, ADR 0015)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

from crm.models import ApiToken
from tests.admin_agents import memberships_form
from tests.factories import AgentFactory, ManagerFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def token(store, capsys):
    call_command("create_api_token", store.code)
    capsys.readouterr()
    return ApiToken.objects.get()


@pytest.mark.parametrize("make", [AgentFactory, ManagerFactory], ids=["agent", "manager"])
def test_agents_and_managers_are_sent_to_the_admin_login(store, make):
    client = _client_for(make(stores=[store]).user)

    for path in ("/admin/", "/admin/crm/customer/", "/admin/crm/auditlog/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/"), path


def test_staff_see_only_the_models_they_were_given(store, token):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    client = _client_for(user)

    assert client.get("/admin/crm/customer/").status_code == 403
    assert client.get("/admin/crm/auditlog/").status_code == 403
    assert client.get("/admin/crm/apitoken/").status_code == 200


def test_revoking_a_token_takes_the_permission_to_change_tokens(store, token):
    # The revoke action named no permission, so staff allowed only to look at the tokens could revoke them all,
    # cutting every connector off.
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apitoken"))

    answer = _client_for(viewer).post("/admin/crm/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is None
    assert answer.status_code in (200, 302, 403)
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_apitoken", "change_apitoken"]))
    _client_for(editor).post("/admin/crm/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.fixture
def admin_login(settings, django_user_model):
    settings.AXES_FAILURE_LIMIT = 5
    user = django_user_model.objects.create_superuser("root", password="right-password")
    return user


def _admin_login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_admin_login_is_locked_after_five_failures_like_the_site_s(admin_login):
    client = Client()
    answers = [_admin_login(client, "root", f"wrong-{n}").status_code for n in range(8)]
    assert answers[:4] == [200] * 4
    assert set(answers[5:]) == {429}

    locked = _admin_login(client, "root", "right-password")

    assert locked.status_code == 429 and int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_s_login_lock_the_admin_s_too(admin_login):
    for n in range(5):
        Client().post("/accounts/login/", {"username": "root", "password": f"wrong-{n}"}, REMOTE_ADDR="198.51.100.9")

    assert _admin_login(Client(), "root", "right-password", address="192.0.2.1").status_code == 429
    assert _admin_login(Client(), "someone-else", "x", address="198.51.100.9").status_code == 429


# -- a user's rights are given by superusers ------------------------------------------------------------------------


def _user_form(user, **changes) -> dict:
    """The admin's change form of `user` as a browser sends it, with `changes`."""
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "is_staff": "on" if user.is_staff else "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00",
    }  # fmt: skip
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


@pytest.fixture
def user_editor():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    return user


def test_staff_who_may_change_users_cannot_grant_themselves_rights(user_editor):
    group = Group.objects.create(name="operators")
    everything = list(Permission.objects.values_list("pk", flat=True))
    client = _client_for(user_editor)
    page = client.get(f"/admin/auth/user/{user_editor.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page and 'name="groups"' not in page

    answer = client.post(
        f"/admin/auth/user/{user_editor.pk}/change/",
        _user_form(user_editor, is_superuser="on", groups=[group.pk], user_permissions=everything, first_name="Li"),
    )

    assert answer.status_code == 302
    user_editor.refresh_from_db()
    assert user_editor.first_name == "Li"  # the rest of the form is saved
    assert not user_editor.is_superuser
    assert not user_editor.groups.exists()
    assert set(user_editor.user_permissions.values_list("codename", flat=True)) == {"view_user", "change_user"}


def test_staff_who_may_change_users_cannot_take_over_another_staff_account(user_editor, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="root-password")
    colleague = UserFactory(is_staff=True)
    client = _client_for(user_editor)

    for target in (root, colleague):
        assert (
            client.post(f"/admin/auth/user/{target.pk}/change/", _user_form(target, is_superuser="")).status_code == 403
        )
        answer = client.post(f"/admin/auth/user/{target.pk}/password/",
                             {"password1": "taken-over-1", "password2": "taken-over-1"})  # fmt: skip
        assert answer.status_code == 403
    root.refresh_from_db()
    assert root.is_superuser and root.check_password("root-password")
    agent = AgentFactory().user
    assert client.post(f"/admin/auth/user/{agent.pk}/change/", _user_form(agent, first_name="Wang")).status_code == 302


def test_staff_who_may_change_users_cannot_take_over_an_account_with_more_than_an_agent_s_rights(user_editor):
    # A store manager (not staff) approves remedies and sets the store's policy: a new password or username for their
    # account would hand that to whoever set it. So would one for an account given a permission of its own.
    user_editor.user_permissions.add(Permission.objects.get(codename="delete_user"))
    manager = ManagerFactory().user
    given = AgentFactory().user
    given.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client = _client_for(user_editor)

    for target in (manager, given):
        target.set_password("own-password")
        target.save()
        assert client.get(f"/admin/auth/user/{target.pk}/change/").status_code == 200  # seen, not changed
        answer = client.post(f"/admin/auth/user/{target.pk}/change/", _user_form(target, username="taken-over"))
        assert answer.status_code == 403
        answer = client.post(f"/admin/auth/user/{target.pk}/password/",
                             {"password1": "taken-over-1", "password2": "taken-over-1"})  # fmt: skip
        assert answer.status_code == 403
        assert client.post(f"/admin/auth/user/{target.pk}/delete/", {"post": "yes"}).status_code == 403
        client.post("/admin/auth/user/", {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})
        target.refresh_from_db()
        assert target.username != "taken-over" and target.check_password("own-password") and target.is_active

    agent = AgentFactory().user
    answer = client.post(f"/admin/auth/user/{agent.pk}/password/", {"password1": "set-up-1x", "password2": "set-up-1x"})
    assert answer.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("set-up-1x")  # an agent's login is still set up here


def test_staff_who_may_change_users_cannot_make_anyone_staff(user_editor):
    # Staff status opens the admin to the account, with every permission its groups hold; an operator who sets an
    # agent's password would then sign in to the admin as them. A superuser gives it, as the other rights.
    agent = AgentFactory().user
    client = _client_for(user_editor)
    page = client.get(f"/admin/auth/user/{agent.pk}/change/").content.decode()
    assert 'name="is_staff"' not in page

    answer = client.post(f"/admin/auth/user/{agent.pk}/change/", _user_form(agent, is_staff="on", first_name="Wang"))
    assert answer.status_code == 302
    answer = client.post(f"/admin/auth/user/{user_editor.pk}/change/", _user_form(user_editor, is_staff=""))
    assert answer.status_code == 302

    agent.refresh_from_db()
    user_editor.refresh_from_db()
    assert agent.first_name == "Wang" and not agent.is_staff  # the rest of the form is saved
    assert user_editor.is_staff


def test_staff_who_may_change_groups_cannot_rename_add_or_delete_them():
    # The roles are groups found by their name (crm.roles): renaming "store_manager" to "agent" (and back) made every
    # manager's account an agent's, whose password the operator may set; renaming "agent" to "store_manager" made every
    # agent a manager. A group is a set of rights, given by superusers.
    editor = UserFactory(is_staff=True)
    codenames = ["view_group", "add_group", "change_group", "delete_group"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    managers = Group.objects.get_or_create(name="store_manager")[0]
    group = Group.objects.create(name="operators")
    editor.groups.add(group)
    everything = list(Permission.objects.values_list("pk", flat=True))
    client = _client_for(editor)

    for target in (group, managers):
        url = f"/admin/auth/group/{target.pk}/"
        page = client.get(f"{url}change/")
        assert page.status_code == 200 and 'name="name"' not in page.content.decode()  # seen, not changed
        assert client.post(f"{url}change/", {"name": "agent", "permissions": everything}).status_code == 403
        assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
        client.post("/admin/auth/group/", {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})
    assert client.post("/admin/auth/group/add/", {"name": "store_manager2"}).status_code == 403

    assert set(Group.objects.values_list("name", flat=True)) >= {"store_manager", "operators"}
    assert not Group.objects.filter(name="store_manager2").exists()
    assert not group.permissions.exists() and not managers.permissions.exists()
    assert not editor.has_perm("crm.change_customer")


def test_a_superuser_still_changes_groups(admin_client):
    group = Group.objects.create(name="operators")
    grant = Permission.objects.get(codename="view_customer")

    answer = admin_client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "ops", "permissions": [grant.pk]})

    assert answer.status_code == 302
    group.refresh_from_db()
    assert group.name == "ops" and list(group.permissions.all()) == [grant]


def test_a_superuser_still_gives_rights(admin_client, django_user_model):
    group = Group.objects.create(name="operators")
    user = UserFactory(is_staff=True)
    grant = Permission.objects.get(codename="view_customer")

    answer = admin_client.post(
        f"/admin/auth/user/{user.pk}/change/",
        _user_form(user, is_superuser="on", groups=[group.pk], user_permissions=[grant.pk]),
    )

    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.is_superuser and list(user.groups.all()) == [group] and list(user.user_permissions.all()) == [grant]


# -- an agent's profile: stores, phone, shift -------------------------------------------------------------------------


def _agent_form(agent, stores=None, adding=False, shifts=None, **changes) -> dict:
    """The admin's change form of `agent` (its add form, `adding`, filled in as it stands) as a browser sends it,
    with `changes` (`stores`: the stores served; `shifts`: the shift and capacity in some, tests.admin_agents)."""
    data = {"user": agent.user_id, "phone": agent.phone}
    stores = [store.pk for store in agent.stores.all()] if stores is None else stores
    inline = memberships_form(None if adding else agent, stores, shifts=shifts)
    return {key: value for key, value in {**data, **changes, **inline}.items() if value != ""}


@pytest.fixture
def agent_editor(store):
    """Staff allowed to change agents, to set their stores and shifts up; an agent of the store themselves."""
    user = UserFactory(is_staff=True)
    codenames = ["view_agent", "add_agent", "change_agent", "delete_agent"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    AgentFactory(user=user, stores=[store])
    return user


def test_staff_who_may_change_agents_cannot_change_a_manager_s_profile(store, agent_editor):
    # A manager's stores are what they approve remedies and set the policy for: widening them, or moving their calls
    # to another phone, is a superuser's to do; so is a staff member's own profile (its stores are their scope).
    elsewhere = StoreFactory()
    client = _client_for(agent_editor)

    for target in (ManagerFactory(stores=[store]), agent_editor.agent):
        url = f"/admin/crm/agent/{target.pk}/"
        page = client.get(f"{url}change/")
        assert page.status_code == 200 and 'name="memberships-0-role"' not in page.content.decode()  # seen, not changed
        answer = client.post(f"{url}change/", _agent_form(target, stores=[store.pk, elsewhere.pk], phone="13900000009"))
        assert answer.status_code == 403
        assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
        client.post("/admin/crm/agent/", {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})
        target.refresh_from_db()
        assert list(target.stores.all()) == [store] and target.phone == "+8613900000001"

    agent = AgentFactory(stores=[store])
    answer = client.post(f"/admin/crm/agent/{agent.pk}/change/", _agent_form(agent, stores=[store.pk, elsewhere.pk]))
    assert answer.status_code == 302
    assert set(agent.stores.all()) == {store, elsewhere}  # an agent's stores are still set up here


def test_staff_who_may_change_agents_cannot_give_a_profile_to_an_account_with_more_than_an_agent_s_rights(
    store, agent_editor
):
    manager = UserFactory()
    manager.groups.add(Group.objects.get_or_create(name="store_manager")[0])
    colleague = UserFactory(is_staff=True)
    agent = AgentFactory(stores=[store])
    client = _client_for(agent_editor)

    for user in (manager, colleague):
        answer = client.post("/admin/crm/agent/add/", _agent_form(agent, adding=True, user=user.pk))
        assert answer.status_code == 200 and "user" in answer.context["adminform"].form.errors
        answer = client.post(f"/admin/crm/agent/{agent.pk}/change/", _agent_form(agent, user=user.pk))  # moved to them
        assert answer.status_code == 200 and "user" in answer.context["adminform"].form.errors
        assert not hasattr(user, "agent")
    newcomer = UserFactory()
    assert client.post("/admin/crm/agent/add/", _agent_form(agent, adding=True, user=newcomer.pk)).status_code == 302
    newcomer.refresh_from_db()
    assert list(newcomer.agent.stores.all()) == [store]


def test_a_superuser_still_changes_a_manager_s_profile(store, admin_client):
    manager, elsewhere = ManagerFactory(stores=[store]), StoreFactory()

    answer = admin_client.post(
        f"/admin/crm/agent/{manager.pk}/change/",
        _agent_form(manager, stores=[store.pk, elsewhere.pk], shifts={store.pk: {"on_shift": False}}),
    )

    assert answer.status_code == 302
    manager.refresh_from_db()
    assert set(manager.stores.all()) == {store, elsewhere} and not manager.memberships.get(store=store).on_shift
