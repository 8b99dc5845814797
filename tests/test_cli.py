"""The ``graphsvc`` command: load, validate, export, stats, serve.

Bad input exits non-zero with one clear message (file:line:column, or focus node + path +
message), never a traceback, and leaves the store as it was. The installed command runs as a real
subprocess for each command and each kind of failure, and wherever the process is the point
(signals, the store's lock between processes, a terminal); the other cases run the same
``graphsvc.cli.main`` in this process (``run_here``).
"""

from __future__ import annotations

import fcntl
import gzip
import io
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from cli.processes import listening, run_here, seed_store
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, QuerySolutions
from support import OxigraphServer, free_port, wait_until

from graphsvc.store import OxigraphStore
from graphsvc.store.formats import FORMATS
from graphsvc.store.loading import ONTOLOGY_GRAPH

GRAPHSVC = Path(sys.executable).parent / "graphsvc"
TEST_GRAPH = "https://w3id.org/graphsvc/graph/reference/test"
PES = "https://w3id.org/graphsvc/ontology#PublicEmploymentService"


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env.update(extra)
    return env


def run(
    *args: str | Path, data_dir: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prefix: list[str | Path] = [GRAPHSVC]
    if data_dir is not None:
        prefix += ["--data-dir", data_dir]
    return subprocess.run(
        [str(a) for a in (*prefix, *args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env or cli_env(),
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def dataset(store_dir: Path) -> Dataset:
    with OxigraphStore(store_dir) as store:
        data = Dataset(store.quads())
    data.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return data


@pytest.fixture
def load_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "load"


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose store holds the real ontology and seeds (do not write to it)."""
    return seed_store(tmp_path_factory.mktemp("seeded"))


def test_the_command_is_installed_and_answers_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "load", "validate", "export", "stats"):
        assert command in result.stdout
    assert run("--version").stdout.startswith("graphsvc ")
    usage = run("export", "--format", "nope")  # a usage error: argparse's status and message
    assert_clean_failure(usage)
    assert usage.returncode == 2
    assert (
        "argument --format/-f: invalid choice: 'nope' (choose from 'jsonld', 'nq'" in usage.stderr
    )


def test_python_m_graphsvc_cli_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("graphsvc ")


def test_load_then_stats(tmp_path: Path, load_dir: Path) -> None:
    result = run("load", load_dir / "pes-valid.trig", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "loaded 7 quads from 1 file(s)" in result.stdout
    assert TEST_GRAPH in result.stdout
    stats = run("stats", data_dir=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert f"         7  {TEST_GRAPH}" in stats.stdout
    assert f"         1  {PES}" in stats.stdout


def test_load_with_graph_option(tmp_path: Path, load_dir: Path) -> None:
    graph = "https://w3id.org/graphsvc/graph/reference/cli"
    result = run_here(
        "load", "--no-validate", "--graph", graph, load_dir / "pes-violation.ttl", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    with OxigraphStore(tmp_path / "store") as store:
        assert [g.value for g in store.named_graphs()] == [graph]


def test_malformed_turtle_reports_file_line_column_and_loads_nothing(
    tmp_path: Path, load_dir: Path
) -> None:
    assert run_here("load", load_dir / "pes-valid.trig", data_dir=tmp_path).returncode == 0
    before = dataset(tmp_path / "store")
    bad = load_dir / "syntax-error.ttl"
    result = run("load", load_dir / "pes-patch.ttl", bad, data_dir=tmp_path)
    assert_clean_failure(result)
    assert result.returncode == 2
    assert f"graphsvc load: error: {bad}:3:11: " in result.stderr
    assert dataset(tmp_path / "store") == before


def test_a_shacl_violation_reports_focus_path_message_and_loads_nothing(
    tmp_path: Path, load_dir: Path
) -> None:
    assert run_here("load", load_dir / "pes-valid.trig", data_dir=tmp_path).returncode == 0
    before = dataset(tmp_path / "store")
    bad = load_dir / "pes-violation.ttl"
    result = run_here("load", load_dir / "pes-patch.ttl", bad, data_dir=tmp_path)
    assert_clean_failure(result)
    assert f"graphsvc load: error: {bad}: 1 SHACL violation(s)" in result.stderr
    assert (
        "<https://w3id.org/graphsvc/id/pes/nor-example-service> dct:spatial: "
        "A PES needs exactly one country"
    ) in result.stderr
    assert dataset(tmp_path / "store") == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "{load}/missing.ttl"], "missing.ttl: cannot read"),
        (["load", "{load}/../sample.trig.csv"], "unknown RDF format"),
        (["load", "--graph", "not an iri", "{load}/pes-valid.trig"], "'not an iri' is not a valid"),
        (["export", "--graph", "bad iri"], "'bad iri' is not a valid"),
        (["export", "-o", "{tmp}/no/such/dir/out.nq"], "out.nq: cannot write"),
        (["--store", "sparql", "stats"], "GRAPHSVC_SPARQL_QUERY_URL"),
        (["validate", "{load}/syntax-error.ttl"], "syntax-error.ttl:3:11"),
    ],
)
def test_user_errors_are_one_clean_message(
    tmp_path: Path, load_dir: Path, args: list[str], message: str
) -> None:
    argv = [a.format(load=load_dir, tmp=tmp_path) for a in args]
    result = run_here(*argv, data_dir=tmp_path / "data")
    assert_clean_failure(result)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_locked_store_is_read_and_not_written(tmp_path: Path, load_dir: Path) -> None:
    assert run_here("load", load_dir / "pes-valid.trig", data_dir=tmp_path).returncode == 0
    with OxigraphStore(tmp_path / "store"):  # another process holds the store
        stats = run("stats", data_dir=tmp_path)
        load = run("load", load_dir / "pes-patch.ttl", data_dir=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert "7  (all graphs)" in stats.stdout
    assert_clean_failure(load)
    assert "open in another process" in load.stderr and "stop the service" in load.stderr


def test_validate_the_real_ontology_and_seeds() -> None:
    result = run_here("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("conforms: ")


def test_validate_files_reports_violations(load_dir: Path) -> None:
    bad = load_dir / "pes-violation.ttl"
    result = run("validate", load_dir / "pes-valid.trig", bad)
    assert_clean_failure(result)
    assert result.returncode == 1
    assert f"{bad}: 1 SHACL violation(s)" in result.stderr
    assert "nor-example-service> dct:spatial" in result.stderr
    ok = run_here("validate", load_dir / "pes-valid.trig")
    assert ok.returncode == 0
    assert "conforms: 1 file(s), 7 quads" in ok.stdout


def test_stats_lists_triples_per_graph_and_instances_per_class(seeded_dir: Path) -> None:
    result = run_here("stats", data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    with OxigraphStore(seeded_dir / "store") as store:
        graphs = store.named_graphs()
        counts = store.query(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a pes:PublicEmploymentService } }"
        )
        assert isinstance(counts, QuerySolutions)
        pes_count = int(next(iter(counts))["n"].value)  # type: ignore[union-attr]
        ontology_triples = len(list(store.quads(graph=NamedNode(str(ONTOLOGY_GRAPH)))))
        total = len(store)
    lines = result.stdout.splitlines()
    for graph in graphs:
        assert any(line.endswith(f"  {graph.value}") for line in lines), graph
    assert f"{ontology_triples:>10}  {ONTOLOGY_GRAPH}" in lines
    assert f"{total:>10}  (all graphs)" in lines
    assert f"{pes_count:>10}  {PES}" in lines
    assert pes_count > 0


def test_export_nq_round_trips_into_a_fresh_store(seeded_dir: Path, tmp_path: Path) -> None:
    dump = tmp_path / "all.nq"
    result = run_here("export", "--format", "nq", "-o", dump, data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob(".*partial"))
    fresh = tmp_path / "fresh"
    loaded = run_here("load", dump, data_dir=fresh)  # validated on the way in
    assert loaded.returncode == 0, loaded.stderr
    assert dataset(fresh / "store") == dataset(seeded_dir / "store")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_every_format_parses(seeded_dir: Path, name: str) -> None:
    fmt = FORMATS[name]
    result = run_here("export", "--format", name, data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    parsed = list(pyoxigraph.parse(io.BytesIO(result.stdout.encode()), fmt.rdf_format))
    with OxigraphStore(seeded_dir / "store") as store:
        expected = len(store) if fmt.supports_datasets else None
    if expected is not None:
        assert len(parsed) == expected
    else:
        assert len(parsed) > 0


def test_export_gz_is_gzip(seeded_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dump.trig.gz"
    result = run_here("export", "--format", "trig", "-o", out, data_dir=seeded_dir)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    parsed = list(pyoxigraph.parse(gzip.decompress(raw), pyoxigraph.RdfFormat.TRIG))
    with OxigraphStore(seeded_dir / "store") as store:
        assert len(parsed) == len(store)


def test_export_one_graph_keeps_its_name(seeded_dir: Path) -> None:
    graph = str(ONTOLOGY_GRAPH)
    result = subprocess.run(
        [str(GRAPHSVC), "--data-dir", str(seeded_dir), "export", "-f", "nq", "--graph", graph],
        capture_output=True,
        timeout=300,
        env=cli_env(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    quads = list(pyoxigraph.parse(result.stdout, pyoxigraph.RdfFormat.N_QUADS))
    assert quads
    assert {q.graph_name for q in quads} == {NamedNode(graph)}


def test_cli_against_a_remote_store(
    oxigraph_server: OxigraphServer, load_dir: Path, tmp_path: Path
) -> None:
    oxigraph_server.clear()
    env = {
        "GRAPHSVC_STORE": "sparql",
        "GRAPHSVC_SPARQL_QUERY_URL": oxigraph_server.query_url,
        "GRAPHSVC_SPARQL_UPDATE_URL": oxigraph_server.update_url,
    }
    bad = run_here("load", load_dir / "pes-violation.ttl", env=env)
    assert_clean_failure(bad)
    assert run_here("load", load_dir / "pes-valid.trig", env=env).returncode == 0
    stats = run_here("stats", env=env)
    assert f"         7  {TEST_GRAPH}" in stats.stdout
    out = tmp_path / "remote.nq"
    assert run_here("export", "-o", out, env=env).returncode == 0
    assert len(list(pyoxigraph.parse(out.read_bytes(), pyoxigraph.RdfFormat.N_QUADS))) == 7
    oxigraph_server.clear()


def test_an_unreachable_remote_store_is_a_clean_error() -> None:
    port = free_port()  # nothing listens there
    env = cli_env(
        GRAPHSVC_STORE="sparql",
        GRAPHSVC_SPARQL_QUERY_URL=f"http://127.0.0.1:{port}/query",
        GRAPHSVC_SPARQL_UPDATE_URL=f"http://127.0.0.1:{port}/update",
    )
    result = run("stats", env=env)
    assert_clean_failure(result)
    assert f"http://127.0.0.1:{port}/query: request failed" in result.stderr


def test_long_work_shows_a_progress_bar_on_a_terminal(load_dir: Path) -> None:
    main, secondary = pty.openpty()
    # a terminal of 80 columns (a fresh pty has 0, where tqdm draws nothing)
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = subprocess.Popen(
            [str(GRAPHSVC), "validate", str(load_dir / "pes-valid.trig")],
            stdout=subprocess.PIPE,
            stderr=secondary,
            env=cli_env(),
        )
        os.close(secondary)
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0
        assert process.stdout is not None
        process.stdout.close()
    finally:
        os.close(main)
    terminal = b"".join(chunks).decode(errors="replace")
    assert "validating" in terminal
    assert "check/s" in terminal


def _serve_answers(port: int) -> Callable[[], bool]:
    import httpx

    def check() -> bool:
        if not listening(port):  # a bare connection first: cheap to poll, unlike httpx.get
            return False
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def test_serve_runs_the_app_and_stops_on_sigint(tmp_path: Path) -> None:
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [str(GRAPHSVC), "--data-dir", str(tmp_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(GRAPHSVC_SPARQL_WORKERS="1"),  # each is an interpreter; no query is sent
    )
    try:
        wait_until(_serve_answers(port), 180, "graphsvc serve")
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
        assert health["status"] == "ok"
        assert health["store"] == "oxigraph"
    finally:
        process.send_signal(2)  # SIGINT, as Ctrl-C
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    with OxigraphStore(tmp_path / "store") as store:  # seeded, and the lock is released
        assert not store.is_empty()


def test_serve_with_broken_seeds_fails_with_one_message(tmp_path: Path, project_copy: Path) -> None:
    (project_copy / "seeds" / "zz-broken.trig").write_text("<a> <b> <c> <d> <e> .\n")
    env = cli_env(GRAPHSVC_SEEDS_DIR=str(project_copy / "seeds"))
    result = run("serve", "--port", str(free_port()), data_dir=tmp_path, env=env)
    assert_clean_failure(result)
    assert "zz-broken.trig:1:" in result.stderr
    with OxigraphStore(tmp_path / "store") as store:
        assert store.is_empty()


def test_a_bulk_load_adds_every_file_or_none(tmp_path: Path, load_dir: Path) -> None:
    assert run_here("load", load_dir / "pes-valid.trig", data_dir=tmp_path).returncode == 0
    before = dataset(tmp_path / "store")
    bad = load_dir / "syntax-error.ttl"
    failed = run_here("load", "--bulk", load_dir / "pes-patch.ttl", bad, data_dir=tmp_path)
    assert_clean_failure(failed)
    assert failed.returncode == 2
    assert f"graphsvc load: error: {bad}:3:11: " in failed.stderr
    assert dataset(tmp_path / "store") == before  # pes-patch.ttl, loaded first, is not there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no staging copy left

    graph = "https://w3id.org/graphsvc/graph/reference/bulk"
    loaded = run_here(
        "load", "--bulk", "--graph", graph, load_dir / "pes-patch.ttl", data_dir=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    assert graph in loaded.stdout and TEST_GRAPH in loaded.stdout
    with OxigraphStore(tmp_path / "store") as store:
        graphs = {g.value for g in store.named_graphs()}
        patch = sum(1 for _ in store.quads(graph=NamedNode(graph)))
    assert graphs == {TEST_GRAPH, graph} and patch > 0
    assert f"loaded {patch} new quads from 1 file(s) in bulk" in loaded.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_bulk_load_waits_for_the_store_lock(tmp_path: Path, load_dir: Path) -> None:
    with OxigraphStore(tmp_path / "store"):
        result = run("load", "--bulk", load_dir / "pes-patch.ttl", data_dir=tmp_path)
    assert_clean_failure(result)
    assert "lock" in (result.stderr + result.stdout).lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


@pytest.mark.parametrize("finished", [False, True], ids=["undone", "completed"])
def test_an_interrupted_swap_is_repaired_when_the_store_opens(
    tmp_path: Path, load_dir: Path, finished: bool
) -> None:
    """The state a crash between the swap's two renames leaves (see graphsvc.store.bulk)."""
    assert run_here("load", load_dir / "pes-valid.trig", data_dir=tmp_path).returncode == 0
    before = dataset(tmp_path / "store")
    replaced = tmp_path / "store.replaced"
    if finished:
        shutil.copytree(tmp_path / "store", replaced)  # the old copy, not yet removed
    else:
        (tmp_path / "store").rename(replaced)  # the new copy never took its place
    assert dataset(tmp_path / "store") == before
    assert not replaced.exists()
