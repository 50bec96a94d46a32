from django.apps import AppConfig


class ExecoraConfig(AppConfig):
    name = "execora"
    verbose_name = "Shops"
