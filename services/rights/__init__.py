"""Data-subject rights (Law 91/2025, Decree 356/2025): the patient's requests and the deadlines
staff answer them by. deadlines (pure: dates from a request's kind and time of receipt)."""
