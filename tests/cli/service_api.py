"""GraphQL writes for the operations tests: an admin creates practices over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["BA", "CREATE", "create_practice"]

BA = "https://w3id.org/graphsvc/id/pes/deu-ba"
CREATE = """
mutation Create($input: CreatePracticeInput!) {
  createPractice(input: $input) {
    __typename
    ... on PracticeCreated { id }
    ... on MutationError { message path }
  }
}"""


def create_practice(client: httpx.Client, token: str, title: str) -> dict[str, Any]:
    """Create a practice of the BA titled ``title``; the mutation's result (``id`` when created)."""
    variables = {
        "input": {
            "title": [{"lang": "en", "text": title}],
            "abstract": [{"lang": "en", "text": f"What {title} does."}],
            "themes": ["youth-guarantee"],
            "country": "DEU",
            "date": "2021-03-01",
            "sources": ["https://example.org/practice"],
            "pes": BA,
        }
    }
    response = client.post(
        "/graphql",
        json={"query": CREATE, "variables": variables, "operationName": "Create"},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()["data"]["createPractice"]
    return result
