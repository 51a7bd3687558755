app_name = "datarequests"
urlpatterns: list = []
