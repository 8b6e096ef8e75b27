from django.urls import path

from . import views

app_name = "benchmark"
urlpatterns = [
    path("", views.national, name="national"),
    path("deelname/", views.participation, name="participation"),
]
