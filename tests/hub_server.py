"""A local, file-backed server speaking the part of the Hugging Face Hub protocol used by
``huggingface_hub`` (checked against 2.4.0) to create model repos, commit files and download them.

Usage::

    with HubServer(tmp_path / "hub") as hub:
        api = HfApi(endpoint=hub.url, token="t")
        api.create_repo("user/name", exist_ok=True)
        api.upload_folder(repo_id="user/name", folder_path=folder)
        hf_hub_download("user/name", "config.json", endpoint=hub.url, cache_dir=tmp_path / "cache")

Endpoints: ``POST /api/repos/create``, ``POST /api/validate-yaml``,
``GET /api/models/{repo}[/revision/{rev}]``, ``GET /api/models/{repo}/tree/{rev}[/{path}]``,
``POST /api/models/{repo}/paths-info/{rev}``, ``POST /api/models/{repo}/preupload/{rev}``,
``POST /api/models/{repo}/commit/{branch}`` and ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``
(with ``Range``). Preupload answers ``"regular"`` for every file, so commits carry their content
inline (base64 NDJSON lines) and no LFS or Xet transfer ever happens.

Like the Hub, a new repo starts with one commit holding a ``.gitattributes`` file. Storage under
``root``: ``blobs/<sha256>`` (file contents), ``repos/<user>/<name>/commits/<sha1>.json`` (the
full file table of each commit) and ``repos/<user>/<name>/refs/<branch>`` (a commit sha).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

GITATTRIBUTES = b"*.bin filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_REF = re.compile(r"[\w.-]+(?:/[\w.-]+)*")
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")

Response = tuple[int, dict[str, str], bytes]


class _HubError(Exception):
    """An error answered like the Hub does: status, ``X-Error-Code`` header, JSON body."""

    def __init__(self, status: int, code: str | None, message: str, commit: str | None = None):
        super().__init__(message)
        self.status, self.code, self.commit = status, code, commit

    def response(self) -> Response:
        headers = {"Content-Type": "application/json", "X-Error-Message": str(self)}
        if self.code:
            headers["X-Error-Code"] = self.code
        if self.commit:  # the client caches "file absent at this commit" from it
            headers["X-Repo-Commit"] = self.commit
        return self.status, headers, json.dumps({"error": str(self)}).encode()


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the owning :class:`HubServer`."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the Hub; every answer has a Content-Length

    def do_GET(self) -> None:
        self.server.hub._dispatch(self)  # type: ignore[attr-defined]

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read ``HubServer.requests`` instead."""


