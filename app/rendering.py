"""How templates are rendered fast without changing the design system's markup (PRODUCT §8, issue 16).

Two measures, both set up by `configure(app)`:

1. Memoized components. A call of an NHS.UK macro such as `radios` costs 4–5 ms here, because every call includes
   the component's template, which imports five more macros and includes their templates in turn. Its output is a
   pure function of its `params` (the macros are imported without context and read nothing else), so for the
   components in MEMOIZED a call looks its params up in a bounded LRU cache first and runs the real macro only on a
   miss. A rater's page asks for the same few hundred (statement, chosen answer, error) combinations all day.
   The wrappers are served under the macros' own names, so templates import them as before; the real macros stay
   reachable under ORIGINAL/. Only components whose params come from the service and the questionnaire are
   memoized, never ones that carry what someone typed (textareas, summary lists of answers), so the cache holds
   no rater's words. A text input is memoized only while it is empty (ONLY_WHEN): the sign-in page's two empty
   boxes were two fifths of its time, and a box showing what someone typed always runs the real macro.

2. Collapsed whitespace. The NHS.UK templates are indented for reading and full of `{% set %}` lines; rendered, a
   page of nine questions was 54 KB, two thirds of it spaces and blank lines. `CollapseWhitespace` rewrites each run
   of whitespace in the literal text of an HTML template to one character (a newline if the run had one) when the
   template is compiled, so it costs nothing per request. Browsers collapse such runs anyway (white-space: normal),
   so the page looks and reads the same; the content of <pre>, <textarea>, <script> and <style> is left as written,
   and so is everything a template prints from a variable.

3. The page frame. The design system's page template (nhsuk/template.jinja: the doctype, head, skip link and the
   places for header, content and footer) asks a dozen questions of variables our pages never set (htmlClasses,
   bodyAttributes, mainLang, …) and calls three macros with fixed params, on every page, for the same answer each
   time. `FrameLoader` serves it in its own name already evaluated: rendered once, when it is compiled, with a
   marker for each block and for the two values that change (the assets' address and the script nonce), and
   turned back into a template of literal text with those blocks and values in their places. Every block stays a
   block that layout.html (or any page) overrides as before, with the design system's own default content;
   FRAME_RESOLVED lists the variables answered once, and the frame refuses to build when the template asks anything
   else (a new version of the package), so a page can never lose a variable it sets. The real template stays
   reachable under ORIGINAL/.

4. Fragments with holes. Some parts of a page are the same for everyone but for a few values in known places: the
   check page's list of an area's statements, each with a "Change" link, around the rater's answers. Such a part
   is rendered by its own macro once, with a marker in each hole (`holes`), split at the markers
   (`split_at_holes`) and kept in the same cache as the components, under a key that holds everything the macro
   read besides the holes; each page fills the holes with its own values (`fill`, which escapes them). What is kept
   is service and questionnaire text only: the values in the holes never are.

5. The page shell. A page of someone not signed in (every rater page, the sign-in and public pages) is the layout
   around the page's own three blocks (title, back, body), and for such a visitor, with no error and no message
   to show, the layout prints nothing else that changes but the script nonce. `PageTemplate` renders the layout
   once per page template, address root and version of the files, with a hole for each of the page's blocks and
   for the nonce, and keeps it with the components; each page runs its own top-level code, renders its blocks and
   fills the holes. Anyone signed in, a preview, an error summary or a flashed message takes the full render,
   as does any template that is not a direct child of the layout with only those blocks.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context
from flask.templating import Environment as FlaskEnvironment
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    Template,
    TemplateNotFound,
    Undefined,
    nodes,
)
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape

ORIGINAL = "design-system"  # prefix under which the real NHS.UK templates stay reachable
MEMO_SIZE = 4096  # entries; a radios block is ~2 KB, so at most ~10 MB per process

# Component folder → macro name. Each one's params are service text, questionnaire text or the signed-in person's own
# name; none carries free text a user typed.
MEMOIZED = {
    "radios": "radios",
    "checkboxes": "checkboxes",
    "header": "header",
    "footer": "footer",
    "button": "button",
    "back-link": "backLink",
    "skip-link": "skipLink",
    "tag": "tag",
    "input": "input",
    # The owner's dashboard: its progress list (step names and links) and its table of counts per group, 4 and
    # 8 ms of a 19 ms page (the table template re-indents its whole output at every level). Elsewhere the table
    # shows an organisation's own statements, questionnaire text its lead wrote for every rater to read.
    "task-list": "taskList",
    "tables": "table",
}


def _empty(params: Any) -> bool:
    value = params.get("value") if isinstance(params, dict) else None
    return value is None or value == "" or isinstance(value, Undefined)


# Components memoized only for params that pass the test: what someone typed never becomes a cache key.
ONLY_WHEN: dict[str, Callable[[Any], bool]] = {"input": _empty}


def configure(app: Flask) -> None:
    """Call before anything touches `app.jinja_env`. TEMPLATE_MEMOIZE, TEMPLATE_COLLAPSE_WHITESPACE and
    TEMPLATE_FRAME (all on by default) exist so the tests can show each measure leaves the page as it was."""
    if app.config.get("TEMPLATE_COLLAPSE_WHITESPACE", True):
        app.jinja_options = {**app.jinja_options,
                             "extensions": [*app.jinja_options.get("extensions", ()), CollapseWhitespace]}
    # Compiled templates in a plain dict, not Jinja's default LRU of 400: every `{% from … import %}` looks its
    # template up, and the LRU's bookkeeping scans a list of every template it holds on each lookup (with all ~280
    # compiled at start, app/warmup.py, that was a tenth of a rater page). The templates are a fixed set.
    app.jinja_options = {**app.jinja_options, "cache_size": -1}
    app.jinja_environment = SharedGlobalsEnvironment
    design_system = PackageLoader("nhsuk_frontend_jinja", "templates")
    app.jinja_loader = ChoiceLoader([  # type: ignore[assignment]
        FileSystemLoader(str(Path(app.root_path) / "templates")),
        WrapperLoader(MEMOIZED if app.config.get("TEMPLATE_MEMOIZE", True) else {}),
        *([FrameLoader()] if app.config.get("TEMPLATE_FRAME", True) else []),
        PrefixLoader({ORIGINAL: design_system}),
        design_system,
    ])
    app.jinja_env.globals["memoized_component"] = MemoizedComponents(app.jinja_env)
    if app.config.get("TEMPLATE_FRAME", True):
        app.jinja_env.collapsed_already = frozenset({FRAME})  # type: ignore[attr-defined]
        # The shell only over the frame evaluated once: the design system's own template reads variables a page
        # could set (htmlLang, …), which a shell would keep.
        if app.config.get("TEMPLATE_PAGE_SHELL", True):
            app.jinja_env.template_class = PageTemplate


class SharedGlobalsEnvironment(FlaskEnvironment):
    """Templates loaded without globals of their own (all of ours) share the environment's dict of globals, not a
    ChainMap over it. Each `{% from … import %}` takes the template's globals' keys from the page's, and a ChainMap
    answers every `in` in Python: a page's dozen imports asked it some two hundred times, a tenth of a plain page."""

    def make_globals(self, d: Any) -> Any:
        return self.globals if not d else super().make_globals(d)


