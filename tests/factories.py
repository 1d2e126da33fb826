"""factory_boy factories for test data (the demo fixtures are for the demo only)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalogue import models as m


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.State
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"State {n}")
    code = factory.Sequence(lambda n: f"st-{n}")
    slug = factory.Sequence(lambda n: f"state-{n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Place
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    country = "Germany"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class TreatyKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TreatyKind
        django_get_or_create = ("slug",)

    name = "Treaty"
    slug = "treaty"


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Subject
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.Sequence(lambda n: f"subject-{n}")


class TreatySeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TreatySeries
        django_get_or_create = ("slug",)

    name = "League of Nations Treaty Series"
    abbreviation = "LNTS"
    slug = "lnts"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Source

    key = factory.Sequence(lambda n: f"source-{n}")
    kind = m.Source.Kind.BOOK
    title = factory.Sequence(lambda n: f"Source {n}")
    authors = "Doe, Jane"
    year = 1971


class TreatyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Treaty

    title = factory.Sequence(lambda n: f"Treaty {n}")
    slug = factory.Sequence(lambda n: f"treaty-{n}")
    kind = factory.SubFactory(TreatyKindFactory)
    signed = "1926-04-24"
    status = m.Status.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Participation

    treaty = factory.SubFactory(TreatyFactory)
    state = factory.SubFactory(StateFactory)


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Protocol

    treaty = factory.SubFactory(TreatyFactory)
    title = factory.Sequence(lambda n: f"Protocol {n}")
    slug = factory.Sequence(lambda n: f"protocol-{n}")
    signed = "1931-06-24"
    status = m.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Registration

    series = factory.SubFactory(TreatySeriesFactory)
    treaty = factory.SubFactory(TreatyFactory)
    registered = "1926-08-03"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Event

    treaty = factory.SubFactory(TreatyFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    date = "1926-06"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Citation

    source = factory.SubFactory(SourceFactory)
    treaty = factory.SubFactory(TreatyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


PASSWORD = "correct horse battery staple"
