from .c2matching import *  # noqa: F401,F403
