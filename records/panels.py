"""What this app adds to the case apps' pages (through safeguard.extensions: the lower apps never import this one)."""

from . import (
    attachments_panel,
    deletion_panels,
    inspection_panels,
    reminder_panels,
    report_panels,
    retention_panels,
    seal_panels,
    sharing_panels,
    transfer_panels,
    viewing_panels,
)


def register():
    """Register each section's panels on the case page and the dashboard."""
    attachments_panel.register()
    sharing_panels.register()
    seal_panels.register()
    viewing_panels.register()
    deletion_panels.register()
    retention_panels.register()
    report_panels.register()
    transfer_panels.register()
    inspection_panels.register()
    reminder_panels.register()
