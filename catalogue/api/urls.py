from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("treaties", views.TreatyViewSet, basename="treaty")
router.register("protocols", views.ProtocolViewSet, basename="protocol")
router.register("states", views.StateViewSet, basename="state")
router.register("sources", views.SourceViewSet, basename="source")
router.register("series", views.SeriesViewSet, basename="series")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both pages load their scripts from drf-spectacular-sidecar's static files, so they work offline.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
