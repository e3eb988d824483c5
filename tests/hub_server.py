"""A local, file-backed Hugging Face Hub for tests: model repos, commits and downloads, spoken
over real HTTP to ``huggingface_hub`` (written against 2.4.0). Pass ``endpoint=hub.url`` in-process;
set ``HF_ENDPOINT`` in subprocesses (the client reads it at import).

Endpoints: ``POST /api/repos/create``, ``POST /api/validate-yaml``; under ``/api/models/{repo}``:
``GET [/revision/{rev}]``, ``GET /tree/{rev}[/{path}]``, ``POST /preupload/{rev}``,
``POST /commit/{branch}``, ``POST /tag/{rev}``; ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``
(with ``Range``). Preupload answers ``"lfs"`` for weights and images (``LFS_SUFFIXES``), as the
Hub does, and ``"regular"`` for the rest, whose contents commits carry inline (base64 NDJSON).
LFS files go through the Git LFS batch API with the basic transfer (``POST
/{repo}.git/info/lfs/objects/batch``, ``PUT /lfs/{oid}``, ``POST /lfs/{oid}/verify``) and are
committed as ``lfsFile`` pointers; the server speaks no Xet, so clients run with
``HF_HUB_DISABLE_XET=1`` (``huggingface_hub`` would otherwise upload through Xet when ``hf_xet``
is installed). As on the Hub, a new repo starts with a
``.gitattributes`` commit. Storage under ``root``: ``blobs/<sha256>``,
``repos/<user>/<name>/commits/<sha>.json`` (each commit's file table), ``.../branches/<name>``
and ``.../tags/<name>`` (each holding a commit sha).
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

GITATTRIBUTES = b"*.bin filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs -text\n"
LFS_SUFFIXES = (".bin", ".safetensors", ".png", ".gif", ".jpg", ".pt")
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_REF = re.compile(r"[\w.-]+(?:/[\w.-]+)*")

Response = tuple[int, dict[str, str], bytes]


class _HubError(Exception):
    """An error answered like the Hub does: status, ``X-Error-Code`` header, JSON body."""

    def __init__(self, status: int, code: str | None, message: str, commit: str | None = None):
        super().__init__(message)
        self.status, self.code, self.commit = status, code, commit

    def response(self) -> Response:
        """The answer; ``X-Repo-Commit`` lets the client cache "no such file at this commit"."""
        headers = {"Content-Type": "application/json", "X-Error-Message": str(self)}
        if self.code:
            headers["X-Error-Code"] = self.code
        if self.commit:
            headers["X-Repo-Commit"] = self.commit
        return self.status, headers, json.dumps({"error": str(self)}).encode()


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the owning :class:`HubServer`."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the Hub; every answer has a Content-Length

    def do_GET(self) -> None:
        self.server.hub._dispatch(self)  # type: ignore[attr-defined]

    do_HEAD = do_POST = do_PUT = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read ``HubServer.requests`` instead."""


