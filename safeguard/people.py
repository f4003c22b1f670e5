"""How a person is named wherever Safeguard shows or records them: their full name, else their username."""


def person_name(user):
    return user.get_full_name() or user.get_username()
