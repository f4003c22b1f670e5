"""What this app adds to the case apps' pages (through safeguard.extensions: the lower apps never import this one)."""


def register():
    """Register this app's panels on the case page and the dashboard (each section adds its own here)."""
    from . import deletion_panels

    deletion_panels.register()
