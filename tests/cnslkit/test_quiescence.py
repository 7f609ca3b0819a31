from __future__ import annotations

from cnslkit.quiescence import Quiescence


def test_min_pushes_back_within_max() -> None:
    q = Quiescence(1.0, 3.0)
    assert not q.due(0.0)
    q.update(10.0)
    assert q.deadline == 11.0 and not q.due(10.9) and q.due(11.0)
    q.update(10.5)
    assert q.deadline == 11.5
    q.update(12.8)  # still changing: max caps it at first + 3
    assert q.deadline == 13.0
    q.reset()
    assert q.deadline is None and not q.due(100.0)
