"""Route modules record their routes here; their package's __init__.py makes the blueprint and adds them.

A route module cannot import the blueprint from its package's ``__init__.py`` when that ``__init__.py`` imports
the route module (an import cycle, which Flask apps usually hide with a bottom-of-file import). So a route module
writes ``bp = Routes()`` and decorates as it would a Blueprint (``@bp.get(...)``, ``@bp.before_request``, …);
the package's ``__init__.py`` imports the module at the top, makes the Blueprint and calls ``routes.bp.add_to(bp)``.
"""

from __future__ import annotations

from flask import Blueprint


class Routes:
    """Blueprint decorator calls, recorded in order and replayed onto a Blueprint."""

    def __init__(self) -> None:
        self._calls: list[tuple[str, tuple | None, dict, object]] = []  # args None: used bare, without ()

    def __getattr__(self, name: str):
        if name.startswith("_") or not callable(getattr(Blueprint, name, None)):
            raise AttributeError(name)

        def record(*args, **kwargs):
            if len(args) == 1 and callable(args[0]) and not kwargs:  # bare decorator: @bp.before_request
                self._calls.append((name, None, {}, args[0]))
                return args[0]

            def decorator(function):
                self._calls.append((name, args, kwargs, function))
                return function

            return decorator

        return record

    def add_to(self, blueprint: Blueprint) -> None:
        """Apply the recorded decorators to `blueprint`, in the order they were written."""
        for name, args, kwargs, function in self._calls:
            method = getattr(blueprint, name)
            if args is None:
                method(function)
            else:
                method(*args, **kwargs)(function)
