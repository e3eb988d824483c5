"""The local Hub server (tests/hub_server.py) against the real huggingface_hub client over HTTP."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import HfApi, hf_hub_download, hf_hub_url, snapshot_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.file_download import http_get

from .hub_server import HubServer

REPO = "user/model"
BIG = bytes(range(256)) * 781 + bytes(64)  # 200,000 bytes, every byte value
CONFIG = json.dumps({"width": 8}).encode()

# Run in a subprocess: HF_ENDPOINT and HF_HUB_OFFLINE are read when huggingface_hub is imported.
DOWNLOAD_SCRIPT = (
    "import sys\n"
    "from huggingface_hub import hf_hub_download\n"
    "print(hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3]))\n"
)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_XET", True)  # LFS, not Xet
    with HubServer(tmp_path / "hub") as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def download(hub: HubServer, cache: Path, filename: str, **kwargs) -> bytes:
    path = hf_hub_download(REPO, filename, endpoint=hub.url, cache_dir=cache, **kwargs)
    return Path(path).read_bytes()


def gets_of(hub: HubServer, suffix: str) -> list[dict[str, str]]:
    return [
        headers
        for method, path, headers in hub.requests
        if method == "GET" and path.endswith(suffix)
    ]


def test_upload_folder_then_download_round_trip(
    hub: HubServer, cache: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "upload"
    (folder / "nested").mkdir(parents=True)
    files = {
        "config.json": CONFIG,
        "weights.bin": BIG,
        "nested/notes.txt": b"hi",
        "README.md": b"# M",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    api = HfApi(endpoint=hub.url, token="t")
    api.create_repo(REPO, exist_ok=True)
    api.create_repo(REPO, exist_ok=True)  # second call hits the 409 path

    info = api.upload_folder(repo_id=REPO, folder_path=folder, commit_message="weights")

    assert len(info.oid) == 40 and info.oid == api.model_info(REPO).sha == hub.head(REPO)
    assert info.commit_url == f"{hub.url}/{REPO}/commit/{info.oid}"
    siblings = {s.rfilename for s in api.model_info(REPO, revision=info.oid).siblings}
    assert siblings == {".gitattributes", *files}
    for name, data in files.items():
        assert download(hub, cache, name) == data
    assert hub.lfs_uploads == [hashlib.sha256(BIG).hexdigest()]  # weights.bin went through LFS
    blob = cache / "models--user--model" / "blobs" / hashlib.sha256(BIG).hexdigest()
    assert blob.read_bytes() == BIG  # the ETag (sha256) names the cached blob
    assert (cache / "models--user--model" / "snapshots" / info.oid / "weights.bin").is_file()


def test_new_commit_keeps_old_revision(hub: HubServer, cache: Path) -> None:
    api = HfApi(endpoint=hub.url, token="t")
    api.create_repo(REPO)
    first = api.upload_file(path_or_fileobj=CONFIG, path_in_repo="config.json", repo_id=REPO).oid
    assert download(hub, cache, "config.json") == CONFIG

    second = api.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=REPO).oid

    assert second != first and hub.head(REPO) == second
    assert download(hub, cache, "config.json") == b"{}"
    assert download(hub, cache, "config.json", revision="main") == b"{}"
    assert download(hub, cache, "config.json", revision=first) == CONFIG
    assert download(hub, cache, "config.json", revision=second) == b"{}"


def test_tags_pin_a_commit(hub: HubServer, cache: Path) -> None:
    api = HfApi(endpoint=hub.url, token="t")
    first = hub.add_files(REPO, {"config.json": CONFIG})
    api.create_tag(REPO, tag="v1", revision=first)
    hub.add_files(REPO, {"config.json": b"{}"})
    with pytest.raises(HfHubHTTPError) as caught:
        api.create_tag(REPO, tag="v1")
    assert caught.value.response.status_code == 409
    assert download(hub, cache, "config.json", revision="v1") == CONFIG
    assert api.model_info(REPO, revision="v1").sha == first != hub.head(REPO)


def test_snapshot_download_gets_every_file_of_the_revision(hub: HubServer, cache: Path) -> None:
    first = hub.add_files(REPO, {"a.txt": b"a1", "sub/b.bin": BIG})
    hub.add_files(REPO, {"a.txt": b"a2", "c.txt": b"c"}, message="more")

    old = Path(snapshot_download(REPO, revision=first, endpoint=hub.url, cache_dir=cache))
    new = Path(snapshot_download(REPO, endpoint=hub.url, cache_dir=cache))

    def contents(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert old.name == first
    assert contents(old) == {
        ".gitattributes": contents(new)[".gitattributes"],
        "a.txt": b"a1",
        "sub/b.bin": BIG,
    }
    assert {k: v for k, v in contents(new).items() if k != ".gitattributes"} == {
        "a.txt": b"a2",
        "sub/b.bin": BIG,
        "c.txt": b"c",
    }


def test_offline_subprocess_reads_the_cache_without_any_request(
    hub: HubServer, cache: Path
) -> None:
    hub.add_files(REPO, {"config.json": CONFIG})
    cached = download(hub, cache, "config.json")
    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env["HF_ENDPOINT"] = hub.url

    def run(**extra: str) -> Path:
        args = [sys.executable, "-c", DOWNLOAD_SCRIPT, REPO, "config.json", str(cache)]
        done = subprocess.run(
            args, env={**env, **extra}, capture_output=True, text=True, check=True
        )
        return Path(done.stdout.strip().splitlines()[-1])

    before = len(hub.requests)
    online = run()  # control: an online subprocess does reach the server through HF_ENDPOINT
    assert len(hub.requests) > before
    before = len(hub.requests)
    offline = run(HF_HUB_OFFLINE="1")
    assert len(hub.requests) == before
    assert offline == online and offline.read_bytes() == cached == CONFIG


@pytest.mark.parametrize(
    ("repo_id", "filename", "revision", "error"),
    [
        ("user/missing", "config.json", None, RepositoryNotFoundError),
        (REPO, "missing.txt", None, RemoteEntryNotFoundError),
        (REPO, "config.json", "no-such-branch", RevisionNotFoundError),
        (REPO, "config.json", "0" * 40, RevisionNotFoundError),
    ],
)
def test_errors_map_to_client_exceptions(hub, cache, repo_id, filename, revision, error) -> None:
    hub.add_files(REPO, {"config.json": CONFIG})
    with pytest.raises(error):
        hf_hub_download(repo_id, filename, revision=revision, endpoint=hub.url, cache_dir=cache)


def test_errors_from_api_calls(hub: HubServer, cache: Path) -> None:
    hub.add_files(REPO, {"config.json": CONFIG})
    api = HfApi(endpoint=hub.url, token="t")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("user/missing")
    with pytest.raises(RevisionNotFoundError):
        snapshot_download(REPO, revision="nope", endpoint=hub.url, cache_dir=cache)
    with pytest.raises(EntryNotFoundError):  # base class of RemoteEntryNotFoundError
        download(hub, cache, "nope.bin")


def test_truncated_download_raises_and_caches_nothing(hub: HubServer, cache: Path) -> None:
    sha = hub.add_files(REPO, {"weights.bin": BIG})
    # hf_hub_download retries a dropped connection 5 times, so break the first try and all retries.
    hub.fail_next_download("weights.bin", "truncate", times=6)

    with pytest.raises(httpx2.RemoteProtocolError, match="received 100000 bytes, expected 200000"):
        download(hub, cache, "weights.bin")

    assert len(gets_of(hub, "weights.bin")) == 6
    blobs = cache / "models--user--model" / "blobs"
    leftovers = [p.name for p in blobs.iterdir()]
    assert hashlib.sha256(BIG).hexdigest() not in leftovers
    assert all(name.endswith(".incomplete") for name in leftovers)  # none in practice
    assert not (cache / "models--user--model" / "snapshots" / sha / "weights.bin").exists()
    assert download(hub, cache, "weights.bin") == BIG  # the faults are used up


def test_single_truncation_is_retried_by_the_client(hub: HubServer, cache: Path) -> None:
    hub.add_files(REPO, {"weights.bin": BIG})
    hub.fail_next_download("weights.bin", "truncate")
    assert download(hub, cache, "weights.bin") == BIG
    assert len(gets_of(hub, "weights.bin")) == 2


def test_server_error_fails_the_get_only(hub: HubServer, cache: Path) -> None:
    hub.add_files(REPO, {"weights.bin": BIG})
    hub.fail_next_download("weights.bin", "500")
    with pytest.raises(HfHubHTTPError) as caught:
        download(hub, cache, "weights.bin")
    assert caught.value.response.status_code == 500
    assert [m for m, p, _ in hub.requests if p.endswith("weights.bin")] == ["HEAD", "GET"]
    assert download(hub, cache, "weights.bin") == BIG


def test_range_request_resumes_a_partial_file(hub: HubServer) -> None:
    hub.add_files(REPO, {"weights.bin": BIG})
    buffer = io.BytesIO(b"x" * 1000)
    buffer.seek(1000)
    http_get(hf_hub_url(REPO, "weights.bin", endpoint=hub.url), buffer, resume_size=1000)
    # A server ignoring Range would make the client rewrite the whole file, "x" prefix included.
    assert buffer.getvalue() == b"x" * 1000 + BIG[1000:]
    assert gets_of(hub, "weights.bin")[-1]["range"] == "bytes=1000-"


def test_tokens_are_sent_as_bearer_authorization(hub: HubServer, cache: Path) -> None:
    api = HfApi(endpoint=hub.url, token="hf_writer")
    api.create_repo(REPO)
    api.upload_file(path_or_fileobj=CONFIG, path_in_repo="config.json", repo_id=REPO)
    assert download(hub, cache, "config.json", token="hf_reader") == CONFIG
    download(hub, cache, "config.json", token=False, force_download=True)

    auth = [
        (method, path.split("?")[0], h.get("authorization")) for method, path, h in hub.requests
    ]
    writes = [a for m, p, a in auth if m == "POST"]
    reads = [a for m, p, a in auth if "/resolve/" in p]
    assert writes and set(writes) == {"Bearer hf_writer"}
    assert reads[:2] == ["Bearer hf_reader"] * 2  # HEAD + GET
    assert reads[2:] == [None, None]  # token=False sends no header
