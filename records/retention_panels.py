"""Retention's place in the navigation, and the pupils it hides once their file is disposed of."""

from safeguard import extensions

from .retention_selectors import disposed_pupil_ids


def register():
    extensions.register_nav(
        url_name="records:retention_queue", label="Retention reviews", capability="work_cases", order=61
    )
    extensions.register_hidden_pupils("records.retention", disposed_pupil_ids)