class HubServer:
    """A Hugging Face Hub look-alike on ``127.0.0.1`` (free port), run in a daemon thread.

    ``requests`` lists ``(method, raw path with query, headers with lower-case names)`` for every
    request received. Use it as a context manager.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._faults: list[list] = []  # [path_suffix, mode, remaining]
        self.lfs_uploads: list[str] = []  # sha256 of every object uploaded through LFS
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle and test API

    def __enter__(self) -> HubServer:
        """Bind a free port and serve in a daemon thread."""
        (self.root / "blobs").mkdir(parents=True, exist_ok=True)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.hub = self  # type: ignore[attr-defined]
        serve, quick_shutdown = self._httpd.serve_forever, {"poll_interval": 0.05}
        self._thread = threading.Thread(target=serve, kwargs=quick_shutdown, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving and close the listening socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

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

    def tag(self, repo_id: str, tag: str, revision: str = "main") -> str:
        """Create tag ``tag`` on ``revision`` (409 error if it exists); return the commit sha."""
        sha, _ = self._resolve(repo_id, revision)
        path = self._repo_dir(repo_id) / "tags" / tag
        with self._lock:
            if not _REF.fullmatch(tag) or ".." in tag or path.exists():
                raise _HubError(409, None, f"Invalid or existing tag {tag!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sha)
        return sha

    def head(self, repo_id: str, revision: str = "main") -> str:
        """The commit sha that ``revision`` points to."""
        return self._resolve(repo_id, revision)[0]

    # ------------------------------------------------------------------ storage

    def _repo_dir(self, repo_id: str, must_exist: bool = True) -> Path:
        """Folder of a (by default existing) repo, else a ``RepoNotFound`` error."""
        path = self.root / "repos" / repo_id
        if not _REPO_ID.fullmatch(repo_id) or ".." in repo_id or (must_exist and not path.is_dir()):
            raise _HubError(404, "RepoNotFound", f"Repository {repo_id} not found")
        return path

    def _create_repo(self, repo_id: str) -> str:
        """Create the repo with its initial ``.gitattributes`` commit on ``main``."""
        repo = self._repo_dir(repo_id, must_exist=False)
        (repo / "commits").mkdir(parents=True)
        (repo / "branches").mkdir()
        files = {".gitattributes": self._store_blob(GITATTRIBUTES)}
        return self._write_commit(repo, "main", parent=None, message="initial commit", files=files)

    def _store_blob(self, data: bytes) -> dict:
        """Save ``data`` content-addressed; return its file-table entry."""
        sha256 = hashlib.sha256(data).hexdigest()
        blob = self.root / "blobs" / sha256
        if not blob.exists():
            blob.write_bytes(data)
        git_oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        return {"sha256": sha256, "size": len(data), "oid": git_oid}

    def _write_commit(self, repo: Path, branch: str, **record: object) -> str:
        """Write an immutable commit (``parent``, ``message``, ``files``), then move ``branch``."""
        record["date"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        seed = json.dumps({**record, "ns": time.time_ns()}, sort_keys=True).encode()
        sha = hashlib.sha1(seed).hexdigest()
        (repo / "commits" / f"{sha}.json").write_text(json.dumps(record))
        (repo / "branches" / branch).write_text(sha)
        return sha

    @staticmethod
    def _ref(repo: Path, kind: str, name: str) -> Path | None:
        """The file of ref ``name`` in ``kind`` ("branches" or "tags") if it exists, else ``None``."""
        ref = repo / kind / name
        return ref if _REF.fullmatch(name) and ".." not in name and ref.is_file() else None

    def _resolve(self, repo_id: str, revision: str) -> tuple[str, dict]:
        """``(commit sha, file table)`` of a branch, a tag or a full commit sha."""
        repo = self._repo_dir(repo_id)
        ref = self._ref(repo, "branches", revision) or self._ref(repo, "tags", revision)
        sha = ref.read_text() if ref else revision
        record = repo / "commits" / f"{sha}.json"
        if not _SHA1.fullmatch(sha) or not record.is_file():
            raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return sha, json.loads(record.read_text())["files"]

    def _commit(self, repo_id: str, branch: str, changes: dict, message: str) -> str:
        """Apply ``{path: bytes}`` (``None`` deletes a file, a path ending in ``/`` a folder)."""
        with self._lock:
            repo = self._repo_dir(repo_id)
            if self._ref(repo, "branches", branch) is None:
                raise _HubError(404, "RevisionNotFound", f"Invalid rev id: {branch}")
            parent, files = self._resolve(repo_id, branch)
            for path, data in changes.items():
                if path.endswith("/"):
                    files = {p: e for p, e in files.items() if not p.startswith(path)}
                elif data is None and files.pop(path, None) is None:
                    raise self._no_entry(path, branch, parent)
                elif data is not None:
                    if path.startswith("/") or ".." in path.split("/"):
                        raise _HubError(400, None, f"Invalid path {path!r}")
                    files[path] = self._store_blob(data)
            return self._write_commit(repo, branch, parent=parent, message=message, files=files)

    @staticmethod
    def _entries(files: dict) -> list[dict]:
        """Tree entries (files and the folders holding them), as ``/tree`` returns them."""
        entries = [
            {"type": "file", "path": p, "size": f["size"], "oid": f["oid"]}
            for p, f in files.items()
        ]
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
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked(req)
        else:
            body = req.rfile.read(int(headers.get("content-length") or 0))
        query, rng = parse_qs(url.query), headers.get("range")
        call = {"method": req.command, "query": query, "body": body, "range": rng}
        fault = self._take_fault(req.command, unquote(url.path))
        try:
            if fault == "500":
                raise _HubError(500, None, "Injected server error")
            result = self._route([unquote(part) for part in url.path.split("/")[1:]], call)
        except _HubError as err:
            result = err.response()
        except (ValueError, KeyError, TypeError) as err:
            result = _HubError(400, None, f"Bad request: {err!r}").response()
        cut = self._truncation_point(result) if fault == "truncate" and result[0] < 300 else None
        self._send(req, result, cut)

    @staticmethod
    def _read_chunked(req: BaseHTTPRequestHandler) -> bytes:
        """A request body sent with ``Transfer-Encoding: chunked``."""
        body = b""
        while True:
            size = int(req.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                req.rfile.readline()  # the blank line after the last chunk
                return body
            body += req.rfile.read(size)
            req.rfile.readline()

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
    def _truncation_point(result: Response) -> int:
        """How many body bytes to send so that the stream dies in the middle of the file."""
        _, headers, payload = result
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+)", headers.get("Content-Range", ""))
        start, total = (int(match[1]), int(match[2])) if match else (0, len(payload))
        return max(0, total // 2 - start)

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, result: Response, cut: int | None) -> None:
        """Write the answer; with ``cut``, stop after that many body bytes and hang up."""
        status, headers, payload = result
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

    @staticmethod
    def _no_entry(path: str, revision: str, sha: str) -> _HubError:
        return _HubError(404, "EntryNotFound", f"{path} does not exist on {revision}", sha)

    # ------------------------------------------------------------------ routes

    def _route(self, parts: list[str], call: dict) -> Response:
        """Pick the endpoint from the method and the unquoted path segments."""
        if parts[:1] == ["api"]:
            return self._api(parts[1:], call)
        if parts[2:] == ["info", "lfs", "objects", "batch"] and call["method"] == "POST":
            return self._lfs_batch(parts[0] + "/" + parts[1].removesuffix(".git"), call)
        if parts[:1] == ["lfs"] and len(parts) == 2 and call["method"] == "PUT":
            return self._lfs_upload(parts[1], call["body"])
        if parts[:1] == ["lfs"] and parts[2:] == ["verify"] and call["method"] == "POST":
            return self._lfs_verify(parts[1], json.loads(call["body"]))
        if len(parts) >= 5 and parts[2] == "resolve" and call["method"] in ("GET", "HEAD"):
            repo_id, revision, path = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            return self._serve_file(repo_id, revision, path, call["range"])
        raise _HubError(404, None, f"No route for {call['method']} /{'/'.join(parts)}")

    def _api(self, parts: list[str], call: dict) -> Response:
        """``/api/...``; repo routes are called with ``(repo_id, revision, call)``."""
        method = call["method"]
        if method == "POST" and parts == ["repos", "create"]:
            return self._create_repo_route(json.loads(call["body"]))
        if method == "POST" and parts == ["validate-yaml"]:
            return self._json({"errors": [], "warnings": []})
        repo_id, rest = "/".join(parts[1:3]), parts[3:]
        action = rest[0] if rest else "revision"
        handler = {
            ("GET", "revision"): self._model_info,
            ("GET", "tree"): self._tree,
            ("POST", "tag"): self._create_tag,
            ("POST", "preupload"): self._preupload,
            ("POST", "commit"): self._create_commit,
        }.get((method, action))
        if handler is None or len(parts) < 3 or parts[0] != "models":
            raise _HubError(404, None, f"No route for {method} /api/{'/'.join(parts)}")
        call["path"] = "/".join(rest[2:])
        return handler(repo_id, rest[1] if len(rest) > 1 else "main", call)

    def _create_repo_route(self, payload: dict) -> Response:
        """``create_repo``: 200 with the repo url, or 409 (with the url) if it exists."""
        if payload.get("type") not in (None, "model") or not payload.get("organization"):
            raise _HubError(400, None, "Only model repos with an explicit namespace are supported")
        repo_id = f"{payload['organization']}/{payload['name']}"
        answer = {"url": f"{self.url}/{repo_id}", "name": repo_id}
        with self._lock:
            if (self.root / "repos" / repo_id).is_dir():
                return self._json({**answer, "error": "You already created this model repo"}, 409)
            self._create_repo(repo_id)
        return self._json(answer)

    def _model_info(self, repo_id: str, revision: str, _call: dict) -> Response:
        """``model_info``/``repo_info``: ``sha`` and ``siblings`` of a revision."""
        sha, files = self._resolve(repo_id, revision)
        record = json.loads((self._repo_dir(repo_id) / "commits" / f"{sha}.json").read_text())
        siblings = [
            {"rfilename": p, "size": e["size"], "blobId": e["oid"]} for p, e in files.items()
        ]
        info = {"id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0], "sha": sha}
        info.update(lastModified=record["date"], private=False, gated=False, disabled=False)
        return self._json({**info, "tags": [], "downloads": 0, "likes": 0, "siblings": siblings})

    def _tree(self, repo_id: str, revision: str, call: dict) -> Response:
        """``list_repo_tree`` (used by ``snapshot_download``): one page, no ``Link`` header."""
        sha, files = self._resolve(repo_id, revision)
        entries = self._entries(files)
        prefix = call["path"].strip("/") + "/" if call["path"].strip("/") else ""
        folders = {e["path"] for e in entries if e["type"] == "directory"}
        if prefix and prefix[:-1] not in folders:
            raise self._no_entry(call["path"], revision, sha)
        recursive = call["query"].get("recursive", ["false"])[0].lower() in ("true", "1")
        entries = [e for e in entries if e["path"].startswith(prefix)]
        if not recursive:
            entries = [e for e in entries if "/" not in e["path"][len(prefix) :]]
        return self._json(entries)

    def _preupload(self, repo_id: str, revision: str, call: dict) -> Response:
        """Weights and images go through LFS ("lfs"), the rest inline ("regular"); ``oid`` lets
        the client skip unchanged files (the sha256 for LFS files, the git blob id for others)."""
        _, files = self._resolve(repo_id, revision)
        answer = []
        for f in json.loads(call["body"])["files"]:
            lfs = f["path"].lower().endswith(LFS_SUFFIXES)
            known = files.get(f["path"], {})
            answer.append(
                {
                    "path": f["path"],
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": known.get("sha256" if lfs else "oid"),
                }
            )
        return self._json({"files": answer})

    def _lfs_batch(self, repo_id: str, call: dict) -> Response:
        """The Git LFS batch API (upload, basic transfer): actions for objects not stored yet."""
        self._repo_dir(repo_id)
        request = json.loads(call["body"])
        if request.get("operation") != "upload" or "basic" not in request.get("transfers", []):
            raise _HubError(400, None, "Only LFS uploads with the basic transfer are supported")
        objects = []
        for obj in request["objects"]:
            oid, size = obj["oid"], obj["size"]
            entry = {"oid": oid, "size": size}
            if not (self.root / "blobs" / oid).is_file():
                entry["actions"] = {
                    "upload": {"href": f"{self.url}/lfs/{oid}", "header": {}},
                    "verify": {"href": f"{self.url}/lfs/{oid}/verify", "header": {}},
                }
            objects.append(entry)
        answer = {"transfer": "basic", "objects": objects, "hash_algo": "sha256"}
        return 200, {"Content-Type": "application/vnd.git-lfs+json"}, json.dumps(answer).encode()

    def _lfs_upload(self, oid: str, data: bytes) -> Response:
        """A basic-transfer PUT: the bytes must hash to the object id."""
        if hashlib.sha256(data).hexdigest() != oid:
            raise _HubError(400, None, f"LFS upload does not match its oid {oid}")
        with self._lock:
            self._store_blob(data)
            self.lfs_uploads.append(oid)
        return 200, {}, b""

    def _lfs_verify(self, oid: str, payload: dict) -> Response:
        """The verify action: the object is stored with the announced size."""
        blob = self.root / "blobs" / oid
        if (
            payload.get("oid") != oid
            or not blob.is_file()
            or blob.stat().st_size != payload["size"]
        ):
            raise _HubError(404, None, f"LFS object {oid} was not uploaded")
        return self._json({"success": True})

    def _create_commit(self, repo_id: str, branch: str, call: dict) -> Response:
        """Apply an NDJSON commit (header, file, deletedFile, deletedFolder lines) to ``branch``."""
        summary, changes = "", {}
        for item in map(json.loads, filter(None, call["body"].splitlines())):
            key, value = item["key"], item["value"]
            if key == "header":
                summary = value.get("summary", "")
            elif key == "file":
                changes[value["path"]] = base64.b64decode(value["content"])
            elif key == "lfsFile":  # a pointer to an object uploaded through the batch API
                blob = self.root / "blobs" / value["oid"]
                if value.get("algo") != "sha256" or not blob.is_file():
                    raise _HubError(400, None, f"LFS object {value['oid']} was never uploaded")
                changes[value["path"]] = blob.read_bytes()
            elif key in ("deletedFile", "deletedFolder"):
                changes[value["path"].rstrip("/") + ("/" if key == "deletedFolder" else "")] = None
            else:
                raise _HubError(400, None, f"Unsupported commit operation {key!r}")
        sha = self._commit(repo_id, branch, changes, summary)
        answer = {"success": True, "commitOid": sha, "hookOutput": ""}
        return self._json({**answer, "commitUrl": f"{self.url}/{repo_id}/commit/{sha}"})

    def _create_tag(self, repo_id: str, revision: str, call: dict) -> Response:
        """``create_tag``: point a new tag at ``revision``; 409 if the tag exists."""
        tag = json.loads(call["body"])["tag"]
        return self._json({"name": tag, "target": self.tag(repo_id, tag, revision)})

    def _serve_file(self, repo_id: str, revision: str, path: str, rng: str | None) -> Response:
        """``/resolve/``: the bytes, with ``X-Repo-Commit``, ``ETag`` (quoted sha256), ``Range``."""
        sha, files = self._resolve(repo_id, revision)
        if path not in files:
            raise self._no_entry(path, revision, sha)
        digest = files[path]["sha256"]
        data = (self.root / "blobs" / digest).read_bytes()
        headers = {"X-Repo-Commit": sha, "ETag": f'"{digest}"', "Accept-Ranges": "bytes"}
        headers["Content-Type"] = "application/octet-stream"
        if rng is None:
            return 200, headers, data
        start, end = self._byte_range(rng, len(data))
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return 206, headers, data[start : end + 1]

    @staticmethod
    def _byte_range(header: str, size: int) -> tuple[int, int]:
        """First and last byte of a ``bytes=a-`` or ``bytes=a-b`` range (what the client sends)."""
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", header.replace(" ", ""))
        start = int(match[1]) if match else size
        end = min(int(match[2]), size - 1) if match and match[2] else size - 1
        if start > end:
            raise _HubError(416, None, f"Range {header!r} not satisfiable for {size} bytes")
        return start, end