# --- 1. Memoized components ------------------------------------------------------------------------------------------


class WrapperLoader(BaseLoader):
    """Serves `nhsuk/components/<name>/macro.jinja` for each memoized component as a one-line macro that asks the
    cache; put it before the design system's own loader."""

    def __init__(self, components: dict[str, str]) -> None:
        self.components = components

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        parts = template.split("/")
        if len(parts) == 4 and parts[:2] == ["nhsuk", "components"] and parts[3] == "macro.jinja" \
                and parts[2] in self.components:
            macro = self.components[parts[2]]
            source = f'{{% macro {macro}(params={{}}) %}}{{{{ memoized_component("{parts[2]}", params) }}}}' \
                     "{% endmacro %}"
            return source, None, lambda: True
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        return sorted(f"nhsuk/components/{name}/macro.jinja" for name in self.components)


class Uncacheable(Exception):
    """The params hold something other than plain data (an object, a lazy string): call the macro directly."""


_SCALARS = (bool, int, float, type(None))


def freeze(value: Any) -> tuple[Any, ...]:
    """A hashable key that tells apart everything the macro can tell apart: Markup from str (html vs text), True from
    1, a list from a tuple, an undefined from None. Exact types only, so an enum or a subclass is never mistaken
    for the plain value it compares equal to."""
    kind = type(value)
    if kind is str:
        return ("s", value)
    if kind is Markup:
        return ("m", str(value))
    if kind in _SCALARS:
        return (kind.__name__, value)
    if isinstance(value, Undefined):
        return ("u",)
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise Uncacheable
        return ("d", tuple((k, freeze(v)) for k, v in value.items()))  # order kept: attributes render in order
    if kind is list or kind is tuple:
        return ("l" if kind is list else "t", tuple(freeze(v) for v in value))
    raise Uncacheable


