import pytest

pytestmark = pytest.mark.django_db


def test_login_page_speaks_chinese_by_default_and_english_on_request(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "登录" in client.get("/accounts/login/").text
    assert "Log in" in client.get("/accounts/login/", headers={"accept-language": "en"}).text
    assert "登录" in client.get("/accounts/login/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text


def test_home_shows_each_store_in_its_own_local_time(client):
    from datetime import UTC, datetime

    import time_machine

    from tests.factories import AgentFactory, StoreFactory

    berlin = StoreFactory(timezone="Europe/Berlin", name="Berlin shop")
    agent = AgentFactory(stores=[berlin, StoreFactory(timezone="Asia/Shanghai")])
    client.force_login(agent.user)
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=False):
        page = client.get("/").text
    assert "2026-11-23 13:00 (Europe/Berlin)" in page
    assert "2026-11-23 20:00 (Asia/Shanghai)" in page


def test_home_shows_the_worker_heartbeat_in_the_users_store_time(client):
    from datetime import UTC, datetime

    import time_machine

    from crm.tasks import heartbeat
    from tests.factories import AgentFactory, StoreFactory

    agent = AgentFactory(stores=[StoreFactory(timezone="Europe/London", name="London shop")])
    client.force_login(agent.user)
    with time_machine.travel(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), tick=False):  # 01:30 BST, before the change
        heartbeat()
        page = client.get("/").text
    assert "2026-10-25 01:30:00 (Europe/London)" in page
    assert "Asia/Shanghai" not in page


def test_health_reports_the_last_worker_heartbeat(client):
    from crm.tasks import heartbeat

    assert client.get("/healthz").json()["worker_heartbeat"] is None
    heartbeat()
    assert client.get("/healthz").json()["worker_heartbeat"]["runs"] == 1


def test_the_chinese_catalog_translates_each_message_once():
    # Catalogs merge by union (.gitattributes), so two branches adding one message leave it twice, possibly with
    # two translations; compile_messages keeps the first, and this keeps the file honest.
    from collections import Counter
    from pathlib import Path

    import polib

    catalog = polib.pofile(str(Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"))
    repeated = [key for key, n in Counter((e.msgctxt, e.msgid) for e in catalog).items() if n > 1]
    assert repeated == []
    assert not [e.msgid for e in catalog if not e.msgstr and not e.msgstr_plural and not e.obsolete]


def test_every_message_the_code_marks_has_a_chinese_translation_with_the_same_placeholders():
    # Without GNU gettext nobody runs makemessages, so a message marked in code or a template can be left out of
    # the catalog and shows in English; a msgstr that drops or renames a %(name)s breaks the page that formats it.
    # This walks what makemessages would: gettext calls in the apps' Python, translate tags in the templates.
    import ast
    import re
    from pathlib import Path

    import polib
    from django.utils.translation.template import templatize

    root = Path(__file__).resolve().parents[2]
    catalog = polib.pofile(str(root / "locale/zh_Hans/LC_MESSAGES/django.po"))
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    # (positions of context, singular, plural) per marking function.
    functions = {"gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "gettext_noop": (None, 0, None)}
    functions |= {"_": (None, 0, None), "pgettext": (0, 1, None), "pgettext_lazy": (0, 1, None)}
    functions |= {"ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1), "npgettext": (0, 1, 2)}
    functions |= {"npgettext_lazy": (0, 1, 2)}

    def marked(tree: ast.AST, where: str) -> list[tuple[str, str | None, str, str | None]]:
        found = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in functions:
                continue

            def text(position, node=node):
                if position is None or position >= len(node.args):
                    return None
                arg = node.args[position]
                return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None

            context, singular, plural = (text(p) for p in functions[name])
            if singular:  # a variable (gettext(message)) is marked where its text is written
                found.append((where, context, singular, plural))
        return found

    uses = []
    skipped = {".venv", "tests", "bench", "migrations", "node_modules"}
    for path in root.rglob("*.py"):
        if not skipped & set(path.relative_to(root).parts):
            uses += marked(ast.parse(path.read_text()), str(path.relative_to(root)))
    template_messages = set()
    for path in (root / "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        source = templatize(path.read_text(), origin=str(path))
        # templatize writes each message as a Python call among placeholder letters: parse call by call.
        for match in re.finditer(r"\b(?:n?p?gettext)\(", source):
            end = match.end()
            while (end := source.find(")", end)) >= 0:
                try:
                    call = ast.parse(source[match.start() : end + 1].replace(", count)", ", 0)"), mode="eval")
                except SyntaxError:
                    end += 1
                    continue
                found = marked(call, str(path.relative_to(root)))
                uses += found
                template_messages |= {(context, singular) for _where, context, singular, _plural in found}
                break
    assert len(uses) > 1000  # the walk found the project's messages

    placeholder = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|(?<!\{)\{\w+\}(?!\})")
    problems = set()
    for where, context, singular, _plural in uses:
        entry = entries.get((context, singular))
        if entry is None:
            problems.add(f"{where}: no zh_Hans entry for {singular!r}")
            continue
        if "fuzzy" in entry.flags:
            problems.add(f"{where}: fuzzy entry for {singular!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if not translation:
                problems.add(f"{where}: empty translation of {singular!r}")
            elif sorted(placeholder.findall(translation)) != sorted(placeholder.findall(singular)):
                problems.add(f"{where}: placeholders differ in {singular!r} -> {translation!r}")
            elif (context, singular) in template_messages:
                # blocktranslate formats the translation with %: a stray % falls back to English at runtime.
                names = dict.fromkeys(re.findall(r"%\((\w+)\)", singular), "")
                try:
                    translation % names
                except (ValueError, TypeError, KeyError) as exc:
                    problems.add(f"{where}: {translation!r} does not format: {exc}")
    assert sorted(problems) == []
