"""kan_edu.check: exercise checks that help without giving the answer away.

Every check takes the student's answer (usually a function), tests properties of it, prints one verdict
line (a tick, or the first failed property with a hint) and returns a :class:`Verdict`. It never raises on
a wrong answer and never prints the reference answer. Checks are grouped by topic in submodules and
re-exported here, so a chapter simply calls ``check.relu(relu)``.
"""
from ._core import NotAnswered, Verdict, run  # noqa: F401
from .deep import *  # noqa: F401,F403
from .fitting import *  # noqa: F401,F403
from .gradients import *  # noqa: F401,F403
from .isometry import *  # noqa: F401,F403
from .kan import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .performance import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .shallow import *  # noqa: F401,F403
from .supervised import *  # noqa: F401,F403
from .warmup import *  # noqa: F401,F403