def thaw(key: tuple[Any, ...], env: Environment) -> Any:
    """The params again, from their key."""
    tag = key[0]
    if tag == "s" or tag in {"bool", "int", "float", "NoneType"}:
        return key[1]
    if tag == "m":
        return Markup(key[1])
    if tag == "u":
        return env.undefined()
    if tag == "d":
        return {k: thaw(v, env) for k, v in key[1]}
    items = [thaw(v, env) for v in key[1]]
    return items if tag == "l" else tuple(items)


class MemoizedComponents:
    """`memoized_component(name, params)`: the real macro's output, from the cache when these params were seen.

    `fragment(key, name, params)` serves callers that can name a cheaper key than the whole params (the radios of
    one statement, say): the macro runs with `params()` on a miss; the caller promises the params follow from the
    key. Both share one bounded least-recently-used cache."""

    def __init__(self, env: Environment, size: int = MEMO_SIZE) -> None:
        self._env = env
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()  # `flask serve` runs requests in threads
        self.hits = self.misses = 0

    def __call__(self, name: str, params: Any = None) -> Markup:
        params = {} if params is None else params
        only_when = ONLY_WHEN.get(name)
        if only_when is not None and not only_when(params):
            return self.original(name)(params)
        try:
            frozen = freeze(params)
        except Uncacheable:
            return self.original(name)(params)
        # Rendered from the thawed key, not the caller's params: what is cached is exactly a function of the key.
        return self.fragment(("params", name, frozen), name, lambda: thaw(frozen, self._env))

    def fragment(self, key: Hashable, name: str, params: Callable[[], Any]) -> Markup:
        return self.cached(key, lambda: self.original(name)(params()))  # type: ignore[no-any-return]

    def cached(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """What `build()` returns for this key: built on a miss, kept in the shared cache. The caller promises the
        result follows from the key alone, and that it holds no one's own words."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        built = build()
        with self._lock:
            self.misses += 1
            self._entries[key] = built
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return built

    def original(self, name: str) -> Callable[..., Markup]:
        template = self._env.get_template(f"{ORIGINAL}/nhsuk/components/{name}/macro.jinja")
        return getattr(template.module, MEMOIZED[name])  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self._entries)


# --- 2. Collapsed whitespace -----------------------------------------------------------------------------------------

_RUN = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace; not \s, which would also eat no-break spaces
_VERBATIM = re.compile(r"<(/?)(pre|textarea|script|style)\b", re.IGNORECASE)
HTML_SUFFIXES = (".html", ".htm", ".jinja")


def _one(match: re.Match[str]) -> str:
    return "\n" if "\n" in match.group() else " "


def collapse(text: str, inside: list[str | None]) -> str:
    """`text` with each whitespace run made one character, except within a verbatim element. `inside` carries the
    open verbatim element (or None) from one piece of literal text to the next."""
    out: list[str] = []
    pos = 0
    for match in _VERBATIM.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if inside[0] is None and not closing:
            out.append(_RUN.sub(_one, text[pos:match.start()]))
            pos, inside[0] = match.start(), name
        elif inside[0] == name and closing:
            out.append(text[pos:match.start()])
            pos, inside[0] = match.start(), None
    rest = text[pos:]
    out.append(rest if inside[0] else _RUN.sub(_one, rest))
    return "".join(out)


class CollapseWhitespace(Extension):
    """Collapses whitespace in the literal text of HTML templates as they compile. Plain-text mail is left alone, and
    so are the templates named in the environment's `collapsed_already` (the frame, whose text is a page that was
    collapsed as it was rendered: collapsing it again would join its line breaks)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.extend(collapsed_already=frozenset())

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        name = stream.name or ""
        if not name.endswith(HTML_SUFFIXES) or name in self.environment.collapsed_already:  # type: ignore[attr-defined]
            yield from stream
            return
        inside: list[str | None] = [None]
        for token in stream:
            if token.type == "data":
                yield Token(token.lineno, "data", collapse(token.value, inside))
            else:
                yield token


# --- 3. The page frame -----------------------------------------------------------------------------------------------

