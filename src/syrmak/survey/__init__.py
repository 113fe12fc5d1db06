"""The survey half: questionnaire (XLSForm), response imports, response frames."""
