"""Preview: a curator sees a record exactly as the public would, before it is published.

The preview subclasses the public detail view and changes only which records it
may show (any status instead of published only), so the page is the public
template, not an imitation. It is mounted under /admin/ and wrapped by the admin
site's ``admin_view``: staff login required, never cached.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from .models import Treaty
from .views import TreatyDetailView


class TreatyPreviewView(TreatyDetailView):
    """The public treaty page for any treaty, draft or in review, for staff who may view treaties."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("catalogue.view_treaty"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Treaty.objects.for_detail()

    def refuse(self, obj):
        """The public page refuses a withdrawn record (410); the preview shows every record."""
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = True
        return context


treaty_preview = admin.site.admin_view(TreatyPreviewView.as_view())
