"""Routes, one module per part of the workspace; each route parses, calls one library
function (``syrmak.workspace``) and renders."""
