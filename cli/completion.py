"""Shell completions for ``cnsl``, generated from the Typer app (:func:`cli.app.build`).

Each script carries the whole command tree (nouns, sub-commands, Consul-style ``-flags``) as
static tables, so completing is instant and needs no Python; only KV keys come from the running
agent, through ``cnsl kv get -keys``, and service names after ``-service``
(``cnsl catalog services``). ``completions/`` holds the generated files; a test fails
when they no longer match the app: regenerate with ``python -m cli.completion``.
``cnsl completion install`` writes the script for the user's shell where that shell looks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from cli.command import EXIT_ERROR, EXIT_OK, Command, command_table, no_args
from cli.goflags import STRING, Flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMANDS", "SHELLS", "render", "tree"]

SHELLS = ("bash", "zsh", "fish")
FILES = {"bash": "cnsl.bash", "zsh": "_cnsl", "fish": "cnsl.fish"}
KEY_COMMANDS = ("kv get", "kv put", "kv delete")  # their argument is a KV key
HEADER = "cnsl completion (generated from the Typer app by `python -m cli.completion`; do not edit)"
REPO_DIR = Path(__file__).resolve().parent.parent / "completions"


def tree() -> dict[str, list[str]]:
    """Every command path (``""`` is the root) -> what may follow it: sub-commands or flags."""
    import typer

    from cli.app import build

    out: dict[str, list[str]] = {}

    def walk(cmd: Any, path: str) -> None:
        subs = getattr(cmd, "commands", None)
        if subs is not None:
            out[path] = sorted(subs)
            for name in sorted(subs):
                walk(subs[name], f"{path} {name}".strip())
            return
        flags: list[str] = []
        for param in cmd.params:
            flags += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("-")]
        out[path] = sorted(set(flags))

    walk(typer.main.get_command(build()), "")
    return out


def _bash(t: dict[str, list[str]]) -> str:
    paths = "|".join(f'"{p}"' for p in t if p)
    cases = "\n".join(f'        "{p}") words="{" ".join(w)}" ;;' for p, w in t.items())
    keys = "|".join(f'"{p}"' for p in KEY_COMMANDS)
    return f"""# bash {HEADER}
_cnsl() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmdpath="" word next i words=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        [[ "$word" == -* ]] && continue
        next="${{cmdpath:+$cmdpath }}$word"
        case "$next" in
        {paths}) cmdpath="$next" ;;
        *) break ;;
        esac
    done
    case "$cmdpath" in
{cases}
    esac
    if [[ "$cur" != -* ]]; then
        case "$cmdpath" in
        {keys})
            words="$(cnsl kv get -keys "$cur" 2>/dev/null)" ;;
        esac
    fi
    if [[ "${{COMP_WORDS[COMP_CWORD-1]}}" == -service ]]; then
        words="$(cnsl catalog services 2>/dev/null)"
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _cnsl cnsl
"""


def _zsh(t: dict[str, list[str]]) -> str:
    paths = "|".join(f'"{p}"' for p in t if p)
    cases = "\n".join(f'        ("{p}") opts=({" ".join(w)}) ;;' for p, w in t.items())
    keys = "|".join(f'"{p}"' for p in KEY_COMMANDS)
    return f"""#compdef cnsl
# zsh {HEADER}
_cnsl() {{
    local cmdpath="" word next i
    local -a opts
    for ((i = 2; i < CURRENT; i++)); do
        word="${{words[i]}}"
        [[ "$word" == -* ]] && continue
        next="${{cmdpath:+$cmdpath }}$word"
        case "$next" in
        ({paths}) cmdpath="$next" ;;
        (*) break ;;
        esac
    done
    case "$cmdpath" in
{cases}
    esac
    if [[ "${{words[CURRENT]}}" != -* ]]; then
        case "$cmdpath" in
        ({keys})
            opts=(${{(f)"$(cnsl kv get -keys "${{words[CURRENT]}}" 2>/dev/null)"}}) ;;
        esac
    fi
    if [[ "${{words[CURRENT-1]}}" == -service ]]; then
        opts=(${{(f)"$(cnsl catalog services 2>/dev/null)"}})
    fi
    compadd -- $opts
}}
if [[ "${{zsh_eval_context[-1]}}" == loadautofunc ]]; then
    _cnsl "$@"
