"""The README documents every command a user can type."""

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
FLASK_BUILTIN = {"routes", "run", "shell", "limiter"}


def test_every_fieldapp_command_is_in_the_readme(app):
    commands = set(app.cli.list_commands(None)) - FLASK_BUILTIN
    assert commands, "no commands found"
    assert sorted(c for c in commands if f"fieldapp {c}" not in README) == []


def test_every_simulation_subcommand_is_documented():
    out = subprocess.run([sys.executable, "-m", "simulation", "--help"], capture_output=True, text=True).stdout
    subcommands = re.search(r"\{([a-z,]+)\}", out).group(1).split(",")
    sim_readme = (Path(__file__).resolve().parents[1] / "simulation" / "README.md").read_text(encoding="utf-8")
    assert sorted(c for c in subcommands if f"simulation {c}" not in sim_readme) == []


def test_two_commands_are_the_readme_promise():
    assert "make run" in README and "make test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_module_map_matches_the_tree():
    """Every fieldapp package and module is in the README's map, and the map names no ghost."""
    import re

    root = Path(__file__).resolve().parents[1] / "fieldapp"
    rows = re.findall(r"^\| `(\w+)/` \| ([^|]*) \|", README, re.M)
    mapped = {pkg: set(re.findall(r"`(\w+)\.py`", mods)) for pkg, mods in rows}
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    assert set(mapped) == packages
    for pkg, modules in mapped.items():
        on_disk = {p.stem for p in (root / pkg).glob("*.py")} - {"__init__"}
        listed = modules | ({"one module per table group"} if pkg == "storage" else set())
        assert modules <= on_disk, (pkg, modules - on_disk)
        if pkg != "storage":
            assert on_disk <= listed, (pkg, on_disk - listed)
