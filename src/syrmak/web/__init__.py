"""The researcher workspace in the browser: a thin Starlette shell over ``syrmak.workspace``.

Routes parse the request, call one library function and render a Jinja template; htmx swaps
the fragments; ``static/textpane.js`` turns a text selection into offsets. Nothing here is
imported by the library (``import syrmak`` loads no web framework).
"""
