"""Protecting respondents: finding contact details where they should not be, and holding
them back (``detect``, ``quarantine``)."""
