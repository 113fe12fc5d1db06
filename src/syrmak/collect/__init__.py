"""Collecting the survey online: published form versions and OpenRosa submissions.

Library only (no web framework): ``syrmak.web.survey`` is the thin Starlette shell over it.
"""
