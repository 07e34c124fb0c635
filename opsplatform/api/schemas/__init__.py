"""What the API shows of each object and what it accepts, one module per area.

Output schemas derive from ``base.VisibleSchema``: a field that needs a permission
says so (``needs``), and ``for_access(access)`` leaves it out for callers without it,
so what a caller sees of an object is decided in its schema, once. Input schemas are
plain marshmallow schemas: anything they do not declare is refused as an unknown
field. Schemas are named in the views' OpenAPI docstrings by class name, so each
name is unique across the package.
"""
