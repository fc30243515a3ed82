from django.urls import path

from extranet.consumers import DeskConsumer

websocket_urlpatterns = [path("ws/", DeskConsumer.as_asgi())]
