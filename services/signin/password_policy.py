"""The password policy, with what the platform knows about the person."""
from security.passwords import password_problems, personal_words
from services.errors import InvalidInput


def check_password_policy(password: str, person: dict) -> None:
    """Raises InvalidInput with the reasons a password is refused. `person` is what is known:
    name (as hospitals recorded it), national_id, birth_date, username."""
    words = personal_words(person.get("name"), person.get("national_id"),
                           person.get("birth_date"), [person.get("username")])
    problems = password_problems(password, words)
    if problems:
        raise InvalidInput("The password was refused.", errors={"password": problems})
