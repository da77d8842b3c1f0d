"""What every lesson shares: its two command-line options and the heading printed before each pillar."""

import sys

from pillars.arguments import Parser, whole_number
from pillars.backends import ENVIRONMENT_VARIABLE, NAMES
from pillars.errors import PillarsError


def parser(doc, epochs):
    """A parser for a lesson's --backend and --epochs (``epochs`` is the default: a short run).

    The lesson's docstring is the --help text; a lesson adds its own options to the parser.
    """
    parser = Parser(description=doc.split("\n\n")[0], epilog="see the lesson's source for what each pillar does")
    parser.add_argument("--backend", choices=NAMES,
                        help=f"the library that runs the tensors (default: ${ENVIRONMENT_VARIABLE}, else minigrad)")
    parser.add_argument("--epochs", type=whole_number, default=epochs, help=f"passes over the training rows "
                                                                            f"(default {epochs})")
    return parser


def heading(title):
    """Print a pillar's title as a heading, so a lesson's output reads in the same steps as its code."""
    print(f"\n== {title} " + "=" * max(3, 72 - len(title)))


def run_from_command_line(main, name):
    """Run a lesson's main() as ``python -m pillars.lessons.NAME`` does: a mistake pillars names (a
    backend that is not there, say) is one line and exit status 2, as in the pillars command."""
    try:
        main()
    except PillarsError as err:
        print(f"python -m pillars.lessons.{name}: error: {err}", file=sys.stderr)
        sys.exit(2)