else
    compdef _cnsl cnsl
fi
"""


def _fish(t: dict[str, list[str]]) -> str:
    paths = " ".join(f"'{p}'" for p in t if p)
    lines = [
        f"# fish {HEADER}",
        f"set -g __cnsl_paths {paths}",
        "function __cnsl_at",
        "    set -l words (commandline -opc)",
        "    set -e words[1]",
        '    set -l p ""',
        "    for w in $words",
        "        string match -q -- '-*' $w; and continue",
        '        set -l next (string trim -- "$p $w")',
        "        contains -- $next $__cnsl_paths; or break",
        "        set p $next",
        "    end",
        '    test "$p" = "$argv[1]"',
        "end",
        "complete -c cnsl -f",
    ]
    for p, words in t.items():
        lines.append(f"complete -c cnsl -n \"__cnsl_at '{p}'\" -a '{' '.join(words)}'")
    for p in KEY_COMMANDS:
        lines.append(
            f"complete -c cnsl -n \"__cnsl_at '{p}'\" "
            "-a '(command -q cnsl; and cnsl kv get -keys (commandline -ct) 2>/dev/null)'"
        )
    lines.append(
        'complete -c cnsl -n "string match -q -- -service (commandline -opc)[-1]" '
        "-a '(command -q cnsl; and cnsl catalog services 2>/dev/null)'"
    )
    return "\n".join(lines) + "\n"


def render(shell: str, t: dict[str, list[str]] | None = None) -> str:
    t = tree() if t is None else t
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](t)


def install_path(shell: str, home: Path) -> Path:
    """Where each shell looks for a user's completions without further setup (zsh: ~/.zfunc,
    which must be on ``fpath`` before ``compinit``)."""
    if shell == "bash":
        data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        return Path(data) / "bash-completion" / "completions" / "cnsl"
    if shell == "zsh":
        return home / ".zfunc" / "_cnsl"
    config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config) / "fish" / "completions" / "cnsl.fish"


def _shell(inv: Invocation) -> str | None:
    shell = inv.parsed.text("shell") or Path(os.environ.get("SHELL", "bash")).name
    if shell not in SHELLS:
        inv.out.error(f"Unsupported shell {shell!r}: use -shell with one of {', '.join(SHELLS)}")
        return None
    return shell


def run_install(inv: Invocation) -> int:
    no_args(inv)
    shell = _shell(inv)
    if shell is None:
        return EXIT_ERROR
    target = install_path(shell, Path.home())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(shell))
    except OSError as exc:
        inv.out.error(f"Error installing completions: {exc}")
        return EXIT_ERROR
    inv.out.info(f"Installed {shell} completions to {target}")
    if shell == "zsh":
        inv.out.info("Add 'fpath=(~/.zfunc $fpath)' before 'compinit' in ~/.zshrc if needed.")
    return EXIT_OK


def run_script(inv: Invocation) -> int:
    no_args(inv)
    shell = _shell(inv)
    if shell is None:
        return EXIT_ERROR
    inv.out.info(render(shell).rstrip("\n"))
    return EXIT_OK


SHELL_FLAG = Flag("shell", STRING, "", help="bash, zsh or fish (default: from $SHELL).")
COMMANDS: dict[str, Command] = command_table(
    Command(
        "install",
        (SHELL_FLAG,),
        run_install,
        synopsis="Installs shell completions for cnsl",
        help="Write the completion script for your shell where it looks for completions.",
    ),
    Command(
        "script",
        (SHELL_FLAG,),
        run_script,
        synopsis="Prints the shell completion script",
        help="Print the completion script for a shell, e.g. source <(cnsl completion script).",
    ),
)


def main() -> None:
    """Regenerate ``completions/`` from the app."""
    t = tree()
    for shell in SHELLS:
        (REPO_DIR / FILES[shell]).write_text(render(shell, t))
        sys.stdout.write(f"wrote {REPO_DIR / FILES[shell]}\n")


if __name__ == "__main__":
    main()
