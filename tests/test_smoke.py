import pytest

from safeguard.roles import Role


@pytest.mark.django_db
def test_dsl_sees_own_dashboard(people, signed_in, school):
    client = signed_in(people[Role.DSL])
    response = client.get("/")
    assert response.status_code == 200
    assert school.name in response.content.decode()
