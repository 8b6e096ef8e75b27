from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import PublicValue
from .selectors import processes_with_perspectives


def perspective_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "perspectives/index.html",
        {"processes": processes_with_perspectives(), "public_values": PublicValue.objects.all()},
    )
