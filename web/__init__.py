"""The bottom layer of the web pages: form pages that call one service, uploads kept through a refused form, the
one spreadsheet reader of every import (and the guards of every export), and responses streamed under ASGI.

It knows no model of the product: every other app may use it, it uses none of them.
"""
