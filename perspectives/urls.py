from django.urls import path

from . import views

app_name = "perspectives"
urlpatterns = [
    path("", views.perspective_index, name="index"),
]
