"""What each PDF report holds: one module per kind, each with `build(report, progress) -> dict`, the context of
`templates/pdf/<kind>.html` (records.services.reports adds the report, school, marking, who and when)."""
