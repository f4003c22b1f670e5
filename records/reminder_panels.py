"""Reminders in the navigation. (Not on the dashboard: the DSL's dashboard already spends its 12 queries.)"""

from safeguard import extensions


def register():
    extensions.register_nav(url_name="records:reminder_list", label="Reminders", capability="see_reminders", order=15)
