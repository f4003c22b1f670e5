from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from .. import extensions, selectors
from ..access import capability_required
from ..audit import shown
from ..forms import PupilImportForm, PupilSearchForm
from ..models import Pupil
from ..pupil_import import COLUMNS, pupils_import

PAGE_SIZE = 50


@capability_required("view_pupil_register")
def pupil_list(request):
    pupils = selectors.pupil_list_for_user(request.user, request.school)
    form = PupilSearchForm(request.GET)
    if form.is_valid() and form.cleaned_data["q"]:
        words = form.cleaned_data["q"].split()
        for word in words:
            pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(upn__iexact=word))
    page = Paginator(pupils.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": form.cleaned_data["q"]}) if form.is_valid() and form.cleaned_data["q"] else ""
    return render(request, "safeguard/pupil_list.html", {"form": form, "page": page, "query": query})


@capability_required("view_pupil_register")
def pupil_detail(request, pk):
    pupil = selectors.get_pupil_for_user_or_404(request.user, request.school, pk)
    shown(request, Pupil, [pupil.pk])
    panels = extensions.render_panels("pupil", request, pupil=pupil, roles=request.roles)
    return render(request, "safeguard/pupil_detail.html", {"pupil": pupil, "panels": panels})


@capability_required("import_pupils")
def pupil_import(request):
    form = PupilImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = pupils_import(actor=request.user, school=request.school, text=form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                f"Register imported: {result.created} added, {result.updated} updated, {result.unchanged} unchanged.",
            )
            return redirect("pupil_list")
    return render(request, "safeguard/pupil_import.html", {"form": form, "result": result, "columns": COLUMNS})
