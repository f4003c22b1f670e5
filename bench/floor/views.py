from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Item


@login_required
def item_list(request):
    return render(request, "floor/item_list.html", {"items": Item.objects.all()[:50]})
