from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("treaties/", views.TreatyListView.as_view(), name="treaty-list"),
    path("treaties/facets/<slug:name>/", views.TreatyFacetView.as_view(), name="treaty-facet"),
    path("treaties/<slug:slug>/", views.TreatyDetailView.as_view(), name="treaty-detail"),
    path("protocols/", views.ProtocolListView.as_view(), name="protocol-list"),
    path(
        "protocols/<slug:slug>/",
        views.ProtocolDetailView.as_view(),
        name="protocol-detail",
    ),
    path("parties/", views.StateListView.as_view(), name="state-list"),
    path("parties/<slug:slug>/", views.StateDetailView.as_view(), name="state-detail"),
    path("series/", views.SeriesListView.as_view(), name="series-list"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:key>/", views.SourceDetailView.as_view(), name="source-detail"),
]
