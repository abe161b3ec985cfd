"""Websocket routes of the notifications app."""

websocket_urlpatterns = []
