from django.urls import path  # noqa: F401  (the sections' pages are added below)

from .views import seals

app_name = "records"

urlpatterns = []

# Sealed records (issue 9 §5): a signed addendum to a closed case; the DSL team's check of every seal.
urlpatterns += [
    path("cases/<int:pk>/addenda/new/", seals.addendum_add, name="addendum_add"),
    path("records/seals/", seals.seal_check, name="seal_check"),
]
