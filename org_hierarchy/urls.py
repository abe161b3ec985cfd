app_name = "org_hierarchy"

urlpatterns = []
