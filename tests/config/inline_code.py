"""Find what the Content-Security-Policy refuses in a page's markup: inline scripts, handlers and styles.

The policy (``SECURE_CSP`` in config/settings.py) allows scripts and styles from the site's own files only, so a
page must carry no ``<script>`` without ``src`` (data blocks such as ``application/json`` are not run and may stay),
no ``on…=`` event handler attribute, no ``javascript:`` link, no ``style="…"`` attribute and no ``<style>``
element (the nonce of one would not survive Turbo's page swaps).
"""

from html.parser import HTMLParser

DATA_BLOCKS = {"application/json", "application/ld+json", "text/template"}
# What a third-party page keeps outside any block a template could replace, and which is known and harmless:
# django-simple-history's history page in the administration gives its paginator a style attribute (the
# browser refuses it, and the paginator shows its top border).
KNOWN = {("p", "style", "border-top: 0")}


class _InlineCode(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            if (tag, name, value) in KNOWN:
                continue
            if name.startswith("on"):
                self.found.append(f"line {line}: <{tag} {name}=…>")
            elif name == "style":
                self.found.append(f"line {line}: <{tag} style={value!r}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"line {line}: <{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append(f"line {line}: <style>")
        if tag == "script" and "src" not in attributes and attributes.get("type") not in DATA_BLOCKS:
            self._script = line

    def handle_data(self, data):
        if self._script is not None and data.strip():
            self.found.append(f"line {self._script}: <script>{data.strip()[:60]}")
            self._script = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def inline_code(html: str) -> list[str]:
    """Return a description of each inline script, handler or style of the page, empty when there is none."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
