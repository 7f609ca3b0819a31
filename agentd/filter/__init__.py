"""Consul's ``?filter=`` expression language: go-bexpr as Consul uses it (v0.1.2 semantics).

Sans-IO: ``compile_filter(text)`` gives a ``Filter`` whose ``matches``/``apply``/``apply_map`` test
JSON-shaped records (dicts as Consul serialises them, PascalCase keys). Rules:

* Syntax: ``or`` < ``and`` < ``not`` in precedence, parentheses group. Matches are ``sel == v``,
  ``sel != v``, ``sel contains v``, ``sel not contains v``, ``v in sel``, ``v not in sel``,
  ``sel matches v``, ``sel not matches v``, ``sel is empty``, ``sel is not empty``. There is no
  ``<``/``>``. Keywords are lower case. Selectors are ``A.B.C`` with ``Meta.key`` or ``Meta["key"]``
  for map keys. Values are "double-quoted" (Go escapes), `raw`, decimal numbers (no exponent,
  no leading zeros) or bare words (``passing``, ``true``, even ``a.b``). Whitespace is needed only
  to separate words; go-bexpr sometimes demands more (it rejects ``not(x == 1)``, accepted here).
* Errors: ``FilterError``; syntax errors read ``line:col (offset): no match found, expected: ...``
  (offsets count characters). Consul answers them with 500 ``Failed to create boolean expression
  evaluator: <message>``.
* Comparison: the literal is read as the type the record holds (number, bool by Go's ParseBool,
  string). ``in``/``contains`` test a substring of a string, an element of a list or a key of a map.
  ``matches`` is Go RE2 syntax run by Python ``re.search`` (see ``regex.py`` for the differences).
* Missing keys and JSON null: ``==``, ``in``, ``matches`` and ``is not empty`` are false, their
  negations true (go-bexpr's rule for a missing map key). An operator that does not fit the value's
  type, or a literal that cannot be read as it, makes the match false either way.
* Lists on the selector's path (``Checks.Status`` on a health entry): the match holds if it holds
  for ANY element - for the negated operators too, so ``Checks.Status != passing`` means "some
  check is not passing"; write ``not Checks.Status == passing`` for "no check is passing". An
  empty list matches nothing, negated operators included. This follows go-bexpr v0.1.2's code.
* With ``fields=`` (``schema.py``) selectors, operators and coercions are checked up front with
  go-bexpr's messages, e.g. ``Selector "Foo" is not valid``; without, selectors resolve per record.
  ``fields.py`` holds the schema of each kind of response element, after Consul's Go types. With a
  schema, records are also evaluated as the Go value: a struct field the JSON omits has its zero
  value, so ``Kind == ""`` holds for a service without a kind (see ``schema.zero_filled``).
"""

from __future__ import annotations

from agentd.filter.compiler import Filter, compile_filter
from agentd.filter.errors import FilterError
from agentd.filter.schema import FieldType, Schema

__all__ = ["FieldType", "Filter", "FilterError", "Schema", "compile_filter"]
