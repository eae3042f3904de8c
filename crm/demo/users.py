"""The demo's logins: who they are and which stores they serve, in which role."""

from dataclasses import dataclass

from .stores import demo_store


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # a crm.roles group, or "admin" for a superuser (no profile)
    first_name: str
    # The stores served, by code, each with the role held there (crm.models.StoreRole values, ADR 0045). Empty: every
    # demo store, in the group's role.
    store_roles: tuple[tuple[str, str], ...] = ()
    # Evening call capacities other than the default, by store code (ADR 0050: each store holds its own), set by that
    # store's demo manager on its policy page when the user first serves it.
    evening_capacities: tuple[tuple[str, int], ...] = ()

    def roles_in(self, codes: list[str]) -> dict[str, str]:
        """{store code: the role held there} over the demo stores `codes`."""
        if self.store_roles:
            return dict(self.store_roles)
        return dict.fromkeys(codes, "manager" if self.role == "store_manager" else "agent")

    @property
    def mixed_roles(self) -> str:
        """How a user with a different role in different stores is described to a visitor ("" for the others)."""
        managed = [demo_store(code).name for code, role in self.store_roles if role == "manager"]
        served = [demo_store(code).name for code, role in self.store_roles if role != "manager"]
        if not (managed and served):
            return ""
        return f"manages {', '.join(managed)}; an agent in {', '.join(served)}"


# Printed by `make run` (devtools/run_embedded.py) as the last thing it says. The admin reaches /admin/, where
# order systems' API keys are managed. The jade store's own manager helps out in the silk store as one of its agents
# (roles are per store, ADR 0045): they approve jade's remedies and read its manager pages, and in silk they work
# their own calls and cases only. The silk store's manager gives them fewer of its evening calls than the default (they
# run the jade store too); the jade store keeps the default: each store's policy page shows its own (ADR 0050).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-agent", "demo-agent-pass", "agent", "小林"),
    DemoUser("demo-manager", "demo-manager-pass", "store_manager", "陈经理"),
    DemoUser(
        "demo-lead",
        "demo-lead-pass",
        "store_manager",
        "周店长",
        (("jade-jd", "manager"), ("silk-tmall", "agent")),
        evening_capacities=(("silk-tmall", 8),),
    ),
    DemoUser("demo-admin", "demo-admin-pass", "admin", "Admin"),
)
