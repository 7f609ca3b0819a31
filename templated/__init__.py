"""templated: consul-template's job (render files from Consul data, keep them current) on Jinja2,
with consul-template's Go-template syntax still accepted for existing ``.ctmpl`` files.

Rules: templated imports ``cnslkit`` and nothing of ``agentd``, ``cli``, ``envd`` or ``watchd``.
The blocking queries, their de-duplication and index rules live in :mod:`cnslkit.watch`; file
writing in :mod:`cnslkit.render`; the child in :mod:`cnslkit.child`. This package is the
command line (``main``, ``flags``), config (``config``, ``configfile``), templates
(``engines``, ``gotmpl``, ``funcs``, ``helpers`` with ``helpers_io``, ``nested``, ``spew``,
``toml_writer``, ``plain``, ``sockaddr``; ``lookup``, ``template``) and the loop that
ties them together (``runner`` with ``output``, ``quiescence``, ``signals``, ``filewatch``,
``explain``). Exit codes are listed in :mod:`templated.errors`.
"""
