"""The agents, one module a kind: the partners (``partners.py``: Japan, the United States, Australia,
India), the ASEAN members (``members.py``), ASEAN as an institution (``asean.py``), China (``china.py``)
and the threat actors at sea (``criminals.py``). Each decision is a short method on its class whose
docstring states the rule; ``sim/model/region.py`` calls them in the order of its schedule."""
