"""Mutation payloads return the stored practice as the query types show it, with its history."""

from __future__ import annotations

from pathlib import Path

from .gql import BA, local_api
from .seeded import gid

CREATE = """mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename
  ... on PracticeCreated { id practice { id iri title de: title(lang: "de") year
      themes { nodes { iri } } pes { iri } country { notation } region { label }
      revisions { kind } } }
} }"""
UPDATE = """mutation($id: ID!, $input: UpdatePracticeInput!) { updatePractice(id: $id, input: $input) {
  __typename
  ... on PracticeUpdated { practice { title year revisions { kind } } }
} }"""
FIND = (
    """query($filter: PracticeFilter) { practices(filter: $filter) { totalCount nodes { iri } } }"""
)


def test_create_and_update_return_the_practice(tmp_path: Path) -> None:
    with local_api(tmp_path) as api:
        token = api.make_token("admin", "admin")
        data = api.data(
            CREATE,
            {
                "input": {
                    "title": [
                        {"lang": "en", "text": "Payload practice"},
                        {"lang": "de", "text": "Nutzlast"},
                    ],
                    "themes": ["youth-guarantee"],
                    "country": "DEU",
                    "pes": BA,
                    "date": "2021",
                    "sources": ["https://example.org/payload"],
                }
            },
            token=token,
        )["createPractice"]
        assert data["__typename"] == "PracticeCreated"
        practice = data["practice"]
        iri = data["id"]
        assert practice["iri"] == iri and practice["id"] == gid("Practice", iri)
        assert (practice["title"], practice["de"], practice["year"]) == (
            "Payload practice",
            "Nutzlast",
            2021,
        )
        assert practice["themes"]["nodes"] == [
            {"iri": "https://w3id.org/graphsvc/id/theme/youth-guarantee"}
        ]
        assert practice["pes"] == {"iri": BA}
        assert practice["country"] == {"notation": "DEU"} and practice["region"] == {
            "label": "Europe"
        }
        assert practice["revisions"] == [{"kind": "CREATE"}]
        # the lists see it at once
        found = api.data(FIND, {"filter": {"search": "payload", "countries": ["DEU"]}})["practices"]
        assert found == {"totalCount": 1, "nodes": [{"iri": iri}]}

        updated = api.data(UPDATE, {"id": iri, "input": {"date": "2019"}}, token=token)[
            "updatePractice"
        ]
        assert updated == {
            "__typename": "PracticeUpdated",
            "practice": {
                "title": "Payload practice",
                "year": 2019,
                "revisions": [{"kind": "CREATE"}, {"kind": "UPDATE"}],
            },
        }
        years = api.data(FIND, {"filter": {"year": 2019, "pes": [BA]}})["practices"]["nodes"]
        assert {"iri": iri} in years
