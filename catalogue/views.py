"""Public pages. Only published records are shown; publication rules live in get_queryset()."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from .models import Protocol, Registration, Source, State, Treaty, TreatySeries


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["treaty_count"] = Treaty.objects.published().count()
        context["protocol_count"] = Protocol.objects.published().count()
        context["registration_count"] = Registration.objects.published().count()
        context["source_count"] = Source.objects.count()
        context["recent"] = Treaty.objects.published().for_list().order_by("-updated")[:5]
        return context


class TreatyListView(ListView):
    template_name = "catalogue/treaty_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Treaty.objects.published().for_list().order_by("signed_earliest", "title")


class TreatyDetailView(DetailView):
    template_name = "catalogue/treaty_detail.html"
    context_object_name = "treaty"

    def get_queryset(self):
        return Treaty.objects.published().for_detail()


class ProtocolListView(ListView):
    template_name = "catalogue/protocol_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Protocol.objects.published().select_related("treaty").order_by("signed_earliest", "title")


class ProtocolDetailView(DetailView):
    template_name = "catalogue/protocol_detail.html"
    context_object_name = "protocol"

    def get_queryset(self):
        return (
            Protocol.objects.published()
            .select_related("treaty", "place_signed")
            .prefetch_related("registrations__series", "citations__source")
        )


class StateListView(ListView):
    template_name = "catalogue/state_list.html"
    paginate_by = 100

    def get_queryset(self):
        return State.objects.annotate(
            treaty_count=Count("participations", filter=Q(participations__treaty__status="published"))
        ).order_by("name")


class StateDetailView(DetailView):
    template_name = "catalogue/state_detail.html"
    context_object_name = "state"

    def get_queryset(self):
        return State.objects.prefetch_related("other_names", "predecessors", "successors")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["treaties"] = Treaty.objects.published().with_party(self.object).for_list()
        return context


class SeriesListView(ListView):
    template_name = "catalogue/series_list.html"
    model = TreatySeries


class SeriesDetailView(DetailView):
    template_name = "catalogue/series_detail.html"
    context_object_name = "series"
    model = TreatySeries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registrations"] = (
            Registration.objects.published()
            .filter(series=self.object)
            .select_related("treaty", "protocol")
            .order_by("volume", "first_page", "registered_earliest")
        )
        return context


class SourceListView(ListView):
    template_name = "catalogue/source_list.html"
    model = Source
    paginate_by = 100


class SourceDetailView(DetailView):
    template_name = "catalogue/source_detail.html"
    context_object_name = "source"

    def get_object(self, queryset=None):
        return get_object_or_404(Source, key=self.kwargs["key"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citations"] = self.object.citations.published().select_related(
            "treaty", "protocol", "registration", "event", "relation", "participation"
        )
        return context
