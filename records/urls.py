from django.urls import path  # noqa: F401  (the sections' pages are added below)

app_name = "records"

urlpatterns = []

# --- Imagery-viewing log and device custody (issue 9 §§2-3) ---------------------------------------------------
from .views import custody, imagery_devices, viewing  # noqa: E402

urlpatterns += [
    path("cases/<int:pk>/imagery-and-devices/", imagery_devices.case_records, name="imagery_and_devices"),
    path("cases/<int:pk>/imagery-viewings/new/", viewing.viewing_new, name="viewing_new"),
    path("cases/<int:pk>/imagery-viewings/<int:vid>/sign/", viewing.viewing_sign, name="viewing_sign"),
    path("imagery-viewing/delegations/", viewing.delegations, name="viewing_delegations"),
    path("imagery-viewing/delegations/<int:did>/end/", viewing.delegation_end, name="viewing_delegation_end"),
    path("cases/<int:pk>/devices/new/", custody.device_new, name="device_new"),
    path("cases/<int:pk>/devices/<int:did>/next/", custody.custody_step, name="custody_step"),
]
