"""The state layer: the only code that talks to Redis (keys, Lua scripts, codec, the connection).

Public names: ``ConversationStateManager`` (the design report's manager), ``AppendResult``,
``client_from_url`` (a redis-py client with the product's timeouts) and ``state_to_json``. In a Django
process, ``sessions_app.state.configured.get_state_manager()`` gives the one built from settings.
Inside the product, import from the submodules (this file is for callers outside it).
"""

from sessions_app.state.connection import client_from_url
from sessions_app.state.jsonshape import state_to_json
from sessions_app.state.manager import AppendResult, ConversationStateManager

__all__ = ["AppendResult", "ConversationStateManager", "client_from_url", "state_to_json"]
