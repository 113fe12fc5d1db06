"""Protecting respondents on the way from raw material to publication.

``detect`` and ``quarantine`` find and hold back contact details where they should not be;
``audit`` keeps the hash-chained trail of sensitive acts; ``withdrawal`` and ``erasure``
erase a respondent and make the files stop holding them; ``retention`` purges what a study
no longer needs; ``archive`` seals a whole study for hand-over.
"""
