"""Helpers for posting Django admin forms as a browser would: every field, inlines included."""

from __future__ import annotations

from lxml import html


def form_data(response, form_id: str | None = None) -> dict:
    """The values a browser would submit from the admin form on ``response`` (unchanged).

    Unticked checkboxes are left out, the selected options are taken, and file
    inputs are skipped, so a test only sets what it changes.
    """
    document = html.fromstring(response.content.decode())
    forms = document.xpath(f'//form[@id="{form_id}"]') if form_id else document.xpath('//form[@method="post"]')
    form = forms[0]
    data: dict[str, object] = {}
    for element in form.xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        if not name or "__prefix__" in name:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    data[name] = element.get("value") or "on"
                continue
            data[name] = element.get("value") or ""
        elif element.tag == "select":
            selected = [option.get("value") for option in element.xpath(".//option[@selected]")]
            if element.get("multiple") is not None:
                data[name] = selected
            else:
                data[name] = selected[0] if selected else ""
        else:
            data[name] = element.text or ""
    return data
