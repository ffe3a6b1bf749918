"""``/tongquan/<token>``: the supervisors' page, a scope's units against the year's duties.

The page is a server-rendered shell in the person's language; a small script vendored here
(``static/overview.js``, no build step, nothing from elsewhere) draws the heat map, the filters,
a unit's drill-down and the directives from ONE JSON endpoint, ``/tongquan/<token>/data``
(``?unit=<id>`` for a drill-down), authorised exactly as the page is. Every request reads the
token and the account's scope again (:mod:`jobs.supervision.overview_data`): an altered,
expired or out-of-scope request gets a plain page (or an empty 404) that names nothing.

A messenger that opens pages inside itself (Telegram's Mini Apps) opens
``/tongquan/app/<platform>``: its script posts the address's fragment, which carries the data
the messenger signed; the messenger's own reader checks it, and valid data of a supervisor is
answered with that account's link.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.features.supervisor.addressing import kind_text
from jobs.catalog import Catalog
from jobs.supervision.overview_data import page_data, scope_of, unit_data
from jobs.supervision.page_access import (
    APP_PATH,
    PAGE_PATH,
    MiniApp,
    PageGrant,
    PageLinks,
    read_page,
)
from jobs.text.i18n import Translator, translator
from storage.db import session_scope
from storage.members import accounts

STATIC = PAGE_PATH + "static/"
#: The kinds a filter names in the person's language; any other is shown as it is stored.
UNIT_KINDS = ("province", "department", "district", "commune", "ward", "office", "school",
              "agency")
_FILES = {"overview.js": "text/javascript", "overview.css": "text/css", "app.js": "text/javascript"}
_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
           "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Content-Security-Policy": _POLICY}


@dataclass
class SupervisorPage:
    """Serves the page, its data, its two scripts and the Mini App's door."""

    engine: Engine
    catalog: Catalog
    now: Callable[[], dt.datetime]
    links: PageLinks | None  # None without a public address or a signing key
    # By platform: how the messenger opens the page inside itself (who opened it).
    mini_apps: Mapping[str, MiniApp] = field(default_factory=dict)
    headers: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # A messenger's web client may show the page in a frame; no other site may.
        framers = sorted({o for app in self.mini_apps.values() for o in app.frame_origins})
        self.headers = {**HEADERS, "Content-Security-Policy": " ".join([_POLICY, *framers])}

    def add_routes(self, app: web.Application) -> None:
        """The page's routes on isobot's web server."""
        app.router.add_get(STATIC + "{name}", self.static)
        app.router.add_get(APP_PATH + "{platform}", self.mini_app)
        app.router.add_post(APP_PATH + "{platform}", self.mini_app_link)
        app.router.add_get(PAGE_PATH + "{token}", self.page)
        app.router.add_get(PAGE_PATH + "{token}/data", self.data)

    def _grant(self, request: web.Request) -> PageGrant | None:
        if self.links is None:
            return None
        return read_page(request.match_info["token"], secret=self.links.secret, now=self.now())

    async def page(self, request: web.Request) -> web.Response:
        """The shell, when the link is valid and its account supervises some unit."""
        grant = self._grant(request)
        if grant is None or not await asyncio.to_thread(self._in_scope, grant):
            return refused()
        return _html(shell(translator(grant.lang)), 200, self.headers)

    async def data(self, request: web.Request) -> web.Response:
        """The heat map and directives, or (``?unit=<id>``) one unit's drill-down."""
        grant = self._grant(request)
        unit = request.query.get("unit")
        if grant is None or (unit is not None and not unit.isdigit()):
            return _json(None)
        answer = await asyncio.to_thread(self._read, grant, int(unit) if unit else None)
        return _json(answer)

    def _in_scope(self, grant: PageGrant) -> bool:
        with session_scope(self.engine) as session:
            return bool(scope_of(session, platform=grant.platform, user_id=grant.user_id))

    def _read(self, grant: PageGrant, unit_id: int | None) -> dict | None:
        tr, now = translator(grant.lang), self.now()
        with session_scope(self.engine) as session:
            if unit_id is None:
                return page_data(session, platform=grant.platform, user_id=grant.user_id,
                                 now=now, catalog=self.catalog, tr=tr)
            return unit_data(session, platform=grant.platform, user_id=grant.user_id,
                             unit_id=unit_id, now=now, catalog=self.catalog, tr=tr)

    async def static(self, request: web.Request) -> web.Response:
        """The vendored script and style sheet."""
        name = request.match_info["name"]
        if name not in _FILES:
            raise web.HTTPNotFound()
        body = resources.files("bot.runtime").joinpath("static", name).read_bytes()
        response = web.Response(body=body, content_type=_FILES[name],
                                headers={**HEADERS, "Cache-Control": "public, max-age=3600"})
        response.enable_compression()
        return response

    async def mini_app(self, request: web.Request) -> web.Response:
        """A messenger's Mini App: a page whose script asks for a link with the signed data."""
        if request.match_info["platform"] not in self.mini_apps:
            return refused()
        tr = translator(None)
        return _html(_document(tr._("Opening…"), f'<script src="{STATIC}app.js"></script>'),
                     200, self.headers)

    async def mini_app_link(self, request: web.Request) -> web.Response:
        """A link for the supervisor the messenger's signed data names; 403 for data the
        messenger did not sign, stale data, or someone who supervises nothing."""
        platform = request.match_info["platform"]
        app = self.mini_apps.get(platform)
        fragment = (await request.text())[:8192]
        user_id = app.opened_by(fragment, self.now()) if app and self.links else None
        link = await asyncio.to_thread(self._link_for, platform, user_id) if user_id else None
        if link is None:
            return web.json_response({}, status=403, headers=HEADERS)
        return web.json_response({"url": link}, headers=HEADERS)

    def _link_for(self, platform: str, user_id: str) -> str | None:
        with session_scope(self.engine) as session:
            if not scope_of(session, platform=platform, user_id=user_id):
                return None
            lang = accounts(session, platform=platform, user_id=user_id)[0][0].language
        return self.links.url(platform, user_id, lang, self.now())


