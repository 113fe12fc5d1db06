"""The researcher workspace as a library: who may do what, their sessions, and the views
and acts the browser pages show and perform.

Every function here takes the acting ``Researcher`` and checks their role itself
(``people.require``), so a page that forgets a check cannot let a viewer code. ``web/`` is a
thin shell over these calls; nothing here imports a web framework.
"""
