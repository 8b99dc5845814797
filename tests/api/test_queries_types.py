"""Every GraphQL type of the read model against the seed facts: fields, relationships both ways,
languages, global IDs and ``node``/``nodes``."""

from __future__ import annotations

import pytest

from .seeded import ID, Seeded, gid

COUNTRY = "http://publications.europa.eu/resource/authority/country/"
ALL = "(first: 100)"


@pytest.fixture
def api(seeded_api: Seeded) -> Seeded:
    return seeded_api  # read only: one service for every module that only reads


def nodes(connection: dict[str, object]) -> list[dict[str, object]]:
    found = connection["nodes"]
    assert isinstance(found, list)
    return found


def iris(connection: dict[str, object]) -> set[str]:
    return {str(n["iri"]) for n in nodes(connection)}


# -- practices ---------------------------------------------------------------------------------


def test_every_practice_matches_its_seed_facts(api: Seeded) -> None:
    query = """query($after: String) { practices(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes {
            id iri title year date sources
            pes { iri } country { iri } region { iri }
            themes(first: 100) { totalCount nodes { iri } }
            targetGroups(first: 100) { nodes { iri } }
            events(first: 100) { nodes { iri } }
        } } }"""
    found: list[dict[str, object]] = []
    after = None
    while True:
        page = api.data(query, {"after": after})["practices"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = api.column("SELECT ?p WHERE { ?p a pes:GoodPractice }")
    assert page["totalCount"] == len(found) == len(expected) > 0
    by_iri = {str(p["iri"]): p for p in found}
    assert set(by_iri) == expected
    for iri, practice in by_iri.items():
        facts = api.oracle(
            f"""SELECT ?title ?date ?pes ?country ?region WHERE {{
                <{iri}> dct:title ?title . FILTER(lang(?title) = "en")
                OPTIONAL {{ <{iri}> dct:date ?date }}
                OPTIONAL {{ <{iri}> prov:wasAttributedTo ?pes }}
                OPTIONAL {{ <{iri}> dct:spatial ?own }}
                OPTIONAL {{ ?pes dct:spatial ?pesCountry }}
                BIND(COALESCE(?own, ?pesCountry) AS ?country)
                OPTIONAL {{ ?country pes:region ?region }}
            }}"""
        )
        assert len(facts) == 1, iri
        fact = facts[0]
        assert practice["id"] == gid("Practice", iri)
        assert practice["title"] == fact["title"]
        assert practice["date"] == fact.get("date")
        assert practice["year"] == (int(fact["date"][:4]) if "date" in fact else None)
        assert (practice["pes"] or {}).get("iri") == fact.get("pes")
        assert (practice["country"] or {}).get("iri") == fact.get("country")
        assert (practice["region"] or {}).get("iri") == fact.get("region")
        themes = api.column(f"SELECT ?t WHERE {{ <{iri}> dct:subject ?t }}")
        assert iris(practice["themes"]) == themes and practice["themes"]["totalCount"] == len(
            themes
        )
        groups = api.column(f"SELECT ?t WHERE {{ <{iri}> dct:audience ?t }}")
        assert iris(practice["targetGroups"]) == groups
        events = api.column(f"SELECT ?e WHERE {{ <{iri}> pes:presentedAt ?e }}")
        assert iris(practice["events"]) == events
        sources = api.column(f"SELECT ?s WHERE {{ <{iri}> dct:source ?s }}")
        assert set(practice["sources"]) == sources


def test_practice_titles_abstracts_and_language_fallback(api: Seeded) -> None:
    data = api.data(
        """{ practice(id: "ohjaamo") {
            en: title fi: title(lang: "fi") sv: title(lang: "sv") regional: title(lang: "fi-FI")
            titles { lang text } abstract svAbstract: abstract(lang: "sv")
        } }"""
    )["practice"]
    assert data["en"] == "Ohjaamo one-stop guidance centres for young people"
    assert data["fi"] == "Ohjaamo"
    assert data["sv"] == data["en"]  # no Swedish title: English
    assert data["regional"] == "Ohjaamo"  # fi-FI falls back to fi
    assert data["titles"] == [
        {"lang": "en", "text": "Ohjaamo one-stop guidance centres for young people"},
        {"lang": "fi", "text": "Ohjaamo"},
    ]
    assert data["abstract"].startswith("Ohjaamo centres bring employment")
    assert data["svAbstract"] == data["abstract"]


def test_practice_ordering_of_its_themes_follows_the_notation(api: Seeded) -> None:
    data = api.data('{ practice(id: "ohjaamo") { themes { nodes { iri notation } } } }')[
        "practice"
    ]["themes"]["nodes"]
    notations = [tuple(int(x) for x in n["notation"].split(".")) for n in data]
    assert notations == sorted(notations) and len(notations) == 3


# -- PES, networks, memberships ----------------------------------------------------------------


def test_pes_fields_and_relationships(api: Seeded) -> None:
    data = api.data(
        """{ pes(id: "deu-ba") {
            id iri label de: label(lang: "de") labels { lang text } altLabels acronym homepage
            country { iri notation } region { iri }
            practices(first: 100) { totalCount nodes { iri pes { iri } } }
            networks { nodes { iri } } projects { nodes { iri } }
            memberships(first: 100) { totalCount nodes { iri organization { iri } role { iri } } }
            events(first: 100) { totalCount nodes { iri } }
        } }"""
    )["pes"]
    ba = f"{ID}pes/deu-ba"
    assert data["iri"] == ba and data["id"] == gid("Pes", ba)
    labels = {r["lang"]: r["text"] for r in data["labels"]}
    expected_labels = {
        r["lang"]: r["text"]
        for r in api.oracle(
            f"SELECT (lang(?l) AS ?lang) (str(?l) AS ?text) WHERE {{ <{ba}> skos:prefLabel ?l }}"
        )
    }
    assert labels == expected_labels
    assert data["label"] == expected_labels["en"] and data["de"] == expected_labels["de"]
    assert set(data["altLabels"]) == api.column(f"SELECT ?a WHERE {{ <{ba}> skos:altLabel ?a }}")
    assert data["acronym"] in data["altLabels"]
    assert data["country"] == {"iri": f"{COUNTRY}DEU", "notation": "DEU"}
    assert data["region"] == {"iri": f"{ID}region/europe"}
    practices = api.column(f"SELECT ?p WHERE {{ ?p prov:wasAttributedTo <{ba}> }}")
    assert iris(data["practices"]) == practices and data["practices"]["totalCount"] == len(
        practices
    )
    assert all(p["pes"]["iri"] == ba for p in data["practices"]["nodes"])
    memberships = api.column(f"SELECT ?m WHERE {{ ?m org:member <{ba}> }}")
    assert iris(data["memberships"]) == memberships
    networks = api.column(
        f"""SELECT ?n WHERE {{ {{ ?m org:member <{ba}> ; org:organization ?n }}
            UNION {{ <{ba}> org:memberOf ?n }} ?n a pes:Network }}"""
    )
    assert iris(data["networks"]) == networks and len(networks) == 2
    assert data["projects"]["nodes"] == []
    events = api.column(
        f"""SELECT ?e WHERE {{ ?e a schema:Event .
            {{ ?e schema:organizer <{ba}> }} UNION
            {{ ?e cv:hasParticipation ?part . <{ba}> cv:playsRole ?part }} }}"""
    )
    assert iris(data["events"]) == events


def test_network_members_regions_units_and_memberships(api: Seeded) -> None:
    data = api.data(
        """{ network(id: "wapes") {
            label fr: label(lang: "fr") altLabels kinds created homepage description
            members(first: 100) { totalCount nodes { iri } }
            regions { nodes { iri network { iri } } }
            units { nodes { __typename iri } }
            memberships(first: 100) { totalCount nodes { iri member { __typename iri } organization { iri } } }
            practices(first: 100) { totalCount }
        } }"""
    )["network"]
    wapes = f"{ID}network/wapes"
    assert data["label"] == "World Association of Public Employment Services"
    assert data["fr"] == "Association mondiale des services d'emploi publics"
    assert set(data["altLabels"]) == {"WAPES", "AMSEP"}
    assert data["created"] == "1988" and data["homepage"] == "https://www.wapes.org"
    assert "http://www.w3.org/ns/org#FormalOrganization" in data["kinds"]
    regions = api.column(f"SELECT ?r WHERE {{ <{wapes}> org:hasUnit ?r . ?r a pes:WapesRegion }}")
    assert iris(data["regions"]) == regions and len(regions) == 5
    assert all(r["network"]["iri"] == wapes for r in data["regions"]["nodes"])
    units = api.column(
        f"""SELECT ?u WHERE {{ ?u org:unitOf <{wapes}> FILTER NOT EXISTS {{ ?u a pes:WapesRegion }} }}"""
    )
    assert iris(data["units"]) == units and len(units) == 4
    assert {u["__typename"] for u in data["units"]["nodes"]} == {"OtherAgent"}
    memberships = api.column(f"SELECT ?m WHERE {{ ?m org:organization <{wapes}> }}")
    assert iris(data["memberships"]) == memberships
    assert all(m["member"] is not None for m in data["memberships"]["nodes"])
    assert all(m["organization"]["iri"] == wapes for m in data["memberships"]["nodes"])
    member_pes = api.column(
        f"""SELECT DISTINCT ?p WHERE {{ ?p a pes:PublicEmploymentService .
            {{ ?m org:member ?p ; org:organization <{wapes}> }} UNION {{ ?p org:memberOf <{wapes}> }} }}"""
    )
    assert iris(data["members"]) == member_pes
    # the practices of a network are those of its member PES
    practices = api.column(
        f"""SELECT DISTINCT ?x WHERE {{ ?x prov:wasAttributedTo ?p .
            {{ ?m org:member ?p ; org:organization <{wapes}> }} UNION {{ ?p org:memberOf <{wapes}> }} }}"""
    )
    assert data["practices"]["totalCount"] == len(practices)


def test_membership_fields(api: Seeded) -> None:
    iri = f"{ID}membership/wapes/deu-ba/founding-member"
    data = api.data(
        "query($id: ID!) { membership(id: $id) { id iri member { __typename ... on Pes { acronym } iri }"
        " organization { __typename iri } role { iri label } startDate endDate sources } }",
        {"id": iri},
    )["membership"]
    assert data["id"] == gid("Membership", iri)
    assert data["member"] == {"__typename": "Pes", "acronym": "BA", "iri": f"{ID}pes/deu-ba"}
    assert data["organization"] == {"__typename": "Network", "iri": f"{ID}network/wapes"}
    assert data["role"]["iri"] == f"{ID}role/founding-member"
    assert data["startDate"] == "1988" and data["endDate"] is None
    assert data["sources"] == ["https://www.wapes.org"]


# -- regions and countries ---------------------------------------------------------------------


def test_region_countries_pes_and_practices_both_ways(api: Seeded) -> None:
    data = api.data(
        """{ region(id: "africa") { label notation definition network { iri }
            countries(first: 100) { totalCount nodes { iri region { iri } } }
            pes(first: 100) { totalCount nodes { iri region { iri } } }
            practices(first: 100) { totalCount nodes { region { iri } } } } }"""
    )["region"]
    africa = f"{ID}region/africa"
    countries = api.column(f"SELECT ?c WHERE {{ ?c pes:region <{africa}> }}")
    assert iris(data["countries"]) == countries
    assert all(c["region"]["iri"] == africa for c in data["countries"]["nodes"])
    pes = api.column(
        f"SELECT ?p WHERE {{ ?p a pes:PublicEmploymentService ; dct:spatial ?c . ?c pes:region <{africa}> }}"
    )
    assert iris(data["pes"]) == pes
    practices = api.column(
        f"""SELECT ?x WHERE {{ ?x a pes:GoodPractice ; dct:spatial ?c . ?c pes:region <{africa}> }}"""
    )
    assert data["practices"]["totalCount"] == len(practices) > 0
    assert data["network"]["iri"] == f"{ID}network/wapes"


@pytest.mark.parametrize(
    "reference", ["SWE", "swe", COUNTRY + "SWE", gid("Country", COUNTRY + "SWE")]
)
def test_country_by_code_iri_or_id(api: Seeded, reference: str) -> None:
    data = api.data(
        'query($id: ID!) { country(id: $id) { iri notation label sv: label(lang: "sv")'
        " region { label } pes { nodes { iri country { notation } } }"
        " practices(first: 100) { nodes { iri } } } }",
        {"id": reference},
    )["country"]
    assert data["iri"] == COUNTRY + "SWE" and data["notation"] == "SWE"
    assert data["label"] == "Sweden"
    assert data["region"] == {"label": "Europe"}
    assert {p["iri"] for p in data["pes"]["nodes"]} == api.column(
        "SELECT ?p WHERE { ?p a pes:PublicEmploymentService ; dct:spatial country:SWE }"
    )
    assert iris(data["practices"]) == api.column(
        "SELECT ?p WHERE { ?p a pes:GoodPractice ; dct:spatial country:SWE }"
    )
    assert f"{ID}practice/rusta-och-matcha" in iris(data["practices"])


# -- themes and the other concepts -------------------------------------------------------------


def test_theme_hierarchy_both_ways(api: Seeded) -> None:
    data = api.data(
        """{ theme(id: "youth-guarantee") { label notation definition scheme altLabels
                broader { nodes { iri narrower(first: 100) { nodes { iri } } } }
                ancestors { nodes { iri } } narrower { totalCount } } }"""
    )["theme"]
    yg = f"{ID}theme/youth-guarantee"
    broader = api.column(f"SELECT ?b WHERE {{ <{yg}> skos:broader ?b }}")
    assert iris(data["broader"]) == broader and len(broader) == 1
    parent = data["broader"]["nodes"][0]
    siblings = api.column(f"SELECT ?n WHERE {{ ?n skos:broader <{next(iter(broader))}> }}")
    assert iris(parent["narrower"]) == siblings and yg in siblings
    assert iris(data["ancestors"]) == api.column(f"SELECT ?a WHERE {{ <{yg}> skos:broader+ ?a }}")
    assert data["narrower"]["totalCount"] == 0


def test_theme_practices_include_narrower_themes(api: Seeded) -> None:
    top = api.data(
        "{ themes(topLevel: true, first: 100) { nodes { iri practices(first: 100) { totalCount nodes { iri } } "
        "events(first: 100) { totalCount } projects { totalCount } activities(first: 100) { totalCount } } } }"
    )["themes"]["nodes"]
    roots = api.column(
        "SELECT ?t WHERE { ?t a pes:Theme FILTER NOT EXISTS { ?t skos:broader ?b } }"
    )
    assert {t["iri"] for t in top} == roots
    for theme in top:
        t = theme["iri"]
        practices = api.column(
            f"SELECT DISTINCT ?p WHERE {{ ?p a pes:GoodPractice ; dct:subject/skos:broader* <{t}> }}"
        )
        assert theme["practices"]["totalCount"] == len(practices), t
        first_page = iris(theme["practices"])  # all of them, or the first hundred
        assert first_page <= practices and len(first_page) == min(100, len(practices)), t
        events = api.column(
            f"SELECT DISTINCT ?e WHERE {{ ?e a schema:Event ; dct:subject/skos:broader* <{t}> }}"
        )
        assert theme["events"]["totalCount"] == len(events), t
        activities = api.column(
            f"SELECT DISTINCT ?a WHERE {{ ?a a pes:Activity ; dct:subject/skos:broader* <{t}> }}"
        )
        assert theme["activities"]["totalCount"] == len(activities), t
        projects = api.column(
            f"SELECT DISTINCT ?a WHERE {{ ?a a pes:Project ; dct:subject/skos:broader* <{t}> }}"
        )
        assert theme["projects"]["totalCount"] == len(projects), t


def test_target_groups_event_types_roles_formats_clusters(api: Seeded) -> None:
    data = api.data(
        """{ targetGroup(id: "young-people") { label practices(first: 100) { totalCount } broader { totalCount } narrower { totalCount } }
             eventType(id: "study-visit") { label events { nodes { iri eventType { iri } } } }
             roles(first: 100) { totalCount nodes { iri label } }
             activityFormats(first: 100) { totalCount nodes { iri activities(first: 100) { nodes { formats(first: 100) { nodes { iri } } } } } }
             workProgrammeClusters(first: 100) { totalCount nodes { iri activities(first: 100) { totalCount nodes { cluster { iri } } } } } }"""
    )
    young = f"{ID}target-group/young-people"
    assert data["targetGroup"]["practices"]["totalCount"] == len(
        api.column(f"SELECT ?p WHERE {{ ?p a pes:GoodPractice ; dct:audience <{young}> }}")
    )
    visit = f"{ID}event-type/study-visit"
    assert iris(data["eventType"]["events"]) == api.column(
        f"SELECT ?e WHERE {{ ?e dct:type <{visit}> }}"
    )
    assert all(e["eventType"]["iri"] == visit for e in data["eventType"]["events"]["nodes"])
    assert data["roles"]["totalCount"] == len(api.column("SELECT ?r WHERE { ?r a org:Role }"))
    for fmt in data["activityFormats"]["nodes"]:
        for activity in fmt["activities"]["nodes"]:
            assert fmt["iri"] in iris(activity["formats"])
    clusters = data["workProgrammeClusters"]["nodes"]
    assert clusters and sum(c["activities"]["totalCount"] for c in clusters) == len(
        api.column("SELECT ?a WHERE { ?a a pes:Activity ; pes:cluster ?c }")
    )
    for cluster in clusters:
        assert all(a["cluster"]["iri"] == cluster["iri"] for a in cluster["activities"]["nodes"])


# -- events, projects, activities ---------------------------------------------------------------


def test_event_fields_and_agents(api: Seeded) -> None:
    event = f"{ID}event/wapes-conference-youth-migration-yaounde-2019"
    data = api.data(
        "query($id: ID!) { event(id: $id) { name description startDate endDate year eventType { iri }"
        " organizers { nodes { __typename iri label } } hosts { nodes { __typename iri } }"
        " participants { nodes { iri } } themes { nodes { iri } } sources } }",
        {"id": gid("Event", event)},
    )["event"]
    assert (
        data["name"]
        == "Employment - Youth and Migration: What challenges and opportunities for PES?"
    )
    assert (data["startDate"], data["endDate"], data["year"]) == ("2019-09-17", "2019-09-19", 2019)
    assert data["eventType"]["iri"] == f"{ID}event-type/conference"
    assert {(o["__typename"], o["iri"]) for o in data["organizers"]["nodes"]} == {
        ("Network", f"{ID}network/wapes"),
        ("OtherAgent", f"{ID}agent/aasep"),
    }
    assert data["hosts"]["nodes"] == [{"__typename": "Pes", "iri": f"{ID}pes/cmr-fne"}]
    assert iris(data["participants"]) == {f"{ID}pes/mli-anpe", f"{ID}pes/mar-anapec"}
    assert iris(data["themes"]) == api.column(f"SELECT ?t WHERE {{ <{event}> dct:subject ?t }}")


def test_project_phases_steps_partners_events(api: Seeded) -> None:
    data = api.data(
        """{ project(id: "japan-wapes-joint-project") { label name startDate description
            phases { nodes { position name startDate endDate achievements { nodes { position name } } } }
            steps { totalCount nodes { position name } }
            partners { totalCount nodes { role { iri } organization { iri } } }
            events(first: 100) { totalCount nodes { project { iri } } }
            themes { totalCount } } }"""
    )["project"]
    project = f"{ID}project/japan-wapes-joint-project"
    assert data["label"] == data["name"] == "JAPAN-WAPES Joint Project"
    assert data["startDate"] == "2019"
    positions = [p["position"] for p in data["phases"]["nodes"]]
    assert positions == sorted(positions) == [1, 2]
    first_phase = data["phases"]["nodes"][0]
    assert [a["name"] for a in first_phase["achievements"]["nodes"]] == [
        "Kick-Off Meeting",
        "Study Visit",
        "Online Meetings",
        "Planning of the Consultation Conference",
    ]
    assert [s["name"] for s in data["steps"]["nodes"]] == [
        "Fact finding",
        "Planning",
        "Acting",
        "Observing",
        "Reflecting",
    ]
    partners = api.column(f"SELECT ?m WHERE {{ ?m org:organization <{project}> }}")
    assert data["partners"]["totalCount"] == len(partners)
    assert all(p["organization"]["iri"] == project for p in data["partners"]["nodes"])
    events = api.column(f"SELECT ?e WHERE {{ ?e a schema:Event ; dct:isPartOf <{project}> }}")
    assert data["events"]["totalCount"] == len(events) > 0
    assert all(e["project"]["iri"] == project for e in data["events"]["nodes"])
    assert data["themes"]["totalCount"] == len(
        api.column(f"SELECT ?t WHERE {{ <{project}> dct:subject ?t }}")
    )


def test_activity_fields(api: Seeded) -> None:
    data = api.data(
        "{ activities(first: 100) { totalCount nodes { iri title cluster { iri } workProgramme "
        "formats { nodes { iri } } themes { nodes { iri } } extra { key value } sources } } }"
    )["activities"]
    expected = api.column("SELECT ?a WHERE { ?a a pes:Activity }")
    assert data["totalCount"] == len(expected) and iris(data) == expected
    titles = [a["title"] for a in data["nodes"]]
    assert titles == sorted(titles, key=str.casefold)
    for activity in data["nodes"]:
        a = activity["iri"]
        assert iris(activity["formats"]) == api.column(
            f"SELECT ?f WHERE {{ <{a}> pes:activityFormat ?f }}"
        )


# -- node and nodes ----------------------------------------------------------------------------


NODE = """query($id: ID!) { node(id: $id) { __typename id iri } }"""


@pytest.mark.parametrize(
    ("type_name", "iri"),
    [
        ("Practice", f"{ID}practice/ohjaamo"),
        ("Pes", f"{ID}pes/deu-ba"),
        ("Network", f"{ID}network/eu-pes-network"),
        ("Membership", f"{ID}membership/wapes/deu-ba/founding-member"),
        ("Region", f"{ID}region/europe"),
        ("Country", f"{COUNTRY}FIN"),
        ("Theme", f"{ID}theme/youth-guarantee"),
        ("TargetGroup", f"{ID}target-group/young-people"),
        ("EventType", f"{ID}event-type/conference"),
        ("Event", f"{ID}event/wapes-conference-youth-migration-yaounde-2019"),
        ("Project", f"{ID}project/japan-wapes-joint-project"),
        ("ProjectPhase", f"{ID}project/japan-wapes-joint-project/phase/1"),
        ("ProjectStep", f"{ID}project/japan-wapes-joint-project/step/3"),
        ("Achievement", f"{ID}project/japan-wapes-joint-project/achievement/study-visit"),
        ("Role", f"{ID}role/founding-member"),
        ("OtherAgent", f"{ID}agent/european-commission"),
    ],
)
def test_node_round_trip(api: Seeded, type_name: str, iri: str) -> None:
    by_id = api.data(NODE, {"id": gid(type_name, iri)})["node"]
    assert by_id == {"__typename": type_name, "id": gid(type_name, iri), "iri": iri}
    assert api.data(NODE, {"id": iri})["node"] == by_id
    again = api.data(NODE, {"id": by_id["id"]})["node"]
    assert again == by_id


def test_nodes_in_order_with_nulls_for_unknown(api: Seeded) -> None:
    ids = [
        gid("Theme", f"{ID}theme/youth-guarantee"),
        f"{ID}practice/nope",
        gid("Pes", f"{ID}pes/deu-ba"),
    ]
    data = api.data("query($ids: [ID!]!) { nodes(ids: $ids) { __typename iri } }", {"ids": ids})
    assert data["nodes"] == [
        {"__typename": "Theme", "iri": f"{ID}theme/youth-guarantee"},
        None,
        {"__typename": "Pes", "iri": f"{ID}pes/deu-ba"},
    ]


def test_unknown_and_malformed_ids(api: Seeded) -> None:
    assert api.data(NODE, {"id": gid("Practice", f"{ID}practice/nope")})["node"] is None
    assert api.data('{ practice(id: "no-such-practice") { iri } }')["practice"] is None
    [message] = api.errors(NODE, {"id": "%%%"})
    assert "is not a global ID" in message
    [message] = api.errors(
        "query($id: ID!) { practice(id: $id) { iri } }", {"id": gid("Theme", f"{ID}theme/x")}
    )
    assert "is not a Practice ID or IRI" in message
    [message] = api.errors("query($ids: [ID!]!) { nodes(ids: $ids) { iri } }", {"ids": ["x"] * 101})
    assert "at most 100" in message