def refused() -> web.Response:
    """The plain page for an altered, expired or empty link: it names nothing."""
    tr = translator(None)
    return _html(_document(tr._("This link is not valid."), ""), 404)


def shell(tr: Translator) -> str:
    """The page around the heat map, its words in the person's language."""
    e = html.escape
    words = {"loading": tr._("Loading…"), "none": tr._("No unit matches."),
             "directives": tr._("Directives in progress"), "open": tr._("Open obligations"),
             "events": tr._("Logged reports (this year)"), "people": tr._("Officer and head"),
             "close": tr._("Close"), "nothing": tr._("None."),
             "counts": tr._("{units} units · delivered {delivered} · acknowledged "
                            "{acknowledged} · done {done}, of which late {late} · overdue "
                            "{overdue}"),
             "receipt": tr._("Receipt"), "file": tr._("File"), "due": tr._("Due date"),
             "see": tr._("In the chat, /xem and the receipt number sends the file."),
             "kinds": {k: kind_text(k, tr) for k in UNIT_KINDS}}
    title, kind, all_kinds = tr._("Units at a glance"), tr._("Kind"), tr._("All kinds")
    under, whole, search = tr._("Under"), tr._("The whole scope"), tr._("Search by name")
    body = (
        f'<header><h1>{e(title)}</h1><p id="today"></p></header>'
        '<form id="filters" role="search">'
        f'<label>{e(kind)} <select id="kind"><option value="">{e(all_kinds)}</option>'
        f'</select></label><label>{e(under)} <select id="subtree"><option value="">'
        f'{e(whole)}</option></select></label><label>{e(search)} '
        '<input id="search" type="search" autocomplete="off"></label></form>'
        '<ul id="legend"></ul><p id="status"></p>'
        '<div id="map" class="map"></div>'
        f'<section id="unit" hidden></section><h2>{e(words["directives"])}</h2>'
        '<div id="directives"></div>'
        f'<script id="words" type="application/json">{_script_json(words)}</script>'
        f'<script src="{STATIC}overview.js"></script>')
    return _document(title, body, lang=tr.lang)


def _script_json(value: dict) -> str:
    # Inside a <script> element: "</" would end it early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _document(title: str, body: str, *, lang: str = "vi") -> str:
    if not body:
        body = f"<p>{html.escape(title)}</p>"
    return ('<!doctype html><html lang="' + html.escape(lang) + '"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="{STATIC}overview.css"></head>'
            f"<body>{body}</body></html>")


def _html(document: str, status: int, headers: Mapping[str, str] = HEADERS) -> web.Response:
    return web.Response(text=document, status=status, content_type="text/html",
                        headers=dict(headers))


def _json(answer: dict | None) -> web.Response:
    if answer is None:
        return web.json_response({}, status=404, headers=HEADERS)
    response = web.Response(text=json.dumps(answer, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/json", headers=HEADERS)
    response.enable_compression()
    return response
