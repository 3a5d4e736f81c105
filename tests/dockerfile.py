"""The repository's Dockerfile and .dockerignore, read as Docker reads them."""

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form CMD, ENTRYPOINT or HEALTHCHECK CMD."""
        arguments = self.arguments
        if self.keyword == "HEALTHCHECK":
            arguments = arguments.partition("CMD ")[2]
        parsed = json.loads(arguments)
        assert isinstance(parsed, list), f"{self.keyword} is not in exec form"
        return [str(part) for part in parsed]


def instructions() -> list[Instruction]:
    """Every instruction, continuation lines joined, numbered by build stage from 0."""
    parsed: list[Instruction] = []
    stage = -1
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stage += 1
        parsed.append(Instruction(keyword.upper(), " ".join(arguments.split()), stage))
    return parsed


def final_stage() -> list[Instruction]:
    every = instructions()
    return [i for i in every if i.stage == every[-1].stage]


def command() -> list[str]:
    [cmd] = [i for i in final_stage() if i.keyword == "CMD"]
    return cmd.exec_form()


def copied_from_context() -> list[str]:
    """The sources of every COPY that reads the build context (not another stage)."""
    sources: list[str] = []
    for instruction in instructions():
        if instruction.keyword == "COPY" and "--from=" not in instruction.arguments:
            sources += instruction.arguments.split()[:-1]
    return sources


def in_build_context(path: str) -> bool:
    """Whether .dockerignore lets the file at this context-relative path into the build.

    A pattern covers a path when it matches the path or a folder above it; the last
    pattern that covers the path decides, and a leading ! lets the path back in.
    """
    parts = PurePosixPath(path).parts
    covering = [str(PurePosixPath(*parts[:n])) for n in range(1, len(parts) + 1)]
    included = True
    for line in DOCKERIGNORE.read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        allow = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        if any(_matches(pattern, candidate) for candidate in covering):
            included = allow
    return included


def _matches(pattern: str, path: str) -> bool:
    """Go's filepath.Match, as Docker uses it, plus ** for any number of folders."""
    regex = ""
    position = 0
    while position < len(pattern):
        if pattern.startswith("**/", position):
            regex, position = regex + "(?:.*/)?", position + 3
        elif pattern.startswith("**", position):
            regex, position = regex + ".*", position + 2
        elif pattern[position] == "*":
            regex, position = regex + "[^/]*", position + 1
        elif pattern[position] == "?":
            regex, position = regex + "[^/]", position + 1
        elif pattern[position] == "[":
            end = pattern.index("]", position)
            regex += "[" + pattern[position + 1 : end].replace("!", "^", 1) + "]"
            position = end + 1
        else:
            regex, position = regex + re.escape(pattern[position]), position + 1
    return re.fullmatch(regex, path) is not None