class HubServer:
    """A Hugging Face Hub look-alike on ``127.0.0.1`` (free port), run in a daemon thread.

    ``requests`` lists ``(method, raw path with query, headers with lower-case names)`` for every
    request received. Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._faults: list[list] = []  # [path_suffix, mode, remaining]
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle and test API

    def __enter__(self) -> HubServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Bind a free port and serve in a daemon thread."""
        (self.root / "blobs").mkdir(parents=True, exist_ok=True)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.hub = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = None

    @property
    def url(self) -> str:
        """The endpoint to hand to the client, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def fail_next_download(self, path_suffix: str, mode: str = "truncate", times: int = 1) -> None:
        """Break the next ``times`` GETs of a ``/resolve/`` URL whose path ends with ``path_suffix``.

        ``"500"`` answers HTTP 500; ``hf_hub_download`` raises ``HfHubHTTPError`` at once.
        ``"truncate"`` sends the full headers, then the body only up to the middle of the file,
        then closes the connection. ``hf_hub_download`` retries that 5 times, 1 s apart (from
        byte 0 for files under 10 MiB, whose partial chunk it drops; with ``Range`` beyond), so
        ``times=1`` is recovered silently and ``times=6`` makes it raise
        ``httpx2.RemoteProtocolError`` after about 5 s. HEAD requests are never affected.
        """
        if mode not in ("truncate", "500"):
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self._faults.append([path_suffix, mode, times])

    def add_files(self, repo_id: str, files: dict[str, bytes], message: str = "Add files") -> str:
        """Commit ``files`` to ``main`` of ``repo_id`` (created if missing); return the commit sha."""
        with self._lock:
            if not (self.root / "repos" / repo_id).is_dir():
                self._create_repo(repo_id)
            return self._commit(repo_id, "main", dict(files), message)

    def head(self, repo_id: str, revision: str = "main") -> str:
        """The commit sha that ``revision`` points to."""
        return self._resolve(repo_id, revision)[0]

    # ------------------------------------------------------------------ storage

    def _repo_dir(self, repo_id: str) -> Path:
        """Folder of an existing repo, else a ``RepoNotFound`` error."""
        path = self.root / "repos" / repo_id
        if not _REPO_ID.fullmatch(repo_id) or ".." in repo_id or not path.is_dir():
            raise _HubError(404, "RepoNotFound", f"Repository {repo_id} not found")
        return path

    def _create_repo(self, repo_id: str) -> str:
        """Create the repo with its initial ``.gitattributes`` commit on ``main``."""
        if not _REPO_ID.fullmatch(repo_id) or ".." in repo_id:
            raise _HubError(400, None, f"Invalid repo id {repo_id!r}")
        repo = self.root / "repos" / repo_id
        (repo / "commits").mkdir(parents=True)
        (repo / "refs").mkdir()
        files = {".gitattributes": self._store_blob(GITATTRIBUTES)}
        return self._write_commit(repo, "main", None, files, "initial commit")

    def _store_blob(self, data: bytes) -> dict:
        """Save ``data`` content-addressed; return its file-table entry."""
        sha256 = hashlib.sha256(data).hexdigest()
        blob = self.root / "blobs" / sha256
        if not blob.exists():
            blob.write_bytes(data)
        git_oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        return {"sha256": sha256, "size": len(data), "oid": git_oid}

    def _write_commit(self, repo: Path, branch: str, parent: str | None, files: dict, message: str) -> str:
        """Write an immutable commit record, then move ``branch`` to it."""
        record = {"parent": parent, "message": message, "files": files}
        record["date"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        seed = json.dumps({**record, "ns": time.time_ns()}, sort_keys=True).encode()
        sha = hashlib.sha1(seed).hexdigest()
        (repo / "commits" / f"{sha}.json").write_text(json.dumps(record))
        (repo / "refs" / branch).write_text(sha)
        return sha

    @staticmethod
    def _branch(repo: Path, name: str) -> Path | None:
        """The ref file of an existing branch ``name`` of ``repo``, else ``None``."""
        ref = repo / "refs" / name
        return ref if _REF.fullmatch(name) and ".." not in name and ref.is_file() else None

    def _resolve(self, repo_id: str, revision: str) -> tuple[str, dict]:
        """``(commit sha, file table)`` of a branch name or full commit sha."""
        repo = self._repo_dir(repo_id)
        ref = self._branch(repo, revision)
        sha = ref.read_text() if ref else revision
        record = repo / "commits" / f"{sha}.json"
        if not _SHA1.fullmatch(sha) or not record.is_file():
            raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return sha, json.loads(record.read_text())["files"]

    def _commit(self, repo_id: str, branch: str, changes: dict, message: str) -> str:
        """Apply ``{path: bytes}`` (``None`` deletes a file, a path ending in ``/`` a folder)."""
        with self._lock:
            repo = self._repo_dir(repo_id)
            if self._branch(repo, branch) is None:
                raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {branch}")
            parent, files = self._resolve(repo_id, branch)
            for path, data in changes.items():
                if path.endswith("/"):
                    files = {p: e for p, e in files.items() if not p.startswith(path)}
                elif data is None and files.pop(path, None) is None:
                    raise _HubError(404, "EntryNotFound", f"A file with this name doesn't exist: {path}")
                elif data is not None:
                    if path.startswith("/") or ".." in path.split("/"):
                        raise _HubError(400, None, f"Invalid path {path!r}")
                    files[path] = self._store_blob(data)
            return self._write_commit(repo, branch, parent, files, message)

    @staticmethod
    def _entries(files: dict) -> list[dict]:
        """Tree entries (files and the folders holding them), as ``/tree`` returns them."""
        entries = [{"type": "file", "path": p, "size": e["size"], "oid": e["oid"]} for p, e in files.items()]
        folders = {p.rsplit("/", 1)[0] for p in files if "/" in p}
        folders |= {f.rsplit("/", i)[0] for f in folders for i in range(1, f.count("/") + 1)}
        for folder in folders:
            oid = hashlib.sha1(folder.encode()).hexdigest()
            entries.append({"type": "directory", "path": folder, "size": 0, "oid": oid})
        return sorted(entries, key=lambda entry: entry["path"])

    # ------------------------------------------------------------------ HTTP plumbing

    def _dispatch(self, req: BaseHTTPRequestHandler) -> None:
        """Record, route and answer one request, applying any injected fault."""
        url = urlsplit(req.path)
        headers = {key.lower(): value for key, value in req.headers.items()}
        with self._lock:
            self.requests.append((req.command, req.path, headers))
        body = req.rfile.read(int(headers.get("content-length") or 0))
        fault = self._take_fault(req.command, unquote(url.path))
        try:
            if fault == "500":
                raise _HubError(500, None, "Injected server error")
            parts = [unquote(part) for part in url.path.split("/")[1:]]
            result = self._route(req.command, parts, parse_qs(url.query), body, headers)
        except _HubError as err:
            result = err.response()
        except (ValueError, KeyError, TypeError) as err:
            result = _HubError(400, None, f"Bad request: {err!r}").response()
        cut = self._truncation_point(*result) if fault == "truncate" and result[0] < 300 else None
        self._send(req, *result, cut=cut)

    def _take_fault(self, method: str, path: str) -> str | None:
        """Consume and return the mode of the first pending fault matching a file GET."""
        if method != "GET" or "/resolve/" not in path:
            return None
        with self._lock:
            for fault in self._faults:
                if path.endswith(fault[0]):
                    fault[2] -= 1
                    self._faults = [f for f in self._faults if f[2] > 0]
                    return fault[1]
        return None

    @staticmethod
    def _truncation_point(_status: int, headers: dict, payload: bytes) -> int:
        """How many bytes of ``payload`` to send so that the stream dies mid-file."""
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+)", headers.get("Content-Range", ""))
        start, total = (int(match[1]), int(match[2])) if match else (0, len(payload))
        return max(0, total // 2 - start)

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, status: int, headers: dict, payload: bytes, cut: int | None) -> None:
        """Write the answer; with ``cut``, stop after that many body bytes and drop the connection."""
        req.send_response(status)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(payload[:cut])
        if cut is not None:
            req.close_connection = True

    @staticmethod
    def _json(obj: object, status: int = 200) -> Response:
        return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()

    # ------------------------------------------------------------------ routes

    def _route(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Response:
        """Pick the endpoint for ``method`` and the unquoted path segments."""
        if parts[:1] == ["api"]:
            return self._api(method, parts[1:], query, body)
        if len(parts) >= 5 and parts[2] == "resolve" and method in ("GET", "HEAD"):
            repo_id, revision, path = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            return self._serve_file(repo_id, revision, path, headers.get("range"))
        raise _HubError(404, None, f"No route for {method} /{'/'.join(parts)}")

    def _api(self, method: str, parts: list[str], query: dict, body: bytes) -> Response:
        """``/api/...`` routes; repo routes get ``(repo_id, revision, sub-path, query, body)``."""
        if method == "POST" and parts == ["repos", "create"]:
            return self._create_repo_route(json.loads(body))
        if method == "POST" and parts == ["validate-yaml"]:
            return self._json({"errors": [], "warnings": []})
        if len(parts) < 3 or parts[0] != "models":
            raise _HubError(404, None, f"No route for {method} /api/{'/'.join(parts)}")
        repo_id, rest = "/".join(parts[1:3]), parts[3:]
        action = rest[0] if rest else "revision"
        revision = rest[1] if len(rest) > 1 else "main"
        handler = {
            ("GET", "revision"): self._model_info,
            ("GET", "tree"): self._tree,
            ("POST", "paths-info"): self._paths_info,
            ("POST", "preupload"): self._preupload,
            ("POST", "commit"): self._create_commit,
        }.get((method, action))
        if handler is None:
            raise _HubError(404, None, f"No route for {method} /api/{'/'.join(parts)}")
        return handler(repo_id, revision, "/".join(rest[2:]), query, body)

    def _create_repo_route(self, payload: dict) -> Response:
        """``create_repo``: 200 with the repo url, or 409 (with the url) if it exists."""
        if payload.get("type", "model") not in (None, "model") or not payload.get("organization"):
            raise _HubError(400, None, "Only model repos with an explicit namespace are supported")
        repo_id = f"{payload['organization']}/{payload['name']}"
        with self._lock:
            if (self.root / "repos" / repo_id).is_dir():
                error = {"error": "You already created this model repo", "url": f"{self.url}/{repo_id}"}
                return self._json(error, status=409)
            self._create_repo(repo_id)
        return self._json({"url": f"{self.url}/{repo_id}", "name": repo_id})

    def _model_info(self, repo_id: str, revision: str, _path: str, _query: dict, _body: bytes) -> Response:
        """``model_info``/``repo_info``: ``sha`` and ``siblings`` of a revision."""
        sha, files = self._resolve(repo_id, revision)
        record = json.loads((self._repo_dir(repo_id) / "commits" / f"{sha}.json").read_text())
        siblings = [{"rfilename": p, "size": e["size"], "blobId": e["oid"]} for p, e in sorted(files.items())]
        info = {"id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0], "sha": sha}
        info.update(lastModified=record["date"], private=False, gated=False, disabled=False)
        return self._json({**info, "tags": [], "downloads": 0, "likes": 0, "siblings": siblings})

    def _tree(self, repo_id: str, revision: str, path: str, query: dict, _body: bytes) -> Response:
        """``list_repo_tree`` (used by ``snapshot_download``), one page, no ``Link`` header."""
        sha, files = self._resolve(repo_id, revision)
        entries = self._entries(files)
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        if prefix and not any(e["path"] == prefix[:-1] and e["type"] == "directory" for e in entries):
            raise _HubError(404, "EntryNotFound", f"{path} does not exist on {revision}", commit=sha)
        recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
        entries = [e for e in entries if e["path"].startswith(prefix)]
        if not recursive:
            entries = [e for e in entries if "/" not in e["path"][len(prefix) :]]
        return self._json(entries)

    def _paths_info(self, repo_id: str, revision: str, _path: str, _query: dict, body: bytes) -> Response:
        """``get_paths_info``: entries for the form-encoded ``paths`` that exist."""
        wanted = set(parse_qs(body.decode()).get("paths", []))
        _, files = self._resolve(repo_id, revision)
        return self._json([e for e in self._entries(files) if e["path"] in wanted])

    def _preupload(self, repo_id: str, revision: str, _path: str, _query: dict, body: bytes) -> Response:
        """Every file goes inline ("regular"); ``oid`` lets the client skip unchanged files."""
        _, files = self._resolve(repo_id, revision)
        answer = [
            {
                "path": f["path"],
                "uploadMode": "regular",
                "shouldIgnore": False,
                "oid": files.get(f["path"], {}).get("oid"),
            }
            for f in json.loads(body)["files"]
        ]
        return self._json({"files": answer})

    def _create_commit(self, repo_id: str, branch: str, _path: str, _query: dict, body: bytes) -> Response:
        """Apply an NDJSON commit (header, file, deletedFile, deletedFolder lines) to ``branch``."""
        summary, changes = "", {}
        for item in map(json.loads, filter(None, body.splitlines())):
            key, value = item["key"], item["value"]
            if key == "header":
                summary = value.get("summary", "")
            elif key == "file":
                changes[value["path"]] = base64.b64decode(value["content"])
            elif key in ("deletedFile", "deletedFolder"):
                changes[value["path"].rstrip("/") + ("/" if key == "deletedFolder" else "")] = None
            else:
                raise _HubError(400, None, f"Unsupported commit operation {key!r} (no LFS/Xet here)")
        sha = self._commit(repo_id, branch, changes, summary)
        commit_url = f"{self.url}/{repo_id}/commit/{sha}"
        return self._json({"success": True, "commitOid": sha, "commitUrl": commit_url, "hookOutput": ""})

    def _serve_file(self, repo_id: str, revision: str, path: str, range_header: str | None) -> Response:
        """``/resolve/``: file bytes with ``X-Repo-Commit``, ``ETag`` (quoted sha256), ``Range``."""
        sha, files = self._resolve(repo_id, revision)
        if path not in files:
            raise _HubError(404, "EntryNotFound", f"{path} does not exist on {revision}", commit=sha)
        entry = files[path]
        data = (self.root / "blobs" / entry["sha256"]).read_bytes()
        headers = {"X-Repo-Commit": sha, "ETag": f'"{entry["sha256"]}"', "Accept-Ranges": "bytes"}
        headers["Content-Type"] = "application/octet-stream"
        if range_header is None:
            return 200, headers, data
        start, end = self._byte_range(range_header, len(data))
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return 206, headers, data[start : end + 1]

    @staticmethod
    def _byte_range(header: str, size: int) -> tuple[int, int]:
        """First and last byte of a single ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range."""
        match = _RANGE.fullmatch(header)
        if match is None or match.groups() == ("", ""):
            raise _HubError(416, None, f"Unsupported range {header!r}")
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            raise _HubError(416, None, f"Range {header!r} not satisfiable for {size} bytes")
        return start, end
