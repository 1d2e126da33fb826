"""A small published catalogue for the public-page tests: Berlin 1926, Rapallo 1922, Brest-Litovsk 1918.

Built with the factories (house style), with the facts the issue's acceptance
tests name: Berlin reaffirms Rapallo, is registered twice (its own LNTS
registration and its 1931 protocol's), and two sources disagree on the length of
the prolongation.
"""

from __future__ import annotations

from types import SimpleNamespace

from catalogue import models as m
from tests import factories as f


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.weimar = f.StateFactory(name="Germany", code="DEU-WEIMAR", slug="germany-weimar")
    w.ussr = f.StateFactory(name="Soviet Union", code="SUN", slug="soviet-union")
    w.rsfsr = f.StateFactory(name="Russian SFSR", code="RSFSR", slug="russian-sfsr")
    w.ukraine = f.StateFactory(name="Ukrainian People's Republic", code="UKR-UNR", slug="ukraine-unr")
    m.StateName.objects.create(state=w.ussr, name="Союз Советских Социалистических Республик", language="ru")
    w.berlin_place = f.PlaceFactory(name="Berlin", slug="berlin")
    w.rapallo_place = f.PlaceFactory(name="Rapallo", slug="rapallo", country="Italy")
    w.brest_place = f.PlaceFactory(name="Brest-Litovsk", slug="brest-litovsk", country="Belarus")
    w.treaty_kind = f.TreatyKindFactory(name="Treaty", slug="treaty")
    w.peace_kind = f.TreatyKindFactory(name="Peace treaty", slug="peace-treaty")
    w.neutrality = f.SubjectFactory(name="Neutrality", slug="neutrality")
    w.peace = f.SubjectFactory(name="Peace", slug="peace")
    w.lnts = f.TreatySeriesFactory(name="League of Nations Treaty Series", abbreviation="LNTS", slug="lnts")
    w.martens = f.TreatySeriesFactory(name="Martens Nouveau Recueil", abbreviation="NRG", slug="nrg")

    w.rapallo = f.TreatyFactory(
        title="Treaty of Rapallo",
        slug="treaty-of-rapallo-1922",
        kind=w.treaty_kind,
        signed="1922-04-16",
        place_signed=w.rapallo_place,
        entry_into_force="1922-07-04",
        summary="Germany and Soviet Russia renounce claims and resume diplomatic relations.",
    )
    w.berlin = f.TreatyFactory(
        title="Treaty of Berlin",
        short_title="Treaty of Berlin (1926)",
        slug="treaty-of-berlin-1926",
        kind=w.treaty_kind,
        signed="1926-04-24",
        place_signed=w.berlin_place,
        ratifications_exchanged="1926-06-29",
        entry_into_force="1926-06-29",
        duration="five years",
        ended="1933-06-30?",
        summary="A neutrality treaty between Germany and the Soviet Union.",
    )
    w.brest = f.TreatyFactory(
        title="Treaty of Brest-Litovsk",
        slug="treaty-of-brest-litovsk-1918",
        kind=w.peace_kind,
        signed="1918-03-03",
        place_signed=w.brest_place,
        entry_into_force="1918-03-29",
        ended="1918-11-13",
        end_kind=m.Treaty.EndKind.ANNULLED,
        summary="Peace between the Central Powers and Soviet Russia.",
    )
    w.draft = f.TreatyFactory(
        title="Secret draft of Rapallo",
        slug="draft-treaty",
        kind=w.treaty_kind,
        signed="1926-01-01",
        status=m.Status.DRAFT,
    )
    w.withdrawn = f.TreatyFactory(
        title="Withdrawn duplicate of Berlin",
        slug="withdrawn-duplicate",
        kind=w.treaty_kind,
        signed="1926-04-24",
        status=m.Status.WITHDRAWN,
        withdrawal_note="A duplicate of the Treaty of Berlin (1926); see that record.",
    )
    w.berlin.subjects.add(w.neutrality)
    w.brest.subjects.add(w.peace)
    m.TreatyTitle.objects.create(treaty=w.berlin, title="Berliner Vertrag", language="de")
    m.Article.objects.create(
        treaty=w.berlin,
        number="1",
        position=1,
        text="The relations between Germany and the Union shall remain based on the Treaty of Rapallo.",
    )
    m.Article.objects.create(treaty=w.berlin, number="2", position=2, text="Neutrality in case of attack.")
    f.ParticipationFactory(treaty=w.rapallo, state=w.weimar, position=1, signed="1922-04-16")
    f.ParticipationFactory(treaty=w.rapallo, state=w.rsfsr, position=2, signed="1922-04-16")
    w.berlin_weimar = f.ParticipationFactory(
        treaty=w.berlin, state=w.weimar, position=1, signed="1926-04-24", ratified="1926-06-10"
    )
    w.berlin_ussr = f.ParticipationFactory(
        treaty=w.berlin, state=w.ussr, position=2, signed="1926-04-24", ratified="1926-06-15"
    )
    f.ParticipationFactory(treaty=w.brest, state=w.rsfsr, position=1)
    f.ParticipationFactory(treaty=w.brest, state=w.weimar, position=2)
    f.ParticipationFactory(treaty=w.draft, state=w.weimar)

    w.protocol = f.ProtocolFactory(
        treaty=w.berlin,
        title="Protocol prolonging the Treaty of Berlin",
        slug="berlin-prolongation-1931",
        kind=m.ProtocolKind.PROLONGATION,
        signed="1931-06-24",
        effect=m.ProtocolEffect.PROLONGS,
    )
    w.reg_treaty = f.RegistrationFactory(
        series=w.lnts, treaty=w.berlin, registered="1926-08-03", number="1268", volume=53, first_page=387, last_page=396
    )
    w.reg_protocol = f.RegistrationFactory(
        series=w.lnts,
        treaty=None,
        protocol=w.protocol,
        registered="1933-05-05",
        number="3203",
        volume=137,
        first_page=11,
    )
    f.RegistrationFactory(series=w.martens, treaty=w.brest, registered="1918-06", number="", volume=10)
    m.TreatyRelation.objects.create(subject=w.berlin, kind=m.RelationKind.REAFFIRMS, object=w.rapallo)
    f.EventFactory(treaty=w.berlin, title="Debate in the Reichstag", slug="reichstag-debate", date="1926-06-10")

    w.source_a = f.SourceFactory(
        key="wheeler-bennett", title="Documents on International Affairs", authors="Wheeler-Bennett, J."
    )
    w.source_b = f.SourceFactory(key="lnts-53", title="League of Nations Treaty Series vol. 53", authors="")
    w.source_c = f.SourceFactory(key="unused-source", title="A source nobody cites")
    f.CitationFactory(source=w.source_b, treaty=w.berlin, fact="signed", locator="p. 387")
    f.CitationFactory(source=w.source_b, treaty=w.berlin, fact="entry_into_force", locator="p. 388")
    f.CitationFactory(source=w.source_a, treaty=w.berlin, fact="ratifications_exchanged", locator="p. 12")
    f.CitationFactory(source=w.source_a, treaty=w.berlin, fact="ended", locator="p. 13")
    f.CitationFactory(
        source=w.source_a,
        treaty=None,
        protocol=w.protocol,
        fact="prolongation",
        claim="three years",
        locator="p. 14",
    )
    f.CitationFactory(
        source=w.source_b,
        treaty=None,
        protocol=w.protocol,
        fact="prolongation",
        claim="until denounced with one year's notice",
        locator="vol. 137 p. 11",
    )
    f.CitationFactory(source=w.source_b, treaty=None, registration=w.reg_treaty, fact="registered", locator="p. 387")
    return w