FRAME = "nhsuk/template.jinja"
# What the frame keeps as variables: they change from one page or process to another.
FRAME_VARIABLES = ("assetPath", "cspNonce")
# What the design system's template asks and our pages never set: answered once, by their defaults. A page that set
# one would be rendered without it (tests/app/test_rendering.py looks through every template for one).
FRAME_RESOLVED = frozenset({"htmlLang", "htmlClasses", "htmlAttributes", "pageTitleLang", "themeColor",
                            "opengraphImageUrl", "assetUrl", "bodyClasses", "bodyAttributes", "containerClasses",
                            "mainClasses", "mainLang"})
_MARK = re.compile("\x00(B [A-Za-z_]+|E|V [A-Za-z_]+)\x00")


class FrameLoader(BaseLoader):
    """Serves FRAME, the design system's page template evaluated once (see 3. above)."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        if template != FRAME:
            raise TemplateNotFound(template)
        return frame_source(environment), None, lambda: True

    def list_templates(self) -> list[str]:
        return [FRAME]


def frame_source(env: Environment) -> str:
    """The page template as literal text around its blocks and FRAME_VARIABLES."""
    from jinja2 import meta, nodes

    original = f"{ORIGINAL}/{FRAME}"
    source = env.loader.get_source(env, original)[0]  # type: ignore[union-attr]
    tree = env.parse(source)
    imported = {name if isinstance(name, str) else name[1] for node in tree.find_all(nodes.FromImport)
                for name in node.names}
    asked = meta.find_undeclared_variables(tree) - set(env.globals) - imported
    unknown = asked - FRAME_RESOLVED - set(FRAME_VARIABLES)
    if unknown:
        raise RuntimeError(f"{original} asks for {sorted(unknown)}: decide whether the frame may answer it once")
    blocks = env.get_template(original).blocks
    probe = "".join(f"{{% block {name} %}}\x00B {name}\x00{{{{ super() }}}}\x00E\x00{{% endblock %}}"
                    for name in blocks)
    rendered = env.from_string(f'{{% extends "{original}" %}}{probe}').render(
        {name: f"\x00V {name}\x00" for name in FRAME_VARIABLES})
    out: list[str] = []
    pos = 0
    for match in _MARK.finditer(rendered):
        out.append(_literal(rendered[pos:match.start()]))
        mark = match.group(1)
        if mark == "E":
            out.append("{% endblock %}")
        elif mark.startswith("B "):
            out.append(f"{{% block {mark[2:]} %}}")
        else:
            out.append(f"{{{{ {mark[2:]} }}}}")
        pos = match.end()
    out.append(_literal(rendered[pos:]))
    return "".join(out)


def _literal(text: str) -> str:
    if not text:
        return ""
    if "{% endraw" in text or "{%- endraw" in text:
        raise RuntimeError("the page template's text cannot be kept raw")
    return f"{{% raw %}}{text}{{% endraw %}}"


# --- 4. Fragments with holes -----------------------------------------------------------------------------------------

# A marker no text of the service can hold (a NUL is refused in every form and address, app/errors.py), with a
# number of this process's own, so no questionnaire text could ever be mistaken for one.
_HOLE_TAG = secrets.token_hex(4)
_HOLE = re.compile(f"\x00hole {_HOLE_TAG} (\\d+)\x00")


def holes(count: int) -> list[Markup]:
    """Markers for `count` holes, to render a fragment's macro with in their places."""
    return [Markup(f"\x00hole {_HOLE_TAG} {n}\x00") for n in range(count)]


def split_at_holes(html: str, count: int) -> tuple[Markup, ...]:
    """The fragment's text around its holes: count + 1 pieces. Each hole must be there once, in order."""
    parts = _HOLE.split(html)
    if [int(n) for n in parts[1::2]] != list(range(count)):
        raise ValueError(f"the fragment has holes {parts[1::2]}, not 0 to {count - 1} in order")
    return tuple(Markup(piece) for piece in parts[0::2])


def fill(pieces: tuple[Markup, ...], values: Iterable[Any]) -> Markup:
    """The fragment with each hole filled by its value, escaped as the template would have."""
    out: list[str] = [pieces[0]]
    for piece, value in zip(pieces[1:], values, strict=True):
        out.append(value if type(value) is Markup else escape(value))  # Markup is escaped already: as escape gives it
        out.append(piece)
    return Markup("".join(out))  # a plain join: Markup's own would escape every piece again


