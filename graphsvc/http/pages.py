"""The service's HTML pages are Jinja2 templates (autoescaped); the layout and GraphiQL live here.

Pages that run scripts load them from the bundled ``frontend/consoles`` build and get
:data:`SCRIPT_PAGE_POLICY`: scripts, styles and connections from this origin only, nothing
inline, so an injected ``<script>`` or ``onclick`` never runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from graphsvc.http.assets import CONSOLES, BuildMissingError
from graphsvc.http.headers import SCRIPT_PAGE_POLICY

__all__ = ["TEMPLATES_DIR", "graphiql_response", "page_templates", "render"]

TEMPLATES_DIR = Path(__file__).parent / "templates"

_DEFAULT_QUERY = """# The GraphQL API of graphsvc. Ctrl+Enter runs a query; the Docs button lists every type.
{
  practices(first: 5) {
    nodes {
      title
      pes { label }
      themes(first: 3) { nodes { label } }
    }
  }
}
"""


def page_templates(*directories: Path) -> Jinja2Templates:
    """Templates from ``directories`` first, then the shared layout; escaping is automatic."""
    loader = FileSystemLoader([*directories, TEMPLATES_DIR])
    return Jinja2Templates(env=Environment(loader=loader, autoescape=True))


_TEMPLATES = page_templates()


def render(name: str, context: Mapping[str, Any], templates: Jinja2Templates = _TEMPLATES) -> str:
    """Template ``name`` rendered with ``context``."""
    return templates.env.get_template(name).render(context)


def graphiql_response(endpoint: str = "/graphql", base: str = "") -> Response:
    """GraphiQL, bundled from npm (works offline), or a 503 that says how to build it."""
    try:
        assets = CONSOLES.entry("src/graphiql.js")
    except BuildMissingError as error:
        return PlainTextResponse(f"GraphiQL is not available: {error}\n", status_code=503)
    page = render(
        "graphiql.html",
        {"assets": assets, "endpoint": endpoint, "base": base, "default_query": _DEFAULT_QUERY},
    )
    return HTMLResponse(
        page,
        headers={"Content-Security-Policy": SCRIPT_PAGE_POLICY, "Cache-Control": "no-cache"},
    )
