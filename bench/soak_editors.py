"""The soak's editors: people at the admin, through the edge, acting once a second.

Each editor works as the journalist (writes a story in the admin's add form and submits it) and as a moderator
(approves it, then corrects the live story through its change form), one action a second, then starts the next
story. Every action is recorded with what the editor got; every save the admin acknowledged is remembered, to
be looked for in the database afterwards. A failed action is tried again on the next second, as a person would.
"""

import http.client
import random
import re
import threading

from bench.soak_http import ERROR, SUCCESS, Browser, ThreadGroup, form_fields, page_kind, page_messages, replace
from bench.soak_probes import LIST

ARTICLES = "/admin/articles/article/"
ADD = ARTICLES + "add/"
CHANGE = re.compile(r"/admin/articles/article/(\d+)/change/")
SLUG = re.compile(r'class="form-row[^"]*field-slug.*?<div class="readonly">([^<]*)</div>', re.S)
PASSWORD = "newsroom-demo"  # seed_demo's, as bench.cluster sets it


class Editor(threading.Thread):
    def __init__(self, number, edge_url, facts, clock, stop, probes, moderator, title_prefix, interval=1.0):
        super().__init__(daemon=True, name=f"editor-{number}")
        self.number, self.facts, self.clock, self.stop, self.probes = number, facts, clock, stop, probes
        self.title_prefix, self.interval = title_prefix, interval
        self.users = {"journalist": "journalist", "moderator": moderator}
        self.browsers = {role: Browser(edge_url) for role in self.users}
        self.signed_in = dict.fromkeys(self.users, False)
        self.random = random.Random(number)
        self.actions, self.acknowledged, self.attempts = [], [], {}
        self.story, self.count, self.followed = None, 0, None

    def run(self):
        next_tick = self.clock() + self.number * self.interval / 3
        while not self.stop.wait(max(0.0, next_tick - self.clock())):
            self.step()
            next_tick = max(next_tick + self.interval, self.clock())

    def step(self):
        for role, signed_in in self.signed_in.items():
            if not signed_in:
                self.act(f"log in ({self.users[role]})", role, self.log_in)
                return
        stage = self.story["stage"] if self.story else "create"
        self.act(stage, "journalist" if stage in ("create", "submit") else "moderator", getattr(self, stage))

    def act(self, name, role, action):
        """Run one action; record it: acknowledged or failed, and what the editor got."""
        started = self.clock()
        record = {"editor": self.number, "action": name, "t": round(started, 3), "pk": (self.story or {}).get("pk")}
        self.followed = None
        try:
            ok, response, note = action(self.browsers[role])
            record.update(ok=ok, status=response.status, kind=page_kind(response), note=note)
            if record["kind"] == "login page" and not name.startswith("log in"):
                self.signed_in[role] = False  # the session is gone: sign in again next second
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            kind = "timeout" if isinstance(error, TimeoutError) else "connection error"
            record.update(ok=False, status=None, kind=kind, note=f"{type(error).__name__}: {error}"[:200])
        record["pk"] = record["pk"] or (self.story or {}).get("pk")
        record["seconds"] = round(self.clock() - started, 3)
        record["followed"] = self.followed  # the page the redirect led to, if followed
        self.actions.append(record)

    def follow(self, browser, location):
        """Follow the admin's redirect as a browser does; what the editor then sees is recorded with the action."""
        try:
            page = browser.get(location)
        except (OSError, http.client.HTTPException) as error:
            self.followed = "timeout" if isinstance(error, TimeoutError) else "connection error"
            return None
        self.followed = page_kind(page) if page.status < 400 else f"{page.status}: {page_kind(page)}"
        return page

    def acknowledge(self, action, pk, expect):
        self.acknowledged.append({"editor": self.number, "action": action, "pk": pk, "expect": expect,
                                  "t": round(self.clock(), 3)})  # fmt: skip

    # The actions: each returns (acknowledged, the response the editor got last, a note).

    def log_in(self, browser):
        role = next(role for role, b in self.browsers.items() if b is browser)
        answer, ok = browser.log_in(self.users[role], PASSWORD)
        self.signed_in[role] = ok
        return ok, answer, ""

    def create(self, browser):
        self.count += 1
        token = f"e{self.number}n{self.count:03d}{self.random.randrange(16**4):04x}"
        title = f"{self.title_prefix} {token}: новость под нагрузкой"
        form = browser.get(ADD)
        fields = form_fields(form.text, "article_form") if form.status == 200 else []
        if not fields:
            return False, form, "no add form"
        fields = replace(fields, {
            "title": title, "lead": f"Лид {token}: проверка редакции под нагрузкой.", "body": f"<p>Текст {token}.</p>",
            "section": str(self.facts["section"]), "region": str(self.facts["region"]),
            "tags": f"{self.facts['tag']}, нагрузка", "language": "ru", "_continue": "1",
        })  # fmt: skip
        answer = browser.post(ADD, fields)
        found = CHANGE.search(answer.location)
        ok = answer.status == 302 and found is not None and acknowledged(browser, answer)
        if not ok:
            return False, answer, messages_note(browser, answer)
        pk = int(found[1])
        self.acknowledge("create", pk, title)
        self.story = {"pk": pk, "token": token, "title": title, "stage": "submit", "slug": None, "corrections": 0}
        page = self.follow(browser, answer.location)
        self.story["slug"] = slug_of(page.text) if page else None
        return True, answer, f"story {pk}"

    def submit(self, browser):
        return self.transition(browser, "submit", [], "approve")

    def approve(self, browser):
        if not self.story["slug"]:
            self.story["slug"] = slug_of(browser.get(f"{ARTICLES}{self.story['pk']}/change/").text)
        return self.transition(browser, "approve", [("publish_at", "")], "correct")

    def transition(self, browser, name, fields, next_stage):
        pk = self.story["pk"]
        answer = browser.post(f"{ARTICLES}{pk}/transition/{name}/", [("csrfmiddlewaretoken", browser.csrf_token()),
                                                                      *fields])  # fmt: skip
        acknowledged_now = self.clock()
        ok = answer.status == 302 and acknowledged(browser, answer)
        if ok:
            self.acknowledge(name, pk, name)
            if name == "approve":
                token, story_path = self.story["token"], f"/news/{self.story['slug']}/"
                targets = {"story": (story_path, token), "list": (LIST, token)}
                self.probes.watch("publication", self.number, pk, acknowledged_now, targets)
            self.story["stage"] = next_stage
        elif any(level == ERROR and "в статусе" in text for level, text in browser.new_messages(answer)):
            # An earlier try went through though its answer was lost: the story has moved on.
            self.story["stage"] = next_stage
        if answer.status == 302 and CHANGE.search(answer.location):
            self.follow(browser, answer.location)
        return ok, answer, messages_note(browser, answer)

    def correct(self, browser):
        pk = self.story["pk"]
        path = f"{ARTICLES}{pk}/change/"
        form = browser.get(path)
        fields = form_fields(form.text, "article_form") if form.status == 200 else []
        if not fields:
            return False, form, "no change form"
        self.story["corrections"] += 1
        marker = f"{self.story['token']}c{self.story['corrections']}"
        self.attempts.setdefault(pk, []).append(marker)
        body = f"<p>Текст {self.story['token']}. Поправка {marker}.</p>"
        answer = browser.post(path, replace(fields, {"body": body, "_continue": "1"}))
        acknowledged_now = self.clock()
        ok = answer.status == 302 and CHANGE.search(answer.location) is not None and acknowledged(browser, answer)
        if not ok:
            note = "conflict" if "conflict-panel" in answer.text else messages_note(browser, answer)
            return False, answer, note or ("form errors" if 'class="errornote"' in answer.text else "")
        self.acknowledge("correct", pk, marker)
        self.probes.watch("correction", self.number, pk, acknowledged_now,
                          {"story": (f"/news/{self.story['slug']}/", marker)})  # fmt: skip
        self.story = None  # the next second starts the next story
        self.follow(browser, answer.location)
        return True, answer, ""


def acknowledged(browser, answer):
    """Whether the admin's redirect carries its success message (in the messages cookie it sets)."""
    return any(level == SUCCESS for level, _ in browser.new_messages(answer))


def messages_note(browser, answer):
    shown = browser.new_messages(answer) or page_messages(answer.text)
    return "; ".join(text for _, text in shown)[:300]


def slug_of(html):
    found = SLUG.search(html)
    return found[1].strip() if found else None


class Editors(ThreadGroup):
    """`count` editors (the journalist with the moderator, the third with the admin as moderator)."""

    def __init__(self, count, edge_url, facts, clock, probes, title_prefix):
        self.stop_event = threading.Event()
        moderators = ["moderator", "moderator", "admin"]
        self.threads = [
            Editor(number, edge_url, facts, clock, self.stop_event, probes, moderators[number % 3], title_prefix)
            for number in range(count)
        ]

    def actions(self):
        return sorted((record for thread in self.threads for record in thread.actions), key=lambda r: r["t"])

    def acknowledged(self):
        return [item for thread in self.threads for item in thread.acknowledged]

    def attempts(self):
        return {pk: markers for thread in self.threads for pk, markers in thread.attempts.items()}
