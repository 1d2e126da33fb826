from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from catalogue.preview import treaty_preview

admin.site.site_header = "Treaty Archive — curators"
admin.site.site_title = "Treaty Archive admin"
admin.site.index_title = "Catalogue administration"

urlpatterns = [
    # Before the admin include: /admin/<anything> would otherwise go to the admin.
    path("admin/preview/treaties/<slug:slug>/", treaty_preview, name="treaty-preview"),
    path("admin/", admin.site.urls),
    path("", include("catalogue.urls")),
    path("", include("catalogue.export_urls")),
    path("", include("catalogue.oai.urls")),
    path("api/", include("catalogue.api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database outage outside a view is a 503 with Retry-After, not a 500 (catalogue/outage.py).
handler500 = "catalogue.outage.server_error"