# --- 5. The page shell -----------------------------------------------------------------------------------------------

LAYOUT = "layout.html"
# The blocks a page fills (layout.html): each is a hole of the shell. A page overriding any other block of the
# layout or the frame (where the layout asks who is signed in, or for messages) gets the full render.
PAGE_BLOCKS = ("title", "back", "body")
_NONCES = ("csp_nonce", "cspNonce")  # the script nonce, under the layout's name and the frame's


class PageTemplate(Template):
    """A template that, when it is a page in the layout shown to a visitor, is rendered into its shell (5.)."""

    _blocks_of_page: tuple[str, ...] | bool | None = False  # False: not yet known

    def render(self, *args: Any, **kwargs: Any) -> str:
        blocks = self._page_blocks()
        if blocks is None or not has_request_context():
            return super().render(*args, **kwargs)
        values = dict(*args, **kwargs)
        context = self.new_context(values)
        try:
            return self._render_page(context, values, blocks)
        except Exception:
            self.environment.handle_exception()
        raise AssertionError("unreachable: handle_exception raises")  # pragma: no cover

    def _page_blocks(self) -> tuple[str, ...] | None:
        found = self._blocks_of_page
        if found is False:
            found = self._blocks_of_page = _direct_page(self)
        return found  # type: ignore[return-value]

    def _render_page(self, context: Any, values: dict[str, Any], blocks: tuple[str, ...]) -> str:
        concat = self.environment.concat  # type: ignore[attr-defined]
        parts = self.root_render_func(context)
        # The first piece comes from the frame: the page's and the layout's top-level code (error_items,
        # assetPath, …) has run by then.
        first = next(parts, None)
        if first is None or not _plain_visit(context):
            return concat([] if first is None else [first, *parts])  # type: ignore[no-any-return]
        parts.close()
        components = self.environment.globals["memoized_component"]
        # What the layout's text around the blocks follows from besides the template (the environment's global
        # `page_shell_key`, app/navigation.py: the service's name, the address root, the files' versions).
        key = ("page shell", self, context.get("assetPath"), self.environment.globals["page_shell_key"]())
        shell: tuple[tuple[Markup, ...], tuple[str, ...]] = components.cached(
            key, lambda: self._shell(values, blocks))
        # The blocks are HTML their template escaped (Markup, kept as it is); the nonce is escaped by `fill`.
        filled = {name: Markup(concat(context.blocks[name][0](context))) for name in blocks}
        nonce = context.get("csp_nonce")
        return str(fill(shell[0], [filled.get(hole, nonce) for hole in shell[1]]))

    def _shell(self, values: dict[str, Any], blocks: tuple[str, ...]) -> tuple[tuple[Markup, ...], tuple[str, ...]]:
        """The page rendered with a marker in place of each of its blocks and of the nonce, split at the markers."""
        names = (*blocks, "nonce")
        markers = holes(len(names))
        context = self.new_context({**values, **{name: markers[-1] for name in _NONCES}})
        for name, marker in zip(blocks, markers, strict=False):
            context.blocks[name] = [lambda _context, marker=marker: iter((marker,))]
        text = self.environment.concat(self.root_render_func(context))  # type: ignore[attr-defined]
        parts = _HOLE.split(text)
        return tuple(Markup(piece) for piece in parts[0::2]), tuple(names[int(n)] for n in parts[1::2])


def _direct_page(template: Template) -> tuple[str, ...] | None:
    """The page's own blocks when its template starts by extending the layout and fills only PAGE_BLOCKS."""
    env, name = template.environment, template.name
    if name is None or name == LAYOUT or not set(template.blocks) <= set(PAGE_BLOCKS) or env.loader is None:
        return None
    body = env.parse(env.loader.get_source(env, name)[0]).body
    if not body or not isinstance(body[0], nodes.Extends) or not isinstance(body[0].template, nodes.Const) \
            or body[0].template.value != LAYOUT:
        return None
    return tuple(block for block in PAGE_BLOCKS if block in template.blocks)


def _plain_visit(context: Any) -> bool:
    """Nobody signed in, no preview, no error summary and no message: the layout then shows nothing that changes
    around the page's blocks but the nonce. Asks what the layout asks (the flashed messages are taken from the
    session as the layout takes them, once a request)."""
    user = context.get("current_user")
    if user is None or user.is_authenticated or context.get("preview") or context.get("error_items"):
        return False
    return not context.get("get_flashed_messages", lambda: [None])()
