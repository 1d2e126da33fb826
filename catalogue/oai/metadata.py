"""Metadata formats: the Dublin Core record (oai_dc) of a treaty, built with lxml."""

from __future__ import annotations

from lxml import etree

from .. import cite
from ..jsonld import iso_date

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

FORMATS = {
    # prefix: (schema, namespace)
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
}


def _dc(parent, name: str, text: str, **attrib) -> None:
    if text:
        element = etree.SubElement(parent, f"{{{DC_NS}}}{name}", **attrib)
        element.text = text


def oai_dc(treaty) -> etree._Element:
    """The treaty as simple Dublin Core: the parties are its creators (the states
    that made the instrument); the signature date is its date."""
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {FORMATS['oai_dc'][0]}")
    _dc(root, "title", treaty.title)
    if treaty.short_title:
        _dc(root, "title", treaty.short_title)
    for title in treaty.titles.all():
        _dc(root, "title", title.title, **{"{http://www.w3.org/XML/1998/namespace}lang": title.language})
    for participation in treaty.participations.all():
        _dc(root, "creator", participation.state.name)
    for subject in treaty.subjects.all():
        _dc(root, "subject", subject.name)
    _dc(root, "description", treaty.summary)
    _dc(root, "publisher", cite.site_name())
    _dc(root, "date", iso_date(treaty.signed) or treaty.signed)
    _dc(root, "type", "Text")
    _dc(root, "type", treaty.kind.name)
    _dc(root, "identifier", cite.permalink(treaty))
    if treaty.identifier:
        _dc(root, "identifier", treaty.identifier)
    for registration in treaty.registrations.all():
        bits = [registration.series.abbreviation]
        bits += [f"vol. {registration.volume}"] if registration.volume else []
        bits += [f"No. {registration.number}"] if registration.number else []
        bits += [f"p. {registration.pages}"] if registration.pages else []
        _dc(root, "source", " ".join(bits))
    if treaty.place_signed:
        _dc(root, "coverage", treaty.place_signed.name)
    for url in treaty.same_as_urls:
        _dc(root, "relation", url)
    return root


BUILDERS = {"oai_dc": oai_dc}
